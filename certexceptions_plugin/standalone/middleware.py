"""Middleware of the standalone host."""


class DropForwardedFor:
    """
    The standalone host serves clients directly, with no proxy in front: an ``X-Forwarded-For`` header can only come
    from the client. edx-django-utils' ``get_safest_client_ip`` would otherwise believe its rightmost public address
    whenever ``REMOTE_ADDR`` is private or loopback (``edx_django_utils/ip/internal/ip.py``, the fallback used when
    ``CLOSEST_CLIENT_IP_FROM_HEADERS`` names no header), so a client could rotate its address at will.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_X_FORWARDED_FOR", None)
        return self.get_response(request)
