"""The row-result vocabulary every import reports with, and its CSV rendering."""
from __future__ import annotations

import csv
import enum
import io
import itertools
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


class Code(enum.StrEnum):
    """
    A stable snake_case code (an outcome or a reason) with the sentence that explains it to people.

    Members are declared as ``NAME = "code", gettext_lazy("Sentence.")``; they compare and serialise as the code.
    """

    def __new__(cls, value: str, sentence):
        member = str.__new__(cls, value)
        member._value_ = value
        member.sentence = sentence
        return member

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        """``(code, sentence)`` pairs, as serializer fields and the OpenAPI schema take them."""
        return [(member.value, str(member.sentence)) for member in cls]


FAILED = "failed"
# Characters that make spreadsheet programs treat a cell as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\u2212")


@dataclass
class RowResult:
    """What happened (or, in a dry run, would happen) to one row."""

    row: int
    outcome: str
    reason: str | None = None
    message: str = ""
    fields: dict[str, Any] = field(default_factory=dict)
    #: What ``Importer.apply`` needs to write this row; never rendered.
    target: Any = field(default=None, repr=False, compare=False)

    @property
    def failed(self) -> bool:
        return self.outcome == FAILED

    def fail(self, reason: str, message: str) -> None:
        self.outcome, self.reason, self.message = FAILED, reason, message

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, **self.fields, "outcome": self.outcome, "reason": self.reason,
                "message": self.message}


#: Summary counts beyond the outcomes: name -> which rows it counts.
Counts = Mapping[str, Callable[[RowResult], bool]]


@dataclass
class BulkResult:
    """
    The report of one import: its ``summary``, and its rows as the operation stored them, read back on demand
    (``rows`` and ``failures`` query them; :meth:`iter_rows` streams them).
    """

    dry_run: bool
    summary: dict[str, int]
    #: The :class:`~certexceptions_plugin.bulk.models.BulkOperation` holding the rows.
    operation: Any = field(repr=False)

    def iter_rows(self, outcome: str | None = None, chunk_size: int = 2000) -> Iterator[RowResult]:
        stored = self.operation.rows.order_by("row")
        if outcome is not None:
            stored = stored.filter(outcome=outcome)
        for row in stored.iterator(chunk_size=chunk_size):
            yield RowResult(row=row.row, outcome=row.outcome, reason=row.reason, message=row.message,
                            fields=row.fields)

    @property
    def rows(self) -> list[RowResult]:
        return list(self.iter_rows())

    @property
    def failures(self) -> list[RowResult]:
        return list(self.iter_rows(FAILED))


def safe_cell(value: Any) -> str:
    """
    A CSV cell a spreadsheet will not run as a formula: one that starts with a tab or carriage return, or whose
    first other character is a formula trigger or a look-alike that spreadsheets read as one (full-width and
    small forms such as ``＝``, folded by NFKC), gets a leading apostrophe.
    """
    text = "" if value is None else str(value)
    start = unicodedata.normalize("NFKC", text.lstrip()[:1])
    return "'" + text if text.startswith(("\t", "\r")) or start.startswith(FORMULA_TRIGGERS) else text


def csv_lines(rows: Iterable[dict[str, Any]], columns: Sequence[str]) -> Iterator[str]:
    """Dicts as CSV lines, a header line first, with formula-safe cells: one line at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for cells in itertools.chain([columns], ([safe_cell(row.get(column)) for column in columns] for row in rows)):
        writer.writerow(cells)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def rows_to_csv(rows: Iterable[dict[str, Any]], columns: Sequence[str]) -> str:
    """Render dicts as CSV text with a header row and formula-safe cells."""
    return "".join(csv_lines(rows, columns))
