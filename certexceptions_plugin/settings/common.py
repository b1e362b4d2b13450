"""Default settings, applied by the LMS through ``plugin_settings`` (and by the standalone host)."""
from pathlib import Path

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
    "CERTEXCEPTIONS_CHUNK_SIZE": 5_000,
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


#: openedx-filters' ``InstructorDashboardRenderStarted.filter_type``, and the step that adds the Bulk tools tab.
INSTRUCTOR_DASHBOARD_FILTER = "org.openedx.learning.instructor.dashboard.render.started.v1"
BULK_TOOLS_STEP = "certexceptions_plugin.staff_page.filters.AddBulkToolsTab"
#: Where the LMS's Mako lookup finds the tab's template (``{template_path_prefix}{section_key}.html``).
LMS_TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "staff_page" / "lms_templates"


def plugin_settings(settings):
    """Set every default the deployment has not set already, and add the Bulk tools tab to the dashboard."""
    for name, value in DEFAULTS.items():
        if not hasattr(settings, name):
            setattr(settings, name, value)
    register_bulk_tools_tab(settings)


def register_bulk_tools_tab(settings):
    """
    Append the Bulk tools step to the instructor dashboard's filter pipeline, keeping every step other plugins (or
    the operator) registered, and their ``fail_silently``; running it again changes nothing.

    openedx-filters reads the filter's entry as a dict (``pipeline``, ``fail_silently``, extra config), a list of
    steps or one step's path (``OpenEdxPublicFilter.get_pipeline_configuration``); a new entry keeps its default,
    ``fail_silently`` true, so that a failing step never breaks the dashboard. tutor-contrib-aspects registers
    platform-plugin-aspects' ``AddSupersetTab`` the same way, appending to any pipeline already there
    (tutoraspects/patches/openedx-common-settings).
    """
    config = getattr(settings, "OPEN_EDX_FILTERS_CONFIG", None) or {}
    entry = config.get(INSTRUCTOR_DASHBOARD_FILTER) or {}
    if isinstance(entry, str):
        entry = {"pipeline": [entry]}
    elif isinstance(entry, (list, tuple)):
        entry = {"pipeline": list(entry)}
    pipeline = list(entry.get("pipeline") or [])
    if BULK_TOOLS_STEP not in pipeline:
        pipeline.append(BULK_TOOLS_STEP)
    settings.OPEN_EDX_FILTERS_CONFIG = {**config, INSTRUCTOR_DASHBOARD_FILTER: {**entry, "pipeline": pipeline}}
    _add_lms_template_dir(settings)


def _add_lms_template_dir(settings):
    """
    Let the LMS's Mako lookup find the tab's template, as platform-plugin-aspects' settings/common.py appends its
    templates to ``MAKO_TEMPLATE_DIRS_BASE`` (lms/envs/common.py derives the Mako ``DIRS`` from it later, in
    ``derive_settings``). Hosts without Mako (the standalone host) have no such setting.
    """
    dirs = getattr(settings, "MAKO_TEMPLATE_DIRS_BASE", None)
    if isinstance(dirs, list) and LMS_TEMPLATES_DIR not in [Path(d) for d in dirs]:
        dirs.append(LMS_TEMPLATES_DIR)
