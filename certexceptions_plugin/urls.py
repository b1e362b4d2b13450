"""
The plugin's URLs, mounted at the LMS root (``plugin_app`` regex ``''``), so every path here is complete.
"""
from django.urls import include, re_path

from certexceptions_plugin.audit.views import AuditEventListView
from certexceptions_plugin.bulk.views import (
    BulkOperationListView,
    BulkOperationReportView,
    BulkOperationRetryView,
    BulkOperationRowsView,
    BulkOperationView,
)
from certexceptions_plugin.rest import COURSE_ID_PATTERN, not_found

COURSE_PREFIX = rf"^api/instructor/v2/courses/{COURSE_ID_PATTERN}"
OPERATION = rf"{COURSE_PREFIX}/bulk_operations/(?P<operation_id>[0-9a-f-]{{36}})"
#: The plugin's own paths under a course: anything else below them is a JSON 404, whatever the course id looks like.
OWN_PATHS = r"(?:certificates/exceptions/imports|invitations|external_ids|join_code|bulk_operations|audit)"

urlpatterns = [
    re_path("", include("certexceptions_plugin.certificates.urls")),
    re_path("", include("certexceptions_plugin.invitations.urls")),
    re_path("", include("certexceptions_plugin.join_codes.urls")),
    re_path("", include("certexceptions_plugin.staff_page.urls")),
    re_path(rf"{COURSE_PREFIX}/audit$", AuditEventListView.as_view(), name="audit_events"),
    re_path(rf"{COURSE_PREFIX}/bulk_operations$", BulkOperationListView.as_view(), name="bulk_operations"),
    re_path(rf"{OPERATION}$", BulkOperationView.as_view(), name="bulk_operation"),
    re_path(rf"{OPERATION}/rows$", BulkOperationRowsView.as_view(), name="bulk_operation_rows"),
    re_path(rf"{OPERATION}/report\.csv$", BulkOperationReportView.as_view(), name="bulk_operation_report"),
    re_path(rf"{OPERATION}/retry$", BulkOperationRetryView.as_view(), name="bulk_operation_retry"),
    # Last: what no route above serves under the plugin's own prefixes; ``[\s\S]``, not ``.``, which stops at a
    # newline (a decoded %0A).
    re_path(rf"^api/instructor/v2/courses/(?P<course_id>[^/]+(?:/[^/]+/[^/]+)?)/{OWN_PATHS}(?:[/.][\s\S]*)?$",
            not_found, name="not_found_course"),
    re_path(r"^api/course_join/v1/[\s\S]*$", not_found, name="not_found_join"),
]
