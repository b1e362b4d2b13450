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
    # The STORAGES alias where uploads wait for their background task; point it at a private storage.
    "CERTEXCEPTIONS_UPLOAD_STORAGE": "default",
    # Seconds after which a crashed import's per-course lock expires.
    "CERTEXCEPTIONS_LOCK_TIMEOUT": 60 * 60,
    # Seconds without progress after which a background import counts as lost (its worker died): it is shown as
    # failed (worker_lost), its lock is freed, and it can be started again.
    "CERTEXCEPTIONS_OPERATION_STALE_SECONDS": 15 * 60,
    # Days an import's results are kept after it last changed (finished): then its stored upload, its rows and the
    # operation are deleted by the delete_expired_results command or Celery task, which the operator schedules.
    # None keeps them.
    "CERTEXCEPTIONS_RESULT_RETENTION_DAYS": 30,
    # Where a join code sends people (shown and encoded in the QR code); {lms_root} is LMS_ROOT_URL without a
    # trailing slash, {code} the join code, {course_id} the course.
    "CERTEXCEPTIONS_JOIN_URL_TEMPLATE": "{lms_root}/courses/join/{code}",
    # DRF rates ("N/second|minute|hour|day") for join-code look-ups and joins together, per client IP and per
    # logged-in user; None turns a limit off. A classroom behind one NAT address shares the per-IP budget.
    "CERTEXCEPTIONS_JOIN_CODE_RATE_PER_IP": "60/minute",
    "CERTEXCEPTIONS_JOIN_CODE_RATE_PER_USER": "20/minute",
}


def plugin_settings(settings):
    """Set every default the deployment has not set already."""
    for name, value in DEFAULTS.items():
        if not hasattr(settings, name):
            setattr(settings, name, value)
