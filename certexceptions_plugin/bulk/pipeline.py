"""
An upload, from file to database, for every kind of import: read it, import it, describe the result.

Views come through :func:`certexceptions_plugin.bulk.operations.import_or_submit`, which runs this now or in a
background operation; commands, tasks and the Python API call :func:`run` directly.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings

from certexceptions_plugin.bulk.engine import Progress, run_import
from certexceptions_plugin.bulk.kinds import ImportKind
from certexceptions_plugin.bulk.reader import CsvRow, read_csv
from certexceptions_plugin.bulk.results import BulkResult


def read(kind: ImportKind, upload) -> tuple[tuple[str, ...] | None, list[CsvRow]]:
    """The file's header (or ``None``) and data rows; raises ``FileRejected`` for a file that cannot be imported."""
    return read_csv(upload, kind.csv_format, max_bytes=settings.CERTEXCEPTIONS_MAX_UPLOAD_BYTES,
                    max_rows=settings.CERTEXCEPTIONS_MAX_ROWS)


def run(kind: ImportKind, *, course_key, actor, upload, options: Mapping[str, Any], dry_run: bool = False,
        progress: Progress | None = None) -> BulkResult:
    """Read the upload and import it now (``options`` are the kind's options; missing ones take their default)."""
    header, rows = read(kind, upload)
    return run_rows(kind, course_key=course_key, actor=actor, header=header, rows=rows, options=options,
                    dry_run=dry_run, progress=progress)


def run_rows(kind: ImportKind, *, course_key, actor, header, rows: list[CsvRow], options: Mapping[str, Any],
             dry_run: bool = False, progress: Progress | None = None) -> BulkResult:
    """Import rows already read (see :func:`read`)."""
    importer = kind.importer(course_key=course_key, actor=actor, header=header,
                             options={**kind.default_options(), **options})
    return run_import(importer, rows, dry_run=dry_run, progress=progress)


def payload(kind: ImportKind, result: BulkResult, options: Mapping[str, Any]) -> dict:
    """The response body of an import: ``dry_run``, ``summary`` and ``rows``, and what the kind adds."""
    body = {"dry_run": result.dry_run, "summary": result.summary, "rows": [row.as_dict() for row in result.rows]}
    if kind.extend_payload:
        body.update(kind.extend_payload(result, {**kind.default_options(), **options}))
    return body
