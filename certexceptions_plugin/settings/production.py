"""Production settings: operators override any default through the LMS's YAML config (``ENV_TOKENS``)."""
from certexceptions_plugin.settings.common import DEFAULTS


def plugin_settings(settings):
    """Take each setting from ``ENV_TOKENS`` when the operator set it there."""
    env_tokens = getattr(settings, "ENV_TOKENS", {}) or {}
    for name in DEFAULTS:
        if name in env_tokens:
            setattr(settings, name, env_tokens[name])
