"""Reading cases.csv, meetings.csv and the export's JSON Lines into raw rows of text cells.

Nothing here judges the values: it finds the rows, their physical line numbers (the
header is line 1) and the problems of the file's shape (not UTF-8, unknown or missing
columns, a row with too many or too few cells, a line of JSON that is not an object).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

from . import case_records
from .columns import CASE_COLUMNS, EXPORT_EXTRA_KEYS, NESTED_MEETING_COLUMNS, PEOPLE_LISTS, Column


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.column}: {self.reason}"


@dataclass
class RawRow:
    file: str
    line: int
    cells: dict[str, str]
    prefix: str = ""  # "meetings[2]." for a meeting inside a line of the export
    # The people lists of a line of the export ("children", "associated_people", "other_subjects"): rows of cells.
    people: dict[str, list["RawRow"]] = field(default_factory=dict)
    # The lists of what followed the outcome, as raw rows by key (after_outcome.py): JSON Lines only.
    nested: dict = field(default_factory=dict)

    def problem(self, column: str, reason: str) -> Problem:
        return Problem(self.file, self.line, f"{self.prefix}{column}", reason)


@dataclass
class ReadResult:
    cases: list[RawRow] = field(default_factory=list)
    meetings: list[RawRow] = field(default_factory=list)
    # An exported referral's `suspensions` and `person` (case_records.read_records), by reference, when it has any.
    records: dict = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    # (file, line) of a referral in the export -> its disagreements (interchange.disagreements.RawDisagreement).
    disagreements: dict = field(default_factory=dict)


def _allowed(columns: tuple[Column, ...]) -> str:
    return ", ".join(c.name for c in columns)


def _decode(data: bytes, name: str, problems: list[Problem]) -> str | None:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        problems.append(Problem(name, line, "-", f"the file is not UTF-8 text (byte 0x{data[error.start]:02x})"))
        return None


def looks_like_json_lines(text: str) -> bool:
    return text.lstrip().startswith("{")


def read_file(path: str | Path, columns: tuple[Column, ...], result: ReadResult, *, meetings: bool) -> None:
    """Read one file (CSV, or for cases the export's JSON Lines) into `result`."""
    name = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        result.problems.append(Problem(name, 0, "-", f"cannot be read: {error.strerror or error}"))
        return
    text = _decode(data, name, result.problems)
    if text is None:
        return
    if not meetings and looks_like_json_lines(text):
        read_json_lines(text, name, result)
    else:
        rows = read_csv(text, name, columns, result.problems)
        (result.meetings if meetings else result.cases).extend(rows)


def read_csv(text: str, name: str, columns: tuple[Column, ...], problems: list[Problem]) -> list[RawRow]:
    known = {c.name for c in columns}
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[RawRow] = []
    header: list[str] | None = None
    last_line = 0
    try:
        for cells in reader:
            line = last_line + 1
            last_line = reader.line_num
            if not cells or (len(cells) == 1 and not cells[0].strip()):
                continue  # a blank line
            if header is None:
                header = [cell.strip() for cell in cells]
                if not _check_header(header, name, line, columns, known, problems):
                    return []
                continue
            if len(cells) != len(header):
                problems.append(Problem(name, line, "-", f"the row has {len(cells)} values but the header has {len(header)} columns"))
                continue
            rows.append(RawRow(name, line, {column: cell.strip() for column, cell in zip(header, cells)}))
    except csv.Error as error:
        problems.append(Problem(name, last_line + 1, "-", f"the CSV cannot be read from here on: {error}"))
    if header is None:
        problems.append(Problem(name, 1, "-", f"the file has no header row (expected the columns {_allowed(columns)})"))
    return rows


def _check_header(header, name, line, columns, known, problems) -> bool:
    fine = True
    seen = set()
    for column in header:
        if column in seen:
            problems.append(Problem(name, line, column or "-", "the column appears twice in the header"))
            fine = False
        seen.add(column)
        if column not in known:
            problems.append(Problem(name, line, column or "-", f"unknown column (the columns are {_allowed(columns)})"))
            fine = False
    for column in columns:
        if column.required and column.name not in seen:
            problems.append(Problem(name, line, column.name, "a required column is missing from the header"))
            fine = False
    return fine


def _cell(value) -> str | None:
    """A JSON value as the text a CSV cell would hold, or None when it cannot be one."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return value.strip()
    return None


def _json_cells(obj: dict, columns, row: RawRow, problems: list[Problem], extra=()) -> dict[str, str]:
    known = {c.name for c in columns}
    cells = {}
    for key, value in obj.items():
        if key in extra:
            continue
        if key not in known:
            problems.append(row.problem(str(key), f"unknown column (the columns are {_allowed(columns)})"))
            continue
        text = _cell(value)
        if text is None:
            problems.append(row.problem(key, f"expected text, a whole number, true, false or null, not {type(value).__name__}"))
            continue
        cells[key] = text
    return cells


def read_json_lines(text: str, name: str, result: ReadResult) -> None:
    for number, line_text in enumerate(text.splitlines(), start=1):
        if not line_text.strip():
            continue
        try:
            obj = json.loads(line_text)
        except ValueError as error:
            result.problems.append(Problem(name, number, "-", f"not a line of JSON: {error}"))
            continue
        if not isinstance(obj, dict):
            result.problems.append(Problem(name, number, "-", "each line must be a JSON object (one referral)"))
            continue
        row = RawRow(name, number, {})
        row.cells = _json_cells(obj, CASE_COLUMNS, row, result.problems, extra=EXPORT_EXTRA_KEYS)
        result.cases.append(row)
        from . import disagreements

        disagreements.read(obj, row, result, _cell)
        _read_people(obj, row, result.problems)
        found, problems = case_records.read_records(obj)
        result.problems.extend(row.problem(column, reason) for column, reason in problems)
        if case_records.has_records(found):
            result.records[row.cells.get("reference", "")] = (row, found)
        from . import after_outcome

        after_outcome.read(obj, row, result.problems)
        meetings = obj.get("meetings") or []
        if not isinstance(meetings, list):
            result.problems.append(row.problem("meetings", "must be a list of meetings"))
            continue
        for index, meeting in enumerate(meetings):
            nested = RawRow(name, number, {}, prefix=f"meetings[{index}].")
            if not isinstance(meeting, dict):
                result.problems.append(nested.problem("-", "each meeting must be a JSON object"))
                continue
            nested.cells = _json_cells(meeting, NESTED_MEETING_COLUMNS, nested, result.problems)
            nested.cells["case_reference"] = row.cells.get("reference", "")
            result.meetings.append(nested)



def _read_people(obj: dict, row: RawRow, problems: list[Problem]) -> None:
    """The people lists of one line (children, associated people, other people alleged against), each entry checked
    against its columns (columns.PEOPLE_LISTS). Absent or null: none."""
    for key, columns in PEOPLE_LISTS.items():
        entries = obj.get(key) or []
        if not isinstance(entries, list):
            problems.append(row.problem(key, f"must be a list of objects with the columns {_allowed(columns)}"))
            continue
        rows = []
        for index, entry in enumerate(entries):
            nested = RawRow(row.file, row.line, {}, prefix=f"{key}[{index}].")
            if not isinstance(entry, dict):
                problems.append(nested.problem("-", "each entry must be a JSON object"))
                continue
            nested.cells = _json_cells(entry, columns, nested, problems)
            rows.append(nested)
        row.people[key] = rows
