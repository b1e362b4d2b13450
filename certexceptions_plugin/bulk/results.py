"""The row-result vocabulary every import reports with, and its CSV rendering."""
from __future__ import annotations

import csv
import enum
import io
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
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
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


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
    """The report of one import."""

    dry_run: bool
    outcomes: Sequence[str]
    rows: list[RowResult]
    counts: Counts = field(default_factory=dict)

    @property
    def summary(self) -> dict[str, int]:
        """Rows, then rows per outcome, then the import's own counts."""
        outcomes = Counter(row.outcome for row in self.rows)
        return {
            "rows": len(self.rows),
            **{outcome: outcomes.get(outcome, 0) for outcome in self.outcomes},
            **{name: sum(1 for row in self.rows if counts(row)) for name, counts in self.counts.items()},
        }

    @property
    def failures(self) -> list[RowResult]:
        return [row for row in self.rows if row.failed]


def safe_cell(value: Any) -> str:
    """A CSV cell a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def rows_to_csv(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    """Render dicts as CSV text with a header row and formula-safe cells."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([safe_cell(row.get(column)) for column in columns])
    return buffer.getvalue()
