"""
The standalone host boots the plugin as the LMS does: discovered through its entry point, mounted after core's
instructor API, and never on a path core answers.
"""
import pytest
from django.conf import settings
from django.core import checks
from django.test import override_settings
from django.urls import Resolver404, resolve
from edx_django_utils.plugins import get_plugin_apps

from certexceptions_plugin.checks import plugin_routes, sample_path
from certexceptions_plugin.rest import COURSE_ID_PATTERN
from certexceptions_plugin.standalone.instructor import urls as core_urls
from certexceptions_plugin.standalone.instructor.views import SERVED_BY

PLUGIN_APP = "certexceptions_plugin.apps.CertExceptionsPluginConfig"
CORE_SAMPLE_KWARGS = {
    "course_id": "course-v1:edX+DemoX+Demo_Course", "report_type": "grade_report", "email_or_username": "learner1",
    "location": "block-v1:edX+DemoX+Demo_Course+type@problem+block@p1", "task_id": "c0ffee",
    "problem": "block-v1:edX+DemoX+Demo_Course+type@problem+block@p1", "exam_id": "7", "username": "learner1",
}
CORE_SAMPLES = [
    (name, sample_path(["api/instructor/v2/", rf"^courses/{COURSE_ID_PATTERN}{suffix}$"], CORE_SAMPLE_KWARGS))
    for suffix, name in core_urls.V2_ROUTES
]
PLUGIN_ROUTES = list(plugin_routes())


def test_plugin_is_installed_from_its_entry_point_after_the_lms_apps():
    apps = settings.INSTALLED_APPS
    assert PLUGIN_APP in get_plugin_apps("lms.djangoapp")
    assert apps.count(PLUGIN_APP) == 1
    assert apps.index("certexceptions_plugin.standalone.instructor.apps.StandInInstructorConfig") < apps.index(
        PLUGIN_APP)


def test_requests_are_atomic_as_in_tutor():
    assert settings.DATABASES["default"]["ATOMIC_REQUESTS"] is True


def test_core_serves_the_v2_routes_listed_in_the_reference():
    assert len(CORE_SAMPLES) == 39
    assert ("bulk_certificate_exceptions",
            "/api/instructor/v2/courses/course-v1:edX+DemoX+Demo_Course/certificates/exceptions/bulk") in CORE_SAMPLES


@pytest.mark.parametrize("name,path", CORE_SAMPLES, ids=[name for name, _ in CORE_SAMPLES])
def test_every_core_v2_route_reaches_core(db, client, name, path):  # pylint: disable=unused-argument
    response = client.post(path)
    assert response["X-Served-By"] == SERVED_BY
    assert response.json() == {"served_by": SERVED_BY, "route": name}


@pytest.mark.parametrize("path,pattern", PLUGIN_ROUTES, ids=[pattern.name for _, pattern in PLUGIN_ROUTES])
def test_every_plugin_route_reaches_the_plugin_and_no_core_route_matches_it(path, pattern):
    assert resolve(path).func is pattern.callback
    with pytest.raises(Resolver404):
        resolve(path, urlconf=core_urls)


def test_plugin_routes_cover_every_feature():
    names = {pattern.name for _, pattern in PLUGIN_ROUTES}
    assert {"certificate_exception_imports", "certificate_exception_imports_template", "bulk_invitations",
            "external_ids", "course_join_code", "course_join", "audit_events", "bulk_operation"} <= names


def test_no_route_warning_on_the_standalone_host():
    assert [m for m in checks.run_checks(tags=[checks.Tags.urls]) if m.id == "certexceptions_plugin.W001"] == []


@override_settings(ROOT_URLCONF="tests.colliding_urls")
def test_a_route_answered_by_another_app_is_named_by_w001():
    warnings = [m for m in checks.run_checks(tags=[checks.Tags.urls]) if m.id == "certexceptions_plugin.W001"]
    assert len(warnings) == 1
    assert "course_join_code" in warnings[0].msg
    assert "/api/instructor/v2/courses/course-v1:edX+DemoX+Demo_Course/join_code" in warnings[0].msg
    assert "core_view" in warnings[0].msg


@pytest.mark.parametrize("path", [
    "/api/instructor/v2/courses/course-v1:DemoX+CE101/certificates/exceptions/imports",  # the run is missing
    "/api/instructor/v2/courses/course-v1:DemoX+CE101/certificates/exceptions/imports/template.csv",
    "/api/instructor/v2/courses/CE101/join_code",
    "/api/instructor/v2/courses/CE101/audit",
    "/api/instructor/v2/courses/CE101/invitations/bulk/template.csv",
])
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_malformed_course_id_is_a_json_404(api_client, global_staff, path, method):
    response = getattr(api_client(global_staff), method)(path)
    assert response.status_code == 404
    course_id = path.split("/")[5]
    assert response.json() == {"message": f"Course not found: {course_id}", "error_code": "not_found"}


def test_a_malformed_course_id_is_a_json_404_for_anonymous_users_too(api_client, db):  # pylint: disable=unused-argument
    response = api_client().get("/api/instructor/v2/courses/CE101/join_code")
    assert response.status_code == 404
    assert response.json() == {"message": "Course not found: CE101", "error_code": "not_found"}


def test_a_well_formed_unknown_course_id_reaches_the_route_itself(api_client, global_staff):
    response = api_client(global_staff).get("/api/instructor/v2/courses/course-v1:NoX+None+2026/join_code")
    assert response.status_code == 404
    assert resolve("/api/instructor/v2/courses/course-v1:NoX+None+2026/join_code").url_name == "course_join_code"
