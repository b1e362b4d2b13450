"""OpenAPI descriptions of the edx-drf-extensions authentication classes the views use."""
from drf_spectacular.authentication import SessionScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension


class JwtAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "edx_rest_framework_extensions.auth.jwt.authentication.JwtAuthentication"
    match_subclasses = True  # the views use a subclass (rest.PluginJwtAuthentication)
    name = "jwtAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": "An Open edX JWT: `Authorization: JWT <token>`."}


class SessionAllowInactiveScheme(SessionScheme):
    target_class = "edx_rest_framework_extensions.auth.session.authentication.SessionAuthenticationAllowInactiveUser"
    name = "edxSessionAuth"
