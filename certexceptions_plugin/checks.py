"""Django system checks, run by ``manage.py check`` (and so at every LMS start)."""
from __future__ import annotations

from collections.abc import Iterator

from django.conf import settings
from django.core import checks
from django.urls import Resolver404, URLPattern, URLResolver, resolve
from django.utils.regex_helper import normalize

from certexceptions_plugin import urls
from certexceptions_plugin.rest import has_public_signing_keys, not_found

#: A value for each URL parameter of the plugin's routes, to build a path each route matches.
SAMPLE_URL_KWARGS = {
    "course_id": "course-v1:edX+DemoX+Demo_Course",
    "operation_id": "7f1c2a3e-8d4b-4c5a-9e6f-0a1b2c3d4e5f",
    "code": "B123-C456",
}


def sample_path(regexes: list[str], kwargs: dict[str, str]) -> str:
    """A path matched by the route whose (nested) patterns are ``regexes``, with ``kwargs`` as its parameters."""
    return "/" + "".join(normalize(regex)[0][0] % kwargs for regex in regexes)


def plugin_routes(patterns=urls.urlpatterns, regexes=()) -> Iterator[tuple[str, URLPattern]]:
    """Every route of the plugin's urlconf, with a sample path of it (the JSON 404 fallbacks aside)."""
    for pattern in patterns:
        nested = [*regexes, pattern.pattern.regex.pattern]
        if isinstance(pattern, URLResolver):
            yield from plugin_routes(pattern.url_patterns, nested)
        elif pattern.callback is not not_found:
            yield sample_path(nested, SAMPLE_URL_KWARGS), pattern


@checks.register(checks.Tags.urls)
def check_routes_reach_the_plugin(app_configs, **kwargs):  # pylint: disable=unused-argument
    """
    ``certexceptions_plugin.W001``: a plugin route that the running project answers with another view.

    The LMS mounts core's instructor API and every plugin's URLs side by side; the first pattern that matches wins.
    """
    warnings = []
    for path, pattern in plugin_routes():
        try:
            match = resolve(path)
        except Resolver404:
            match = None
        if match is not None and match.func is pattern.callback:
            continue
        answered_by = match._func_path if match else "no view"  # pylint: disable=protected-access
        warnings.append(checks.Warning(
            f"The route {pattern.name} of certexceptions_plugin ({path}) is answered by {answered_by}.",
            hint="Another app registers a URL pattern that matches this route before the plugin's URLs; "
                 "remove it or mount it after the plugin's.",
            id="certexceptions_plugin.W001",
        ))
    return warnings


@checks.register()
def check_jwt_public_signing_keys(app_configs, **kwargs):  # pylint: disable=unused-argument
    """``certexceptions_plugin.W002``: without a public signing key set, the plugin's endpoints refuse every JWT."""
    if has_public_signing_keys():
        return []
    return [checks.Warning(
        "JWT_AUTH['JWT_PUBLIC_SIGNING_JWK_SET'] holds no public signing key: the certexceptions_plugin endpoints "
        "refuse every JWT (session logins still work). Without one, edx-drf-extensions would accept unsigned tokens.",
        hint="Publish the LMS's public JWT signing keys there, a JSON JWK set, as the LMS's settings do "
             "(Tutor sets it from JWT_RSA_PRIVATE_KEY).",
        id="certexceptions_plugin.W002",
    )]


@checks.register()
def check_client_ip_headers(app_configs, **kwargs):  # pylint: disable=unused-argument
    """
    ``certexceptions_plugin.W003``: join codes are rate-limited per client IP, which edx-django-utils reads from
    ``CLOSEST_CLIENT_IP_FROM_HEADERS``; left unset, it believes a client-supplied ``X-Forwarded-For`` whenever the
    connection comes from a private address (a proxy), so the limit can be bypassed.
    """
    if settings.CERTEXCEPTIONS_JOIN_CODE_RATE_PER_IP is None:
        return []
    if getattr(settings, "CLOSEST_CLIENT_IP_FROM_HEADERS", None):
        return []
    return [checks.Warning(
        "CLOSEST_CLIENT_IP_FROM_HEADERS is not set: behind a proxy, clients can choose the IP address the join-code "
        "rate limit (CERTEXCEPTIONS_JOIN_CODE_RATE_PER_IP) counts, by sending X-Forwarded-For.",
        hint="Name the header and index your proxy sets, e.g. [{'name': 'X-Forwarded-For', 'index': -1}] behind one "
             "proxy (see edx-django-utils' ip module).",
        id="certexceptions_plugin.W003",
    )]
