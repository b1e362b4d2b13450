"""OpenAPI descriptions the views cannot give themselves: edx-drf-extensions' authentication, closed request bodies."""
from drf_spectacular.authentication import SessionScheme
from drf_spectacular.extensions import (
    OpenApiAuthenticationExtension,
    OpenApiSerializerExtension,
    OpenApiSerializerFieldExtension,
)

from certexceptions_plugin.rest import NO_NUL_PATTERN


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


class ClosedSerializerScheme(OpenApiSerializerExtension):
    """A ``rest.ClosedSerializer`` refuses undeclared fields: its schema says so."""

    target_class = "certexceptions_plugin.rest.ClosedSerializer"
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        # pylint: disable-next=protected-access
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        return {**schema, "additionalProperties": False}


class StrictCharFieldScheme(OpenApiSerializerFieldExtension):
    """A ``rest.StrictCharField`` takes no NUL character: its schema says so, unless it has a pattern of its own."""

    target_class = "certexceptions_plugin.rest.StrictCharField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        # pylint: disable-next=protected-access
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        return {"pattern": NO_NUL_PATTERN, **schema}
