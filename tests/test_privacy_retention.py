"""Import results expire after CERTEXCEPTIONS_RESULT_RETENTION_DAYS: the command and the Celery task delete them."""
import io
import os
from datetime import timedelta

import pytest
from celery import Celery
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from certexceptions_plugin import tasks
from certexceptions_plugin.audit.api import AuditRecord, record_events
from certexceptions_plugin.audit.models import AuditEvent
from certexceptions_plugin.bulk import operations
from certexceptions_plugin.bulk.models import BulkOperation, BulkOperationRow
from certexceptions_plugin.privacy import retention
from tests.autodiscovery import module_of_discovered_task


@pytest.fixture(autouse=True)
def _own_upload_storage(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}


def operation(course, age_days, rows=2, status=BulkOperation.SUCCEEDED, upload=True):
    """An import last changed ``age_days`` ago, with its rows and (unless ``upload=False``) its stored upload."""
    path = operations.upload_storage().save("certexceptions_plugin/invitations/x.csv",
                                            ContentFile(b"email\nada@example.com\n")) if upload else ""
    made = BulkOperation.objects.create(kind="invitations", course_key=course.id, status=status, file_path=path)
    BulkOperationRow.objects.bulk_create(BulkOperationRow(operation=made, row=n + 2, outcome="invited",
                                                          fields={"email": f"p{n}@example.com"}) for n in range(rows))
    BulkOperation.objects.filter(id=made.id).update(modified=timezone.now() - timedelta(days=age_days))
    return made


def orphan(name, age_days):
    storage = operations.upload_storage()
    path = storage.save(f"certexceptions_plugin/certificate_exceptions/{name}", ContentFile(b"learner1\n"))
    then = (timezone.now() - timedelta(days=age_days)).timestamp()
    os.utime(storage.path(path), (then, then))
    return path


def test_results_older_than_the_retention_are_deleted_with_their_rows_and_upload(course):
    old, failed_old = operation(course, 31), operation(course, 45, status=BulkOperation.FAILED)
    recent = operation(course, 29)
    record_events([AuditRecord(actor=None, course_key=course.id, action="invitation.invited",
                               learner_email="ada@example.com")])
    result = retention.delete_expired_results()
    assert result == retention.Expired(operations=2, rows=4, uploads=2)
    assert list(BulkOperation.objects.values_list("id", flat=True)) == [recent.id]
    assert BulkOperationRow.objects.filter(operation=recent).count() == 2 and BulkOperationRow.objects.count() == 2
    storage = operations.upload_storage()
    assert not storage.exists(old.file_path) and not storage.exists(failed_old.file_path)
    assert storage.exists(recent.file_path)
    assert AuditEvent.objects.count() == 1  # the audit trail is not a result: it stays


def test_uploads_no_import_names_expire_too(course):
    kept = operation(course, 1)
    stale, fresh = orphan("stale.csv", 31), orphan("fresh.csv", 2)
    assert retention.delete_expired_results().uploads == 1
    storage = operations.upload_storage()
    assert not storage.exists(stale) and storage.exists(fresh) and storage.exists(kept.file_path)


def test_the_retention_is_a_setting(course, settings):
    operation(course, 8)
    settings.CERTEXCEPTIONS_RESULT_RETENTION_DAYS = 10
    assert retention.delete_expired_results().operations == 0
    settings.CERTEXCEPTIONS_RESULT_RETENTION_DAYS = 7
    assert retention.delete_expired_results().operations == 1


def test_none_keeps_results(course, settings):
    operation(course, 400)
    settings.CERTEXCEPTIONS_RESULT_RETENTION_DAYS = None
    output = io.StringIO()
    call_command("delete_expired_results", stdout=output)
    assert output.getvalue() == "CERTEXCEPTIONS_RESULT_RETENTION_DAYS is None: import results are kept.\n"
    assert BulkOperation.objects.count() == 1


def test_nothing_stored_yet_is_nothing_to_delete(db):  # pylint: disable=unused-argument
    assert retention.delete_expired_results() == retention.Expired()


def test_the_command_says_what_it_deleted(course):
    operation(course, 60, rows=3)
    output = io.StringIO()
    call_command("delete_expired_results", stdout=output)
    assert output.getvalue() == ("Older than 30 days: import operations deleted: 1, import rows deleted: 3, "
                                 "stored uploads deleted: 1.\n")


@pytest.mark.parametrize("days", [0, -3, 2.5, "30", True])
def test_a_retention_that_is_not_a_number_of_days_is_refused(days, settings, db):  # pylint: disable=unused-argument
    settings.CERTEXCEPTIONS_RESULT_RETENTION_DAYS = days
    with pytest.raises(CommandError, match="must be a whole number of days"):
        call_command("delete_expired_results")


def test_the_celery_task_deletes_them(course):
    operation(course, 31)
    tasks.delete_expired_results.apply()
    assert not BulkOperation.objects.exists()


def test_a_worker_finds_the_task_through_autodiscovery():
    done = module_of_discovered_task("certexceptions_plugin.delete_expired_results")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "certexceptions_plugin.tasks"


def test_the_readmes_schedule_reaches_an_app_made_as_the_lms_makes_its_own(settings):
    """The LMS's Celery app reads Django settings with no namespace: CELERYBEAT_SCHEDULE is its beat schedule."""
    schedule = {"certexceptions-delete-expired-results": {"task": retention.TASK, "schedule": 86400}}
    settings.CELERYBEAT_SCHEDULE = schedule
    app = Celery("proj")
    app.config_from_object("django.conf:settings")
    assert app.conf.beat_schedule == schedule
    assert retention.TASK == tasks.delete_expired_results.name
