"""
Plan and (unless it is a dry run) apply a file chunk by chunk, one transaction per batch of writes.

The file is read as a stream, as often as the importer needs: an importer whose rows depend on each other across
the file gathers what it needs in :meth:`Importer.prepare` (a first pass, kept as compact keys), so no pass holds
more than a chunk of rows. Each chunk's results go to a ``sink`` once they are final.
"""
from __future__ import annotations

import abc
import itertools
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TypeVar

from django.conf import settings
from django.db import transaction

from certexceptions_plugin.audit.api import AuditRecord, record_events
from certexceptions_plugin.bulk.locks import import_lock
from certexceptions_plugin.bulk.reader import CsvRow
from certexceptions_plugin.bulk.results import Counts, RowResult

T = TypeVar("T")
#: Called with (rows done, rows in the file) after each chunk.
Progress = Callable[[int, int], None]
#: Receives the final results of some rows (written, or with nothing to write).
Sink = Callable[[Sequence[RowResult]], None]


def chunked(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


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

    def prepare(self, rows: Iterable[CsvRow]) -> None:
        """A first pass over the whole file before any row is planned, for what spans the file. Default: none."""

    @abc.abstractmethod
    def plan(self, rows: Sequence[CsvRow]) -> list[RowResult]:
        """Classify one chunk of rows with no writes, in a few queries."""

    @abc.abstractmethod
    def apply(self, rows: Sequence[RowResult]) -> list[AuditRecord]:
        """Write one batch of planned rows; return what to audit."""

    def batches(self, rows: Sequence[RowResult], size: int) -> Iterator[Sequence[RowResult]]:
        """
        Group one chunk's rows to write into transactions of about ``size`` rows, in file order by default.

        Override when some rows must be written together (for example, rows that swap a unique value); rows held
        back for a later chunk come out of :meth:`remaining_batches`.
        """
        return chunked(rows, size)

    def remaining_batches(self, size: int) -> Iterator[Sequence[RowResult]]:  # pylint: disable=unused-argument
        """The batches :meth:`batches` held back, once the whole file has been planned."""
        return iter(())


class Tally:
    """The summary of the rows sunk so far: rows, then rows per outcome, then the importer's own counts."""

    def __init__(self, importer: Importer):
        self.importer = importer
        self.outcomes: Counter = Counter()
        self.counts: Counter = Counter()
        self.rows = 0

    def add(self, results: Sequence[RowResult]) -> None:
        self.rows += len(results)
        self.outcomes.update(row.outcome for row in results)
        for name, counts in self.importer.counts.items():
            self.counts[name] += sum(1 for row in results if counts(row))

    def summary(self) -> dict[str, int]:
        return {"rows": self.rows, **{str(outcome): self.outcomes[outcome] for outcome in self.importer.outcomes},
                **{name: self.counts[name] for name in self.importer.counts}}


def run_import(importer: Importer, rows: Callable[[], Iterable[CsvRow]], *, total: int, dry_run: bool, sink: Sink,
               progress: Progress | None = None, lock_holder: str | None = None) -> dict[str, int]:
    """
    Plan every chunk of ``rows()`` (called once per pass) and, unless ``dry_run``, apply it; return the summary.

    A real import runs under the course's lock for its kind. ``progress`` counts every row and only goes up: each
    chunk adds its rows once they are final, so the last call is (rows, rows).
    """
    tally = Tally(importer)

    def done(results: Sequence[RowResult]) -> None:
        sink(results)
        tally.add(results)

    def write(batch: Sequence[RowResult], unwritten: Sequence[RowResult] = ()) -> None:
        """Write ``batch`` and store its results, with those of ``unwritten`` rows, in one transaction."""
        with transaction.atomic():
            record_events(importer.apply(batch))
            done([*unwritten, *batch])

    size = settings.CERTEXCEPTIONS_CHUNK_SIZE
    report = progress or (lambda done_rows, total_rows: None)
    with import_lock(importer.course_key, importer.kind, holder=lock_holder, enabled=not dry_run) as lock:
        importer.prepare(rows())
        for chunk in chunked(rows(), size):
            results = importer.plan(chunk)
            if dry_run:
                done(results)
            else:
                unwritten = [row for row in results if row.outcome not in importer.write_outcomes]
                for batch in importer.batches([row for row in results if row.outcome in importer.write_outcomes],
                                              size):
                    write(batch, unwritten)
                    unwritten = ()
                if unwritten:
                    done(unwritten)
                lock.refresh()
            report(tally.rows, total)
        if not dry_run:
            for batch in importer.remaining_batches(size):
                write(batch)
                report(tally.rows, total)
    return tally.summary()
