"""
Large imports: the request stores the file and answers 202; a Celery task runs the same code in the background.

Each kind registers a runner ``(course_key, actor, upload, params, progress) -> response dict``, the permission
needed to read its operations and the columns of its CSV report.

The task (``certexceptions_plugin.tasks``, found by the worker's autodiscovery) calls :func:`execute`; this module
queues it by name and never imports it.
"""
from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from celery import current_app
from django.conf import settings
from django.core.files.storage import storages
from django.db import transaction
from django.utils.translation import gettext as _

from certexceptions_plugin.bulk.errors import FileRejected, ImportInProgress
from certexceptions_plugin.bulk.locks import is_locked
from certexceptions_plugin.bulk.models import BulkOperation
from certexceptions_plugin.host.port import Permission

log = logging.getLogger(__name__)
Runner = Callable[..., dict]
#: The Celery task that runs a stored operation (defined in ``certexceptions_plugin.tasks``).
RUN_TASK = "certexceptions_plugin.run_bulk_operation"


@dataclass(frozen=True)
class Kind:
    runner: Runner
    permission: Permission
    #: The columns of the CSV report, in order (the stored result is JSON, whose key order databases may change).
    report_columns: tuple[str, ...]


KINDS: dict[str, Kind] = {}


def register(kind: str, runner: Runner, *, permission: Permission, report_columns: tuple[str, ...]) -> None:
    KINDS[kind] = Kind(runner=runner, permission=permission, report_columns=report_columns)


def upload_storage():
    """Where uploads wait for their task: a private storage in production (``CERTEXCEPTIONS_UPLOAD_STORAGE``)."""
    return storages[settings.CERTEXCEPTIONS_UPLOAD_STORAGE]


def submit(*, kind: str, course_key, actor, upload, params: dict, rows_total: int) -> BulkOperation:
    """Store the upload, record the operation and start it once the transaction commits."""
    if is_locked(course_key, kind):
        raise ImportInProgress()
    upload.seek(0)
    path = upload_storage().save(f"certexceptions_plugin/{kind}/{uuid.uuid4().hex}.csv", upload)
    operation = BulkOperation.objects.create(
        kind=kind, course_key=course_key, actor=actor, params=params, file_path=path, rows_total=rows_total)
    transaction.on_commit(lambda: start(str(operation.id)))
    return operation


def start(operation_id: str) -> None:
    """
    Queue the operation's task on the host's Celery app; with ``CELERY_ALWAYS_EAGER`` (no broker), run it here.

    The task is sent by name, so a web process needs no task module loaded. ``send_task`` ignores eager mode (it
    would queue a message no worker reads), so eager mode runs what the task runs, as an eager task would.
    """
    app = current_app
    if app.conf.task_always_eager:
        execute(operation_id)
    else:
        app.send_task(RUN_TASK, args=[operation_id])


def execute(operation_id: str) -> BulkOperation | None:
    """Run a stored operation to completion, recording progress, its result or its error; run each only once."""
    if not BulkOperation.objects.filter(id=operation_id, status=BulkOperation.PENDING).update(
            status=BulkOperation.RUNNING):
        log.warning("Bulk operation %s is not pending; not running it again", operation_id)
        return None
    operation = BulkOperation.objects.select_related("actor").get(id=operation_id)

    def progress(done: int, total: int) -> None:
        BulkOperation.objects.filter(id=operation.id).update(rows_done=done, rows_total=total)

    storage = upload_storage()
    try:
        with storage.open(operation.file_path, "rb") as upload:
            operation.result = KINDS[operation.kind].runner(
                course_key=operation.course_key, actor=operation.actor, upload=upload,
                params=operation.params, progress=progress)
        operation.status = BulkOperation.SUCCEEDED
    except (FileRejected, ImportInProgress) as exc:
        operation.status = BulkOperation.FAILED
        operation.error = {"message": exc.message, "error_code": exc.error_code, **exc.extra}
    except Exception:  # pylint: disable=broad-except
        log.exception("Bulk operation %s failed", operation.id)
        operation.status = BulkOperation.FAILED
        operation.error = {"message": _("The import stopped unexpectedly; rows after the last completed chunk "
                                        "were not written."), "error_code": "internal_error"}
    operation.save(update_fields=["status", "result", "error", "modified"])
    _delete_upload(storage, operation)
    return operation


def _delete_upload(storage, operation: BulkOperation) -> None:
    """The operation's outcome is already saved: a storage that fails to delete must not leave it ``running``."""
    try:
        storage.delete(operation.file_path)
    except Exception:  # pylint: disable=broad-except
        log.exception("Could not delete the stored upload %s of bulk operation %s", operation.file_path,
                      operation.id)
