"""The composite as CSV and XLSX: questions as rows, agencies as columns, submitted answers in words."""

from __future__ import annotations

from openpyxl.styles import Alignment, Font

from config.spreadsheets import SafeWorkbook, csv_text

from .selectors import Composite


def to_csv(c: Composite) -> str:
    return csv_text([c.headers(), c.status_row(), *c.text_rows(), *c.total_rows()])


def to_xlsx(c: Composite, *, partnership_name: str) -> bytes:
    workbook = SafeWorkbook()
    sheet = workbook.first_sheet("Composite")
    sheet.append([f"{partnership_name}: {c.round.title} ({c.round.period})"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([])
    sheet.append(c.headers())
    sheet.append(c.status_row())
    for row in c.text_rows():
        sheet.append(row)
    for row in c.total_rows():  # the numbers questions, totalled across the agencies
        sheet.append(row)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for row in sheet.iter_rows(min_row=4):
        row[0].font = Font(bold=True)
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.column_dimensions["A"].width = 60
    for i in range(2, len(c.requests) + 2):
        sheet.column_dimensions[sheet.cell(row=3, column=i).column_letter].width = 45
    sheet.freeze_panes = "B4"
    return workbook.to_bytes()
