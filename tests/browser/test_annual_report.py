"""The business unit's annual report in a real browser, with axe-core on every page: the analyst signs in,
opens the annual report from the navigation, changes the year, sees the tables and charts, asks for the PDF
(made by a real Celery worker) and downloads it; the year form and the PDF button work from the keyboard."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from allegations.models import ContactType
from reporting.models import ReportPdf, ReportPdfDownload, ReportPdfStatus
from tests.allegations.test_worker import celery_worker, task_queue, wait_for  # noqa: F401 — fixtures
from tests.browser.conftest import after_navigation, follow, sign_in, submit
from tests.reporting.factories import closed_case, contact, held_meeting, local

pytestmark = [pytest.mark.browser, pytest.mark.worker]


@pytest.fixture(autouse=True)
def media_root(tmp_path, settings, monkeypatch):
    """The live server and the worker (started after this) share a MEDIA_ROOT of the test's own."""
    root = tmp_path / "media"
    settings.MEDIA_ROOT = str(root)
    monkeypatch.setenv("MEDIA_ROOT", str(root))
    return root


@pytest.fixture
def pdf_worker(media_root, celery_worker):  # noqa: F811
    return celery_worker


def test_the_analyst_reads_the_annual_report_and_downloads_its_pdf(page: Page, pdf_worker, analyst, lado_service):
    case = closed_case(lado_service=lado_service, received_at=local(2022, 4, 4, 9), closed_at=local(2022, 9, 30, 12),
                       outcome="substantiated", police_outcome="caution", employer_outcome="dismissed")
    held_meeting(case, kind="initial", held_at=local(2022, 4, 10, 10))
    for month in (5, 8, 11):
        contact(lado_service=lado_service, received_at=local(2022, month, 2, 9), contact_type=ContactType.ADVICE)
    contact(lado_service=lado_service, received_at=local(2021, 6, 2, 9), contact_type=ContactType.ADVICE)

    sign_in(page, analyst)
    follow(page, "link", "Annual report")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Annual report")

    # Change the year with the keyboard: the select, past the workforce radios (one tab stop), then Enter on the
    # button.
    page.get_by_label("Financial year").focus()
    page.get_by_label("Financial year").select_option("2022")
    page.keyboard.press("Tab")
    expect(page.get_by_role("radio", name="Both workforces")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Show the report")).to_be_focused()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    after_navigation(page)
    assert "year=2022" in page.url
    expect(page.get_by_role("heading", level=1)).to_have_text("Annual report 2022/23")
    advice = page.locator("#table-advice")
    assert advice.locator("tbody tr").last.inner_text().split() == ["2022/23", "1", "1", "1", "0", "3"]
    expect(page.get_by_role("img", name="Advice, 2022/23, by quarter", exact=False)).to_be_visible()
    expect(page.locator("#table-outcomes")).to_contain_text("100%")

    # On a phone the five-year tables stack, each figure beside its column's name: nothing scrolls sideways.
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    total = advice.locator("tbody tr").last.locator("td").last
    assert total.get_attribute("data-label") == "Total"
    assert total.evaluate("td => getComputedStyle(td).display") == "flex"
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_label("Financial year").select_option("2021")
    submit(page, "Show the report")
    expect(page.get_by_role("heading", level=1)).to_have_text("Annual report 2021/22")

    # The PDF: asked for from the keyboard, made by the worker, downloaded.
    page.get_by_role("button", name="Prepare a PDF of the 2021/22 report").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    after_navigation(page)
    expect(page.locator(".govuk-notification-banner")).to_contain_text("being prepared")
    pdf = ReportPdf.objects.get()
    wait_for(lambda: ReportPdf.objects.get(pk=pdf.pk).status in (ReportPdfStatus.DONE, ReportPdfStatus.FAILED),
             pdf_worker)
    follow(page, "link", "Check again whether it is ready")
    expect(page.locator("#pdf-status")).to_have_text("Ready")
    with page.expect_download() as info:
        page.get_by_role("button", name="Download the PDF").click()
    data = Path(info.value.path()).read_bytes()
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()
    assert "Managing allegations: annual report 2021/22" in text
    assert "Testshire Partnership" in text
    assert ReportPdfDownload.objects.filter(pdf=pdf, user=analyst).count() == 1
