"""Listing, exporting and editing external ids one at a time."""
import csv
import io

import ddt

from certexceptions_plugin.audit.models import AuditEvent
from certexceptions_plugin.invitations.models import ExternalId
from tests.factories import CourseFactory, EnrollmentFactory, UserFactory
from tests.test_invitations_bulk import InvitationsTestBase


class ExternalIdsTestBase(InvitationsTestBase):

    def setUp(self):
        super().setUp()
        self.give("S0002", user=self.learners[1])
        self.give("S0001", user=self.learners[0])
        self.give("P0100", email="pending@example.com")
        self.invite("pending@example.com")
        other = CourseFactory()
        EnrollmentFactory(course_id=other.id, user=self.learners[2])
        self.give("OTHER1", user=self.learners[2], course_id=other.id)

    def patch(self, learner, external_id):
        return self.client.patch(self.url("external_ids"), {"learner": learner, "external_id": external_id},
                                 format="json")


class TestList(ExternalIdsTestBase):

    def test_list_is_paginated_sorted_and_of_this_course_only(self):
        body = self.client.get(self.url("external_ids")).json()
        assert body["count"] == 3 and body["num_pages"] == 1
        assert body["results"] == [
            {"username": None, "email": "pending@example.com", "external_id": "P0100", "status": "invited"},
            {"username": "learner1", "email": "learner1@example.com", "external_id": "S0001", "status": "enrolled"},
            {"username": "learner2", "email": "learner2@example.com", "external_id": "S0002", "status": "enrolled"},
        ]
        page = self.client.get(self.url("external_ids"), {"page_size": 2, "page": 2}).json()
        assert [row["external_id"] for row in page["results"]] == ["S0002"]

    def test_search(self):
        def found(term):
            body = self.client.get(self.url("external_ids"), {"search": term}).json()
            return [row["external_id"] for row in body["results"]]

        assert found("learner1") == ["S0001"]            # username
        assert found("LEARNER2@EXAMPLE") == ["S0002"]    # email of an enrolled learner
        assert found("pending@") == ["P0100"]            # email of an invitation
        assert found("s000") == ["S0001", "S0002"]       # id
        assert found("other1") == [] and found("learner3") == []  # another course's ids never show

    def test_csv_export(self):
        self.give("=HYPERLINK(1)", user=self.learners[3])
        response = self.client.get(self.url("external_ids_csv"))
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert rows[0] == ["username", "email", "external_id", "status"]
        assert rows[1] == ["learner4", "learner4@example.com", "'=HYPERLINK(1)", "enrolled"]
        assert rows[2:] == [["", "pending@example.com", "P0100", "invited"],
                            ["learner1", "learner1@example.com", "S0001", "enrolled"],
                            ["learner2", "learner2@example.com", "S0002", "enrolled"]]
        searched = self.client.get(self.url("external_ids_csv"), {"search": "pending"}).content.decode("utf-8-sig")
        assert len(searched.splitlines()) == 2


@ddt.ddt
class TestPatch(ExternalIdsTestBase):

    def test_set_a_new_id(self):
        response = self.patch("learner3", "S0003")
        assert response.status_code == 200, response.content
        assert response.json() == {"username": "learner3", "email": "learner3@example.com", "external_id": "S0003",
                                   "status": "enrolled", "previous_external_id": None, "changed": True}
        event = AuditEvent.objects.get()
        assert (event.action, event.before, event.after, event.actor_username) == (
            "external_id.set", None, {"external_id": "S0003"}, self.staff.username)

    def test_change_by_email(self):
        body = self.patch("LEARNER1@example.com", " S0009 ").json()
        assert (body["external_id"], body["previous_external_id"]) == ("S0009", "S0001")
        assert self.ids()["learner1"] == "S0009"
        event = AuditEvent.objects.get()
        assert (event.action, event.before, event.after) == (
            "external_id.changed", {"external_id": "S0001"}, {"external_id": "S0009"})

    @ddt.data(None, "", "  ")
    def test_clear(self, value):
        body = self.patch("learner1", value).json()
        assert body["external_id"] is None and body["previous_external_id"] == "S0001" and body["changed"]
        assert "learner1" not in self.ids()
        event = AuditEvent.objects.get()
        assert (event.action, event.before, event.after) == ("external_id.cleared", {"external_id": "S0001"}, None)

    def test_pending_invitation(self):
        body = self.patch("Pending@Example.com", "P0200").json()
        assert body["status"] == "invited" and body["username"] is None
        assert self.ids()["pending@example.com"] == "P0200"

    def test_invited_email_without_an_id_yet(self):
        self.invite("fresh@example.com")
        body = self.patch("fresh@example.com", "F1").json()
        assert body["status"] == "invited" and self.ids()["fresh@example.com"] == "F1"

    def test_same_value_changes_nothing(self):
        body = self.patch("learner1", "S0001").json()
        assert body["changed"] is False and not AuditEvent.objects.exists()

    @ddt.data("S0002", "s0002", "P0100")
    def test_taken_is_409(self, value):
        response = self.patch("learner1", value)
        assert response.status_code == 409 and response.json()["error_code"] == "external_id_taken"
        assert self.ids()["learner1"] == "S0001" and not AuditEvent.objects.exists()

    def test_the_other_courses_id_is_free_here(self):
        assert self.patch("learner1", "OTHER1").status_code == 200

    @ddt.data("nobody", "nobody@example.com", "outsider", "learner55")
    def test_neither_enrolled_nor_invited_is_404(self, learner):
        UserFactory(username="outsider")
        response = self.patch(learner, "X1")
        assert response.status_code == 404 and response.json()["error_code"] == "learner_not_found"
        assert not AuditEvent.objects.exists()

    def test_too_long_is_400(self):
        response = self.patch("learner1", "9" * 101)
        assert response.status_code == 400 and response.json()["error_code"] == "invalid_external_id"

    @ddt.data({"external_id": "X"}, {"learner": "learner1"}, {})
    def test_missing_field_is_400(self, data):
        response = self.client.patch(self.url("external_ids"), data, format="json")
        assert response.status_code == 400 and response.json()["error_code"] == "invalid_request"

    def test_enrolled_learner_with_a_pending_id_is_linked(self):
        user = UserFactory(username="late", email="late@example.com")
        self.give("L1", email="late@example.com")
        EnrollmentFactory(course_id=self.course.id, user=user)  # enrolled outside the host: no event, no link
        ExternalId.objects.filter(email="late@example.com").update(user=None)
        body = self.patch("late", "L2").json()
        assert body["previous_external_id"] == "L1" and body["status"] == "enrolled"
        assert self.ids()["late"] == "L2"
