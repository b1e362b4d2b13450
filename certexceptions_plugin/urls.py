"""
The plugin's URLs, mounted at the LMS root (``plugin_app`` regex ``''``), so every path here is complete.
"""
from django.urls import URLResolver, include, re_path

from certexceptions_plugin.audit.views import AuditEventListView
from certexceptions_plugin.bulk.views import BulkOperationReportView, BulkOperationView
from certexceptions_plugin.rest import COURSE_ID_PATTERN, MalformedCourseIdView

COURSE_PREFIX = rf"^api/instructor/v2/courses/{COURSE_ID_PATTERN}"
MALFORMED_COURSE_PREFIX = r"^api/instructor/v2/courses/(?P<malformed_course_id>[^/]+)"

urlpatterns = [
    re_path("", include("certexceptions_plugin.certificates.urls")),
    re_path("", include("certexceptions_plugin.invitations.urls")),
    re_path("", include("certexceptions_plugin.join_codes.urls")),
    re_path(rf"{COURSE_PREFIX}/audit$", AuditEventListView.as_view(), name="audit_events"),
    re_path(rf"{COURSE_PREFIX}/bulk_operations/(?P<operation_id>[0-9a-f-]{{36}})$", BulkOperationView.as_view(),
            name="bulk_operation"),
    re_path(rf"{COURSE_PREFIX}/bulk_operations/(?P<operation_id>[0-9a-f-]{{36}})/report\.csv$",
            BulkOperationReportView.as_view(), name="bulk_operation_report"),
]


def course_routes(patterns, prefix=""):
    """(full regex, name) of every route under ``COURSE_PREFIX``."""
    for pattern in patterns:
        regex = prefix + pattern.pattern.regex.pattern
        if isinstance(pattern, URLResolver):
            yield from course_routes(pattern.url_patterns, regex)
        elif regex.startswith(COURSE_PREFIX):
            yield regex, pattern.name


def malformed_course_id_routes(patterns) -> list:
    """
    Each course route again, with a one-segment course id that the route's pattern refused: a malformed id gets
    the plugin's JSON 404, not the LMS's HTML page. Being last, they never see a well-formed id.
    """
    return [re_path(MALFORMED_COURSE_PREFIX + regex[len(COURSE_PREFIX):], MalformedCourseIdView.as_view(),
                    name=f"{name}_malformed_course_id")
            for regex, name in course_routes(patterns)]


urlpatterns += malformed_course_id_routes(urlpatterns)
