"""Certificate-exception imports for views, commands, tasks and the Python API."""
from __future__ import annotations

from django.conf import settings

from certexceptions_plugin.bulk import operations
from certexceptions_plugin.bulk.engine import run_import
from certexceptions_plugin.bulk.models import BulkOperation
from certexceptions_plugin.bulk.reader import CsvRow, read_csv
from certexceptions_plugin.bulk.results import BulkResult
from certexceptions_plugin.certificates.importer import CSV_FORMAT, GRANT, CertificateExceptionImporter
from certexceptions_plugin.host.port import Permission

KIND = CertificateExceptionImporter.kind


def read_rows(upload) -> list[CsvRow]:
    _, rows = read_csv(upload, CSV_FORMAT, max_bytes=settings.CERTEXCEPTIONS_MAX_UPLOAD_BYTES,
                       max_rows=settings.CERTEXCEPTIONS_MAX_ROWS)
    return rows


def import_exceptions(*, course_key, actor, rows: list[CsvRow], action: str = GRANT, dry_run: bool = False,
                      progress=None) -> BulkResult:
    importer = CertificateExceptionImporter(course_key=course_key, actor=actor, action=action)
    return run_import(importer, rows, dry_run=dry_run, progress=progress)


def upload_exceptions(*, course_key, actor, upload, action: str = GRANT,
                      dry_run: bool = False) -> BulkResult | BulkOperation:
    """
    Check the upload, then import it now, or, above ``CERTEXCEPTIONS_SYNC_MAX_ROWS`` rows, hand it to a background
    operation.
    """
    rows = read_rows(upload)
    if len(rows) > settings.CERTEXCEPTIONS_SYNC_MAX_ROWS:
        return operations.submit(kind=KIND, course_key=course_key, actor=actor, upload=upload,
                                 params={"action": action, "dry_run": dry_run}, rows_total=len(rows))
    return import_exceptions(course_key=course_key, actor=actor, rows=rows, action=action, dry_run=dry_run)


def result_payload(result: BulkResult, *, action: str) -> dict:
    """The response body: our rows and summary, beside core v2's ``success`` / ``errors`` keys."""
    return {
        "dry_run": result.dry_run,
        "action": action,
        "summary": result.summary,
        "rows": [row.as_dict() for row in result.rows],
        "success": [row.fields["learner"] for row in result.rows if not row.failed],
        "errors": [
            {"learner": row.fields["learner"], "message": row.message, "row": row.row, "reason": row.reason}
            for row in result.failures
        ],
    }


def _run_stored(*, course_key, actor, upload, params, progress) -> dict:
    result = import_exceptions(course_key=course_key, actor=actor, rows=read_rows(upload),
                               action=params["action"], dry_run=params["dry_run"], progress=progress)
    return result_payload(result, action=params["action"])


operations.register(KIND, _run_stored, permission=Permission.CERTIFICATES, report_columns=(
    "row", "learner", "username", "email", "notes", "outcome", "reason", "message"))
