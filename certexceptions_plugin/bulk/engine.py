"""Plan every row, then (unless it is a dry run) apply the plan in chunks, one transaction per chunk."""
from __future__ import annotations

import abc
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

from django.conf import settings
from django.db import transaction

from certexceptions_plugin.audit.api import AuditRecord, record_events
from certexceptions_plugin.bulk.locks import import_lock
from certexceptions_plugin.bulk.reader import CsvRow
from certexceptions_plugin.bulk.results import BulkResult, Counts, RowResult

T = TypeVar("T")
#: Called with (rows done, rows in the file); see :func:`run_import`.
Progress = Callable[[int, int], None]


def chunked(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


class Importer(abc.ABC):
    """One kind of CSV import for one course, by one actor."""

    #: Names the lock and the background-operation kind.
    kind: str
    #: Every outcome, in the order the summary lists them.
    outcomes: Sequence[str]
    #: Outcomes whose rows ``apply`` writes.
    write_outcomes: frozenset[str]
    #: The import's own summary counts, beside the outcomes.
    counts: Counts = {}

    def __init__(self, *, course_key, actor):
        self.course_key = course_key
        self.actor = actor

    @abc.abstractmethod
    def plan(self, rows: Sequence[CsvRow]) -> list[RowResult]:
        """Classify every row with no writes, querying in chunks."""

    @abc.abstractmethod
    def apply(self, rows: Sequence[RowResult]) -> list[AuditRecord]:
        """Write one chunk of planned rows; return what to audit."""

    def batches(self, rows: Sequence[RowResult], size: int) -> Iterator[Sequence[RowResult]]:
        """
        Group the rows to write into transactions of about ``size`` rows, in file order by default.

        Override when some rows must be written together (for example, rows that swap a unique value).
        """
        return chunked(rows, size)


def run_import(importer: Importer, rows: Sequence[CsvRow], *, dry_run: bool,
               progress: Progress | None = None) -> BulkResult:
    """
    Plan and, unless ``dry_run``, apply. Apply runs under the course's lock for this kind.

    ``progress`` counts every row and only goes up: once the file is planned, the rows with nothing to write are
    done (every row, in a dry run); then each written chunk adds its rows, so the last call is (rows, rows).
    """
    report = progress or (lambda done, total: None)
    if dry_run:
        results = importer.plan(rows)
        report(len(results), len(results))
        return BulkResult(dry_run=True, outcomes=importer.outcomes, rows=results, counts=importer.counts)
    with import_lock(importer.course_key, importer.kind) as lock:
        results = importer.plan(rows)
        to_write = [row for row in results if row.outcome in importer.write_outcomes]
        done = len(results) - len(to_write)
        report(done, len(results))
        for chunk in importer.batches(to_write, settings.CERTEXCEPTIONS_CHUNK_SIZE):
            with transaction.atomic():
                record_events(importer.apply(chunk))
            lock.refresh()
            done += len(chunk)
            report(done, len(results))
    return BulkResult(dry_run=False, outcomes=importer.outcomes, rows=results, counts=importer.counts)
