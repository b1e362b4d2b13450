"""Importing a roster of invitations: every row's outcome, the header rule, and rows the LMS fails to write."""
from unittest import mock

import pytest

from certexceptions_plugin.audit.models import AuditEvent
from certexceptions_plugin.invitations.importer import ENROLLMENT_REASON
from certexceptions_plugin.invitations.models import ExternalId
from certexceptions_plugin.standalone.host import StandaloneHost
from tests.factories import CourseFactory, EnrollmentFactory, UserFactory
from tests.invitations import enrolled, give, ids, invite, invited, rows_by_number, uploader

# As in every roster test: a course with its course staff, and learner1..learner5 enrolled.
pytestmark = pytest.mark.usefixtures("course_staff", "enrolled_learners")


@pytest.fixture
def upload(course_staff_client, course):
    return uploader(course_staff_client, course)


def refuse_enrolment_of(*usernames):
    """The standalone host, failing the enrolment of these learners as the LMS may."""
    original = StandaloneHost.enroll

    def enroll(host, *, learners, **kwargs):
        refused = {learner.id: "EnrollmentNotAllowed" for learner in learners if learner.username in usernames}
        kept = [learner for learner in learners if learner.id not in refused]
        return {**original(host, learners=kept, **kwargs), **refused}

    return mock.patch.object(StandaloneHost, "enroll", enroll)


class TestOutcomes:

    def test_every_outcome(self, upload, course):
        UserFactory(username="newcomer")  # active, not enrolled
        UserFactory(username="dormant", is_active=False)  # an account that is not active yet
        invite(course.id, "pending@example.com")
        response = upload(
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
        rows = rows_by_number(response)
        assert {n: rows[n]["outcome"] for n in rows} == {
            2: "invited", 3: "existing_invitation", 4: "enrolled", 5: "existing_enrollment", 6: "invited"}
        assert rows[2] == {
            "row": 2, "email": "brand.new@example.com", "name": "Brand New", "username": None, "external_id": "N1",
            "previous_external_id": None, "external_id_updated": True, "outcome": "invited", "reason": None,
            "message": "Invited; enrolled once their account is activated. External id set to N1.",
        }
        assert rows[4]["username"] == "newcomer" and rows[5]["name"] == "Learner One"
        assert ids(course.id) == {"brand.new@example.com": "N1", "pending@example.com": "P1", "newcomer": "C1",
                                  "learner1": "S1", "dormant@example.com": "D1"}
        assert "newcomer" in enrolled(course.id)
        assert invited(course.id) == {"pending@example.com": True, "brand.new@example.com": True,
                                      "dormant@example.com": True}

    def test_auto_enroll_false_is_passed_to_the_invitation(self, upload, course):
        rows = rows_by_number(upload("email\nnew@example.com\n", auto_enroll="false"))
        assert rows[2]["outcome"] == "invited" and "may enrol" in rows[2]["message"]
        assert invited(course.id) == {"new@example.com": False}

    def test_email_learners_is_passed_to_the_host(self, upload, course, course_staff):
        with mock.patch.object(StandaloneHost, "invite", return_value={}) as host_invite:
            upload("email\nnew@example.com\n", email_learners="true", auto_enroll="false")
        host_invite.assert_called_once_with(course_key=course.id, emails=["new@example.com"], auto_enroll=False,
                                            email_learners=True, actor=course_staff, reason=ENROLLMENT_REASON)

    def test_email_is_stored_lower_cased(self, upload, course):
        upload("email,external_id\nMixed.Case@Example.COM,M1\n")
        assert ids(course.id) == {"mixed.case@example.com": "M1"}

    def test_reupload_is_all_existing_and_writes_nothing_new(self, upload):
        text = "email,external_id\nnew@example.com,N1\nlearner1@example.com,S1\n"
        upload(text)
        events = AuditEvent.objects.count()
        body = upload(text).json()
        assert body["summary"]["existing_invitation"] == 1 and body["summary"]["existing_enrollment"] == 1
        assert body["summary"]["invited"] == 0 and AuditEvent.objects.count() == events

    def test_every_failure_reason(self, upload, course, enrolled_learners):
        give(course.id, "HELD", user=enrolled_learners[1])
        response = upload(
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
        rows = rows_by_number(response)
        assert {n: rows[n]["reason"] for n in rows} == {
            2: "missing_email", 3: "invalid_email", 4: None, 5: "duplicate_email_in_file",
            6: "duplicate_external_id_in_file", 7: "external_id_taken", 8: "invalid_row", 9: "invalid_row",
            10: "invalid_external_id", 11: "invalid_email"}
        assert rows[5]["message"] == "The email OK@example.com already appears in row 4."
        assert rows[6]["message"] == "The external id x2 already appears in row 4."
        assert rows[7]["message"] == "The external id held already belongs to learner2 in this course."
        assert response.json()["summary"]["failed"] == 9
        # nothing is written for a failed row: no invitation, no id
        assert invited(course.id) == {"ok@example.com": True}
        assert ids(course.id) == {"learner2": "HELD", "ok@example.com": "X2"}

    def test_taken_row_enrols_nobody(self, upload, course, enrolled_learners):
        UserFactory(username="newcomer")
        give(course.id, "S1", user=enrolled_learners[0])
        rows = rows_by_number(upload("email,external_id\nnewcomer@example.com,S1\n"))
        assert rows[2]["reason"] == "external_id_taken" and "newcomer" not in enrolled(course.id)

    def test_other_courses_are_untouched_and_ids_are_per_course(self, upload, course, enrolled_learners):
        other = CourseFactory()
        EnrollmentFactory(course_id=other.id, user=enrolled_learners[0])
        give(other.id, "S1", user=enrolled_learners[0])
        give(other.id, "S9", user=enrolled_learners[1])
        rows = rows_by_number(upload("email,external_id\nlearner1@example.com,S9\nlearner2@example.com,S1\n"))
        assert [rows[2]["outcome"], rows[3]["outcome"]] == ["existing_enrollment"] * 2
        assert rows[2]["previous_external_id"] is None  # the other course's id is not this course's
        assert ids(course.id) == {"learner1": "S9", "learner2": "S1"}
        assert ids(other.id) == {"learner1": "S1", "learner2": "S9"}


class TestHeader:

    def test_delimiter_comes_from_the_header_row(self, upload):
        rows = rows_by_number(upload("email;name;external_id\nnew@example.com;Lovelace, Ada;S7\n"))
        assert rows[2]["outcome"] == "invited" and rows[2]["name"] == "Lovelace, Ada" and rows[2]["external_id"] == "S7"
        rows = rows_by_number(upload("email,name,external_id\nother@example.com,Ada; Countess,S8\n"))
        assert rows[2]["name"] == "Ada; Countess" and rows[2]["external_id"] == "S8"

    @pytest.mark.parametrize("header", [
        "email,name,external_id", "EMAIL,Name,ext_id", "E Mail,NAME,Student ID", "email,sis_id",
        "external_id,email", "Student_ID,name,email", "extid,  email  ", "SIS ID;email",
    ])
    def test_aliases_and_order(self, upload, course, header):
        columns = [cell.strip() for cell in header.replace(";", ",").split(",")]
        delimiter = ";" if ";" in header else ","
        values = {"email": "learner1@example.com", "name": "One"}
        cells = [values.get(c.lower().replace(" ", "").replace("_", ""), "S1") for c in columns]
        rows = rows_by_number(upload(f"{header}\n{delimiter.join(cells)}\n"))
        assert rows[2]["outcome"] == "existing_enrollment" and rows[2]["external_id"] == "S1"
        assert ids(course.id) == {"learner1": "S1"}

    def test_email_only(self, upload, course):
        rows = rows_by_number(upload("Email\nlearner1@example.com\n"))
        assert rows[2]["external_id"] is None and ids(course.id) == {}

    def test_bom_crlf_and_blank_lines(self, upload):
        rows = rows_by_number(upload("\ufeffemail,external_id\r\n\r\nlearner1@example.com,S1\r\n".encode()))
        assert rows[3]["external_id"] == "S1"

    def test_short_rows_are_blank_cells(self, upload):
        rows = rows_by_number(upload("email,name,external_id\nlearner1@example.com\n"))
        assert rows[2]["outcome"] == "existing_enrollment"

    def test_a_one_row_file_without_header_is_a_bad_header_not_an_empty_file(self, upload):
        response = upload("learner8@example.com,Bob,S0800\n")
        assert response.status_code == 400 and response.json()["error_code"] == "bad_header"

    @pytest.mark.parametrize("header, unknown, repeated, missing", [
        ("email,nickname,phone", ["nickname", "phone"], [], []),
        ("email,external_id,Student ID", [], ["Student ID"], []),
        ("name,external_id", [], [], ["email"]),
        ("learner1@example.com,S1", ["learner1@example.com", "S1"], [], ["email"]),
    ])
    def test_bad_header_rejects_the_file(self, upload, header, unknown, repeated, missing):
        response = upload(f"{header}\nlearner2@example.com,x,y\n")
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


class TestRowsTheLmsFails:
    """A row whose enrolment the LMS fails gets its external id back; rows that claimed that id do not get it."""

    def test_a_swap_with_a_failed_row_keeps_both_ids(self, upload, course):
        one, two = UserFactory(username="newcomer1"), UserFactory(username="newcomer2")
        give(course.id, "P1", email=one.email)
        give(course.id, "P2", email=two.email)
        with refuse_enrolment_of("newcomer1"):
            rows = rows_by_number(upload(f"email,external_id\n{one.email},P2\n{two.email},P1\n"))
        assert (rows[2]["outcome"], rows[2]["reason"]) == ("failed", "lms_error")
        assert (rows[3]["outcome"], rows[3]["reason"], rows[3]["external_id"]) == ("enrolled", "external_id_taken",
                                                                                  "P2")
        assert "The external id P1 was not set: it stays with row 2" in rows[3]["message"]
        assert ids(course.id) == {"newcomer1@example.com": "P1", "newcomer2": "P2"}
        assert enrolled(course.id) == {f"learner{n}" for n in range(1, 6)} | {"newcomer2"}
        assert sorted(AuditEvent.objects.values_list("action", "learner_username")) == [
            ("invitation.enrolled", "newcomer2")]

    def test_the_claims_along_a_chain_are_given_up(self, upload, course):
        one = UserFactory(username="newcomer1")
        give(course.id, "A", email=one.email)
        give(course.id, "B", email="pending@example.com")  # an id kept for an email not invited yet
        with refuse_enrolment_of("newcomer1"):
            rows = rows_by_number(upload(f"email,external_id\n{one.email},Z\npending@example.com,A\n"
                                         "c.claims.b@example.com,B\nother@example.com,O\n"))
        assert {n: (row["outcome"], row["reason"]) for n, row in rows.items()} == {
            2: ("failed", "lms_error"), 3: ("invited", "external_id_taken"), 4: ("invited", "external_id_taken"),
            5: ("invited", None)}
        assert "The external id A was not set: it stays with row 2, because the LMS could not write row 2" in \
            rows[3]["message"]
        assert "The external id B was not set: it stays with row 3, because the LMS could not write row 2" in \
            rows[4]["message"]
        assert ids(course.id) == {"newcomer1@example.com": "A", "pending@example.com": "B", "other@example.com": "O"}
        assert invited(course.id) == {"pending@example.com": True, "c.claims.b@example.com": True,
                                      "other@example.com": True}
