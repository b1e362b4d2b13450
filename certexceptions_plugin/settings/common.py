"""Default settings, applied by the LMS through ``plugin_settings`` (and by the standalone host)."""

DEFAULTS = {
    # Dotted path of the Host implementation; the LMS adapter unless an operator overrides it.
    "CERTEXCEPTIONS_HOST": "certexceptions_plugin.host.openedx.OpenedxHost",
    # Largest CSV upload accepted, in bytes (413 above it).
    "CERTEXCEPTIONS_MAX_UPLOAD_BYTES": 10 * 1024 * 1024,
    # Most data rows accepted in one CSV upload (400 above it).
    "CERTEXCEPTIONS_MAX_ROWS": 100_000,
    # Uploads with more data rows than this run as a background Celery task (202 + operation URL).
    "CERTEXCEPTIONS_SYNC_MAX_ROWS": 2_000,
    # Rows resolved, checked and written per batch of queries / per transaction.
    "CERTEXCEPTIONS_CHUNK_SIZE": 500,
    # Seconds after which a crashed import's per-course lock expires.
    "CERTEXCEPTIONS_LOCK_TIMEOUT": 60 * 60,
}


def plugin_settings(settings):
    """Set every default the deployment has not set already."""
    for name, value in DEFAULTS.items():
        if not hasattr(settings, name):
            setattr(settings, name, value)
