"""The annual report as CSV and as a spreadsheet (XLSX).

- CSV: one line per number of the JSON (section, breakdown, item, count), so every figure of
  annual-report.md is there and a spreadsheet or a script can pivot it; nothing else.
- XLSX: one sheet per table of tables.report_tables (the page's and the PDF's tables, five-year
  histories included), numbers as numbers and percentages as percentages; a first sheet says what
  the report is. Written by openpyxl in write-only mode (constant memory).

Neither holds a name of a child or a subject: the report counts, it never lists records.
"""

from __future__ import annotations

from openpyxl.styles import Font

from config.spreadsheets import SafeWorkbook, csv_text

from .annual import BOTH, WORKFORCES
from .tables import Percent, Table, report_tables

CSV_HEADER = ["section", "breakdown", "item", "count"]


def csv_rows(report: dict):
    """(section, breakdown, item, count) for every number of the report, in the JSON's order."""
    for section, value in report.items():
        if section in ("year", "period", "workforce"):
            continue
        if isinstance(value, int):
            yield section, "", "", value
        elif "by_quarter" in value:
            for label, counts in value["history"].items():
                for q, n in enumerate(counts, start=1):
                    yield section, label, f"Q{q}", n
                yield section, label, "total", sum(counts)
        else:
            for key, inner in value.items():
                if isinstance(inner, dict):
                    for item, n in inner.items():
                        yield section, key, item, n
                else:
                    yield section, "", key, inner


def to_csv(report: dict) -> str:
    return csv_text([
        ["year", report["year"], "period", f"{report['period']['start']} to {report['period']['end']}",
         "workforce", report.get("workforce", "both")],
        CSV_HEADER,
        *csv_rows(report),
    ])


def _sheet_title(table: Table, used: set[str]) -> str:
    """The table's sheet name (tables.SHEETS: whole words, at most 31 characters, Excel's limit)."""
    title = table.sheet
    if not title or len(title) > 31 or title in used:
        raise ValueError(f"table {table.key}: its sheet name {title!r} is missing, too long or used twice")
    used.add(title)
    return title


def to_xlsx(report: dict, history: dict, *, partnership_name: str) -> bytes:
    workbook = SafeWorkbook(write_only=True)
    bold = Font(bold=True)

    def cell(sheet, value, *, strong=False):
        if isinstance(value, Percent):
            return sheet.cell_of(float(value) / 100, number_format="0%", font=bold if strong else None)
        return sheet.cell_of(value, font=bold if strong else None)

    about = workbook.create_sheet("Report")
    about.append([cell(about, f"{partnership_name}: managing allegations annual report {report['year']}", strong=True)])
    about.append(["Period", f"{report['period']['start']} to {report['period']['end']}"])
    about.append(["Workforce", WORKFORCES[report.get("workforce", BOTH)]])
    about.append(["Contents", "One sheet per table; five-year histories where the report has them."])
    about.append(["Privacy", "Numbers only: no names of children or subjects."])
    used: set[str] = {"Report"}
    for table in report_tables(report, history):
        sheet = workbook.create_sheet(_sheet_title(table, used))
        sheet.append([cell(sheet, table.title, strong=True)])
        sheet.append([cell(sheet, h, strong=True) for h in table.headers])
        for i, row in enumerate(table.rows):
            strong = table.total_row and i == len(table.rows) - 1
            sheet.append([cell(sheet, v, strong=strong) for v in row])
        if table.note:
            sheet.append([])
            sheet.append([table.note])
    return workbook.to_bytes()
