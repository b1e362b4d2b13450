"""
An upload, from file to database, for every kind of import: check it, import it as an operation whose rows are
stored as they are produced, and describe the result.

Views come through :func:`certexceptions_plugin.bulk.operations.import_or_submit`, which runs this now or in a
background operation; commands, tasks and the Python API call :func:`run` directly.
"""
from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from certexceptions_plugin.bulk.engine import Progress, run_import
from certexceptions_plugin.bulk.errors import ImportInProgress
from certexceptions_plugin.bulk.kinds import ImportKind
from certexceptions_plugin.bulk.locks import is_locked
from certexceptions_plugin.bulk.models import BulkOperation, BulkOperationRow
from certexceptions_plugin.bulk.reader import CsvFile
from certexceptions_plugin.bulk.results import BulkResult, RowResult
from certexceptions_plugin.db import insert_many
from certexceptions_plugin.errors import PluginError

log = logging.getLogger(__name__)


def open_csv(kind: ImportKind, upload) -> CsvFile:
    return CsvFile(upload, kind.csv_format, max_bytes=settings.CERTEXCEPTIONS_MAX_UPLOAD_BYTES,
                   max_rows=settings.CERTEXCEPTIONS_MAX_ROWS)


def check(kind: ImportKind, upload) -> int:
    """The file's number of data rows; raises ``FileRejected`` for a file that cannot be imported."""
    _, total = open_csv(kind, upload).check()
    return total


def run(kind: ImportKind, *, course_key, actor, upload, options: Mapping[str, Any], dry_run: bool = False,
        progress: Progress | None = None, operation: BulkOperation | None = None) -> BulkResult:
    """
    Check the upload, then import it; ``options`` are the kind's (missing ones take their default).

    The rows' results are stored in ``operation`` (a new one unless given) chunk by chunk, and the operation ends
    ``succeeded`` with its summary, or ``failed`` with the error, which is raised again.
    """
    csv_file = open_csv(kind, upload)
    header, total = csv_file.check()
    options = {**kind.default_options(), **options}
    importer = kind.importer(course_key=course_key, actor=actor, header=header, options=options)
    if not dry_run and is_locked(course_key, kind.name):
        raise ImportInProgress()
    if operation is None:
        operation = BulkOperation.objects.create(
            kind=kind.name, course_key=course_key, actor=actor, status=BulkOperation.RUNNING, rows_total=total,
            params={"options": dict(options), "dry_run": dry_run})
    try:
        summary = run_import(importer, csv_file.rows, total=total, dry_run=dry_run, progress=progress,
                             sink=lambda results: store_rows(operation, results), lock_holder=str(operation.id))
    except Exception as exc:
        fail(operation, exc)
        raise
    operation.status, operation.summary, operation.rows_done = BulkOperation.SUCCEEDED, summary, total
    operation.save(update_fields=["status", "summary", "rows_done", "modified"])
    return BulkResult(dry_run=dry_run, summary=summary, operation=operation)


def store_rows(operation: BulkOperation, results: Sequence[RowResult]) -> None:
    insert_many(BulkOperationRow, ("row", "outcome", "reason", "message", "fields"),
                ((row.row, row.outcome, row.reason, row.message, row.fields) for row in results),
                same={"operation": operation.pk})


def fail(operation: BulkOperation, exc: Exception) -> None:
    """Record why ``operation`` stopped: the plugin's error as it is, anything else as ``internal_error``."""
    if isinstance(exc, PluginError):
        operation.error = exc.as_dict()
    else:
        log.exception("Bulk operation %s failed", operation.id)
        operation.error = {"message": _("The import stopped unexpectedly; rows after the last completed chunk were "
                                        "not written."), "error_code": "internal_error"}
    operation.status = BulkOperation.FAILED
    operation.save(update_fields=["status", "error", "modified"])


def record_progress(operation: BulkOperation) -> Progress:
    """A progress callback that saves the operation's progress, and so shows its worker is alive."""
    def progress(done: int, total: int) -> None:
        BulkOperation.objects.filter(id=operation.id).update(rows_done=done, rows_total=total,
                                                             modified=timezone.now())
    return progress


def payload(kind: ImportKind, result: BulkResult, options: Mapping[str, Any]) -> dict:
    """The response body of an import: ``dry_run``, ``summary`` and ``rows``, and what the kind adds."""
    body = {"dry_run": result.dry_run, "summary": result.summary, "rows": [row.as_dict() for row in result.rows]}
    if kind.extend_payload:
        body.update(kind.extend_payload(result, {**kind.default_options(), **options}))
    return body
