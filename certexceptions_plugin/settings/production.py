"""Production settings: operators override any default through the LMS's YAML config (``ENV_TOKENS``)."""
from certexceptions_plugin.settings.common import DEFAULTS, register_bulk_tools_tab


def plugin_settings(settings):
    """
    Take each setting from ``ENV_TOKENS`` when the operator set it there, and register the Bulk tools tab again:
    lms/envs/production.py replaces ``OPEN_EDX_FILTERS_CONFIG`` with the YAML's after the common plugin settings ran,
    and calls the production ones after that.
    """
    env_tokens = getattr(settings, "ENV_TOKENS", {}) or {}
    for name in DEFAULTS:
        if name in env_tokens:
            setattr(settings, name, env_tokens[name])
    register_bulk_tools_tab(settings)
