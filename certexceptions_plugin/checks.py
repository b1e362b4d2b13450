"""Django system checks, run by ``manage.py check`` (and at every LMS start)."""
from django.core.checks import Warning as CheckWarning
from django.core.checks import register

from certexceptions_plugin.rest import has_public_signing_keys


@register()
def check_jwt_public_signing_keys(app_configs, **kwargs):  # pylint: disable=unused-argument
    """W002: without a public signing key set, the plugin's endpoints refuse every JWT."""
    if has_public_signing_keys():
        return []
    return [CheckWarning(
        "JWT_AUTH['JWT_PUBLIC_SIGNING_JWK_SET'] holds no public signing key: the certexceptions_plugin endpoints "
        "refuse every JWT (session logins still work). Without one, edx-drf-extensions would accept unsigned tokens.",
        hint="Publish the LMS's public JWT signing keys there, a JSON JWK set, as the LMS's settings do "
             "(Tutor sets it from JWT_RSA_PRIVATE_KEY).",
        id="certexceptions_plugin.W002",
    )]
