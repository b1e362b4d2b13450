"""The bulk certificate-exceptions endpoint, against the standalone host."""
import logging

import ddt
from django.db import connection
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from certexceptions_plugin.audit.models import AuditEvent
from certexceptions_plugin.standalone.models import CertificateAllowlist
from tests.conftest import csv_file
from tests.factories import (
    AllowlistFactory,
    CourseFactory,
    EnrollmentFactory,
    InvalidationFactory,
    RoleFactory,
    UserFactory,
)


class CertificateExceptionsTestBase(TestCase):
    """A course with an instructor and five enrolled learners."""

    @classmethod
    def setUpTestData(cls):
        cls.course = CourseFactory()
        cls.instructor = RoleFactory(course_id=cls.course.id, role="instructor").user
        cls.learners = [EnrollmentFactory(course_id=cls.course.id, user__username=f"learner{n}").user
                        for n in range(1, 6)]

    def setUp(self):
        self.client = APIClient()
        self.client.force_authenticate(self.instructor)

    def url(self, course_id=None):
        return reverse("certificate_exception_imports", kwargs={"course_id": str(course_id or self.course.id)})

    def upload(self, text, name="exceptions.csv", **data):
        return self.client.post(self.url(), {"file": csv_file(text, name=name), **data}, format="multipart")

    def rows_by_learner(self, response):
        assert response.status_code == 200, response.content
        return {row["learner"]: row for row in response.json()["rows"]}

    def allowlist(self):
        return dict(CertificateAllowlist.objects.filter(course_id=self.course.id, allowlist=True)
                    .values_list("user__username", "notes"))


@ddt.ddt
class TestGrant(CertificateExceptionsTestBase):

    def test_grants_with_header_and_reports_every_row(self):
        response = self.upload("username_or_email,notes\nlearner1,Medical leave\nlearner2@example.com,\n")
        body = response.json()
        assert body["dry_run"] is False and body["action"] == "grant"
        assert body["summary"] == {"rows": 2, "granted": 2, "updated": 0, "unchanged": 0, "removed": 0, "failed": 0}
        assert body["rows"][0] == {
            "row": 2, "learner": "learner1", "username": "learner1", "email": "learner1@example.com",
            "notes": "Medical leave", "outcome": "granted", "reason": None, "message": "Certificate exception granted.",
        }
        assert body["success"] == ["learner1", "learner2@example.com"] and body["errors"] == []
        assert self.allowlist() == {"learner1": "Medical leave", "learner2": ""}

    @ddt.data("username", "EMAIL", "user", "Learner", "identifier", "username_or_email")
    def test_header_names(self, name):
        rows = self.rows_by_learner(self.upload(f"{name},notes\nlearner1,x\n"))
        assert list(rows) == ["learner1"] and rows["learner1"]["row"] == 2

    def test_no_header_first_row_is_a_learner(self):
        rows = self.rows_by_learner(self.upload("learner1,first\nlearner2\n"))
        assert rows["learner1"]["row"] == 1 and rows["learner2"]["row"] == 2
        assert self.allowlist() == {"learner1": "first", "learner2": ""}

    @ddt.data(";", "\t")
    def test_other_delimiters(self, delimiter):
        rows = self.rows_by_learner(self.upload(f"username{delimiter}notes\nlearner1{delimiter}a, b\n"))
        assert rows["learner1"]["notes"] == "a, b"

    def test_delimiters_inside_quotes_do_not_count(self):
        rows = self.rows_by_learner(self.upload('learner1,"late; approved; by dean"\nlearner2,ok\n'))
        assert rows["learner1"]["notes"] == "late; approved; by dean" and rows["learner2"]["outcome"] == "granted"

    def test_delimiter_is_the_one_that_gives_rows_a_learner_and_a_note(self):
        rows = self.rows_by_learner(self.upload("learner1,Leave; approved; by dean\nlearner2,ok\n"))
        assert rows["learner1"]["notes"] == "Leave; approved; by dean" and rows["learner1"]["outcome"] == "granted"
        rows = self.rows_by_learner(self.upload("learner3;Medical leave, approved\n"))
        assert rows["learner3"]["notes"] == "Medical leave, approved" and rows["learner3"]["outcome"] == "granted"

    def test_blank_lines_before_the_first_row_are_skipped_and_counted(self):
        rows = self.rows_by_learner(self.upload("\n" * 64_000 + "learner1,late\n"))
        assert rows["learner1"]["row"] == 64_001 and rows["learner1"]["notes"] == "late"

    def test_delimiter_is_found_past_a_single_column_first_row(self):
        rows = self.rows_by_learner(self.upload("learner1\nlearner2;medical leave\nlearner3;approved\n"))
        assert rows["learner2"]["notes"] == "medical leave" and rows["learner3"]["outcome"] == "granted"

    def test_bom_and_crlf(self):
        rows = self.rows_by_learner(self.upload("\ufeffusername,notes\r\nlearner1,n\r\n".encode("utf-8")))
        assert rows["learner1"]["outcome"] == "granted"

    def test_blank_rows_are_skipped_but_counted(self):
        rows = self.rows_by_learner(self.upload("username\n\nlearner1\n  ,  \n\nlearner2\n"))
        assert rows["learner1"]["row"] == 3 and rows["learner2"]["row"] == 6

    def test_email_is_case_insensitive(self):
        rows = self.rows_by_learner(self.upload("LEARNER1@Example.COM\n"))
        assert rows["LEARNER1@Example.COM"]["username"] == "learner1"

    def test_every_failure_reason(self):
        outsider = UserFactory(username="outsider")
        invalidated = EnrollmentFactory(course_id=self.course.id, user__username="invalidated").user
        InvalidationFactory(generated_certificate__user=invalidated, generated_certificate__course_id=self.course.id)
        EnrollmentFactory(course_id=self.course.id, user__username="gone", is_active=False)
        response = self.upload(
            "username,notes\n"
            "nobody\n"            # 2
            f"{outsider.username}\n"  # 3
            "gone\n"              # 4 inactive enrolment
            "invalidated\n"       # 5
            "learner1,a\n"        # 6
            "learner1@example.com,b\n"  # 7 duplicate by email
            "learner1\n"          # 8 duplicate by username
            ",notes only\n"       # 9
            "learner2,a,b\n"      # 10
        )
        rows = {row["row"]: row for row in response.json()["rows"]}
        assert {n: rows[n]["reason"] for n in rows} == {
            2: "user_not_found", 3: "not_enrolled", 4: "not_enrolled", 5: "certificate_invalidated", 6: None,
            7: "duplicate_in_file", 8: "duplicate_in_file", 9: "invalid_row", 10: "invalid_row",
        }
        assert rows[7]["message"] == "learner1 already appears in row 6."
        assert response.json()["errors"][0] == {
            "learner": "nobody", "row": 2, "reason": "user_not_found",
            "message": "No account has the username or email 'nobody'."}
        assert self.allowlist() == {"learner1": "a"}

    def test_ambiguous_identifier_fails(self):
        UserFactory(username="clash@example.com", email="someone@example.com")
        EnrollmentFactory(course_id=self.course.id, user__username="clash", user__email="clash@example.com")
        rows = self.rows_by_learner(self.upload("clash@example.com\n"))
        assert rows["clash@example.com"]["reason"] == "ambiguous_learner"

    def test_retired_user_is_not_found(self):
        from certexceptions_plugin.standalone.models import UserRetirementRequest
        UserRetirementRequest.objects.create(user=self.learners[0])
        rows = self.rows_by_learner(self.upload("learner1\n"))
        assert rows["learner1"]["reason"] == "user_not_found"

    def test_reupload_is_unchanged_and_notes_update(self):
        text = "username,notes\nlearner1,first\nlearner2,\n"
        self.upload(text)
        again = self.upload(text).json()
        assert again["summary"]["unchanged"] == 2 and again["summary"]["granted"] == 0
        assert again["errors"] == []
        changed = self.rows_by_learner(self.upload("learner1,second\nlearner2,\n"))
        assert changed["learner1"]["outcome"] == "updated" and changed["learner2"]["outcome"] == "unchanged"
        assert self.allowlist() == {"learner1": "second", "learner2": ""}

    def test_existing_entry_with_blank_notes_keeps_notes(self):
        AllowlistFactory(user=self.learners[0], course_id=self.course.id, notes="kept")
        rows = self.rows_by_learner(self.upload("learner1\n"))
        assert rows["learner1"]["outcome"] == "unchanged" and rows["learner1"]["notes"] == "kept"
        assert self.allowlist() == {"learner1": "kept"}

    def test_disabled_entry_is_granted_again(self):
        AllowlistFactory(user=self.learners[0], course_id=self.course.id, allowlist=False, notes="old")
        rows = self.rows_by_learner(self.upload("learner1,new\n"))
        assert rows["learner1"]["outcome"] == "granted"
        assert self.allowlist() == {"learner1": "new"}

    def test_dry_run_writes_nothing(self):
        response = self.upload("learner1,a\nlearner2\nnobody\n", dry_run="true")
        body = response.json()
        assert body["dry_run"] is True and body["summary"]["granted"] == 2 and body["summary"]["failed"] == 1
        assert self.allowlist() == {} and not AuditEvent.objects.exists()

    def test_other_courses_are_untouched(self):
        other = CourseFactory()
        EnrollmentFactory(course_id=other.id, user=self.learners[0])
        AllowlistFactory(user=self.learners[0], course_id=other.id, notes="other")
        self.upload("learner1,mine\n")
        assert CertificateAllowlist.objects.get(course_id=other.id).notes == "other"


class TestRemove(CertificateExceptionsTestBase):

    def test_removes_and_reports_not_allowlisted(self):
        AllowlistFactory(user=self.learners[0], course_id=self.course.id, notes="n")
        response = self.upload("learner1\nlearner2\n", action="remove")
        rows = self.rows_by_learner(response)
        assert response.json()["action"] == "remove"
        assert rows["learner1"]["outcome"] == "removed" and rows["learner2"]["reason"] == "not_allowlisted"
        assert self.allowlist() == {}
        event = AuditEvent.objects.get()
        assert (event.action, event.before, event.after) == ("certificate_exception.removed", {"notes": "n"}, None)

    def test_unenrolled_learner_can_still_lose_an_exception(self):
        outsider = UserFactory(username="outsider")
        AllowlistFactory(user=outsider, course_id=self.course.id)
        rows = self.rows_by_learner(self.upload("outsider\n", action="remove"))
        assert rows["outsider"]["outcome"] == "removed"


class TestAudit(CertificateExceptionsTestBase):

    def test_audit_rows_and_log_lines(self):
        AllowlistFactory(user=self.learners[1], course_id=self.course.id, notes="old")
        with self.assertLogs("certexceptions_plugin.audit", level=logging.INFO) as logs:
            self.upload("learner1,new\nlearner2,changed\nlearner3\n")
        events = {e.learner_username: e for e in AuditEvent.objects.all()}
        assert set(events) == {"learner1", "learner2", "learner3"}
        assert events["learner2"].action == "certificate_exception.updated"
        assert events["learner2"].before == {"notes": "old"} and events["learner2"].after == {"notes": "changed"}
        assert events["learner1"].actor == self.instructor
        assert events["learner1"].actor_username == self.instructor.username
        assert len(logs.output) == 3 and self.instructor.username in logs.output[0]

    def test_audit_endpoint_filters(self):
        self.upload("learner1\nlearner2\n")
        self.upload("learner1\n", action="remove")
        url = reverse("audit_events", kwargs={"course_id": str(self.course.id)})
        body = self.client.get(url).json()
        assert body["count"] == 3 and body["results"][0]["action"] == "certificate_exception.removed"
        assert self.client.get(url, {"action": "certificate_exception.granted"}).json()["count"] == 2
        assert self.client.get(url, {"learner": "learner1@example.com"}).json()["count"] == 2
        staff = RoleFactory(course_id=self.course.id, role="staff").user
        self.client.force_authenticate(staff)
        assert self.client.get(url).status_code == 200
        self.client.force_authenticate(self.learners[0])
        assert self.client.get(url).status_code == 403


@ddt.ddt
class TestFileErrors(CertificateExceptionsTestBase):

    def assert_error(self, response, status, error_code, *words):
        assert response.status_code == status, response.content
        body = response.json()
        assert body["error_code"] == error_code
        for word in words:
            assert word in body["message"]
        assert self.allowlist() == {} and not AuditEvent.objects.exists()

    def test_no_file(self):
        self.assert_error(self.client.post(self.url(), {}, format="multipart"), 400, "no_file")

    def test_not_csv(self):
        self.assert_error(self.upload("learner1\n", name="list.xlsx"), 400, "not_csv")

    def test_not_utf8_names_the_row(self):
        self.assert_error(self.upload("learner1\nl\xe9arner2\n".encode("latin-1")), 400, "not_utf8", "Row 2")

    def test_nul_byte(self):
        self.assert_error(self.upload(b"learner1\nlearner2\x00\n"), 400, "malformed_csv", "Row 2")

    def test_broken_quoting(self):
        self.assert_error(self.upload('learner1\n"learner2,notes\nlearner3\n'), 400, "malformed_csv", "Row 2")

    @ddt.data("", "\n\n", "username,notes\n", "username\n\n  \n")
    def test_empty(self, text):
        self.assert_error(self.upload(text), 400, "empty_file")

    def test_invalid_action(self):
        self.assert_error(self.upload("learner1\n", action="delete"), 400, "invalid_action")

    def test_invalid_dry_run(self):
        self.assert_error(self.upload("learner1\n", dry_run="maybe"), 400, "invalid_request", "dry_run")

    @override_settings(CERTEXCEPTIONS_MAX_ROWS=3)
    def test_too_many_rows(self):
        self.assert_error(self.upload("username\nlearner1\nlearner2\nlearner3\nlearner4\n"), 400, "too_many_rows",
                          "3", "row 5")

    @override_settings(CERTEXCEPTIONS_MAX_ROWS=3)
    def test_row_limit_counts_data_rows_only(self):
        assert self.upload("username\n\nlearner1\nlearner2\nlearner3\n").status_code == 200

    @override_settings(CERTEXCEPTIONS_MAX_UPLOAD_BYTES=20)
    def test_too_large(self):
        self.assert_error(self.upload("learner1\nlearner2\nlearner3\n"), 413, "file_too_large", "20")

    def test_import_in_progress_is_409(self):
        from certexceptions_plugin.bulk.locks import import_lock
        with import_lock(self.course.id, "certificate_exceptions"):
            self.assert_error(self.upload("learner1\n"), 409, "import_in_progress")
        assert self.upload("learner1\n").status_code == 200

    def test_template(self):
        url = reverse("certificate_exception_imports_template", kwargs={"course_id": str(self.course.id)})
        response = self.client.get(url)
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
        assert response.content.startswith("\ufeff".encode())  # spreadsheets then read it as UTF-8
        assert response.content.decode("utf-8-sig").splitlines()[0] == "username_or_email,notes"


@ddt.ddt
class TestPermissions(CertificateExceptionsTestBase):

    @ddt.data(("anonymous", 401), ("learner", 403), ("course_staff", 403), ("instructor", 200), ("global_staff", 200))
    @ddt.unpack
    def test_who_may_upload(self, who, status):
        users = {
            "anonymous": None,
            "learner": self.learners[0],
            "course_staff": RoleFactory(course_id=self.course.id, role="staff").user,
            "instructor": self.instructor,
            "global_staff": UserFactory(is_staff=True),
        }
        self.client.force_authenticate(users[who])
        response = self.upload("learner2\n")
        assert response.status_code == status
        if status != 200:
            assert response.json()["error_code"] in ("not_authenticated", "permission_denied")
            assert self.allowlist() == {}

    def test_instructor_of_another_course_is_forbidden(self):
        other = CourseFactory()
        self.client.force_authenticate(RoleFactory(course_id=other.id, role="instructor").user)
        assert self.upload("learner2\n").status_code == 403

    @ddt.data("course-v1:Nope+Missing+2026", "not+a+key!", "Org/Course/Run")
    def test_unknown_or_malformed_course_is_404(self, course_id):
        self.client.force_authenticate(UserFactory(is_staff=True))
        url = f"/api/instructor/v2/courses/{course_id}/certificates/exceptions/imports"
        response = self.client.post(url, {"file": csv_file("learner1\n")}, format="multipart")
        assert response.status_code == 404 and response.json()["error_code"] == "not_found"


class TestQueryCount(CertificateExceptionsTestBase):

    @override_settings(CERTEXCEPTIONS_CHUNK_SIZE=500)
    def test_thousand_rows_take_a_bounded_number_of_queries(self):
        users = UserFactory.create_batch(1000)
        from certexceptions_plugin.standalone.models import CourseEnrollment
        CourseEnrollment.objects.bulk_create(CourseEnrollment(user=u, course_id=self.course.id) for u in users)
        text = "username,notes\n" + "".join(f"{u.username},note {i}\n" for i, u in enumerate(users))
        with CaptureQueriesContext(connection) as queries:
            response = self.upload(text)
        assert response.json()["summary"]["granted"] == 1000
        # Per chunk of 500: resolve, enrolments, allowlist, invalidations, existing entries, then the inserts of
        # entries, audit rows and stored row results (which SQLite splits into batches under its bound-parameter
        # limit). Per-row work would be thousands.
        assert len(queries) <= 50, len(queries)
        assert AuditEvent.objects.count() == 1000
