"""Listing, exporting and editing external ids one at a time."""
import csv
import io

import pytest
from django.urls import reverse

from certexceptions_plugin.audit.models import AuditEvent
from certexceptions_plugin.invitations.models import ExternalId
from tests.factories import CourseFactory, EnrollmentFactory, UserFactory
from tests.invitations import give, ids, invite


def url(course, name="external_ids"):
    return reverse(name, kwargs={"course_id": str(course.id)})


@pytest.fixture(autouse=True)
def existing_ids(course, enrolled_learners):
    """S0001 and S0002 for learner1 and learner2, P0100 for a pending invitation, OTHER1 in another course."""
    give(course.id, "S0002", user=enrolled_learners[1])
    give(course.id, "S0001", user=enrolled_learners[0])
    give(course.id, "P0100", email="pending@example.com")
    invite(course.id, "pending@example.com")
    other = CourseFactory()
    EnrollmentFactory(course_id=other.id, user=enrolled_learners[2])
    give(other.id, "OTHER1", user=enrolled_learners[2])


@pytest.fixture
def patch_id(course_staff_client, course):
    def patch(learner, external_id):
        return course_staff_client.patch(url(course), {"learner": learner, "external_id": external_id},
                                         format="json")
    return patch


class TestList:

    def test_list_is_paginated_sorted_and_of_this_course_only(self, course_staff_client, course):
        body = course_staff_client.get(url(course)).json()
        assert body["count"] == 3 and body["num_pages"] == 1
        assert body["results"] == [
            {"username": None, "email": "pending@example.com", "external_id": "P0100", "status": "invited"},
            {"username": "learner1", "email": "learner1@example.com", "external_id": "S0001", "status": "enrolled"},
            {"username": "learner2", "email": "learner2@example.com", "external_id": "S0002", "status": "enrolled"},
        ]
        page = course_staff_client.get(url(course), {"page_size": 2, "page": 2}).json()
        assert [row["external_id"] for row in page["results"]] == ["S0002"]

    def test_search(self, course_staff_client, course):
        def found(term):
            body = course_staff_client.get(url(course), {"search": term}).json()
            return [row["external_id"] for row in body["results"]]

        assert found("learner1") == ["S0001"]            # username
        assert found("LEARNER2@EXAMPLE") == ["S0002"]    # email of an enrolled learner
        assert found("pending@") == ["P0100"]            # email of an invitation
        assert found("s000") == ["S0001", "S0002"]       # id
        assert found("other1") == [] and found("learner3") == []  # another course's ids never show

    def test_csv_export(self, course_staff_client, course, enrolled_learners):
        give(course.id, "=HYPERLINK(1)", user=enrolled_learners[3])
        response = course_staff_client.get(url(course, "external_ids_csv"))
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert rows[0] == ["username", "email", "external_id", "status"]
        assert rows[1] == ["learner4", "learner4@example.com", "'=HYPERLINK(1)", "enrolled"]
        assert rows[2:] == [["", "pending@example.com", "P0100", "invited"],
                            ["learner1", "learner1@example.com", "S0001", "enrolled"],
                            ["learner2", "learner2@example.com", "S0002", "enrolled"]]
        searched = course_staff_client.get(url(course, "external_ids_csv"), {"search": "pending"})
        assert len(searched.content.decode("utf-8-sig").splitlines()) == 2


class TestPatch:

    def test_set_a_new_id(self, patch_id, course_staff):
        response = patch_id("learner3", "S0003")
        assert response.status_code == 200, response.content
        assert response.json() == {"username": "learner3", "email": "learner3@example.com", "external_id": "S0003",
                                   "status": "enrolled", "previous_external_id": None, "changed": True}
        event = AuditEvent.objects.get()
        assert (event.action, event.before, event.after, event.actor_username) == (
            "external_id.set", None, {"external_id": "S0003"}, course_staff.username)

    def test_change_by_email(self, patch_id, course):
        body = patch_id("LEARNER1@example.com", " S0009 ").json()
        assert (body["external_id"], body["previous_external_id"]) == ("S0009", "S0001")
        assert ids(course.id)["learner1"] == "S0009"
        event = AuditEvent.objects.get()
        assert (event.action, event.before, event.after) == (
            "external_id.changed", {"external_id": "S0001"}, {"external_id": "S0009"})

    @pytest.mark.parametrize("value", [None, "", "  "])
    def test_clear(self, patch_id, course, value):
        body = patch_id("learner1", value).json()
        assert body["external_id"] is None and body["previous_external_id"] == "S0001" and body["changed"]
        assert "learner1" not in ids(course.id)
        event = AuditEvent.objects.get()
        assert (event.action, event.before, event.after) == ("external_id.cleared", {"external_id": "S0001"}, None)

    def test_pending_invitation(self, patch_id, course):
        body = patch_id("Pending@Example.com", "P0200").json()
        assert body["status"] == "invited" and body["username"] is None
        assert ids(course.id)["pending@example.com"] == "P0200"

    def test_invited_email_without_an_id_yet(self, patch_id, course):
        invite(course.id, "fresh@example.com")
        body = patch_id("fresh@example.com", "F1").json()
        assert body["status"] == "invited" and ids(course.id)["fresh@example.com"] == "F1"

    def test_same_value_changes_nothing(self, patch_id):
        body = patch_id("learner1", "S0001").json()
        assert body["changed"] is False and not AuditEvent.objects.exists()

    @pytest.mark.parametrize("value", ["S0002", "s0002", "P0100"])
    def test_taken_is_409(self, patch_id, course, value):
        response = patch_id("learner1", value)
        assert response.status_code == 409 and response.json()["error_code"] == "external_id_taken"
        assert ids(course.id)["learner1"] == "S0001" and not AuditEvent.objects.exists()

    def test_the_other_courses_id_is_free_here(self, patch_id):
        assert patch_id("learner1", "OTHER1").status_code == 200

    @pytest.mark.parametrize("learner", ["nobody", "nobody@example.com", "outsider", "learner55"])
    def test_neither_enrolled_nor_invited_is_404(self, patch_id, learner):
        UserFactory(username="outsider")
        response = patch_id(learner, "X1")
        assert response.status_code == 404 and response.json()["error_code"] == "learner_not_found"
        assert not AuditEvent.objects.exists()

    def test_too_long_is_400(self, patch_id):
        response = patch_id("learner1", "9" * 101)
        assert response.status_code == 400 and response.json()["error_code"] == "invalid_external_id"

    @pytest.mark.parametrize("data", [{"external_id": "X"}, {"learner": "learner1"}, {}])
    def test_missing_field_is_400(self, course_staff_client, course, data):
        response = course_staff_client.patch(url(course), data, format="json")
        assert response.status_code == 400 and response.json()["error_code"] == "invalid_request"

    def test_enrolled_learner_with_a_pending_id_is_linked(self, patch_id, course):
        user = UserFactory(username="late", email="late@example.com")
        give(course.id, "L1", email="late@example.com")
        EnrollmentFactory(course_id=course.id, user=user)  # enrolled outside the host: no event, no link
        ExternalId.objects.filter(email="late@example.com").update(user=None)
        body = patch_id("late", "L2").json()
        assert body["previous_external_id"] == "L1" and body["status"] == "enrolled"
        assert ids(course.id)["late"] == "L2"
