"""
Imports now or in the background: a large upload is stored and answered with 202, and a Celery task runs the same
pipeline on it (:mod:`certexceptions_plugin.bulk.pipeline`).

The task (``certexceptions_plugin.tasks``, found by the worker's autodiscovery) calls :func:`execute`; this module
queues it by name and never imports it.
"""
from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from celery import current_app
from django.conf import settings
from django.core.files.storage import storages
from django.db import transaction
from django.utils.translation import gettext as _

from certexceptions_plugin.bulk import pipeline
from certexceptions_plugin.bulk.errors import ImportInProgress
from certexceptions_plugin.bulk.kinds import KINDS, ImportKind
from certexceptions_plugin.bulk.locks import is_locked
from certexceptions_plugin.bulk.models import BulkOperation
from certexceptions_plugin.errors import PluginError

log = logging.getLogger(__name__)
#: The Celery task that runs a stored operation (defined in ``certexceptions_plugin.tasks``).
RUN_TASK = "certexceptions_plugin.run_bulk_operation"


def upload_storage():
    """Where uploads wait for their task: a private storage in production (``CERTEXCEPTIONS_UPLOAD_STORAGE``)."""
    return storages[settings.CERTEXCEPTIONS_UPLOAD_STORAGE]


@dataclass(frozen=True)
class Accepted:
    """An upload once its request is done with it: imported, with the response ``body``, or still to run."""

    operation: BulkOperation
    body: dict | None = None


def import_or_submit(kind: ImportKind, *, course_key, actor, upload, options: Mapping[str, Any],
                     dry_run: bool = False) -> Accepted:
    """
    Read the upload, then import it now or, above ``CERTEXCEPTIONS_SYNC_MAX_ROWS`` rows, store it and start a
    background operation that imports it in a worker. An import done now is kept as a finished operation too, so
    that its report can be downloaded the same way.
    """
    header, rows = pipeline.read(kind, upload)
    params = {"options": dict(options), "dry_run": dry_run}
    if len(rows) > settings.CERTEXCEPTIONS_SYNC_MAX_ROWS:
        return Accepted(submit(kind=kind.name, course_key=course_key, actor=actor, upload=upload, params=params,
                               rows_total=len(rows)))
    result = pipeline.run_rows(kind, course_key=course_key, actor=actor, header=header, rows=rows, options=options,
                               dry_run=dry_run)
    body = pipeline.payload(kind, result, options)
    operation = BulkOperation.objects.create(
        kind=kind.name, course_key=course_key, actor=actor, params=params, status=BulkOperation.SUCCEEDED,
        rows_total=len(rows), rows_done=len(rows), result=body)
    return Accepted(operation, body)


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

    kind, options = KINDS[operation.kind], operation.params["options"]
    storage = upload_storage()
    try:
        with storage.open(operation.file_path, "rb") as upload:
            result = pipeline.run(kind, course_key=operation.course_key, actor=operation.actor, upload=upload,
                                  options=options, dry_run=operation.params["dry_run"], progress=progress)
        operation.result = pipeline.payload(kind, result, options)
        operation.status = BulkOperation.SUCCEEDED
    except PluginError as exc:
        operation.status = BulkOperation.FAILED
        operation.error = exc.as_dict()
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
