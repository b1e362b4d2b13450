"""Operations people can manage: listed, paged through, downloaded, found lost, started again."""
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone

from certexceptions_plugin.bulk import operations
from certexceptions_plugin.bulk.locks import import_lock, is_locked, lock_key
from certexceptions_plugin.bulk.models import BulkOperation
from certexceptions_plugin.standalone.models import CertificateAllowlist
from tests.conftest import csv_file

CERTIFICATES, INVITATIONS = "certificate_exceptions", "invitations"


@pytest.fixture
def urls(course):
    def url(name, **kwargs):
        return reverse(name, kwargs={"course_id": str(course.id), **kwargs})
    return url


@pytest.fixture
def upload(urls):
    def post(client, text, *, name="certificate_exception_imports", **data):
        return client.post(urls(name), {"file": csv_file(text), **data}, format="multipart")
    return post


@pytest.fixture
def background(settings, django_capture_on_commit_callbacks):
    """Uploads of more than two rows run as operations (eagerly: no broker)."""
    settings.CERTEXCEPTIONS_SYNC_MAX_ROWS = 2

    def run(call):
        with django_capture_on_commit_callbacks(execute=True):
            return call()
    return run


def test_operations_are_listed_newest_first_by_kind_and_status(course, instructor, enrolled_learners, api_client,
                                                              upload, urls):
    client = api_client(instructor)
    first = upload(client, "learner1\n").json()["report_url"]
    upload(client, "email\nnew@example.com\n", name="bulk_invitations")
    listed = client.get(urls("bulk_operations")).json()
    assert listed["count"] == 2 and [op["kind"] for op in listed["results"]] == [INVITATIONS, CERTIFICATES]
    assert listed["results"][1]["report_url"] == first and listed["results"][1]["summary"]["granted"] == 1
    assert [op["kind"] for op in client.get(urls("bulk_operations"), {"kind": CERTIFICATES}).json()["results"]] == [
        CERTIFICATES]
    assert client.get(urls("bulk_operations"), {"status": "failed"}).json()["count"] == 0


def test_course_staff_see_only_the_operations_they_may_run(course, instructor, course_staff, enrolled_learners,
                                                          api_client, upload, urls):
    upload(api_client(instructor), "learner1\n")
    upload(api_client(course_staff), "email\nnew@example.com\n", name="bulk_invitations")
    listed = api_client(course_staff).get(urls("bulk_operations")).json()
    assert [op["kind"] for op in listed["results"]] == [INVITATIONS]


def test_rows_are_paged_and_filtered(course, instructor, enrolled_learners, api_client, upload, background):
    client = api_client(instructor)
    accepted = background(lambda: upload(client, "learner1\nnobody\nlearner2\nghost\nlearner1\n")).json()
    operation = client.get(accepted["url"]).json()
    assert operation["status"] == "succeeded" and operation["summary"]["failed"] == 3
    page = client.get(operation["rows_url"], {"page_size": 2}).json()
    assert page["count"] == 5 and [row["row"] for row in page["results"]] == [1, 2]
    failed = client.get(operation["rows_url"], {"outcome": "failed"}).json()["results"]
    assert [(row["row"], row["reason"]) for row in failed] == [
        (2, "user_not_found"), (4, "user_not_found"), (5, "duplicate_in_file")]
    duplicates = client.get(operation["rows_url"], {"reason": "duplicate_in_file"}).json()["results"]
    assert [row["learner"] for row in duplicates] == ["learner1"]


def test_the_report_is_streamed(course, instructor, enrolled_learners, api_client, upload, background):
    client = api_client(instructor)
    accepted = background(lambda: upload(client, "learner1\nnobody\n=cmd|' /C calc'!A0\n")).json()
    response = client.get(accepted["report_url"])
    assert isinstance(response, StreamingHttpResponse)
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0] == "row,learner,username,email,notes,outcome,reason,message"
    assert [line.split(",")[0] for line in lines[1:]] == ["1", "2", "3"]
    assert lines[3].startswith("3,'=cmd|")


def test_a_malformed_operation_id_is_404(course, instructor, api_client, urls):
    response = api_client(instructor).get(urls("bulk_operation", operation_id="-" * 36))
    assert response.status_code == 404 and response.json()["error_code"] == "not_found"


def lose(operation_id, seconds=16 * 60):
    """The operation's worker died that long ago, holding the course's lock."""
    operation = BulkOperation.objects.get(id=operation_id)
    BulkOperation.objects.filter(id=operation_id).update(
        status=BulkOperation.RUNNING, modified=timezone.now() - timedelta(seconds=seconds))
    cache.set(lock_key(operation.course_key, operation.kind), str(operation.id))


def test_an_operation_without_progress_is_lost_frees_its_lock_and_can_be_retried(
        course, instructor, enrolled_learners, api_client, upload, background, settings,
        django_capture_on_commit_callbacks):
    client = api_client(instructor)
    settings.CERTEXCEPTIONS_SYNC_MAX_ROWS, settings.CERTEXCEPTIONS_OPERATION_STALE_SECONDS = 2, 900
    with django_capture_on_commit_callbacks() as start:
        accepted = upload(client, "learner1,a\nlearner2,b\nnobody\n").json()
    with import_lock(course.id, CERTIFICATES):  # the task finds the course busy and fails, keeping the file
        start[0]()
    assert client.get(accepted["url"]).json()["error"]["error_code"] == "import_in_progress"
    lose(accepted["id"], seconds=10 * 60)
    assert client.get(accepted["url"]).json()["status"] == "running"  # not yet stale
    lose(accepted["id"])
    lost = client.get(accepted["url"]).json()
    assert lost["status"] == "failed" and lost["error"]["error_code"] == "worker_lost"
    assert not is_locked(course.id, CERTIFICATES)

    with_retry = background(lambda: client.post(reverse("bulk_operation_retry", kwargs={
        "course_id": str(course.id), "operation_id": accepted["id"]})))
    assert with_retry.status_code == 202
    done = client.get(accepted["url"]).json()
    assert done["status"] == "succeeded" and done["summary"]["granted"] == 2 and done["rows_done"] == 3
    assert client.get(done["rows_url"]).json()["count"] == 3
    assert CertificateAllowlist.objects.filter(course_id=course.id).count() == 2


def test_running_a_file_again_duplicates_nothing(course, instructor, enrolled_learners, api_client, upload,
                                                background):
    client = api_client(instructor)
    for _ in range(2):
        accepted = background(lambda: upload(client, "learner1,a\nlearner2,b\nnobody\n")).json()
    again = client.get(accepted["url"]).json()
    assert again["summary"]["unchanged"] == 2 and again["summary"]["granted"] == 0
    assert CertificateAllowlist.objects.filter(course_id=course.id).count() == 2


@pytest.mark.parametrize("state, error_code", [("succeeded", "operation_not_failed"), ("gone", "upload_gone")])
def test_only_a_failed_operation_with_its_file_can_be_retried(course, instructor, enrolled_learners, api_client,
                                                            upload, background, state, error_code):
    client = api_client(instructor)
    accepted = background(lambda: upload(client, "learner1\nlearner2\nlearner3\n")).json()
    if state == "gone":
        BulkOperation.objects.filter(id=accepted["id"]).update(status=BulkOperation.FAILED)
    response = client.post(reverse("bulk_operation_retry", kwargs={"course_id": str(course.id),
                                                                   "operation_id": accepted["id"]}))
    assert response.status_code == 409 and response.json()["error_code"] == error_code


def test_a_dry_run_operation_reports_progress_like_a_real_one(course, instructor, enrolled_learners, api_client,
                                                             upload, background, settings):
    settings.CERTEXCEPTIONS_CHUNK_SIZE = 1
    calls = []
    progress = operations.pipeline.record_progress

    def recording(operation):
        record = progress(operation)
        return lambda done, total: (calls.append((done, total)), record(done, total))

    operations.pipeline.record_progress = recording
    try:
        accepted = background(lambda: upload(api_client(instructor), "learner1\nnobody\nlearner2\n",
                                             dry_run="true")).json()
    finally:
        operations.pipeline.record_progress = progress
    assert calls == [(1, 3), (2, 3), (3, 3)]
    assert BulkOperation.objects.get(id=accepted["id"]).rows_done == 3
