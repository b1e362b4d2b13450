"""Settings for the LMS's own test runs: the defaults apply."""
from certexceptions_plugin.settings.common import plugin_settings  # noqa: F401
