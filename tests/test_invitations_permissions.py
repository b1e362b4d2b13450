"""Who may import rosters and read or edit external ids, in which course."""
import pytest

from certexceptions_plugin.invitations.models import ExternalId
from tests.conftest import csv_file
from tests.factories import CourseFactory, RoleFactory
from tests.invitations import invited, uploader, url

# As in every roster test: a course with its course staff, and learner1..learner5 enrolled.
pytestmark = pytest.mark.usefixtures("course_staff", "enrolled_learners")

ENDPOINTS = ("bulk_invitations", "bulk_invitations_template", "external_ids", "external_ids_csv")
WHO = ("anonymous", "learner", "other_instructor", "course_staff", "instructor", "global_staff")


def call(client, course, name):
    if name == "bulk_invitations":
        return uploader(client, course)("email\nnew@example.com\n")
    return client.get(url(course, name))


class TestPermissions:

    @pytest.mark.parametrize("name", ENDPOINTS)
    @pytest.mark.parametrize("who", WHO)
    def test_who_may_call(self, api_client, course, enrolled_learners, course_staff, instructor, global_staff,
                          who, name):
        other = CourseFactory()
        users = {
            "anonymous": None,
            "learner": enrolled_learners[0],
            "other_instructor": RoleFactory(course_id=other.id, role="instructor").user,
            "course_staff": course_staff,
            "instructor": instructor,
            "global_staff": global_staff,
        }
        response = call(api_client(users[who]), course, name)
        expected = {"anonymous": 401, "learner": 403, "other_instructor": 403}.get(who, 200)
        assert response.status_code == expected, response.content
        if expected != 200:
            assert response.json()["error_code"] in ("not_authenticated", "permission_denied")
            assert invited(course.id) == {}

    def test_patch_needs_permission(self, api_client, course, enrolled_learners):
        response = api_client(enrolled_learners[0]).patch(
            url(course, "external_ids"), {"learner": "learner1", "external_id": "S1"}, format="json")
        assert response.status_code == 403 and not ExternalId.objects.exists()

    @pytest.mark.parametrize("course_id", ["course-v1:Nope+Missing+2026", "Org/Course/Run"])
    def test_unknown_course_is_404(self, api_client, global_staff, course_id):
        client = api_client(global_staff)
        response = client.post(f"/api/instructor/v2/courses/{course_id}/invitations/bulk",
                               {"file": csv_file("email\nnew@example.com\n")}, format="multipart")
        assert response.status_code == 404 and response.json()["error_code"] == "not_found"
        response = client.get(f"/api/instructor/v2/courses/{course_id}/external_ids")
        assert response.status_code == 404
