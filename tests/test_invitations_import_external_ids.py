"""
External ids in an imported roster: set, kept or replaced, freed and claimed within one file, and the database
constraints that guard them.
"""
from unittest import mock

import pytest
from django.db import IntegrityError, transaction

from certexceptions_plugin.audit.models import AuditEvent
from certexceptions_plugin.invitations.importer import InvitationImporter
from certexceptions_plugin.invitations.models import ExternalId
from tests.factories import CourseFactory, UserFactory
from tests.invitations import enrolled, give, ids, invite, invited, rows_by_number, uploader

# As in every roster test: a course with its course staff, and learner1..learner5 enrolled.
pytestmark = pytest.mark.usefixtures("course_staff", "enrolled_learners")


@pytest.fixture
def upload(course_staff_client, course):
    return uploader(course_staff_client, course)


class TestExternalIdRules:

    def test_blank_keeps_the_stored_id(self, upload, course, enrolled_learners):
        give(course.id, "S1", user=enrolled_learners[0])
        give(course.id, "P1", email="pending@example.com")
        invite(course.id, "pending@example.com")
        rows = rows_by_number(upload("email,external_id\nlearner1@example.com,\npending@example.com,\n"))
        assert (rows[2]["external_id"], rows[2]["external_id_updated"], rows[2]["message"]) == (
            "S1", False, "Already enrolled.")
        assert rows[3]["external_id"] == "P1"
        assert ids(course.id) == {"learner1": "S1", "pending@example.com": "P1"} and not AuditEvent.objects.exists()

    def test_equal_is_no_change(self, upload, course, enrolled_learners):
        give(course.id, "S1", user=enrolled_learners[0])
        body = upload("email,external_id\nlearner1@example.com,S1\n").json()
        assert body["summary"]["external_id_updated"] == 0 and body["rows"][0]["message"] == "Already enrolled."
        assert not AuditEvent.objects.exists()

    def test_replace_is_the_default(self, upload, course, enrolled_learners):
        give(course.id, "S1", user=enrolled_learners[0])
        body = upload("email,external_id\nlearner1@example.com,S9\n").json()
        row = body["rows"][0]
        assert (row["external_id"], row["previous_external_id"], row["external_id_updated"]) == ("S9", "S1", True)
        assert row["message"] == "Already enrolled. External id changed from S1 to S9."
        assert body["summary"]["external_id_updated"] == 1 and ids(course.id) == {"learner1": "S9"}
        event = AuditEvent.objects.get()
        assert (event.action, event.before, event.after, event.learner_username) == (
            "external_id.changed", {"external_id": "S1"}, {"external_id": "S9"}, "learner1")

    def test_case_only_change_is_an_update(self, upload, course, enrolled_learners):
        give(course.id, "s1", user=enrolled_learners[0])
        rows = rows_by_number(upload("email,external_id\nlearner1@example.com,S1\n"))
        assert rows[2]["external_id_updated"] is True and ids(course.id) == {"learner1": "S1"}

    def test_keep_leaves_existing_ids_and_says_so(self, upload, course, enrolled_learners):
        give(course.id, "S1", user=enrolled_learners[0])
        response = upload("email,external_id\nlearner1@example.com,S9\nlearner2@example.com,S2\n",
                          existing_external_ids="keep")
        rows = rows_by_number(response)
        assert (rows[2]["external_id"], rows[2]["external_id_updated"], rows[2]["reason"]) == (
            "S1", False, "external_id_kept")
        assert rows[2]["message"] == "Already enrolled. Kept the existing external id S1; the file has S9."
        assert rows[3]["external_id"] == "S2"  # keep still sets an id where there was none
        assert ids(course.id) == {"learner1": "S1", "learner2": "S2"}
        assert response.json()["summary"]["failed"] == 0

    def test_keep_does_not_free_the_kept_id(self, upload, course, enrolled_learners):
        give(course.id, "S1", user=enrolled_learners[0])
        rows = rows_by_number(upload("email,external_id\nlearner1@example.com,S9\nlearner2@example.com,S1\n",
                                     existing_external_ids="keep"))
        assert rows[3]["reason"] == "external_id_taken"

    @pytest.mark.parametrize("claimer_first", [True, False])
    def test_freed_id_is_claimed_whatever_the_order(self, upload, course, enrolled_learners, claimer_first):
        give(course.id, "S1", user=enrolled_learners[0])
        release, claim = "learner1@example.com,S9\n", "learner2@example.com,S1\n"
        text = "email,external_id\n" + (claim + release if claimer_first else release + claim)
        body = upload(text).json()
        assert body["summary"]["failed"] == 0, body
        assert ids(course.id) == {"learner1": "S9", "learner2": "S1"}

    @pytest.mark.parametrize("claimer_first", [True, False])
    def test_freed_id_is_claimed_across_types(self, upload, course, enrolled_learners, claimer_first):
        """A pending invitation frees an id a learner claims, and a learner frees an id a new invitee claims."""
        give(course.id, "P1", email="pending@example.com")
        invite(course.id, "pending@example.com")
        give(course.id, "S1", user=enrolled_learners[0])
        lines = ["learner2@example.com,P1\n", "pending@example.com,P2\n",
                 "new@example.com,S1\n", "learner1@example.com,S9\n"]
        if not claimer_first:
            lines = lines[1::-1] + lines[:1:-1]
        body = upload("email,external_id\n" + "".join(lines)).json()
        assert body["summary"]["failed"] == 0, body
        assert ids(course.id) == {"learner2": "P1", "pending@example.com": "P2", "new@example.com": "S1",
                                  "learner1": "S9"}

    def test_two_learners_swap(self, upload, course, enrolled_learners):
        give(course.id, "S1", user=enrolled_learners[0])
        give(course.id, "S2", user=enrolled_learners[1])
        body = upload("email,external_id\nlearner1@example.com,S2\nlearner2@example.com,S1\n").json()
        assert body["summary"]["external_id_updated"] == 2 and body["summary"]["failed"] == 0
        assert ids(course.id) == {"learner1": "S2", "learner2": "S1"}

    def test_rotation_across_types_and_chunks(self, upload, course, enrolled_learners, settings):
        settings.CERTEXCEPTIONS_CHUNK_SIZE = 2
        """A three-way rotation through a pending invitation, its rows far apart in a file of tiny chunks."""
        give(course.id, "A", user=enrolled_learners[0])
        give(course.id, "B", user=enrolled_learners[1])
        give(course.id, "C", email="pending@example.com")
        invite(course.id, "pending@example.com")
        text = ("email,external_id\nlearner1@example.com,B\nlearner3@example.com,X3\nlearner4@example.com,X4\n"
                "learner2@example.com,C\nlearner5@example.com,X5\npending@example.com,A\n")
        body = upload(text).json()
        assert body["summary"]["failed"] == 0, body
        assert ids(course.id) == {"learner1": "B", "learner2": "C", "pending@example.com": "A", "learner3": "X3",
                                  "learner4": "X4", "learner5": "X5"}

    def test_a_failing_release_fails_the_claims_that_depend_on_it(self, upload, course, enrolled_learners):
        give(course.id, "S1", user=enrolled_learners[0])
        give(course.id, "S2", user=enrolled_learners[1])
        give(course.id, "HELD", user=enrolled_learners[4])  # learner5 is not in the file
        rows = rows_by_number(upload(
            "email,external_id\n"
            "learner3@example.com,S2\n"   # 2: needs learner2's S2 ...
            "learner2@example.com,S1\n"   # 3: ... which needs learner1's S1 ...
            "learner1@example.com,HELD\n"  # 4: ... but learner1 cannot take HELD
        ))
        assert [rows[n]["reason"] for n in (2, 3, 4)] == ["external_id_taken"] * 3
        assert rows[2]["message"] == "The external id S2 already belongs to learner2 in this course."
        assert ids(course.id) == {"learner1": "S1", "learner2": "S2", "learner5": "HELD"}

    def test_duplicate_row_does_not_free_an_id(self, upload, course, enrolled_learners):
        give(course.id, "S1", user=enrolled_learners[0])
        rows = rows_by_number(upload(
            "email,external_id\nlearner1@example.com,\nlearner1@example.com,S9\nlearner2@example.com,S1\n"))
        assert rows[3]["reason"] == "duplicate_email_in_file" and rows[4]["reason"] == "external_id_taken"

    def test_dry_run_writes_nothing_and_reports_the_same(self, upload, course, enrolled_learners):
        UserFactory(username="newcomer")
        give(course.id, "S1", user=enrolled_learners[0])
        give(course.id, "S2", user=enrolled_learners[1])
        text = ("email,external_id\nlearner1@example.com,S2\nlearner2@example.com,S1\nnew@example.com,N1\n"
                "newcomer@example.com,C1\nlearner3@example.com,S1\n")
        dry = upload(text, dry_run="true").json()
        assert dry["dry_run"] is True
        assert ids(course.id) == {"learner1": "S1", "learner2": "S2"}
        assert invited(course.id) == {} and "newcomer" not in enrolled(course.id) and not AuditEvent.objects.exists()
        real = upload(text).json()
        assert real["dry_run"] is False
        assert dry["rows"] == real["rows"] and dry["summary"] == real["summary"]
        assert dry["summary"]["failed"] == 1

    def test_concurrent_change_between_plan_and_apply_fails_only_that_row(self, upload, course, enrolled_learners):
        """The unique index is the final guard: a row whose id was taken meanwhile fails, the rest is written."""
        original_plan = InvitationImporter.plan

        def plan_then_someone_takes_n2(importer, rows):
            results = original_plan(importer, rows)
            ExternalId.objects.create(course_key=course.id, external_id="N2", user=enrolled_learners[4])
            return results

        with mock.patch.object(InvitationImporter, "plan", plan_then_someone_takes_n2):
            body = upload("email,external_id\nnew1@example.com,N1\nnew2@example.com,N2\n"
                          "learner1@example.com,N3\n").json()
        rows = {row["email"]: row for row in body["rows"]}
        assert rows["new2@example.com"]["reason"] == "external_id_taken"
        assert "was taken by another change" in rows["new2@example.com"]["message"]
        assert body["summary"]["failed"] == 1 and body["summary"]["invited"] == 1
        assert ids(course.id) == {"new1@example.com": "N1", "learner1": "N3", "learner5": "N2"}
        assert invited(course.id) == {"new1@example.com": True}  # no invitation for the failed row

    def test_audit_events(self, upload, course, enrolled_learners, course_staff):
        UserFactory(username="newcomer")
        give(course.id, "S1", user=enrolled_learners[0])
        upload("email,external_id\nnew@example.com,N1\nnewcomer@example.com,\nlearner1@example.com,S2\n"
               "learner2@example.com,S3\n")
        events = sorted((e.action, e.learner_username, e.learner_email, e.before, e.after, e.actor_username)
                        for e in AuditEvent.objects.all())
        staff = course_staff.username
        assert events == [
            ("external_id.changed", "learner1", "learner1@example.com", {"external_id": "S1"},
             {"external_id": "S2"}, staff),
            ("external_id.set", "", "new@example.com", None, {"external_id": "N1"}, staff),
            ("external_id.set", "learner2", "learner2@example.com", None, {"external_id": "S3"}, staff),
            ("invitation.enrolled", "newcomer", "newcomer@example.com", None, {"external_id": None}, staff),
            ("invitation.invited", "", "new@example.com", None, {"auto_enroll": True, "external_id": "N1"}, staff),
        ]


class TestConstraints:
    """The database, not only the code, keeps ids unique per course and never blank."""

    def test_constraints(self, course, enrolled_learners):
        def assert_rejected(**fields):
            with pytest.raises(IntegrityError), transaction.atomic():
                ExternalId.objects.create(course_key=course.id, **fields)

        give(course.id, "S1", user=enrolled_learners[0])
        give(course.id, "P1", email="pending@example.com")
        assert_rejected(external_id="S1", user=enrolled_learners[1])
        assert_rejected(external_id="S2", user=enrolled_learners[0])
        assert_rejected(external_id="P2", email="pending@example.com")
        assert_rejected(external_id="", user=enrolled_learners[2])
        assert_rejected(external_id="X", user=enrolled_learners[2], email="x@example.com")
        assert_rejected(external_id="X")
        give(CourseFactory().id, "S1", user=enrolled_learners[0])  # another course may reuse it
        give(course.id, None, user=enrolled_learners[3])  # NULLs never collide
        give(course.id, None, user=enrolled_learners[4])
