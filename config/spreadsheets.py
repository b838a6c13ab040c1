"""The one writer of every CSV and XLSX file the product makes (issue 12 §4).

A cell that a spreadsheet would read as a formula (text starting with =, +, -, @, a tab or a
carriage return) is written with a single quote in front, as OWASP advises for CSV injection:
an agency's answer "=HYPERLINK(...)" stays text in the business unit's workbook. Only text is
touched: numbers, dates and percentages stay what they are (a negative number stored as a
number is a number, not a formula).

tests/test_spreadsheets.py checks that no other module calls csv.writer or makes an openpyxl
Workbook, and that every download neutralises what it writes.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """The value, with text that would start a formula made plain text; None becomes empty."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


class _Echo:
    """A file-like object that hands back what is written (for streaming responses)."""

    def write(self, value):
        return value


class CsvWriter:
    """csv.writer with every cell neutralised. Without a stream, writerow returns the line."""

    def __init__(self, stream=None):
        self._writer = csv.writer(stream if stream is not None else _Echo(), lineterminator="\n")

    def writerow(self, row: Iterable):
        return self._writer.writerow([neutralise(v) for v in row])

    def writerows(self, rows: Iterable[Iterable]) -> None:
        for row in rows:
            self.writerow(row)


def csv_text(rows: Iterable[Iterable]) -> str:
    """A whole CSV file as text."""
    buffer = io.StringIO()
    CsvWriter(buffer).writerows(rows)
    return buffer.getvalue()


def csv_lines(rows: Iterable[Iterable]) -> Iterator[str]:
    """A CSV file line by line, for a StreamingHttpResponse."""
    writer = CsvWriter()
    for row in rows:
        yield writer.writerow(row)


class Sheet:
    """An openpyxl worksheet whose append() neutralises every cell. Anything else (styles,
    column widths, freeze panes) goes to the worksheet itself."""

    def __init__(self, worksheet):
        self._sheet = worksheet

    def cell_of(self, value, *, font=None, number_format=None) -> Cell:
        """A styled cell for a write-only sheet, its value neutralised."""
        cell = WriteOnlyCell(self._sheet, value=neutralise(value))
        if font is not None:
            cell.font = font
        if number_format is not None:
            cell.number_format = number_format
        return cell

    def append(self, row: Iterable) -> None:
        self._sheet.append([v if isinstance(v, Cell) else neutralise(v) for v in row])

    def __getitem__(self, key):
        return self._sheet[key]

    def __getattr__(self, name):
        return getattr(self._sheet, name)


class SafeWorkbook:
    """An openpyxl workbook handing out neutralising sheets."""

    def __init__(self, *, write_only: bool = False):
        self._book = Workbook(write_only=write_only)
        self._write_only = write_only

    def first_sheet(self, title: str) -> Sheet:
        """The workbook's first sheet (made for a write-only workbook, renamed otherwise)."""
        if self._write_only:
            return self.create_sheet(title)
        sheet = self._book.active
        sheet.title = title
        return Sheet(sheet)

    def create_sheet(self, title: str) -> Sheet:
        return Sheet(self._book.create_sheet(title))

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        self._book.save(buffer)
        return buffer.getvalue()
