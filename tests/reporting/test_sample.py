"""The sample history (../shared/data/sample) imported with import_cases gives the expected
annual reports, key by key; the command writes them as JSON, CSV, XLSX and PDF, and none of
them holds a name of a subject or a child of the sample."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction

from agencies.models import Partnership
from reporting.annual import annual_report

SAMPLE = Path(settings.BASE_DIR).parent / "shared" / "data" / "sample"
YEARS = (2021, 2022)


def _leaves(value, path=""):
    """(dotted key, value) for every number and text of a JSON value, in order."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _leaves(inner, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _leaves(inner, f"{path}[{index}]")
    else:
        yield path, value


def pdf_pages(data: bytes) -> list[str]:
    """The PDF's text as poppler's pdftotext reads it, page by page."""
    result = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True)
    return [page for page in result.stdout.decode().split("\f") if page.strip()]


# Keys the report gained after the sample's expected figures were written (annual-report.md), with their values
# for the sample: it holds no transfers in, and its contacts transferred out.
ADDED_KEYS = {
    "transfers": lambda year, report: report["transfers"] == {"in": 0, "out": SAMPLE_TRANSFERS_OUT[year]},
    "workforce": lambda year, report: report["workforce"] == "both",  # both workforces unless asked
}


def _sample_transfers_out() -> dict[int, int]:
    """Transfers out in the sample, by financial year of received_at (counted from the file, not typed in)."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    counts = {year: 0 for year in YEARS}
    with open(SAMPLE / "cases.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["contact_type"] != "transfer":
                continue
            received = dt.datetime.fromisoformat(row["received_at"])
            received = received if received.tzinfo else received.replace(tzinfo=ZoneInfo("Europe/London"))
            local = received.astimezone(ZoneInfo("Europe/London"))
            year = local.year if local.month >= 4 else local.year - 1
            if year in counts:
                counts[year] += 1
    return counts


SAMPLE_TRANSFERS_OUT = _sample_transfers_out()


def expected(year: int) -> dict:
    return json.loads((SAMPLE / f"expected-annual-report-{year}.json").read_text())


def without_added(report: dict) -> dict:
    return {key: value for key, value in report.items() if key not in ADDED_KEYS}


def subject_names() -> set[str]:
    """Every subject's full name in the sample, and each family name of four letters or more."""
    names = set()
    with open(SAMPLE / "cases.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            names.add(f"{row['subject_given_name']} {row['subject_family_name']}")
    return names


@pytest.fixture(scope="module")
def sample(django_db_setup, django_db_blocker):
    """The sample imported once for the module, in a transaction rolled back at its end."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer._from_testcase = True  # durable services may nest in it, as in a TestCase
        outer.__enter__()
        try:
            Partnership.objects.create(name="Sampleshire Safeguarding Partnership")
            call_command("import_cases", cases=str(SAMPLE / "cases.csv"), meetings=str(SAMPLE / "meetings.csv"),
                         stdout=io.StringIO(), stderr=io.StringIO())
            yield {year: annual_report(year) for year in YEARS}
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.mark.django_db
@pytest.mark.parametrize("year", YEARS)
def test_the_sample_gives_the_expected_report_key_by_key(sample, year):
    got, want = sample[year], expected(year)
    assert list(got)[len(want):] == list(ADDED_KEYS), "the keys added after the sample's figures, at the end"
    for key, check in ADDED_KEYS.items():
        assert check(year, got), f"{key}: {got[key]!r}"
    got = without_added(got)
    assert list(got) == list(want), "the top-level keys differ, or their order"
    got_leaves, want_leaves = dict(_leaves(got)), dict(_leaves(want))
    assert list(got_leaves) == list(want_leaves), (
        f"keys missing: {sorted(set(want_leaves) - set(got_leaves))}; "
        f"keys not expected: {sorted(set(got_leaves) - set(want_leaves))}")
    wrong = [f"{key}: got {got_leaves[key]!r}, expected {value!r}" for key, value in want_leaves.items()
             if got_leaves[key] != value]
    assert not wrong, f"{len(wrong)} keys differ for {year}:\n" + "\n".join(wrong)


@pytest.mark.django_db
def test_the_command_prints_the_json(sample):
    out = io.StringIO()
    call_command("annual_report", year=2022, format="json", stdout=out)
    assert without_added(json.loads(out.getvalue())) == expected(2022)


@pytest.mark.django_db
def test_the_command_writes_csv_xlsx_and_pdf_without_names(sample, tmp_path):
    from openpyxl import load_workbook

    names = subject_names()
    assert len(names) > 100

    out = io.StringIO()
    call_command("annual_report", year=2022, format="csv", stdout=out)
    text = out.getvalue()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1] == ["section", "breakdown", "item", "count"]
    found = {(r[0], r[1], r[2]): int(r[3]) for r in rows[2:]}
    assert found[("advice", "2022/23", "Q3")] == 46
    assert found[("advice", "2018/19", "total")] == 89
    assert found[("outcomes", "contemporaneous", "substantiated")] == 18
    assert found[("dbs_referrals", "", "")] == 9
    assert found[("meetings", "", "strategy_discussions_chaired")] == 22
    assert found[("referral_timeliness", "", "unknown")] == 9

    xlsx = tmp_path / "report.xlsx"
    call_command("annual_report", year=2022, format="xlsx", output=str(xlsx), stderr=io.StringIO())
    book = load_workbook(xlsx, read_only=True)
    assert {"Advice", "Outcomes", "DBS and regulators", "Contemporaneous durations"} <= set(book.sheetnames)
    assert all(len(name) <= 31 for name in book.sheetnames)
    cells = [str(c) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    advice = [list(r) for r in book["Advice"].iter_rows(values_only=True)]
    assert advice[1] == ["Year", "Q1", "Q2", "Q3", "Q4", "Total"]
    assert advice[6] == ["2022/23", 31, 26, 46, 51, 154]
    outcomes = [list(r) for r in book["Outcomes"].iter_rows(values_only=True)]
    assert outcomes[2][:3] == ["Substantiated", 18, pytest.approx(18 / 32)]

    pdf = tmp_path / "report.pdf"
    call_command("annual_report", year=2022, format="pdf", output=str(pdf), stderr=io.StringIO())
    pages = pdf_pages(pdf.read_bytes())
    assert len(pages) >= 2
    for page in pages:  # the partnership and the period on every page
        assert "Sampleshire Safeguarding Partnership" in page
        assert "Financial year 2022/23" in page
    pdf_text = "\n".join(pages)
    assert "LADO advice by quarter" in pdf_text and "Employer outcomes" in pdf_text

    for where, content in (("CSV", text), ("XLSX", "\n".join(cells)), ("PDF", pdf_text)):
        leaked = sorted(name for name in names if name in content)
        assert not leaked, f"the {where} names subjects: {leaked[:5]}"
