"""Rate limits on join-code look-ups and joins, so codes cannot be found by trying them one after another."""
from django.conf import settings
from edx_django_utils.ip import get_safest_client_ip
from rest_framework.throttling import SimpleRateThrottle


class _JoinCodeThrottle(SimpleRateThrottle):
    """Rate read from a plugin setting at each request (``None`` turns the limit off)."""

    setting_name = ""

    def get_rate(self):
        return getattr(settings, self.setting_name)


class JoinCodeIPThrottle(_JoinCodeThrottle):
    """
    Per client IP, as edx-django-utils finds it for rate limiting: the rightmost IP a client cannot spoof
    (configured by the LMS's ``CLOSEST_CLIENT_IP_FROM_HEADERS``), not a client-supplied ``X-Forwarded-For``.
    """

    scope = "join_code_ip"
    setting_name = "CERTEXCEPTIONS_JOIN_CODE_RATE_PER_IP"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": get_safest_client_ip(request)}


class JoinCodeUserThrottle(_JoinCodeThrottle):
    """Per logged-in user, whatever address they come from."""

    scope = "join_code_user"
    setting_name = "CERTEXCEPTIONS_JOIN_CODE_RATE_PER_USER"

    def get_cache_key(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}
