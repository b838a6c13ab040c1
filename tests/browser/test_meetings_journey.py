"""The meetings journey (issue part 8), in a real browser with axe-core on every page it visits:
the chair schedules a meeting from a case, invites an employer-level and a safeguarding-level invitee,
records minutes with a child-only section and an adult (employment) section, approves and circulates
them; the employer-level invitee sees only the employment and general sections, and their PDF (made by a
real Celery worker) lacks the child's section; the chair withholds a passage and releases a redacted PDF
that lacks it."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from meetings.models import Meeting, MinutesPdf, PdfDownload, PdfStatus, Withholding
from tests.allegations.factories import make_case
from tests.allegations.test_worker import celery_worker, task_queue, wait_for  # noqa: F401 — fixtures
from tests.browser.conftest import click_and_load, follow, sign_in, sign_out, submit, visit
from tests.browser.dates import fill_date

pytestmark = [pytest.mark.browser, pytest.mark.worker]

LONDON = ZoneInfo("Europe/London")
CHILD_TEXT = "Sam told the class teacher about the bruise; Sam lives with mum at 4 Elm Road."
ADULT_TEXT = "The teacher works away from pupils while the school investigates; HR hold the investigation meeting."
WITHHELD = "HR hold the investigation meeting"


def name_of(user) -> str:
    return user.get_full_name() or user.username


def pdf_text(data: bytes) -> str:
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()
    return re.sub(r"\s+", " ", text)


@pytest.fixture
def pdf_worker(media_root, celery_worker):  # noqa: F811
    """A real Celery worker on this test's own queue, started after MEDIA_ROOT is set for it."""
    return celery_worker


@pytest.fixture(autouse=True)
def media_root(tmp_path, settings, monkeypatch):
    """The live server and the worker (a separate process, started after this) share a MEDIA_ROOT of the test's own."""
    root = tmp_path / "media"
    settings.MEDIA_ROOT = str(root)
    monkeypatch.setenv("MEDIA_ROOT", str(root))
    return root


def download(page: Page, worker, pdf: MinutesPdf) -> bytes:
    """Wait for the worker, look again (the page's own link: no JavaScript needed), and download the PDF."""
    wait_for(lambda: MinutesPdf.objects.get(pk=pdf.pk).status in (PdfStatus.DONE, PdfStatus.FAILED), worker)
    follow(page, "link", "Check again whether it is ready")
    expect(page.locator("#pdf-status")).to_have_text("Ready")
    with page.expect_download() as info:
        page.get_by_role("button", name="Download the PDF").click()
    return Path(info.value.path()).read_bytes()


def test_minutes_from_scheduling_to_a_redacted_pdf(
    page: Page, media_root, pdf_worker, chair, lado_officer, referral, agency_a_manager, police_user
):
    case = make_case(officer=lado_officer, referral=referral)
    tomorrow = dt.datetime.now(LONDON).date() + dt.timedelta(days=1)

    # --- The chair schedules a meeting from the case page ------------------------------------------
    sign_in(page, chair)
    visit(page, f"/cases/{case.reference}/meetings/")
    follow(page, "link", "Schedule a meeting")
    page.get_by_label("Initial position-of-trust (managing allegations) meeting").check()
    fill_date(page, "Date and time", f"{tomorrow.isoformat()}T10:00")
    page.get_by_label("Where is it held? (leave blank if online only)").fill("Room 4, County Hall")
    submit(page, "Schedule meeting")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Meeting scheduled.")
    meeting = Meeting.objects.get(case=case)

    # --- Invites the employer (employer level) and the police (safeguarding level) ---------------
    for person, level in ((agency_a_manager, "Employer or HR"), (police_user, "Safeguarding professional")):
        follow(page, "link", "Invite someone")
        page.get_by_label("A person with an account (optional)").select_option(label=name_of(person))
        page.get_by_label(re.compile(level)).check()
        submit(page, "Invite")
        expect(page.locator("#invitees ~ table")).to_contain_text(name_of(person))

    # --- Holds it and records the minutes --------------------------------------------------------------
    follow(page, "button", "Record that it was held")
    fill_date(page, "When was the meeting held?", dt.datetime.now(LONDON).strftime("%Y-%m-%dT%H:%M:%S"))
    for person in (agency_a_manager, police_user):
        page.get_by_role("group", name=name_of(person)).get_by_label("Attended").check()
    submit(page, "Save")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Meeting recorded as held.")

    follow(page, "button", "Edit the minutes")
    page.get_by_label("The children involved and safeguarding enquiries", exact=True).fill(CHILD_TEXT)
    page.get_by_label("Employment arrangements: suspension or alternatives, support", exact=True).fill(ADULT_TEXT)
    page.get_by_label("How confidentiality was handled (required before approval)").fill(
        "The employer's HR left before the child's details were discussed.")
    page.get_by_label("Evaluation of the level of concern and risk assessment (required before approval)").fill(
        "Medium: no unsupervised contact with pupils.")
    page.get_by_label("Decisions and rationale (required before approval)").fill(
        "The school moves the teacher away from pupils. Rationale: protects pupils without prejudging the outcome.")
    page.get_by_label("None raised").check()
    submit(page, "Save the minutes")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Minutes saved.")

    # --- Approves and circulates them ----------------------------------------------------------------------
    follow(page, "button", "Approve the minutes")
    submit(page, "Approve as version 1")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Minutes approved as version 1.")
    follow(page, "button", "Circulate the minutes")
    submit(page, "Send the minutes")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Version 1 sent to 2 people.")
    sign_out(page)

    # --- The employer-level invitee sees only the adult's and general sections, and gets their PDF -------
    sign_in(page, agency_a_manager)
    visit(page, "/meetings/")
    expect(page.locator(f'a[href="/meetings/{meeting.pk}/"]')).to_be_visible()
    visit(page, f"/meetings/{meeting.pk}/")
    expect(page.locator("#section-adult_employment")).to_contain_text(ADULT_TEXT)
    expect(page.locator("#section-decisions")).to_be_visible()
    expect(page.locator("#section-children_involved")).to_have_count(0)
    assert CHILD_TEXT not in page.content()

    click_and_load(page, page.get_by_role("button", name=re.compile(r"^Get a PDF of these minutes\W+version 1$")))
    expect(page.get_by_role("heading", level=1)).to_have_text("PDF of the minutes, version 1")
    pdf = MinutesPdf.objects.get(requested_by=agency_a_manager)
    assert pdf.variant == "employer"
    text = pdf_text(download(page, pdf_worker, pdf))
    assert ADULT_TEXT in text
    assert CHILD_TEXT not in text and "Elm Road" not in text
    assert "OFFICIAL-SENSITIVE" in text and f"Prepared for: {name_of(agency_a_manager)}, Riverside Primary" in text
    assert "Version 1, approved" in text
    assert PdfDownload.objects.filter(pdf=pdf, user=agency_a_manager).count() == 1
    sign_out(page)

    # --- The chair withholds a passage and releases a redacted PDF -------------------------------------------
    sign_in(page, chair)
    visit(page, f"/meetings/{meeting.pk}/minutes/versions/1/")
    follow(page, "button", "Withhold a passage")
    page.get_by_label("Passage to withhold").fill(WITHHELD)
    page.get_by_label("Why is it withheld?").fill("The employer's internal process is not for the subject.")
    submit(page, "Withhold the passage")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Passage withheld from the redacted version.")
    assert Withholding.objects.get().text == WITHHELD

    follow(page, "button", "Prepare the redacted PDF")
    expect(page.get_by_label(re.compile("Redacted, for the subject or the employer"))).to_be_checked()
    page.get_by_label("Or: who else is it for? (optional)").fill("The subject, on request")
    submit(page, "Prepare the PDF")
    redacted = MinutesPdf.objects.get(variant="redacted")
    text = pdf_text(download(page, pdf_worker, redacted))
    assert WITHHELD not in text and "investigation meeting" not in text
    assert "The teacher works away from pupils while the school investigates; [withheld]." in text
    assert CHILD_TEXT not in text
    assert "Prepared for: The subject, on request" in text

    # The chair sees who downloaded which PDF.
    visit(page, f"/meetings/{meeting.pk}/pdfs/{pdf.pk}/")
    expect(page.get_by_role("table", name="Who downloaded this PDF, when")).to_contain_text(name_of(agency_a_manager))
