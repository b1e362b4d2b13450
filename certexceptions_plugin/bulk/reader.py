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
#: How the csv module (strict) says its input ended inside a quoted cell.
UNFINISHED_QUOTE = "unexpected end of data"
BOM = "\ufeff"


@dataclass(frozen=True)
class CsvRow:
    """One non-blank record of the file."""

    number: int
    cells: tuple[str, ...]


Cells = tuple[str, ...]


@dataclass(frozen=True)
class CsvFormat:
    """What one kind of import expects of its files."""

    #: Whether a record (header or data row) has the shape this import expects; the delimiter is the one under
    #: which most of the first records fit.
    fits: Callable[[Cells], bool]
    #: Whether the first non-blank record is a header rather than data.
    is_header: Callable[[Cells], bool]
    #: Rejects an unusable header (raising :class:`FileRejected`) before any row is read.
    check_header: Callable[[Cells], object] | None = None


def file_too_large(limit: int, size: int | None = None) -> FileRejected:
    """413 ``file_too_large``, with the file's size when it is known."""
    if size is None:
        message = _("The file is larger than {limit} bytes, the largest accepted.").format(limit=limit)
    else:
        message = _("The file is {size} bytes; the largest accepted is {limit} bytes.").format(size=size, limit=limit)
    return FileRejected("file_too_large", message, http_status=413)


class CsvFile:
    """
    An uploaded file, read as a stream: :meth:`check` reads it through (once more under another delimiter if the first
    lines suggested a wrong one), and :meth:`rows` reads it again each time it is called, so no pass holds more than
    one row. Cells are stripped of surrounding white space.

    ``upload`` is a Django ``File`` (such as an uploaded file) or any binary file object.
    """

    def __init__(self, upload, csv_format: CsvFormat, *, max_bytes: int, max_rows: int):
        self.upload = upload if isinstance(upload, File) else File(upload)
        self.csv_format = csv_format
        self.max_bytes = max_bytes
        self.max_rows = max_rows
        self.header: Cells | None = None
        #: Chosen by :meth:`check`; until then each pass chooses it from the first lines.
        self.delimiter: str | None = None

    def check(self) -> tuple[Cells | None, int]:
        """
        The header (or ``None``) and the number of data rows. Raises :class:`FileRejected` for a file that is too
        large, not UTF-8, malformed, empty or over ``max_rows`` data rows, or whose header ``csv_format`` rejects.
        """
        size = self.upload.size
        if size is not None and size > self.max_bytes:
            raise file_too_large(self.max_bytes, size)
        count = self._count_rows()
        if not count:
            raise FileRejected("empty_file", _("The file has no data rows."))
        return self.header, count

    def _count_rows(self) -> int:
        """
        The data rows under the delimiter the first lines make likeliest. The first lines cannot tell every file's
        delimiter: when the file is not valid CSV under it, the next likeliest under which the whole file reads.
        """
        lines = _decoded_lines(_physical_lines(self.upload))
        first_lines, _ = _peek_first_content(lines)
        first_error = None
        for delimiter in _delimiters(first_lines, self.csv_format.fits):
            self.delimiter = delimiter
            try:
                return sum(1 for _ in self.rows())
            except FileRejected as exc:
                if first_error is None and exc.error_code != "malformed_csv":
                    raise
                first_error = first_error or exc
        self.delimiter = None
        raise first_error

    def rows(self) -> Iterator[CsvRow]:
        """The data rows, from the start of the file."""
        lines = _decoded_lines(_physical_lines(self.upload))
        first_lines, lines = _peek_first_content(lines)
        delimiter = self.delimiter or _delimiters(first_lines, self.csv_format.fits)[0]
        self.header = None
        reader = csv.reader(itertools.chain(first_lines, lines), delimiter=delimiter, strict=True)
        header_seen, count, line_number = False, 0, 0
        try:
            for record in reader:
                row_number, line_number = line_number + 1, reader.line_num
                cells = tuple(cell.strip() for cell in record)
                if not any(cells):
                    continue
                if not header_seen and not count and self.csv_format.is_header(cells):
                    header_seen, self.header = True, cells
                    if self.csv_format.check_header:
                        self.csv_format.check_header(cells)
                    continue
                if count == self.max_rows:
                    raise FileRejected(
                        "too_many_rows",
                        _("The file has more than {limit} data rows (row {row} is over the limit).").format(
                            limit=self.max_rows, row=row_number),
                    )
                count += 1
                yield CsvRow(number=row_number, cells=cells)
        except csv.Error as exc:
            raise FileRejected(
                "malformed_csv",
                _("Row {row} is not valid CSV: {error}.").format(row=line_number + 1, error=exc),
            ) from exc


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
    taken, content = [], 0
    for line in lines:
        taken.append(line)
        content += bool(line.strip())
        if content == SNIFF_LINES:
            break
    return taken, lines


def _delimiters(first_lines: list[str], fits: Callable[[Cells], bool]) -> list[str]:
    """
    The delimiters, likeliest first: the one under which most of the first records have the expected shape, none
    under which they are not valid CSV before one under which they are; among equals, the one used most outside
    quoted text (``,`` when none is used).
    """
    sample = QUOTED.sub("", "".join(first_lines))
    uses = {delimiter: sample.count(delimiter) for delimiter in DELIMITERS}
    fitting = {delimiter: _fitting_records(first_lines, delimiter, fits) for delimiter in DELIMITERS}
    # sorted() keeps equals in order: "," before ";" before tab.
    return sorted(DELIMITERS, key=lambda delimiter: (fitting[delimiter], uses[delimiter]), reverse=True)


def _fitting_records(lines: list[str], delimiter: str, fits: Callable[[Cells], bool]) -> int:
    """
    How many of the first records fit, read as :meth:`CsvFile.rows` reads them; -1 if they are not valid CSV. They
    may end inside a quoted cell that goes on below them: no fault of the delimiter.
    """
    fitting = 0
    try:
        for record in csv.reader(lines, delimiter=delimiter, strict=True):
            cells = tuple(cell.strip() for cell in record)
            fitting += bool(any(cells) and fits(cells))
    except csv.Error as exc:
        if not str(exc).startswith(UNFINISHED_QUOTE):
            return -1
    return fitting
