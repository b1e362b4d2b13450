"""Staff endpoints of course join codes, against the standalone host."""
import xml.etree.ElementTree as ET
from datetime import timedelta
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from certexceptions_plugin.audit.models import AuditEvent
from certexceptions_plugin.join_codes.models import JoinCode
from tests.factories import CourseFactory, EnrollmentFactory, RoleFactory

GENERATOR = "certexceptions_plugin.join_codes.services.codes.generate_code"
EVERY_ENDPOINT = [
    ("get", "course_join_code"), ("post", "course_join_code"), ("patch", "course_join_code"),
    ("post", "course_join_code_regenerate"), ("get", "course_join_code_qr"),
]


def url(course_id, name="course_join_code"):
    return reverse(name, kwargs={"course_id": str(course_id)})


def create(client, course):
    response = client.post(url(course.id))
    assert response.status_code == 201, response.content
    return response.json()


def patch_code(client, course, data):
    return client.patch(url(course.id), data, format="json")


def events(course, action):
    return list(AuditEvent.objects.filter(course_key=course.id, action=action).order_by("id"))


class TestPermissions:

    @pytest.mark.parametrize("method, name", EVERY_ENDPOINT)
    def test_anonymous_is_401(self, api_client, course, method, name):
        response = getattr(api_client(), method)(url(course.id, name))
        assert response.status_code == 401
        assert response.json()["error_code"] == "not_authenticated"

    @pytest.mark.parametrize("method, name", EVERY_ENDPOINT)
    def test_learner_is_403(self, api_client, course, method, name):
        JoinCode.objects.create(course_key=course.id, code="B123-C456")
        learner = EnrollmentFactory(course_id=course.id).user
        response = getattr(api_client(learner), method)(url(course.id, name), {}, format="json")
        assert response.status_code == 403
        assert response.json()["error_code"] == "permission_denied"
        assert not JoinCode.objects.exclude(code="B123-C456").exists()

    def test_staff_of_another_course_is_403(self, api_client, course):
        other = CourseFactory()
        client = api_client(RoleFactory(course_id=other.id, role="instructor").user)
        assert client.post(url(course.id)).status_code == 403

    @pytest.mark.parametrize("who", ["instructor", "global_staff"])
    def test_instructor_and_global_staff_may(self, request, api_client, course, who):
        client = api_client(request.getfixturevalue(who))
        assert client.post(url(course.id)).status_code == 201

    @pytest.mark.parametrize("course_id", ["course-v1:Nope+X+2026", "not-a-course-key+x+y"])
    def test_unknown_course_is_404(self, course_staff_client, course_id):
        response = course_staff_client.post(url(course_id))
        assert response.status_code == 404
        assert not JoinCode.objects.exists()


class TestCreateAndGet:

    def test_get_before_create_is_404_no_join_code(self, course_staff_client, course):
        response = course_staff_client.get(url(course.id))
        assert response.status_code == 404
        assert response.json()["error_code"] == "no_join_code"

    def test_create_then_get(self, course_staff_client, course, course_staff):
        body = create(course_staff_client, course)
        assert set(body) == {"code", "join_url", "is_active", "is_usable", "allowed_email_domains", "expires_at",
                             "max_enrollments", "join_count", "created", "regenerated_at"}
        assert body["is_active"] is True and body["is_usable"] is True and body["allowed_email_domains"] == []
        assert body["join_count"] == 0
        assert body["expires_at"] is None and body["max_enrollments"] is None and body["regenerated_at"] is None
        assert body["join_url"] == f"http://127.0.0.1:8000/courses/join/{body['code']}"
        stored = JoinCode.objects.get(course_key=course.id)
        assert stored.code == body["code"] and stored.created_by == course_staff
        assert course_staff_client.get(url(course.id)).json() == body
        [event] = events(course, "join_code.created")
        assert event.actor == course_staff and event.after == {"code": body["code"]}

    def test_second_post_returns_the_existing_code_with_200(self, course_staff_client, course):
        body = create(course_staff_client, course)
        response = course_staff_client.post(url(course.id))
        assert response.status_code == 200 and response.json() == body
        assert JoinCode.objects.count() == 1 and len(events(course, "join_code.created")) == 1

    def test_join_url_template(self, settings, course_staff_client, course):
        settings.CERTEXCEPTIONS_JOIN_URL_TEMPLATE = "https://apps.example.org/join/{code}?course={course_id}"
        settings.LMS_ROOT_URL = "https://lms.example.org"
        body = create(course_staff_client, course)
        assert body["join_url"] == f"https://apps.example.org/join/{body['code']}?course={course.id}"

    def test_default_join_url_uses_lms_root(self, settings, course_staff_client, course):
        settings.LMS_ROOT_URL = "https://lms.example.org/"
        body = create(course_staff_client, course)
        assert body["join_url"] == f"https://lms.example.org/courses/join/{body['code']}"

    def test_collision_caught_by_the_unique_index_is_retried(self, course_staff_client, course):
        other = CourseFactory()
        JoinCode.objects.create(course_key=other.id, code="B111-C111")
        with mock.patch(GENERATOR, side_effect=["B111-C111", "D222-F222"]) as generator:
            body = create(course_staff_client, course)
        assert generator.call_count == 2
        assert body["code"] == "D222-F222"
        assert JoinCode.objects.get(course_key=other.id).code == "B111-C111"

    def test_gives_up_after_bounded_collisions_and_writes_nothing(self, course_staff_client, course):
        JoinCode.objects.create(course_key=CourseFactory().id, code="B111-C111")
        with mock.patch(GENERATOR, return_value="B111-C111") as generator:
            response = course_staff_client.post(url(course.id))
        assert response.status_code == 503
        assert response.json()["error_code"] == "code_generation_failed"
        assert generator.call_count == 10
        assert not JoinCode.objects.filter(course_key=course.id).exists()
        assert not events(course, "join_code.created")


class TestPatch:

    @pytest.fixture(autouse=True)
    def code(self, course_staff_client, course):
        return create(course_staff_client, course)["code"]

    def test_changes_every_field_and_audits_the_difference(self, course_staff_client, course, code):
        expires = (timezone.now() + timedelta(days=7)).replace(microsecond=0)
        response = patch_code(course_staff_client, course, {
            "is_active": False, "allowed_email_domains": ["Example.EDU", " school.org ", "example.edu"],
            "expires_at": expires.isoformat(), "max_enrollments": 30,
        })
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["is_active"] is False
        assert body["allowed_email_domains"] == ["example.edu", "school.org"]
        assert body["max_enrollments"] == 30 and body["code"] == code
        stored = JoinCode.objects.get(course_key=course.id)
        assert stored.expires_at == expires and stored.allowed_email_domains == ["example.edu", "school.org"]
        [event] = events(course, "join_code.changed")
        assert event.before == {"is_active": True, "allowed_email_domains": [], "expires_at": None,
                                "max_enrollments": None}
        assert event.after["max_enrollments"] == 30 and event.after["is_active"] is False

    def test_partial_patch_keeps_other_fields_and_clears_with_null(self, course_staff_client, course):
        patch_code(course_staff_client, course, {"max_enrollments": 5, "allowed_email_domains": ["example.edu"]})
        body = patch_code(course_staff_client, course, {"max_enrollments": None}).json()
        assert body["max_enrollments"] is None and body["allowed_email_domains"] == ["example.edu"]
        assert [e.after for e in events(course, "join_code.changed")] == [
            {"max_enrollments": 5, "allowed_email_domains": ["example.edu"]}, {"max_enrollments": None}]

    def test_an_expired_code_is_not_usable(self, course_staff_client, course):
        JoinCode.objects.filter(course_key=course.id).update(expires_at=timezone.now() - timedelta(seconds=1))
        body = course_staff_client.get(url(course.id)).json()
        assert body["is_active"] is True and body["is_usable"] is False

    def test_unchanged_values_are_not_audited(self, course_staff_client, course):
        assert patch_code(course_staff_client, course, {"is_active": True}).status_code == 200
        assert not events(course, "join_code.changed")

    @pytest.mark.parametrize("data, field", [
        ({"allowed_email_domains": ["@example.edu"]}, "allowed_email_domains"),
        ({"allowed_email_domains": ["https://example.edu"]}, "allowed_email_domains"),
        ({"allowed_email_domains": ["localhost"]}, "allowed_email_domains"),
        ({"allowed_email_domains": ["exa mple.edu"]}, "allowed_email_domains"),
        ({"allowed_email_domains": "example.edu"}, "allowed_email_domains"),
        ({"max_enrollments": 0}, "max_enrollments"),
        ({"max_enrollments": "many"}, "max_enrollments"),
        ({"max_enrollments": 10**20}, "max_enrollments"),
        ({"expires_at": "next week"}, "expires_at"),
        ({"is_active": "perhaps"}, "is_active"),
        ({"code": "B123-C456"}, "code"),
        ({"join_count": 0}, "join_count"),
    ])
    def test_invalid_values_are_400_naming_the_field(self, course_staff_client, course, code, data, field):
        response = patch_code(course_staff_client, course, data)
        assert response.status_code == 400
        body = response.json()
        assert body["error_code"] == "invalid_request" and field in body["message"]
        stored = JoinCode.objects.get(course_key=course.id)
        assert (stored.code, stored.is_active, stored.allowed_email_domains, stored.max_enrollments,
                stored.expires_at) == (code, True, [], None, None)
        assert not events(course, "join_code.changed")

    def test_a_domain_with_a_lone_surrogate_is_400(self, course_staff_client, course):
        body = b'{"allowed_email_domains": ["a\\ud800.edu"]}'
        response = course_staff_client.patch(url(course.id), body, content_type="application/json")
        assert response.status_code == 400 and "allowed_email_domains" in response.json()["message"]

    def test_patch_without_code_is_404(self, course_staff_client, course):
        JoinCode.objects.all().delete()
        response = patch_code(course_staff_client, course, {"is_active": False})
        assert response.status_code == 404 and response.json()["error_code"] == "no_join_code"


class TestRegenerate:

    def test_new_code_and_old_code_gone(self, api_client, course_staff_client, course, course_staff):
        first = create(course_staff_client, course)
        course_staff_client.patch(url(course.id), {"max_enrollments": 9}, format="json")
        response = course_staff_client.post(url(course.id, "course_join_code_regenerate"))
        assert response.status_code == 200
        body = response.json()
        assert body["code"] != first["code"] and body["join_url"].endswith(body["code"])
        assert body["regenerated_at"] is not None and body["max_enrollments"] == 9
        assert api_client().get(reverse("course_join", kwargs={"code": first["code"]})).status_code == 404
        assert api_client().get(reverse("course_join", kwargs={"code": body["code"]})).status_code == 200
        stored = JoinCode.objects.get(course_key=course.id)
        assert stored.regenerated_by == course_staff
        [event] = events(course, "join_code.regenerated")
        assert event.before == {"code": first["code"]} and event.after == {"code": body["code"]}

    def test_retries_a_code_taken_by_another_course_and_never_reuses_its_own(self, course_staff_client, course):
        JoinCode.objects.create(course_key=CourseFactory().id, code="B111-C111")
        JoinCode.objects.create(course_key=course.id, code="D222-F222")
        with mock.patch(GENERATOR, side_effect=["B111-C111", "D222-F222", "G333-H333"]):
            body = course_staff_client.post(url(course.id, "course_join_code_regenerate")).json()
        assert body["code"] == "G333-H333"

    def test_gives_up_and_keeps_the_old_code(self, course_staff_client, course):
        JoinCode.objects.create(course_key=CourseFactory().id, code="B111-C111")
        JoinCode.objects.create(course_key=course.id, code="D222-F222")
        with mock.patch(GENERATOR, return_value="B111-C111"):
            response = course_staff_client.post(url(course.id, "course_join_code_regenerate"))
        assert response.status_code == 503 and response.json()["error_code"] == "code_generation_failed"
        stored = JoinCode.objects.get(course_key=course.id)
        assert stored.code == "D222-F222" and stored.regenerated_at is None
        assert not events(course, "join_code.regenerated")

    def test_regenerate_without_code_is_404(self, course_staff_client, course):
        response = course_staff_client.post(url(course.id, "course_join_code_regenerate"))
        assert response.status_code == 404 and response.json()["error_code"] == "no_join_code"


class TestQR:

    def test_svg_of_the_join_url(self, course_staff_client, course):
        body = create(course_staff_client, course)
        response = course_staff_client.get(url(course.id, "course_join_code_qr"))
        assert response.status_code == 200
        assert response["Content-Type"] == "image/svg+xml"
        root = ET.fromstring(response.content)
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        assert float(root.get("width")) > 100 and root.find("{http://www.w3.org/2000/svg}path") is not None
        assert body["code"] in root.find("{http://www.w3.org/2000/svg}title").text

    def test_qr_changes_with_the_code(self, course_staff_client, course):
        create(course_staff_client, course)
        before = course_staff_client.get(url(course.id, "course_join_code_qr")).content
        course_staff_client.post(url(course.id, "course_join_code_regenerate"))
        assert course_staff_client.get(url(course.id, "course_join_code_qr")).content != before

    def test_qr_without_code_is_404(self, course_staff_client, course):
        response = course_staff_client.get(url(course.id, "course_join_code_qr"))
        assert response.status_code == 404 and response.json()["error_code"] == "no_join_code"


@pytest.mark.django_db
def test_openapi_schema_lists_the_join_code_endpoints():
    from drf_spectacular.generators import SchemaGenerator  # pylint: disable=import-outside-toplevel

    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    joined = "\n".join(paths)
    for suffix in ("/join_code", "/join_code/regenerate", "/join_code/qr.svg"):
        assert any(path.endswith(suffix) for path in paths), joined
    assert "/api/course_join/v1/codes/{code}" in paths
