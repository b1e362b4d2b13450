"""The bulk invitation endpoint, against the standalone host."""
from unittest import mock

import ddt
from django.db import IntegrityError, connection, transaction
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from certexceptions_plugin.audit.models import AuditEvent
from certexceptions_plugin.bulk.models import BulkOperation
from certexceptions_plugin.invitations.importer import ENROLLMENT_REASON, InvitationImporter
from certexceptions_plugin.invitations.models import ExternalId
from certexceptions_plugin.host.accounts import learner_ref
from certexceptions_plugin.standalone.host import StandaloneHost
from certexceptions_plugin.standalone.models import CourseEnrollment, CourseEnrollmentAllowed
from tests.conftest import csv_file
from tests.factories import CourseFactory, EnrollmentFactory, RoleFactory, UserFactory


class InvitationsTestBase(TestCase):
    """A course with course staff, five enrolled learners, and helpers to read the resulting state."""

    @classmethod
    def setUpTestData(cls):
        cls.course = CourseFactory()
        cls.staff = RoleFactory(course_id=cls.course.id, role="staff").user
        cls.learners = [EnrollmentFactory(course_id=cls.course.id, user__username=f"learner{n}").user
                        for n in range(1, 6)]

    def setUp(self):
        self.client = APIClient()
        self.client.force_authenticate(self.staff)

    def url(self, name="bulk_invitations", course_id=None):
        return reverse(name, kwargs={"course_id": str(course_id or self.course.id)})

    def upload(self, text, name="roster.csv", **data):
        return self.client.post(self.url(), {"file": csv_file(text, name=name), **data}, format="multipart")

    def rows(self, response):
        assert response.status_code == 200, response.content
        return {row["row"]: row for row in response.json()["rows"]}

    def give(self, external_id, *, user=None, email=None, course_id=None):
        return ExternalId.objects.create(course_key=course_id or self.course.id, external_id=external_id,
                                         user=user, email=email)

    def invite(self, email, auto_enroll=True):
        CourseEnrollmentAllowed.objects.create(course_id=self.course.id, email=email, auto_enroll=auto_enroll)

    def ids(self, course_id=None):
        """owner (username, or email while pending) -> external id, in this course."""
        return {
            (record.user.username if record.user_id else record.email): record.external_id
            for record in ExternalId.objects.filter(course_key=course_id or self.course.id).select_related("user")
        }

    def enrolled(self):
        return set(CourseEnrollment.objects.filter(course_id=self.course.id, is_active=True)
                   .values_list("user__username", flat=True))

    def invited(self):
        return dict(CourseEnrollmentAllowed.objects.filter(course_id=self.course.id, user__isnull=True)
                    .values_list("email", "auto_enroll"))


@ddt.ddt
class TestOutcomes(InvitationsTestBase):

    def test_every_outcome(self):
        UserFactory(username="newcomer")  # active, not enrolled
        UserFactory(username="dormant", is_active=False)  # an account that is not active yet
        self.invite("pending@example.com")
        response = self.upload(
            "email,name,external_id\n"
            "brand.new@example.com,Brand New,N1\n"   # 2 invited
            "Pending@Example.com,,P1\n"               # 3 existing invitation (email in any case)
            "newcomer@example.com,,C1\n"              # 4 enrolled
            "learner1@example.com,Learner One,S1\n"   # 5 existing enrolment
            "dormant@example.com,,D1\n"               # 6 invited: no active account
        )
        body = response.json()
        assert body["dry_run"] is False
        assert body["summary"] == {"rows": 5, "invited": 2, "enrolled": 1, "existing_invitation": 1,
                                   "existing_enrollment": 1, "external_id_updated": 5, "failed": 0}
        rows = self.rows(response)
        assert {n: rows[n]["outcome"] for n in rows} == {
            2: "invited", 3: "existing_invitation", 4: "enrolled", 5: "existing_enrollment", 6: "invited"}
        assert rows[2] == {
            "row": 2, "email": "brand.new@example.com", "name": "Brand New", "username": None, "external_id": "N1",
            "previous_external_id": None, "external_id_updated": True, "outcome": "invited", "reason": None,
            "message": "Invited; enrolled once their account is activated. External id set to N1.",
        }
        assert rows[4]["username"] == "newcomer" and rows[5]["name"] == "Learner One"
        assert self.ids() == {"brand.new@example.com": "N1", "pending@example.com": "P1", "newcomer": "C1",
                              "learner1": "S1", "dormant@example.com": "D1"}
        assert "newcomer" in self.enrolled()
        assert self.invited() == {"pending@example.com": True, "brand.new@example.com": True,
                                  "dormant@example.com": True}

    def test_auto_enroll_false_is_passed_to_the_invitation(self):
        rows = self.rows(self.upload("email\nnew@example.com\n", auto_enroll="false"))
        assert rows[2]["outcome"] == "invited" and "may enrol" in rows[2]["message"]
        assert self.invited() == {"new@example.com": False}

    def test_email_learners_is_passed_to_the_host(self):
        with mock.patch.object(StandaloneHost, "invite", return_value={}) as invite:
            self.upload("email\nnew@example.com\n", email_learners="true", auto_enroll="false")
        invite.assert_called_once_with(course_key=self.course.id, emails=["new@example.com"], auto_enroll=False,
                                       email_learners=True, actor=self.staff, reason=ENROLLMENT_REASON)

    def test_email_is_stored_lower_cased(self):
        self.upload("email,external_id\nMixed.Case@Example.COM,M1\n")
        assert self.ids() == {"mixed.case@example.com": "M1"}

    def test_reupload_is_all_existing_and_writes_nothing_new(self):
        text = "email,external_id\nnew@example.com,N1\nlearner1@example.com,S1\n"
        self.upload(text)
        events = AuditEvent.objects.count()
        body = self.upload(text).json()
        assert body["summary"]["existing_invitation"] == 1 and body["summary"]["existing_enrollment"] == 1
        assert body["summary"]["invited"] == 0 and AuditEvent.objects.count() == events

    def test_every_failure_reason(self):
        self.give("HELD", user=self.learners[1])
        response = self.upload(
            "email,name,external_id,\n"
            ",Only A Name,X0\n"                        # 2 missing_email
            "not-an-email,,X1\n"                       # 3 invalid_email
            "ok@example.com,,X2\n"                     # 4 invited
            "OK@example.com,,X3\n"                     # 5 duplicate_email_in_file
            "other@example.com,,x2\n"                  # 6 duplicate_external_id_in_file (any case)
            "taker@example.com,,held\n"                # 7 external_id_taken (any case)
            "extra@example.com,,X4,,surplus\n"         # 8 invalid_row: more cells than the header
            "blank@example.com,,X5,under blank\n"      # 9 invalid_row: value under a blank header
            f"long@example.com,,{'9' * 101}\n"          # 10 invalid_external_id
            f"{'a' * 64}@{'b' * 63}.{'c' * 63}.{'d' * 63}.edu,,X6\n"  # 11 invalid_email: over 254 characters
        )
        rows = self.rows(response)
        assert {n: rows[n]["reason"] for n in rows} == {
            2: "missing_email", 3: "invalid_email", 4: None, 5: "duplicate_email_in_file",
            6: "duplicate_external_id_in_file", 7: "external_id_taken", 8: "invalid_row", 9: "invalid_row",
            10: "invalid_external_id", 11: "invalid_email"}
        assert rows[5]["message"] == "The email OK@example.com already appears in row 4."
        assert rows[6]["message"] == "The external id x2 already appears in row 4."
        assert rows[7]["message"] == "The external id held already belongs to learner2 in this course."
        assert response.json()["summary"]["failed"] == 9
        # nothing is written for a failed row: no invitation, no id
        assert self.invited() == {"ok@example.com": True}
        assert self.ids() == {"learner2": "HELD", "ok@example.com": "X2"}

    def test_taken_row_enrols_nobody(self):
        UserFactory(username="newcomer")
        self.give("S1", user=self.learners[0])
        rows = self.rows(self.upload("email,external_id\nnewcomer@example.com,S1\n"))
        assert rows[2]["reason"] == "external_id_taken" and "newcomer" not in self.enrolled()

    def test_other_courses_are_untouched_and_ids_are_per_course(self):
        other = CourseFactory()
        EnrollmentFactory(course_id=other.id, user=self.learners[0])
        self.give("S1", user=self.learners[0], course_id=other.id)
        self.give("S9", user=self.learners[1], course_id=other.id)
        rows = self.rows(self.upload("email,external_id\nlearner1@example.com,S9\nlearner2@example.com,S1\n"))
        assert [rows[2]["outcome"], rows[3]["outcome"]] == ["existing_enrollment"] * 2
        assert rows[2]["previous_external_id"] is None  # the other course's id is not this course's
        assert self.ids() == {"learner1": "S9", "learner2": "S1"}
        assert self.ids(other.id) == {"learner1": "S1", "learner2": "S9"}


@ddt.ddt
class TestHeader(InvitationsTestBase):

    def test_delimiter_comes_from_the_header_row(self):
        rows = self.rows(self.upload("email;name;external_id\nnew@example.com;Lovelace, Ada;S7\n"))
        assert rows[2]["outcome"] == "invited" and rows[2]["name"] == "Lovelace, Ada" and rows[2]["external_id"] == "S7"
        rows = self.rows(self.upload("email,name,external_id\nother@example.com,Ada; Countess,S8\n"))
        assert rows[2]["name"] == "Ada; Countess" and rows[2]["external_id"] == "S8"

    @ddt.data(
        "email,name,external_id", "EMAIL,Name,ext_id", "E Mail,NAME,Student ID", "email,sis_id",
        "external_id,email", "Student_ID,name,email", "extid,  email  ", "SIS ID;email",
    )
    def test_aliases_and_order(self, header):
        columns = [cell.strip() for cell in header.replace(";", ",").split(",")]
        delimiter = ";" if ";" in header else ","
        values = {"email": "learner1@example.com", "name": "One"}
        cells = [values.get(c.lower().replace(" ", "").replace("_", ""), "S1") for c in columns]
        rows = self.rows(self.upload(f"{header}\n{delimiter.join(cells)}\n"))
        assert rows[2]["outcome"] == "existing_enrollment" and rows[2]["external_id"] == "S1"
        assert self.ids() == {"learner1": "S1"}

    def test_email_only(self):
        rows = self.rows(self.upload("Email\nlearner1@example.com\n"))
        assert rows[2]["external_id"] is None and self.ids() == {}

    def test_bom_crlf_and_blank_lines(self):
        rows = self.rows(self.upload("\ufeffemail,external_id\r\n\r\nlearner1@example.com,S1\r\n".encode()))
        assert rows[3]["external_id"] == "S1"

    def test_short_rows_are_blank_cells(self):
        rows = self.rows(self.upload("email,name,external_id\nlearner1@example.com\n"))
        assert rows[2]["outcome"] == "existing_enrollment"

    def test_a_one_row_file_without_header_is_a_bad_header_not_an_empty_file(self):
        response = self.upload("learner8@example.com,Bob,S0800\n")
        assert response.status_code == 400 and response.json()["error_code"] == "bad_header"

    @ddt.data(
        ("email,nickname,phone", ["nickname", "phone"], [], []),
        ("email,external_id,Student ID", [], ["Student ID"], []),
        ("name,external_id", [], [], ["email"]),
        ("learner1@example.com,S1", ["learner1@example.com", "S1"], [], ["email"]),
    )
    @ddt.unpack
    def test_bad_header_rejects_the_file(self, header, unknown, repeated, missing):
        response = self.upload(f"{header}\nlearner2@example.com,x,y\n")
        assert response.status_code == 400, response.content
        body = response.json()
        assert body["error_code"] == "bad_header"
        assert (body["unknown_columns"], body["repeated_columns"], body["missing_columns"]) == (
            unknown, repeated, missing)
        assert body["accepted_columns"] == ["email", "name", "external_id", "ext_id", "student_id", "sis_id"]
        for name in unknown + repeated:
            assert name in body["message"]
        assert "Accepted columns: email, name, external_id, ext_id, student_id, sis_id" in body["message"]
        assert not ExternalId.objects.exists() and not AuditEvent.objects.exists()


@ddt.ddt
class TestExternalIdRules(InvitationsTestBase):

    def test_blank_keeps_the_stored_id(self):
        self.give("S1", user=self.learners[0])
        self.give("P1", email="pending@example.com")
        self.invite("pending@example.com")
        rows = self.rows(self.upload("email,external_id\nlearner1@example.com,\npending@example.com,\n"))
        assert (rows[2]["external_id"], rows[2]["external_id_updated"], rows[2]["message"]) == (
            "S1", False, "Already enrolled.")
        assert rows[3]["external_id"] == "P1"
        assert self.ids() == {"learner1": "S1", "pending@example.com": "P1"} and not AuditEvent.objects.exists()

    def test_equal_is_no_change(self):
        self.give("S1", user=self.learners[0])
        body = self.upload("email,external_id\nlearner1@example.com,S1\n").json()
        assert body["summary"]["external_id_updated"] == 0 and body["rows"][0]["message"] == "Already enrolled."
        assert not AuditEvent.objects.exists()

    def test_replace_is_the_default(self):
        self.give("S1", user=self.learners[0])
        body = self.upload("email,external_id\nlearner1@example.com,S9\n").json()
        row = body["rows"][0]
        assert (row["external_id"], row["previous_external_id"], row["external_id_updated"]) == ("S9", "S1", True)
        assert row["message"] == "Already enrolled. External id changed from S1 to S9."
        assert body["summary"]["external_id_updated"] == 1 and self.ids() == {"learner1": "S9"}
        event = AuditEvent.objects.get()
        assert (event.action, event.before, event.after, event.learner_username) == (
            "external_id.changed", {"external_id": "S1"}, {"external_id": "S9"}, "learner1")

    def test_case_only_change_is_an_update(self):
        self.give("s1", user=self.learners[0])
        rows = self.rows(self.upload("email,external_id\nlearner1@example.com,S1\n"))
        assert rows[2]["external_id_updated"] is True and self.ids() == {"learner1": "S1"}

    def test_keep_leaves_existing_ids_and_says_so(self):
        self.give("S1", user=self.learners[0])
        response = self.upload("email,external_id\nlearner1@example.com,S9\nlearner2@example.com,S2\n",
                               existing_external_ids="keep")
        rows = self.rows(response)
        assert (rows[2]["external_id"], rows[2]["external_id_updated"], rows[2]["reason"]) == (
            "S1", False, "external_id_kept")
        assert rows[2]["message"] == "Already enrolled. Kept the existing external id S1; the file has S9."
        assert rows[3]["external_id"] == "S2"  # keep still sets an id where there was none
        assert self.ids() == {"learner1": "S1", "learner2": "S2"}
        assert response.json()["summary"]["failed"] == 0

    def test_keep_does_not_free_the_kept_id(self):
        self.give("S1", user=self.learners[0])
        rows = self.rows(self.upload("email,external_id\nlearner1@example.com,S9\nlearner2@example.com,S1\n",
                                     existing_external_ids="keep"))
        assert rows[3]["reason"] == "external_id_taken"

    @ddt.data(True, False)
    def test_freed_id_is_claimed_whatever_the_order(self, claimer_first):
        self.give("S1", user=self.learners[0])
        release, claim = "learner1@example.com,S9\n", "learner2@example.com,S1\n"
        text = "email,external_id\n" + (claim + release if claimer_first else release + claim)
        body = self.upload(text).json()
        assert body["summary"]["failed"] == 0, [r["message"] for r in body["rows"] if r["outcome"] == "failed"]
        assert self.ids() == {"learner1": "S9", "learner2": "S1"}

    @ddt.data(True, False)
    def test_freed_id_is_claimed_across_types(self, claimer_first):
        """A pending invitation frees an id a learner claims, and a learner frees an id a new invitee claims."""
        self.give("P1", email="pending@example.com")
        self.invite("pending@example.com")
        self.give("S1", user=self.learners[0])
        lines = ["learner2@example.com,P1\n", "pending@example.com,P2\n",
                 "new@example.com,S1\n", "learner1@example.com,S9\n"]
        if not claimer_first:
            lines = lines[1::-1] + lines[:1:-1]
        body = self.upload("email,external_id\n" + "".join(lines)).json()
        assert body["summary"]["failed"] == 0, [r["message"] for r in body["rows"] if r["outcome"] == "failed"]
        assert self.ids() == {"learner2": "P1", "pending@example.com": "P2", "new@example.com": "S1",
                              "learner1": "S9"}

    def test_two_learners_swap(self):
        self.give("S1", user=self.learners[0])
        self.give("S2", user=self.learners[1])
        body = self.upload("email,external_id\nlearner1@example.com,S2\nlearner2@example.com,S1\n").json()
        assert body["summary"]["external_id_updated"] == 2 and body["summary"]["failed"] == 0
        assert self.ids() == {"learner1": "S2", "learner2": "S1"}

    @override_settings(CERTEXCEPTIONS_CHUNK_SIZE=2)
    def test_rotation_across_types_and_chunks(self):
        """A three-way rotation through a pending invitation, its rows far apart in a file of tiny chunks."""
        self.give("A", user=self.learners[0])
        self.give("B", user=self.learners[1])
        self.give("C", email="pending@example.com")
        self.invite("pending@example.com")
        text = ("email,external_id\nlearner1@example.com,B\nlearner3@example.com,X3\nlearner4@example.com,X4\n"
                "learner2@example.com,C\nlearner5@example.com,X5\npending@example.com,A\n")
        body = self.upload(text).json()
        assert body["summary"]["failed"] == 0, [r["message"] for r in body["rows"] if r["outcome"] == "failed"]
        assert self.ids() == {"learner1": "B", "learner2": "C", "pending@example.com": "A", "learner3": "X3",
                              "learner4": "X4", "learner5": "X5"}

    def test_a_failing_release_fails_the_claims_that_depend_on_it(self):
        self.give("S1", user=self.learners[0])
        self.give("S2", user=self.learners[1])
        self.give("HELD", user=self.learners[4])  # learner5 is not in the file
        rows = self.rows(self.upload(
            "email,external_id\n"
            "learner3@example.com,S2\n"   # 2: needs learner2's S2 ...
            "learner2@example.com,S1\n"   # 3: ... which needs learner1's S1 ...
            "learner1@example.com,HELD\n"  # 4: ... but learner1 cannot take HELD
        ))
        assert [rows[n]["reason"] for n in (2, 3, 4)] == ["external_id_taken"] * 3
        assert rows[2]["message"] == "The external id S2 already belongs to learner2 in this course."
        assert self.ids() == {"learner1": "S1", "learner2": "S2", "learner5": "HELD"}

    def test_duplicate_row_does_not_free_an_id(self):
        self.give("S1", user=self.learners[0])
        rows = self.rows(self.upload(
            "email,external_id\nlearner1@example.com,\nlearner1@example.com,S9\nlearner2@example.com,S1\n"))
        assert rows[3]["reason"] == "duplicate_email_in_file" and rows[4]["reason"] == "external_id_taken"

    def test_dry_run_writes_nothing_and_reports_the_same(self):
        UserFactory(username="newcomer")
        self.give("S1", user=self.learners[0])
        self.give("S2", user=self.learners[1])
        text = ("email,external_id\nlearner1@example.com,S2\nlearner2@example.com,S1\nnew@example.com,N1\n"
                "newcomer@example.com,C1\nlearner3@example.com,S1\n")
        dry = self.upload(text, dry_run="true").json()
        assert dry["dry_run"] is True
        assert self.ids() == {"learner1": "S1", "learner2": "S2"}
        assert self.invited() == {} and "newcomer" not in self.enrolled() and not AuditEvent.objects.exists()
        real = self.upload(text).json()
        assert real["dry_run"] is False
        assert dry["rows"] == real["rows"] and dry["summary"] == real["summary"]
        assert dry["summary"]["failed"] == 1

    def test_concurrent_change_between_plan_and_apply_fails_only_that_row(self):
        """The unique index is the final guard: a row whose id was taken meanwhile fails, the rest is written."""
        original_plan = InvitationImporter.plan

        def plan_then_someone_takes_n2(importer, rows):
            results = original_plan(importer, rows)
            ExternalId.objects.create(course_key=self.course.id, external_id="N2", user=self.learners[4])
            return results

        with mock.patch.object(InvitationImporter, "plan", plan_then_someone_takes_n2):
            body = self.upload("email,external_id\nnew1@example.com,N1\nnew2@example.com,N2\n"
                               "learner1@example.com,N3\n").json()
        rows = {row["email"]: row for row in body["rows"]}
        assert rows["new2@example.com"]["reason"] == "external_id_taken"
        assert "was taken by another change" in rows["new2@example.com"]["message"]
        assert body["summary"]["failed"] == 1 and body["summary"]["invited"] == 1
        assert self.ids() == {"new1@example.com": "N1", "learner1": "N3", "learner5": "N2"}
        assert self.invited() == {"new1@example.com": True}  # no invitation for the failed row

    def test_audit_events(self):
        UserFactory(username="newcomer")
        self.give("S1", user=self.learners[0])
        self.upload("email,external_id\nnew@example.com,N1\nnewcomer@example.com,\nlearner1@example.com,S2\n"
                    "learner2@example.com,S3\n")
        events = sorted((e.action, e.learner_username, e.learner_email, e.before, e.after, e.actor_username)
                        for e in AuditEvent.objects.all())
        staff = self.staff.username
        assert events == [
            ("external_id.changed", "learner1", "learner1@example.com", {"external_id": "S1"},
             {"external_id": "S2"}, staff),
            ("external_id.set", "", "new@example.com", None, {"external_id": "N1"}, staff),
            ("external_id.set", "learner2", "learner2@example.com", None, {"external_id": "S3"}, staff),
            ("invitation.enrolled", "newcomer", "newcomer@example.com", None, {"external_id": None}, staff),
            ("invitation.invited", "", "new@example.com", None, {"auto_enroll": True, "external_id": "N1"}, staff),
        ]


class TestRowsTheLmsFails(InvitationsTestBase):
    """A row whose enrolment the LMS fails gets its external id back; rows that claimed that id do not get it."""

    def refuse_enrolment_of(self, *usernames):
        original = StandaloneHost.enroll

        def enroll(host, *, learners, **kwargs):
            refused = {learner.id: "EnrollmentNotAllowed" for learner in learners if learner.username in usernames}
            kept = [learner for learner in learners if learner.id not in refused]
            return {**original(host, learners=kept, **kwargs), **refused}

        return mock.patch.object(StandaloneHost, "enroll", enroll)

    def test_a_swap_with_a_failed_row_keeps_both_ids(self):
        one, two = UserFactory(username="newcomer1"), UserFactory(username="newcomer2")
        self.give("P1", email=one.email)
        self.give("P2", email=two.email)
        with self.refuse_enrolment_of("newcomer1"):
            rows = self.rows(self.upload(f"email,external_id\n{one.email},P2\n{two.email},P1\n"))
        assert (rows[2]["outcome"], rows[2]["reason"]) == ("failed", "lms_error")
        assert (rows[3]["outcome"], rows[3]["reason"], rows[3]["external_id"]) == ("enrolled", "external_id_taken",
                                                                                  "P2")
        assert "The external id P1 was not set: it stays with row 2" in rows[3]["message"]
        assert self.ids() == {"newcomer1@example.com": "P1", "newcomer2": "P2"}
        assert self.enrolled() == {f"learner{n}" for n in range(1, 6)} | {"newcomer2"}
        assert sorted(AuditEvent.objects.values_list("action", "learner_username")) == [
            ("invitation.enrolled", "newcomer2")]

    def test_the_claims_along_a_chain_are_given_up(self):
        one = UserFactory(username="newcomer1")
        self.give("A", email=one.email)
        self.give("B", email="pending@example.com")  # an id kept for an email not invited yet
        with self.refuse_enrolment_of("newcomer1"):
            rows = self.rows(self.upload(f"email,external_id\n{one.email},Z\npending@example.com,A\n"
                                         "c.claims.b@example.com,B\nother@example.com,O\n"))
        assert {n: (row["outcome"], row["reason"]) for n, row in rows.items()} == {
            2: ("failed", "lms_error"), 3: ("invited", "external_id_taken"), 4: ("invited", "external_id_taken"),
            5: ("invited", None)}
        assert "The external id A was not set: it stays with row 2, because the LMS could not write row 2" in \
            rows[3]["message"]
        assert "The external id B was not set: it stays with row 3, because the LMS could not write row 2" in \
            rows[4]["message"]
        assert self.ids() == {"newcomer1@example.com": "A", "pending@example.com": "B", "other@example.com": "O"}
        assert self.invited() == {"pending@example.com": True, "c.claims.b@example.com": True,
                                  "other@example.com": True}


class TestLinkingOnEnrollment(InvitationsTestBase):

    def test_activation_auto_enrols_and_links_the_pending_id(self):
        self.upload("email,external_id\nNew.Person@example.com,N1\n")
        assert self.ids() == {"new.person@example.com": "N1"}
        user = UserFactory(username="newperson", email="New.Person@example.com", is_active=False)
        assert self.ids() == {"new.person@example.com": "N1"}  # not enrolled yet
        user.is_active = True
        user.save()  # the standalone host auto-enrols on activation and emits COURSE_ENROLLMENT_CREATED
        assert "newperson" in self.enrolled()
        record = ExternalId.objects.get()
        assert (record.user, record.email, record.external_id) == (user, None, "N1")
        event = AuditEvent.objects.get(action="external_id.linked")
        assert (event.actor_username, event.learner_username, event.after) == (
            "system", "newperson", {"external_id": "N1"})

    def test_enrolment_links_only_this_course(self):
        other = CourseFactory()
        self.give("N1", email="new@example.com")
        self.give("O1", email="new@example.com", course_id=other.id)
        user = UserFactory(username="newperson", email="new@example.com")
        StandaloneHost().enroll(course_key=self.course.id, learners=[learner_ref(user)])
        assert self.ids() == {"newperson": "N1"} and self.ids(other.id) == {"new@example.com": "O1"}

    def test_enrolment_keeps_an_existing_linked_id(self):
        user = UserFactory(username="newperson", email="new@example.com")
        self.give("L1", user=user)
        self.give("N1", email="new@example.com")
        StandaloneHost().enroll(course_key=self.course.id, learners=[learner_ref(user)])
        assert self.ids() == {"newperson": "L1", "new@example.com": "N1"}

    def test_reupload_after_account_creation_enrols_and_links(self):
        self.upload("email,external_id\nnew@example.com,N1\n", auto_enroll="false")
        UserFactory(username="newperson", email="new@example.com")  # no auto-enrolment on activation
        assert self.ids() == {"new@example.com": "N1"}
        rows = self.rows(self.upload("email,external_id\nnew@example.com,\n"))
        assert rows[2]["outcome"] == "enrolled" and rows[2]["external_id"] == "N1"
        assert self.ids() == {"newperson": "N1"} and "newperson" in self.enrolled()


class TestConstraints(InvitationsTestBase):
    """The database, not only the code, keeps ids unique per course and never blank."""

    def assert_rejected(self, **fields):
        with self.assertRaises(IntegrityError), transaction.atomic():
            ExternalId.objects.create(course_key=self.course.id, **fields)

    def test_constraints(self):
        self.give("S1", user=self.learners[0])
        self.give("P1", email="pending@example.com")
        self.assert_rejected(external_id="S1", user=self.learners[1])
        self.assert_rejected(external_id="S2", user=self.learners[0])
        self.assert_rejected(external_id="P2", email="pending@example.com")
        self.assert_rejected(external_id="", user=self.learners[2])
        self.assert_rejected(external_id="X", user=self.learners[2], email="x@example.com")
        self.assert_rejected(external_id="X")
        self.give("S1", user=self.learners[0], course_id=CourseFactory().id)  # another course may reuse it
        self.give(None, user=self.learners[3])  # NULLs never collide
        self.give(None, user=self.learners[4])


@ddt.ddt
class TestFileAndRequestErrors(InvitationsTestBase):

    def assert_error(self, response, status, error_code):
        assert response.status_code == status, response.content
        assert response.json()["error_code"] == error_code
        assert not ExternalId.objects.exists() and self.invited() == {}

    def test_no_file(self):
        self.assert_error(self.client.post(self.url(), {}, format="multipart"), 400, "no_file")

    def test_not_csv(self):
        self.assert_error(self.upload("email\nnew@example.com\n", name="roster.xlsx"), 400, "not_csv")

    @ddt.data("", "email,external_id\n", "\n\nemail\n\n")
    def test_empty(self, text):
        self.assert_error(self.upload(text), 400, "empty_file")

    def test_malformed(self):
        self.assert_error(self.upload('email\n"new@example.com\n'), 400, "malformed_csv")

    @override_settings(CERTEXCEPTIONS_MAX_UPLOAD_BYTES=20)
    def test_too_large(self):
        self.assert_error(self.upload("email\nnew@example.com\nother@example.com\n"), 413, "file_too_large")

    @ddt.data(("existing_external_ids", "overwrite"), ("auto_enroll", "maybe"), ("dry_run", "2"),
              ("email_learners", "x"))
    @ddt.unpack
    def test_invalid_option(self, name, value):
        self.assert_error(self.upload("email\nnew@example.com\n", **{name: value}), 400, "invalid_request")

    def test_import_in_progress_is_409(self):
        from certexceptions_plugin.bulk.locks import import_lock
        with import_lock(self.course.id, "invitations"):
            self.assert_error(self.upload("email\nnew@example.com\n"), 409, "import_in_progress")

    def test_template(self):
        response = self.client.get(self.url("bulk_invitations_template"))
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
        lines = response.content.decode("utf-8-sig").splitlines()
        assert lines[0] == "email,name,external_id" and len(lines) == 2

    @override_settings(CERTEXCEPTIONS_SYNC_MAX_ROWS=2)
    def test_large_upload_runs_in_the_background(self):
        with self.captureOnCommitCallbacks(execute=True):
            response = self.upload("email,external_id\na@example.com,A\nb@example.com,B\nlearner1@example.com,S\n",
                                   existing_external_ids="keep")
        assert response.status_code == 202, response.content
        operation = BulkOperation.objects.get(id=response.json()["id"])
        assert operation.status == "succeeded" and operation.kind == "invitations"
        assert operation.result["summary"]["invited"] == 2 and operation.result["summary"]["existing_enrollment"] == 1
        assert self.ids() == {"a@example.com": "A", "b@example.com": "B", "learner1": "S"}

    @override_settings(CERTEXCEPTIONS_SYNC_MAX_ROWS=1)
    def test_a_large_file_with_a_bad_header_is_rejected_before_any_operation(self):
        with self.captureOnCommitCallbacks(execute=True):
            response = self.upload("email,phone\na@example.com,1\nb@example.com,2\n")
        assert response.status_code == 400 and response.json()["error_code"] == "bad_header"
        assert not BulkOperation.objects.exists()


ENDPOINTS = ("bulk_invitations", "bulk_invitations_template", "external_ids", "external_ids_csv")


@ddt.ddt
class TestPermissions(InvitationsTestBase):

    def request(self, name):
        if name == "bulk_invitations":
            return self.upload("email\nnew@example.com\n")
        return self.client.get(self.url(name))

    @ddt.idata((who, name) for who in ("anonymous", "learner", "other_instructor", "course_staff", "instructor",
                                       "global_staff") for name in ENDPOINTS)
    @ddt.unpack
    def test_who_may_call(self, who, name):
        other = CourseFactory()
        users = {
            "anonymous": None,
            "learner": self.learners[0],
            "other_instructor": RoleFactory(course_id=other.id, role="instructor").user,
            "course_staff": self.staff,
            "instructor": RoleFactory(course_id=self.course.id, role="instructor").user,
            "global_staff": UserFactory(is_staff=True),
        }
        self.client.force_authenticate(users[who])
        response = self.request(name)
        expected = {"anonymous": 401, "learner": 403, "other_instructor": 403}.get(who, 200)
        assert response.status_code == expected, response.content
        if expected != 200:
            assert response.json()["error_code"] in ("not_authenticated", "permission_denied")
            assert self.invited() == {}

    def test_patch_needs_permission(self):
        self.client.force_authenticate(self.learners[0])
        response = self.client.patch(self.url("external_ids"), {"learner": "learner1", "external_id": "S1"},
                                     format="json")
        assert response.status_code == 403 and not ExternalId.objects.exists()

    @ddt.data("course-v1:Nope+Missing+2026", "Org/Course/Run")
    def test_unknown_course_is_404(self, course_id):
        self.client.force_authenticate(UserFactory(is_staff=True))
        response = self.client.post(f"/api/instructor/v2/courses/{course_id}/invitations/bulk",
                                    {"file": csv_file("email\nnew@example.com\n")}, format="multipart")
        assert response.status_code == 404 and response.json()["error_code"] == "not_found"
        response = self.client.get(f"/api/instructor/v2/courses/{course_id}/external_ids")
        assert response.status_code == 404


class TestQueryCount(InvitationsTestBase):

    @override_settings(CERTEXCEPTIONS_CHUNK_SIZE=500)
    def test_thousand_rows_take_a_bounded_number_of_queries(self):
        users = UserFactory.create_batch(500)
        CourseEnrollment.objects.bulk_create(CourseEnrollment(user=u, course_id=self.course.id) for u in users)
        ExternalId.objects.bulk_create(ExternalId(course_key=self.course.id, user=u, external_id=f"OLD{i}")
                                       for i, u in enumerate(users))
        # 500 enrolled learners each take the next one's old id (a rotation), and 500 new invitees
        text = "email,external_id\n" + "".join(
            f"{u.email},OLD{(i + 1) % 500}\n" for i, u in enumerate(users)) + "".join(
            f"new{i}@example.com,NEW{i}\n" for i in range(500))
        with CaptureQueriesContext(connection) as queries:
            response = self.upload(text)
        summary = response.json()["summary"]
        assert summary["existing_enrollment"] == 500 and summary["invited"] == 500 and summary["failed"] == 0, summary
        assert summary["external_id_updated"] == 1000  # 500 replaced, 500 set for the first time
        # Per chunk, in each of the two passes: accounts, current ids, retired emails (and, in the second, enrolments
        # and invitations); claimed ids; then per transaction the id writes (clear, update, insert), the invitations,
        # the audit rows and the stored row results, which SQLite splits into batches under its bound-parameter
        # limit. Per-row work would be thousands.
        assert len(queries) <= 70, len(queries)
        assert ExternalId.objects.filter(course_key=self.course.id).count() == 1000
        assert ExternalId.objects.get(user=users[0]).external_id == "OLD1"
        assert AuditEvent.objects.count() == 1500  # 500 changed, 500 invited, 500 set
