"""One writer for every CSV and XLSX file (config/spreadsheets.py, issue 12 §4).

The downloads themselves are tested where they live: the sign-in record (tests/accounts), the
access log (tests/records), the provider register (tests/providers), the assurance composite
(tests/assurance) and the annual report (tests/reporting)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

from openpyxl import load_workbook

from config.spreadsheets import FORMULA_START, SafeWorkbook, csv_lines, csv_text, neutralise

ROOT = Path(__file__).resolve().parent.parent
APPS = ["accounts", "agencies", "allegations", "assurance", "config", "deadlines", "governance", "interchange",
        "meetings", "providers", "records", "reporting", "demo", "scripts"]
# Writing a CSV or a workbook without the one writer.
FORBIDDEN = re.compile(r"csv\.(writer|DictWriter)\(|from openpyxl import .*Workbook|openpyxl\.Workbook\(|WriteOnlyCell\(")


def test_no_module_writes_a_csv_or_a_workbook_but_the_one_writer():
    offenders = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py") if (ROOT / app).exists() else []:
            if path == ROOT / "config" / "spreadsheets.py" or "migrations" in path.parts:
                continue
            for n, line in enumerate(path.read_text().splitlines(), start=1):
                if FORBIDDEN.search(line):
                    offenders.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert offenders == []


def test_text_that_would_start_a_formula_gets_a_quote_and_nothing_else_changes():
    for start in FORMULA_START:
        assert neutralise(f"{start}SUM(A1:A9)") == f"'{start}SUM(A1:A9)"
    assert neutralise("Riverside Primary") == "Riverside Primary"
    assert neutralise("it's = fine") == "it's = fine"
    assert neutralise(None) == ""
    assert neutralise(-3) == -3 and neutralise(2.5) == 2.5
    assert neutralise(dt.date(2026, 1, 2)) == dt.date(2026, 1, 2)


def test_csv_text_and_lines_say_the_same():
    rows = [["name", "count"], ["=1+1", -4], ["@SUM(1)", 0], ["\tx", None]]
    text = csv_text(rows)
    assert "".join(csv_lines(rows)) == text
    assert list(csv.reader(io.StringIO(text))) == [["name", "count"], ["'=1+1", "-4"], ["'@SUM(1)", "0"], ["'\tx", ""]]


def test_a_workbook_keeps_numbers_and_neutralises_text():
    for write_only in (False, True):
        book = SafeWorkbook(write_only=write_only)
        sheet = book.first_sheet("Sheet")
        sheet.append(["=HYPERLINK(\"http://x\")", -12, 0.5, "+44 20"])
        sheet.append([sheet.cell_of("-minus") if write_only else "-minus"])
        loaded = load_workbook(io.BytesIO(book.to_bytes())).active
        first = [c for c in loaded[1]]
        assert [c.value for c in first] == ["'=HYPERLINK(\"http://x\")", -12, 0.5, "'+44 20"]
        assert [c.data_type for c in first] == ["s", "n", "n", "s"]
        assert loaded["A2"].value == "'-minus"
