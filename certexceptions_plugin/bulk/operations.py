"""
Large imports: the request stores the file and answers 202; a Celery task runs the same code in the background.

Each kind registers a runner ``(course_key, actor, upload, params, progress) -> response dict``.
"""
from __future__ import annotations

import logging
from collections.abc import Callable

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from certexceptions_plugin.bulk.errors import FileRejected, ImportInProgress
from certexceptions_plugin.bulk.models import BulkOperation

log = logging.getLogger(__name__)
Runner = Callable[..., dict]
RUNNERS: dict[str, Runner] = {}


def register(kind: str, runner: Runner) -> None:
    RUNNERS[kind] = runner


def submit(*, kind: str, course_key, actor, upload, params: dict, rows_total: int) -> BulkOperation:
    """Store the upload, record the operation and queue its task once the transaction commits."""
    from certexceptions_plugin.bulk.tasks import run_bulk_operation  # pylint: disable=import-outside-toplevel

    upload.seek(0)
    path = default_storage.save(f"certexceptions_plugin/{kind}/{course_key}.csv", upload)
    operation = BulkOperation.objects.create(
        kind=kind, course_key=course_key, actor=actor, params=params, file_path=path, rows_total=rows_total)
    transaction.on_commit(lambda: run_bulk_operation.delay(str(operation.id)))
    return operation


def execute(operation_id: str) -> BulkOperation:
    """Run a stored operation to completion, recording progress, its result or its error."""
    operation = BulkOperation.objects.select_related("actor").get(id=operation_id)
    operation.status = BulkOperation.RUNNING
    operation.save(update_fields=["status", "modified"])

    def progress(done: int, total: int) -> None:
        BulkOperation.objects.filter(id=operation.id).update(rows_done=done, rows_total=total)

    try:
        with default_storage.open(operation.file_path, "rb") as upload:
            operation.result = RUNNERS[operation.kind](
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
    finally:
        default_storage.delete(operation.file_path)
    operation.save(update_fields=["status", "result", "error", "modified"])
    return operation
