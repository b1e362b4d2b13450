"""The row-result vocabulary every import reports with, and its CSV rendering."""
from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

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


@dataclass
class BulkResult:
    """The report of one import."""

    dry_run: bool
    outcomes: Sequence[str]
    rows: list[RowResult]

    @property
    def summary(self) -> dict[str, int]:
        counts = Counter(row.outcome for row in self.rows)
        return {"rows": len(self.rows), **{outcome: counts.get(outcome, 0) for outcome in self.outcomes}}

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
