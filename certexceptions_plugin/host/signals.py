"""
The LMS's retirement signals, at paths that ``plugin_app['signals_config']`` can name whatever the host.

Each name of :data:`~certexceptions_plugin.host.port.RETIREMENT_SIGNALS` is an attribute of this module, looked up
when it is read: the host's signal of that name (``Host.retirement_signal``): under the LMS, the signal of
``openedx.core.djangoapps.user_api.accounts.signals``; under the standalone host, its stand-in. The plugin
framework reads them when it connects receivers, in an ``AppConfig.ready()``, once settings are loaded.
"""
from certexceptions_plugin.host import get_host
from certexceptions_plugin.host.port import RETIREMENT_SIGNALS


def __getattr__(name: str):
    if name in RETIREMENT_SIGNALS:
        return get_host().retirement_signal(name=name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
