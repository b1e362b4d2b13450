"""Uploads above CERTEXCEPTIONS_SYNC_MAX_ROWS run in the background: 202, then the operation's status."""
import logging
from functools import partial
from unittest import mock

import pytest
from celery import current_app
from django.core.files.storage import FileSystemStorage
from django.test import override_settings
from django.urls import reverse

from certexceptions_plugin.bulk import operations
from certexceptions_plugin.bulk.engine import run_import
from certexceptions_plugin.bulk.locks import import_lock
from certexceptions_plugin.bulk.models import BulkOperation
from certexceptions_plugin.bulk.reader import CsvRow
from certexceptions_plugin.certificates.importer import CertificateExceptionImporter
from certexceptions_plugin.standalone.models import CertificateAllowlist
from tests.certificates import allowlist, post_file
from tests.conftest import csv_file
from tests.factories import CourseFactory, RoleFactory


class UndeletableStorage(FileSystemStorage):
    """Saves and opens uploads, but cannot delete them (an object store failing at the end of a task)."""

    def delete(self, name):
        raise OSError("the storage is unavailable")


@pytest.fixture
def upload(instructor_client, course):
    """Uploads a file of certificate exceptions to the course as its instructor."""
    return partial(post_file, instructor_client, course)


@pytest.mark.usefixtures("enrolled_learners")
class TestBackgroundUpload:
    """Tasks run eagerly here (the standalone default with no broker); the view path is the real one."""

    @pytest.fixture(autouse=True)
    def _files_above_two_rows_run_in_the_background(self, settings):
        settings.CERTEXCEPTIONS_SYNC_MAX_ROWS = 2

    def test_large_upload_answers_202_and_the_operation_reports_the_result(
            self, upload, instructor_client, course, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            response = upload("username\nlearner1\nlearner2\nnobody\n")
        assert response.status_code == 202
        accepted = response.json()
        assert accepted["status"] == "pending" and accepted["rows_total"] == 3
        status = instructor_client.get(accepted["url"]).json()
        assert status["status"] == "succeeded"
        assert status["summary"]["granted"] == 2 and status["summary"]["failed"] == 1
        assert instructor_client.get(status["rows_url"], {"outcome": "failed"}).json()["results"][0]["row"] == 4
        assert set(allowlist(course)) == {"learner1", "learner2"}

    def test_progress_counts_every_row_and_the_report_is_csv(
            self, upload, instructor_client, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            accepted = upload("username\nlearner1\n=cmd()\nlearner2\n").json()
        status = instructor_client.get(accepted["url"]).json()
        assert (status["rows_done"], status["rows_total"]) == (3, 3)
        report = instructor_client.get(accepted["report_url"])
        assert report.status_code == 200 and report["Content-Type"].startswith("text/csv")
        lines = b"".join(report.streaming_content).decode("utf-8-sig").splitlines()
        assert lines[0] == "row,learner,username,email,notes,outcome,reason,message"
        assert lines[2].startswith("3,'=cmd(),,,,failed,user_not_found,")

    def test_a_dry_run_counts_every_row_done(self, upload, instructor_client, course,
                                             django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            accepted = upload("learner1\nlearner2\nnobody\n", dry_run="true").json()
        status = instructor_client.get(accepted["url"]).json()
        assert status["status"] == "succeeded" and status["dry_run"] is True
        assert (status["rows_done"], status["rows_total"]) == (3, 3)
        assert not allowlist(course)

    def test_a_file_with_nothing_to_write_counts_every_row_done(self, upload, instructor_client,
                                                                django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            accepted = upload("nobody\nghost\nlearner99\n").json()
        status = instructor_client.get(accepted["url"]).json()
        assert status["status"] == "succeeded" and status["summary"]["failed"] == 3
        assert (status["rows_done"], status["rows_total"]) == (3, 3)

    def test_the_outcome_is_saved_when_the_upload_cannot_be_deleted(self, upload, settings, caplog,
                                                                    django_capture_on_commit_callbacks):
        settings.STORAGES = {**settings.STORAGES, "undeletable": {"BACKEND": f"{__name__}.UndeletableStorage"}}
        settings.CERTEXCEPTIONS_UPLOAD_STORAGE = "undeletable"
        logger = "certexceptions_plugin.bulk.operations"
        with caplog.at_level(logging.ERROR, logger=logger), django_capture_on_commit_callbacks(execute=True):
            operation_id = upload("learner1\nlearner2\nlearner3\n").json()["id"]
        logs = [message for name, level, message in caplog.record_tuples if name == logger and level >= logging.ERROR]
        operation = BulkOperation.objects.get(id=operation_id)
        assert operation.status == BulkOperation.SUCCEEDED and operation.summary["granted"] == 3
        assert (operation.rows_done, operation.rows_total) == (3, 3)
        assert "Could not delete the stored upload" in logs[0]
        FileSystemStorage().delete(operation.file_path)

    def test_with_a_broker_the_task_is_queued_by_name_not_run_in_the_request(
            self, upload, course, settings, django_capture_on_commit_callbacks):
        settings.CELERY_ALWAYS_EAGER = False
        with mock.patch.object(current_app, "send_task") as send_task, \
                django_capture_on_commit_callbacks(execute=True):
            operation_id = upload("learner1\nlearner2\nlearner3\n").json()["id"]
        send_task.assert_called_once_with("certexceptions_plugin.run_bulk_operation", args=[operation_id])
        assert BulkOperation.objects.get(id=operation_id).status == BulkOperation.PENDING
        assert not allowlist(course)

    def test_a_task_delivered_twice_runs_once(self, upload, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            operation_id = upload("learner1\nlearner2\nlearner3\n").json()["id"]
        assert operations.execute(operation_id) is None
        assert BulkOperation.objects.get(id=operation_id).status == BulkOperation.SUCCEEDED

    def test_upload_while_an_import_runs_is_409_at_once(self, upload, course):
        with import_lock(course.id, "certificate_exceptions"):
            response = upload("learner1\nlearner2\nlearner3\n")
        assert response.status_code == 409 and not BulkOperation.objects.exists()

    def test_course_staff_cannot_read_a_certificate_operation(self, upload, api_client, course_staff,
                                                              django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            accepted = upload("learner1\nlearner2\nlearner3\n").json()
        client = api_client(course_staff)
        assert client.get(accepted["url"]).status_code == 403
        assert client.get(accepted["report_url"]).status_code == 403

    def test_file_errors_are_still_immediate(self, upload):
        response = upload("username\nlearner1\nl\xe9\n".encode("latin-1"))
        assert response.status_code == 400 and not BulkOperation.objects.exists()

    def test_operation_of_another_course_is_404(self, upload, api_client, course, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            url = upload("learner1\nlearner2\nlearner3\n").json()["url"]
        other = CourseFactory()
        client = api_client(RoleFactory(course_id=other.id, role="instructor").user)
        foreign = url.replace(str(course.id), str(other.id))
        assert client.get(foreign).status_code == 404


@override_settings(CERTEXCEPTIONS_CHUNK_SIZE=1)
def test_progress_rises_through_planning_and_writing_to_every_row(course, instructor, enrolled_learners):
    rows = [CsvRow(number, (identifier,)) for number, identifier in
            enumerate(["learner1", "nobody", "learner2", "ghost", "learner3"], start=1)]
    calls = []
    importer = CertificateExceptionImporter(course_key=course.id, actor=instructor)
    run_import(importer, lambda: rows, total=5, dry_run=False, sink=lambda results: None,
               progress=lambda done, total: calls.append((done, total)))
    # One row per chunk, done once planned (nothing to write) or written.
    assert calls == [(1, 5), (2, 5), (3, 5), (4, 5), (5, 5)]


def test_an_import_done_now_offers_its_rows_as_a_report(course, instructor, enrolled_learners, api_client):
    client = api_client(instructor)
    body = client.post(reverse("certificate_exception_imports", kwargs={"course_id": str(course.id)}),
                       {"file": csv_file("learner1,ok\nnobody\n")}, format="multipart").json()
    assert body["summary"]["granted"] == 1
    report = client.get(body["report_url"])
    assert report.status_code == 200 and report["Content-Type"].startswith("text/csv")
    lines = b"".join(report.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0] == "row,learner,username,email,notes,outcome,reason,message"
    assert lines[1].startswith("1,learner1,learner1,learner1@example.com,ok,granted,")
    assert lines[2].startswith("2,nobody,,,,failed,user_not_found,")


@override_settings(CERTEXCEPTIONS_SYNC_MAX_ROWS=1, CERTEXCEPTIONS_CHUNK_SIZE=1)
def test_an_operation_that_fails_in_its_task_keeps_its_written_chunks_and_says_why(
        course, instructor, enrolled_learners, api_client, monkeypatch, django_capture_on_commit_callbacks):
    apply = CertificateExceptionImporter.apply
    calls = []

    def apply_then_break(importer, rows):
        calls.append(rows)
        if len(calls) == 2:
            raise RuntimeError("the database went away")
        return apply(importer, rows)

    monkeypatch.setattr(CertificateExceptionImporter, "apply", apply_then_break)
    client = api_client(instructor)
    with django_capture_on_commit_callbacks(execute=True):
        accepted = client.post(reverse("certificate_exception_imports", kwargs={"course_id": str(course.id)}),
                               {"file": csv_file("learner1\nlearner2\nlearner3\n")}, format="multipart").json()
    operation = client.get(accepted["url"]).json()
    assert operation["status"] == "failed" and operation["summary"] is None
    assert operation["error"]["error_code"] == "internal_error"
    assert operation["rows_done"] == 1 and operation["rows_total"] == 3
    assert list(CertificateAllowlist.objects.values_list("user__username", flat=True)) == ["learner1"]
    assert client.get(accepted["report_url"]).status_code == 404


@override_settings(CERTEXCEPTIONS_SYNC_MAX_ROWS=1)
def test_an_operation_whose_course_is_locked_when_it_runs_fails_with_that_reason(
        course, instructor, enrolled_learners, api_client, django_capture_on_commit_callbacks):
    client = api_client(instructor)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        accepted = client.post(reverse("certificate_exception_imports", kwargs={"course_id": str(course.id)}),
                               {"file": csv_file("learner1\nlearner2\n")}, format="multipart").json()
    with import_lock(course.id, "certificate_exceptions"):
        for callback in callbacks:
            callback()
    operation = client.get(accepted["url"]).json()
    assert operation["status"] == "failed" and operation["error"]["error_code"] == "import_in_progress"
    assert not CertificateAllowlist.objects.exists()
