"""
Streaming CSV reading: UTF-8 with or without BOM, ``,`` ``;`` or tab, strict quoting, size and row limits.

Rows carry their 1-based physical line number in the file; blank lines are skipped but still counted.
"""
from __future__ import annotations

import csv
import itertools
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.core.files import File
from django.utils.translation import gettext as _

from certexceptions_plugin.bulk.errors import FileRejected

DELIMITERS = (",", ";", "\t")
SNIFF_LINES = 10
QUOTED = re.compile(r'"[^"]*"')
BOM = "\ufeff"


@dataclass(frozen=True)
class CsvRow:
    """One non-blank record of the file."""

    number: int
    cells: tuple[str, ...]


def read_csv(upload, *, max_bytes: int, max_rows: int, is_header: Callable[[tuple[str, ...]], bool],
             check_header: Callable[[tuple[str, ...]], object] | None = None,
             ) -> tuple[tuple[str, ...] | None, list[CsvRow]]:
    """
    Read an uploaded file into ``(header, data_rows)``; cells are stripped of surrounding white space.

    ``is_header`` decides whether the first non-blank record is a header; ``check_header`` may reject it (by raising
    :class:`FileRejected`) before any row is read. Raises :class:`FileRejected` for a
    file that is too large, not UTF-8, malformed, empty or over ``max_rows`` data rows. ``upload`` is a Django
    ``File`` (such as an uploaded file) or any binary file object.
    """
    upload = upload if isinstance(upload, File) else File(upload)
    size = upload.size
    if size is not None and size > max_bytes:
        raise FileRejected(
            "file_too_large",
            _("The file is {size} bytes; the largest accepted is {limit} bytes.").format(
                size=size, limit=max_bytes),
            status=413,
        )
    lines = _decoded_lines(_physical_lines(upload))
    first_lines, lines = _peek_first_content(lines)
    reader = csv.reader(itertools.chain(first_lines, lines), delimiter=_delimiter(first_lines), strict=True)

    header = None
    rows: list[CsvRow] = []
    line_number = 0
    try:
        for record in reader:
            row_number, line_number = line_number + 1, reader.line_num
            cells = tuple(cell.strip() for cell in record)
            if not any(cells):
                continue
            if header is None and not rows and is_header(cells):
                header = cells
                if check_header:
                    check_header(cells)
                continue
            if len(rows) == max_rows:
                raise FileRejected(
                    "too_many_rows",
                    _("The file has more than {limit} data rows (row {row} is over the limit).").format(
                        limit=max_rows, row=row_number),
                )
            rows.append(CsvRow(number=row_number, cells=cells))
    except csv.Error as exc:
        raise FileRejected(
            "malformed_csv",
            _("Row {row} is not valid CSV: {error}.").format(row=line_number + 1, error=exc),
        ) from exc
    if not rows:
        raise FileRejected("empty_file", _("The file has no data rows."))
    return header, rows


def _physical_lines(upload) -> Iterator[bytes]:
    upload.seek(0)
    yield from upload


def _decoded_lines(raw_lines: Iterable[bytes]) -> Iterator[str]:
    for number, raw in enumerate(raw_lines, start=1):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise FileRejected(
                "not_utf8",
                _("Row {row} is not valid UTF-8 text (byte {byte}). Save the file as CSV UTF-8.").format(
                    row=number, byte=exc.start + 1),
            ) from exc
        if "\x00" in line:
            raise FileRejected("malformed_csv", _("Row {row} contains a NUL byte.").format(row=number))
        if number == 1:
            line = line.removeprefix(BOM)
        yield line


def _peek_first_content(lines: Iterator[str]) -> tuple[list[str], Iterator[str]]:
    """Read the first lines, up to ``SNIFF_LINES`` non-blank ones, so the delimiter can be chosen from them."""
    taken = []
    for line in lines:
        taken.append(line)
        if sum(1 for text in taken if text.strip()) == SNIFF_LINES:
            break
    return taken, lines


def _delimiter(first_lines: list[str]) -> str:
    """The delimiter used most in the first lines, outside quoted text; ``,`` when none is used."""
    sample = QUOTED.sub("", "".join(first_lines))
    counts = {delimiter: sample.count(delimiter) for delimiter in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])  # ties go to the earlier, more common delimiter
    return best if counts[best] else ","
