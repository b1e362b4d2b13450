"""
The boundary between the plugin and the LMS that runs it.

Feature code calls :func:`get_host` and uses the :class:`~certexceptions_plugin.host.port.Host` protocol only.
"""
from functools import lru_cache

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.module_loading import import_string

from certexceptions_plugin.host.port import Host


@lru_cache(maxsize=1)
def get_host() -> Host:
    """Return the Host named by ``settings.CERTEXCEPTIONS_HOST``."""
    return import_string(settings.CERTEXCEPTIONS_HOST)()


@receiver(setting_changed)
def _forget_host(setting, **kwargs):
    if setting == "CERTEXCEPTIONS_HOST":
        get_host.cache_clear()
