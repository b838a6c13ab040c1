"""The annual report page, its downloads and its PDF: who may see them, what they show."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from allegations.models import ContactType
from reporting.models import ReportPdf, ReportPdfDownload, ReportPdfStatus
from reporting.tasks import render_report_pdf
from tests.reporting.factories import closed_case, contact, held_meeting, local

pytestmark = pytest.mark.django_db


@pytest.fixture
def analyst(business_unit):
    from agencies.models import Role
    from tests.agencies.factories import UserFactory, member

    return member(UserFactory(username="analyst", first_name="Ana", last_name="Lyst"), business_unit, Role.ANALYST)


@pytest.fixture
def history(lado_service):
    """A little of everything in 2022/23, and advice in 2019/20."""
    case = closed_case(lado_service=lado_service, received_at=local(2022, 4, 4, 9), closed_at=local(2022, 9, 30, 12),
                       outcome="substantiated", police_outcome="caution", employer_outcome="dismissed")
    closed_case(lado_service=lado_service, received_at=local(2022, 5, 4, 9), closed_at=local(2023, 1, 5, 12),
                timing="non_recent", outcome="unfounded")
    held_meeting(case, kind="initial", held_at=local(2022, 4, 10, 10))
    contact(lado_service=lado_service, received_at=local(2022, 7, 1, 9), contact_type=ContactType.ADVICE)
    contact(lado_service=lado_service, received_at=local(2019, 7, 1, 9), contact_type=ContactType.ADVICE)
    return case


def test_the_analyst_sees_the_report_as_tables_with_charts(login, analyst, history):
    response = login(analyst).get(reverse("reporting:annual"), {"year": 2022})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Annual report 2022/23" in page
    assert 'id="table-advice"' in page and 'id="table-outcomes"' in page and 'id="table-dbs_and_regulators"' in page
    assert page.count('role="img"') == 7  # three quarterly tables; outcomes, police, employer, duration
    assert "<desc" in page and "Q1: 0; Q2: 1; Q3: 0; Q4: 0." in page
    assert "style=" not in page  # CSP: no inline styles
    assert "100%" in page  # percentages beside the outcome counts
    assert "Test" not in page.split("Testshire")[0]  # no subject names: they are "Report SubjectN"
    assert "Subject" not in page


def test_the_page_defaults_to_the_last_year_that_ended_and_lists_the_years(login, analyst, history):
    response = login(analyst).get(reverse("reporting:annual"))
    assert response.status_code == 200
    page = response.content.decode()
    assert '<option value="2019"' in page  # the first contact's year is offered


def test_a_year_not_offered_is_an_error_on_the_page(login, analyst, history):
    response = login(analyst).get(reverse("reporting:annual"), {"year": "1850"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "govuk-error-summary" in page
    assert "table-advice" not in page


def test_the_lado_manager_sees_it_and_an_officer_does_not(login, lado_manager, lado_officer, history):
    assert login(lado_manager).get(reverse("reporting:annual"), {"year": 2022}).status_code == 200
    refused = login(lado_officer).get(reverse("reporting:annual"), {"year": 2022})
    assert refused.status_code == 403  # a page that names no record: the officer is told who can use it
    assert "Business unit analyst" in refused.content.decode() and "LADO service manager" in refused.content.decode()
    assert login(lado_officer).get(reverse("reporting:annual_csv"), {"year": 2022}).status_code == 403


def test_the_page_is_a_fixed_number_of_queries(login, analyst, lado_service, django_assert_max_num_queries):
    client = login(analyst)
    client.get(reverse("reporting:annual"), {"year": 2022})
    # With the inbox's unread count in the navigation, complaints and reopened cases (one query each), and the five
    # years of consultations without a name; and one query for each table of 002 added by issue 18 (nine).
    with django_assert_max_num_queries(28) as few:
        client.get(reverse("reporting:annual"), {"year": 2022})
    for month in (4, 6, 9, 12):
        case = closed_case(lado_service=lado_service, received_at=local(2022, month, 1, 9),
                           closed_at=local(2022, month, 20, 9))
        held_meeting(case, kind="review", held_at=local(2022, month, 10, 9))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("reporting:annual"), {"year": 2022})


def test_csv_and_xlsx_downloads(login, analyst, history):
    client = login(analyst)
    response = client.get(reverse("reporting:annual_csv"), {"year": 2022})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="annual-report-2022-23.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert ["advice", "2022/23", "Q2", "1"] in rows
    assert ["outcomes", "non_recent", "unfounded", "1"] in rows

    response = client.get(reverse("reporting:annual_xlsx"), {"year": 2022})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    assert len(book.sheetnames) >= 15
    police = [list(r) for r in book["Police outcomes"].iter_rows(values_only=True)]
    assert police[1][:3] == ["Police outcome", "Contemporaneous", "% of contemporaneous"]
    assert police[4][:3] == ["Caution", 1, 1.0]
    assert client.get(reverse("reporting:annual_xlsx"), {"year": "x"}).status_code == 404


def test_the_pdf_is_requested_rendered_by_the_task_and_downloaded_with_a_record(
    login, analyst, history, settings, tmp_path, django_capture_on_commit_callbacks,
):
    settings.MEDIA_ROOT = str(tmp_path)
    client = login(analyst)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(reverse("reporting:annual_pdf_request"), {"year": 2022})
    pdf = ReportPdf.objects.get()
    assert response.status_code == 302 and response.url == reverse("reporting:annual_pdf", args=[pdf.pk])
    assert len(callbacks) == 1  # the task is queued after commit
    assert pdf.status == ReportPdfStatus.QUEUED and pdf.requested_by == analyst and pdf.year == 2022
    page = client.get(response.url).content.decode()
    assert "being prepared" in page and "Download the PDF" not in page

    assert render_report_pdf(pdf.pk) == ReportPdfStatus.DONE  # the task's function, as the worker runs it
    assert render_report_pdf(pdf.pk) == ReportPdfStatus.DONE  # again: nothing to do
    pdf.refresh_from_db()
    assert pdf.pages >= 2
    assert (tmp_path / "reports" / pdf.file.name).is_file()  # under MEDIA_ROOT/reports, served by no URL
    assert "Download the PDF" in client.get(response.url).content.decode()

    download = client.get(reverse("reporting:annual_pdf_download", args=[pdf.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert ReportPdfDownload.objects.filter(pdf=pdf, user=analyst).count() == 1
    assert "Ana Lyst" in client.get(response.url).content.decode()  # who downloaded it


def test_outsiders_get_404_for_a_pdf(login, analyst, lado_officer, agency_a_manager, history):
    pdf = ReportPdf.objects.create(year=2022, requested_by=analyst)
    for person in (lado_officer, agency_a_manager):
        client = login(person)
        assert client.get(reverse("reporting:annual_pdf", args=[pdf.pk])).status_code == 404
        assert client.get(reverse("reporting:annual_pdf_download", args=[pdf.pk])).status_code == 404
        assert client.post(reverse("reporting:annual_pdf_request"), {"year": 2022}).status_code == 403  # no record
    assert ReportPdf.objects.count() == 1
    assert login(analyst).get(reverse("reporting:annual_pdf", args=[pdf.pk + 1])).status_code == 404


def test_the_analyst_still_sees_no_case_records(login, analyst, history):
    client = login(analyst)
    assert client.get(reverse("allegations:case_detail", args=[history.referral.reference])).status_code == 404
    assert client.get(reverse("allegations:case_list")).status_code == 403


def test_the_navigation_links_the_report_for_analysts_and_managers(login, analyst, lado_manager, lado_officer):
    href = f'href="{reverse("reporting:annual")}"'
    assert href in login(analyst).get(reverse("reporting:figures")).content.decode()
    assert href in login(lado_manager).get(reverse("inbox")).content.decode()
    assert href not in login(lado_officer).get(reverse("inbox")).content.decode()


def test_the_downloads_keep_numbers_as_numbers_and_text_as_text(login, analyst, history, partnership):
    """The workbook goes through the one writer (config/spreadsheets.py): a partnership name that
    looks like a formula is text, the counts and percentages stay numbers."""
    partnership.name = "=HYPERLINK(\"http://evil.example\")"
    partnership.save()
    client = login(analyst)
    book = load_workbook(io.BytesIO(client.get(reverse("reporting:annual_xlsx"), {"year": 2022}).content))
    title = book["Report"]["A1"]
    assert title.value.startswith("'=HYPERLINK") and title.data_type == "s"
    police = book["Police outcomes"]
    assert [police.cell(row=5, column=c).value for c in (2, 3)] == [1, 1.0]
    assert police.cell(row=5, column=2).data_type == "n"
    assert all(c.data_type != "f" for sheet in book for row in sheet.iter_rows() for c in row)
    rows = list(csv.reader(io.StringIO(client.get(reverse("reporting:annual_csv"), {"year": 2022}).content.decode())))
    assert all(not cell.startswith(("=", "+", "@")) for row in rows for cell in row)
