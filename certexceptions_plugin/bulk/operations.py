"""
Imports now or in the background: a large upload is stored and answered with 202, and a Celery task runs the same
pipeline on it (:mod:`certexceptions_plugin.bulk.pipeline`). Operations whose worker died are found and can be
started again.

The task (``certexceptions_plugin.tasks``, found by the worker's autodiscovery) calls :func:`execute`; this module
queues it by name and never imports it.
"""
from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from celery import current_app
from django.conf import settings
from django.core.files.storage import storages
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from certexceptions_plugin.bulk import pipeline
from certexceptions_plugin.bulk.errors import ImportInProgress
from certexceptions_plugin.bulk.kinds import KINDS, ImportKind
from certexceptions_plugin.bulk.locks import is_locked, release
from certexceptions_plugin.bulk.models import BulkOperation
from certexceptions_plugin.errors import PluginError

log = logging.getLogger(__name__)
#: The Celery task that runs a stored operation (defined in ``certexceptions_plugin.tasks``).
RUN_TASK = "certexceptions_plugin.run_bulk_operation"
UNFINISHED = (BulkOperation.PENDING, BulkOperation.RUNNING)
#: The folder of the upload storage where uploads wait, one sub-folder per kind of import.
UPLOAD_DIR = "certexceptions_plugin"


def upload_storage():
    """Where uploads wait for their task: a private storage in production (``CERTEXCEPTIONS_UPLOAD_STORAGE``)."""
    return storages[settings.CERTEXCEPTIONS_UPLOAD_STORAGE]


def stored_uploads() -> list[str]:
    """The path of every upload in the upload storage, whether or not an operation still names it."""
    storage, paths = upload_storage(), []
    try:
        kinds, _ = storage.listdir(UPLOAD_DIR)
    except FileNotFoundError:  # nothing was ever stored
        return paths
    for kind in kinds:
        _, files = storage.listdir(f"{UPLOAD_DIR}/{kind}")
        paths.extend(f"{UPLOAD_DIR}/{kind}/{name}" for name in files)
    return paths


@dataclass(frozen=True)
class Accepted:
    """An upload once its request is done with it: imported, with the response ``body``, or still to run."""

    operation: BulkOperation
    body: dict | None = None


def import_or_submit(kind: ImportKind, *, course_key, actor, upload, options: Mapping[str, Any],
                     dry_run: bool = False) -> Accepted:
    """
    Check the upload, then import it now or, above ``CERTEXCEPTIONS_SYNC_MAX_ROWS`` rows, store it and start a
    background operation that imports it in a worker. An import done now is kept as an operation too, so that its
    report can be downloaded the same way.
    """
    total = pipeline.check(kind, upload)
    if total > settings.CERTEXCEPTIONS_SYNC_MAX_ROWS:
        return Accepted(submit(kind=kind.name, course_key=course_key, actor=actor, upload=upload,
                               params={"options": dict(options), "dry_run": dry_run}, rows_total=total))
    result = pipeline.run(kind, course_key=course_key, actor=actor, upload=upload, options=options, dry_run=dry_run)
    return Accepted(result.operation, pipeline.payload(kind, result, options))


def submit(*, kind: str, course_key, actor, upload, params: dict, rows_total: int) -> BulkOperation:
    """Store the upload, record the operation and start it once the transaction commits."""
    if is_locked(course_key, kind) and not params["dry_run"]:
        raise ImportInProgress()
    upload.seek(0)
    path = upload_storage().save(f"{UPLOAD_DIR}/{kind}/{uuid.uuid4().hex}.csv", upload)
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
    """
    Run a stored operation to completion, recording progress, its rows and summary or its error; run each only
    once. The stored upload is deleted once the operation has succeeded, and kept for a retry when it failed.
    """
    if not BulkOperation.objects.filter(id=operation_id, status=BulkOperation.PENDING).update(
            status=BulkOperation.RUNNING, modified=timezone.now()):
        log.warning("Bulk operation %s is not pending; not running it again", operation_id)
        return None
    operation = BulkOperation.objects.select_related("actor").get(id=operation_id)
    storage = upload_storage()
    try:
        with storage.open(operation.file_path, "rb") as upload:
            pipeline.run(KINDS[operation.kind], course_key=operation.course_key, actor=operation.actor,
                         upload=upload, options=operation.params["options"], dry_run=operation.dry_run,
                         progress=pipeline.record_progress(operation), operation=operation)
    except Exception as exc:  # pylint: disable=broad-except
        if operation.status != BulkOperation.FAILED:  # the upload could not even be opened
            pipeline.fail(operation, exc)
        return operation
    _delete_upload(storage, operation)
    return operation


def _delete_upload(storage, operation: BulkOperation) -> None:
    """The operation's outcome is already saved: a storage that fails to delete must not leave it ``running``."""
    try:
        storage.delete(operation.file_path)
    except Exception:  # pylint: disable=broad-except
        log.exception("Could not delete the stored upload %s of bulk operation %s", operation.file_path,
                      operation.id)


def mark_lost(operations) -> None:
    """
    Operations with no progress for ``CERTEXCEPTIONS_OPERATION_STALE_SECONDS`` lost their worker: they become
    ``failed`` with ``worker_lost``, and the import lock their worker held is freed.
    """
    cutoff = timezone.now() - timedelta(seconds=settings.CERTEXCEPTIONS_OPERATION_STALE_SECONDS)
    for operation in operations:
        if operation.status not in UNFINISHED or operation.modified >= cutoff:
            continue
        lost = PluginError("worker_lost", _("The worker running this import stopped without finishing it. Start it "
                                            "again: rows already written are not written twice."))
        if BulkOperation.objects.filter(id=operation.id, status=operation.status, modified=operation.modified).update(
                status=BulkOperation.FAILED, error=lost.as_dict()):
            operation.status, operation.error = BulkOperation.FAILED, lost.as_dict()
            release(operation.course_key, operation.kind, holder=str(operation.id))


def retry(operation: BulkOperation) -> BulkOperation:
    """
    Start a failed operation again from its stored file. Raises 409 ``operation_not_failed`` unless it failed,
    409 ``upload_gone`` when its file is no longer stored, and ``ImportInProgress`` while another import runs.
    """
    if operation.status != BulkOperation.FAILED:
        raise PluginError("operation_not_failed", _("Only a failed import can be started again; this one is "
                                                    "{status}.").format(status=operation.status), 409)
    if not operation.file_path or not upload_storage().exists(operation.file_path):
        raise PluginError("upload_gone", _("The uploaded file of this import is no longer stored; upload it "
                                           "again."), 409)
    if not operation.dry_run and is_locked(operation.course_key, operation.kind):
        raise ImportInProgress()
    with transaction.atomic():
        operation.rows.all().delete()
        operation.status, operation.error, operation.summary, operation.rows_done = (
            BulkOperation.PENDING, None, None, 0)
        operation.save(update_fields=["status", "error", "summary", "rows_done", "modified"])
        transaction.on_commit(lambda: start(str(operation.id)))
    return operation
