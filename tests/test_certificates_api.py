"""The bulk certificate-exceptions endpoint, against the standalone host."""
import logging
from functools import partial

import pytest
from django.urls import reverse

from certexceptions_plugin.audit.models import AuditEvent
from certexceptions_plugin.bulk.locks import import_lock
from certexceptions_plugin.standalone.models import CertificateAllowlist, CourseEnrollment, UserRetirementRequest
from tests.certificates import allowlist, post_file, rows_by_learner, url
from tests.conftest import csv_file
from tests.factories import (
    AllowlistFactory,
    CourseFactory,
    EnrollmentFactory,
    InvalidationFactory,
    RoleFactory,
    UserFactory,
)

# Every test runs in a course with an instructor and five enrolled learners (learner1..learner5).
pytestmark = pytest.mark.usefixtures("instructor", "enrolled_learners")


@pytest.fixture
def upload(instructor_client, course):
    """Uploads a file of exceptions to the course as its instructor."""
    return partial(post_file, instructor_client, course)


class TestGrant:

    def test_grants_with_header_and_reports_every_row(self, upload, course):
        response = upload("username_or_email,notes\nlearner1,Medical leave\nlearner2@example.com,\n")
        body = response.json()
        assert body["dry_run"] is False and body["action"] == "grant"
        assert body["summary"] == {"rows": 2, "granted": 2, "updated": 0, "unchanged": 0, "removed": 0, "failed": 0}
        assert body["rows"][0] == {
            "row": 2, "learner": "learner1", "username": "learner1", "email": "learner1@example.com",
            "notes": "Medical leave", "outcome": "granted", "reason": None, "message": "Certificate exception granted.",
        }
        assert body["success"] == ["learner1", "learner2@example.com"] and body["errors"] == []
        assert allowlist(course) == {"learner1": "Medical leave", "learner2": ""}

    @pytest.mark.parametrize("name", ["username", "EMAIL", "user", "Learner", "identifier", "username_or_email"])
    def test_header_names(self, upload, name):
        rows = rows_by_learner(upload(f"{name},notes\nlearner1,x\n"))
        assert list(rows) == ["learner1"] and rows["learner1"]["row"] == 2

    def test_no_header_first_row_is_a_learner(self, upload, course):
        rows = rows_by_learner(upload("learner1,first\nlearner2\n"))
        assert rows["learner1"]["row"] == 1 and rows["learner2"]["row"] == 2
        assert allowlist(course) == {"learner1": "first", "learner2": ""}

    @pytest.mark.parametrize("delimiter", [";", "\t"])
    def test_other_delimiters(self, upload, delimiter):
        rows = rows_by_learner(upload(f"username{delimiter}notes\nlearner1{delimiter}a, b\n"))
        assert rows["learner1"]["notes"] == "a, b"

    def test_delimiters_inside_quotes_do_not_count(self, upload):
        rows = rows_by_learner(upload('learner1,"late; approved; by dean"\nlearner2,ok\n'))
        assert rows["learner1"]["notes"] == "late; approved; by dean" and rows["learner2"]["outcome"] == "granted"

    def test_delimiter_is_the_one_that_gives_rows_a_learner_and_a_note(self, upload):
        rows = rows_by_learner(upload("learner1,Leave; approved; by dean\nlearner2,ok\n"))
        assert rows["learner1"]["notes"] == "Leave; approved; by dean" and rows["learner1"]["outcome"] == "granted"
        rows = rows_by_learner(upload("learner3;Medical leave, approved\n"))
        assert rows["learner3"]["notes"] == "Medical leave, approved" and rows["learner3"]["outcome"] == "granted"

    def test_blank_lines_before_the_first_row_are_skipped_and_counted(self, upload):
        rows = rows_by_learner(upload("\n" * 64_000 + "learner1,late\n"))
        assert rows["learner1"]["row"] == 64_001 and rows["learner1"]["notes"] == "late"

    def test_delimiter_is_found_past_a_single_column_first_row(self, upload):
        rows = rows_by_learner(upload("learner1\nlearner2;medical leave\nlearner3;approved\n"))
        assert rows["learner2"]["notes"] == "medical leave" and rows["learner3"]["outcome"] == "granted"

    def test_bom_and_crlf(self, upload):
        rows = rows_by_learner(upload("\ufeffusername,notes\r\nlearner1,n\r\n".encode("utf-8")))
        assert rows["learner1"]["outcome"] == "granted"

    def test_blank_rows_are_skipped_but_counted(self, upload):
        rows = rows_by_learner(upload("username\n\nlearner1\n  ,  \n\nlearner2\n"))
        assert rows["learner1"]["row"] == 3 and rows["learner2"]["row"] == 6

    def test_email_is_case_insensitive(self, upload):
        rows = rows_by_learner(upload("LEARNER1@Example.COM\n"))
        assert rows["LEARNER1@Example.COM"]["username"] == "learner1"

    def test_every_failure_reason(self, upload, course):
        outsider = UserFactory(username="outsider")
        invalidated = EnrollmentFactory(course_id=course.id, user__username="invalidated").user
        InvalidationFactory(generated_certificate__user=invalidated, generated_certificate__course_id=course.id)
        EnrollmentFactory(course_id=course.id, user__username="gone", is_active=False)
        response = upload(
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
        assert allowlist(course) == {"learner1": "a"}

    def test_ambiguous_identifier_fails(self, upload, course):
        UserFactory(username="clash@example.com", email="someone@example.com")
        EnrollmentFactory(course_id=course.id, user__username="clash", user__email="clash@example.com")
        rows = rows_by_learner(upload("clash@example.com\n"))
        assert rows["clash@example.com"]["reason"] == "ambiguous_learner"

    def test_retired_user_is_not_found(self, upload, enrolled_learners):
        UserRetirementRequest.objects.create(user=enrolled_learners[0])
        rows = rows_by_learner(upload("learner1\n"))
        assert rows["learner1"]["reason"] == "user_not_found"

    def test_reupload_is_unchanged_and_notes_update(self, upload, course):
        text = "username,notes\nlearner1,first\nlearner2,\n"
        upload(text)
        again = upload(text).json()
        assert again["summary"]["unchanged"] == 2 and again["summary"]["granted"] == 0
        assert again["errors"] == []
        changed = rows_by_learner(upload("learner1,second\nlearner2,\n"))
        assert changed["learner1"]["outcome"] == "updated" and changed["learner2"]["outcome"] == "unchanged"
        assert allowlist(course) == {"learner1": "second", "learner2": ""}

    def test_existing_entry_with_blank_notes_keeps_notes(self, upload, course, enrolled_learners):
        AllowlistFactory(user=enrolled_learners[0], course_id=course.id, notes="kept")
        rows = rows_by_learner(upload("learner1\n"))
        assert rows["learner1"]["outcome"] == "unchanged" and rows["learner1"]["notes"] == "kept"
        assert allowlist(course) == {"learner1": "kept"}

    def test_disabled_entry_is_granted_again(self, upload, course, enrolled_learners):
        AllowlistFactory(user=enrolled_learners[0], course_id=course.id, allowlist=False, notes="old")
        rows = rows_by_learner(upload("learner1,new\n"))
        assert rows["learner1"]["outcome"] == "granted"
        assert allowlist(course) == {"learner1": "new"}

    def test_dry_run_writes_nothing(self, upload, course):
        response = upload("learner1,a\nlearner2\nnobody\n", dry_run="true")
        body = response.json()
        assert body["dry_run"] is True and body["summary"]["granted"] == 2 and body["summary"]["failed"] == 1
        assert allowlist(course) == {} and not AuditEvent.objects.exists()

    def test_other_courses_are_untouched(self, upload, enrolled_learners):
        other = CourseFactory()
        EnrollmentFactory(course_id=other.id, user=enrolled_learners[0])
        AllowlistFactory(user=enrolled_learners[0], course_id=other.id, notes="other")
        upload("learner1,mine\n")
        assert CertificateAllowlist.objects.get(course_id=other.id).notes == "other"


class TestRemove:

    def test_removes_and_reports_not_allowlisted(self, upload, course, enrolled_learners):
        AllowlistFactory(user=enrolled_learners[0], course_id=course.id, notes="n")
        response = upload("learner1\nlearner2\n", action="remove")
        rows = rows_by_learner(response)
        assert response.json()["action"] == "remove"
        assert rows["learner1"]["outcome"] == "removed" and rows["learner2"]["reason"] == "not_allowlisted"
        assert allowlist(course) == {}
        event = AuditEvent.objects.get()
        assert (event.action, event.before, event.after) == ("certificate_exception.removed", {"notes": "n"}, None)

    def test_unenrolled_learner_can_still_lose_an_exception(self, upload, course):
        outsider = UserFactory(username="outsider")
        AllowlistFactory(user=outsider, course_id=course.id)
        rows = rows_by_learner(upload("outsider\n", action="remove"))
        assert rows["outsider"]["outcome"] == "removed"


class TestAudit:

    def test_audit_rows_and_log_lines(self, upload, course, instructor, enrolled_learners, caplog):
        AllowlistFactory(user=enrolled_learners[1], course_id=course.id, notes="old")
        with caplog.at_level(logging.INFO, logger="certexceptions_plugin.audit"):
            upload("learner1,new\nlearner2,changed\nlearner3\n")
        logs = [record.getMessage() for record in caplog.records
                if record.name == "certexceptions_plugin.audit" and record.levelno >= logging.INFO]
        events = {e.learner_username: e for e in AuditEvent.objects.all()}
        assert set(events) == {"learner1", "learner2", "learner3"}
        assert events["learner2"].action == "certificate_exception.updated"
        assert events["learner2"].before == {"notes": "old"} and events["learner2"].after == {"notes": "changed"}
        assert events["learner1"].actor == instructor
        assert events["learner1"].actor_username == instructor.username
        assert len(logs) == 3 and instructor.username in logs[0]

    def test_audit_endpoint_filters(self, upload, instructor_client, api_client, course, course_staff,
                                    enrolled_learners):
        upload("learner1\nlearner2\n")
        upload("learner1\n", action="remove")
        url = reverse("audit_events", kwargs={"course_id": str(course.id)})
        body = instructor_client.get(url).json()
        assert body["count"] == 3 and body["results"][0]["action"] == "certificate_exception.removed"
        assert instructor_client.get(url, {"action": "certificate_exception.granted"}).json()["count"] == 2
        assert instructor_client.get(url, {"learner": "learner1@example.com"}).json()["count"] == 2
        assert api_client(course_staff).get(url).status_code == 200
        assert api_client(enrolled_learners[0]).get(url).status_code == 403


class TestFileErrors:

    @pytest.fixture
    def assert_error(self, course):
        """The response is this error, its message names every word, and nothing was written."""
        def check(response, status, error_code, *words):
            assert response.status_code == status, response.content
            body = response.json()
            assert body["error_code"] == error_code
            for word in words:
                assert word in body["message"]
            assert allowlist(course) == {} and not AuditEvent.objects.exists()
        return check

    def test_no_file(self, instructor_client, course, assert_error):
        assert_error(instructor_client.post(url(course.id), {}, format="multipart"), 400, "no_file")

    def test_not_csv(self, upload, assert_error):
        assert_error(upload("learner1\n", name="list.xlsx"), 400, "not_csv")

    def test_not_utf8_names_the_row(self, upload, assert_error):
        assert_error(upload("learner1\nl\xe9arner2\n".encode("latin-1")), 400, "not_utf8", "Row 2")

    def test_nul_byte(self, upload, assert_error):
        assert_error(upload(b"learner1\nlearner2\x00\n"), 400, "malformed_csv", "Row 2")

    def test_broken_quoting(self, upload, assert_error):
        assert_error(upload('learner1\n"learner2,notes\nlearner3\n'), 400, "malformed_csv", "Row 2")

    @pytest.mark.parametrize("text", ["", "\n\n", "username,notes\n", "username\n\n  \n"])
    def test_empty(self, upload, assert_error, text):
        assert_error(upload(text), 400, "empty_file")

    def test_invalid_action(self, upload, assert_error):
        assert_error(upload("learner1\n", action="delete"), 400, "invalid_action")

    def test_invalid_dry_run(self, upload, assert_error):
        assert_error(upload("learner1\n", dry_run="maybe"), 400, "invalid_request", "dry_run")

    def test_too_many_rows(self, upload, assert_error, settings):
        settings.CERTEXCEPTIONS_MAX_ROWS = 3
        assert_error(upload("username\nlearner1\nlearner2\nlearner3\nlearner4\n"), 400, "too_many_rows", "3", "row 5")

    def test_row_limit_counts_data_rows_only(self, upload, settings):
        settings.CERTEXCEPTIONS_MAX_ROWS = 3
        assert upload("username\n\nlearner1\nlearner2\nlearner3\n").status_code == 200

    def test_too_large(self, upload, assert_error, settings):
        settings.CERTEXCEPTIONS_MAX_UPLOAD_BYTES = 20
        assert_error(upload("learner1\nlearner2\nlearner3\n"), 413, "file_too_large", "20")

    def test_import_in_progress_is_409(self, upload, assert_error, course):
        with import_lock(course.id, "certificate_exceptions"):
            assert_error(upload("learner1\n"), 409, "import_in_progress")
        assert upload("learner1\n").status_code == 200

    def test_template(self, instructor_client, course):
        url = reverse("certificate_exception_imports_template", kwargs={"course_id": str(course.id)})
        response = instructor_client.get(url)
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
        assert response.content.startswith("\ufeff".encode())  # spreadsheets then read it as UTF-8
        assert response.content.decode("utf-8-sig").splitlines()[0] == "username_or_email,notes"


class TestPermissions:

    @pytest.mark.parametrize("who, status", [
        ("anonymous", 401), ("learner", 403), ("course_staff", 403), ("instructor", 200), ("global_staff", 200)])
    def test_who_may_upload(self, api_client, course, instructor, course_staff, global_staff, enrolled_learners,
                            who, status):
        users = {
            "anonymous": None,
            "learner": enrolled_learners[0],
            "course_staff": course_staff,
            "instructor": instructor,
            "global_staff": global_staff,
        }
        response = post_file(api_client(users[who]), course, "learner2\n")
        assert response.status_code == status
        if status != 200:
            assert response.json()["error_code"] in ("not_authenticated", "permission_denied")
            assert allowlist(course) == {}

    def test_instructor_of_another_course_is_forbidden(self, api_client, course):
        other = CourseFactory()
        client = api_client(RoleFactory(course_id=other.id, role="instructor").user)
        assert post_file(client, course, "learner2\n").status_code == 403

    @pytest.mark.parametrize("course_id", ["course-v1:Nope+Missing+2026", "not+a+key!", "Org/Course/Run"])
    def test_unknown_or_malformed_course_is_404(self, api_client, global_staff, course_id):
        url = f"/api/instructor/v2/courses/{course_id}/certificates/exceptions/imports"
        response = api_client(global_staff).post(url, {"file": csv_file("learner1\n")}, format="multipart")
        assert response.status_code == 404 and response.json()["error_code"] == "not_found"


class TestQueryCount:

    def test_thousand_rows_take_a_bounded_number_of_queries(self, upload, course, settings,
                                                            django_assert_max_num_queries):
        settings.CERTEXCEPTIONS_CHUNK_SIZE = 500
        users = UserFactory.create_batch(1000)
        CourseEnrollment.objects.bulk_create(CourseEnrollment(user=u, course_id=course.id) for u in users)
        text = "username,notes\n" + "".join(f"{u.username},note {i}\n" for i, u in enumerate(users))
        # Per chunk of 500: resolve, enrolments, allowlist, invalidations, existing entries, then the inserts of
        # entries, audit rows and stored row results (which SQLite splits into batches under its bound-parameter
        # limit). Per-row work would be thousands.
        with django_assert_max_num_queries(50):
            response = upload(text)
        assert response.json()["summary"]["granted"] == 1000
        assert AuditEvent.objects.count() == 1000
