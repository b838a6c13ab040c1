"""A cross-border transfer in a real browser (issue 16 part 7; 003 §4, §14, §69–72), axe-core on every page and at
1280 and 375 px: the LADO officer decides at triage that the referral goes to another authority, sends it (the
handover bundle, a PDF and the referral's JSON Lines, is kept on the referral), the acknowledgement deadline shows
as open; then the acknowledgement is recorded and the deadline is met."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from allegations.models import Transfer
from deadlines.models import Deadline
from records.services import document_path
from tests.allegations.factories import discuss
from tests.browser.conftest import sign_in, submit, visit
from tests.browser.dates import fill_date
from tests.browser.test_casework_layout import DESKTOP, PHONE, check_region

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def document_root(settings, tmp_path):
    settings.DOCUMENT_ROOT = str(tmp_path / "documents")  # the live server runs in this process
    return tmp_path / "documents"


def at_both_widths(page: Page) -> None:
    """The page as it is, at 1280 px and at 375 px: accessible (axe, with `region`), nothing scrolls sideways."""
    path = page.url
    for width in (DESKTOP, PHONE):
        page.set_viewport_size({"width": width, "height": 900})
        visit(page, path)
        check_region(page)
        scroll, inner = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        wide = page.evaluate("""() => Array.from(document.querySelectorAll('main *'))
            .filter(e => e.getBoundingClientRect().right > window.innerWidth)
            .slice(0, 5).map(e => e.tagName + '.' + e.className + ': ' + (e.textContent || '').trim().slice(0, 60))""")
        assert scroll <= inner, f"{path} scrolls sideways at {width} px: {scroll} > {inner}: {wide}"
    page.set_viewport_size({"width": DESKTOP, "height": 900})


def test_a_referral_is_transferred_out_and_acknowledged(page: Page, lado_officer, referral):
    discuss(referral, lado_officer)
    sign_in(page, lado_officer)
    visit(page, f"/referrals/{referral.reference}/")
    with page.expect_navigation():  # a link styled as a button
        page.get_by_role("button", name="Record the triage decision").click()

    # Triage: the person works in another authority's area, whose LADO leads.
    page.get_by_label("Transfer to another authority's LADO").check()
    page.get_by_label("If transferred: to which authority?").fill("Westshire")
    page.get_by_label("Rationale").fill("The person works in Westshire: their LADO service leads.")
    submit(page, "Record decision")

    # Sending it: an error first (nothing to reach the contact by), typed values kept.
    expect(page.get_by_role("heading", name="Send the referral to another authority")).to_be_visible()
    at_both_widths(page)
    expect(page.get_by_label("Receiving authority")).to_have_value("Westshire")
    page.get_by_label("Contact's name at the receiving LADO service").fill("Jo Receiver")
    page.get_by_label("Who was the lead agreed with?").fill("Jo Receiver, Westshire LADO")
    fill_date(page, "When was the lead agreed?", timezone.localdate())
    submit(page, "Send and keep the handover")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the contact's email address or phone number.")
    expect(page.get_by_label("Contact's name at the receiving LADO service")).to_have_value("Jo Receiver")
    assert not Transfer.objects.exists()
    page.get_by_label("Contact's email address").fill("lado@westshire.example")
    submit(page, "Send and keep the handover")

    # The referral: sent, the handover kept, the acknowledgement open.
    expect(page.get_by_role("heading", name="Sent to another authority")).to_be_visible()
    at_both_widths(page)
    transfer = Transfer.objects.get()
    expect(page.get_by_role("link", name=f"{referral.reference}-handover.pdf")).to_be_visible()
    expect(page.get_by_role("link", name=f"{referral.reference}-handover.jsonl")).to_be_visible()
    assert document_path(transfer.bundle_pdf).read_bytes().startswith(b"%PDF-")
    assert json.loads(document_path(transfer.bundle_jsonl).read_text())["reference"] == referral.reference
    deadlines = page.locator(".app-deadline-list li").filter(has_text="Acknowledgement of a transfer")
    expect(deadlines.locator(".app-deadline")).to_have_text("Open")
    with page.expect_download() as download:
        page.get_by_role("link", name=f"{referral.reference}-handover.pdf").click()
    assert download.value.suggested_filename == f"{referral.reference}-handover.pdf"

    # The receiving service acknowledges it: the deadline is met.
    with page.expect_navigation():
        page.get_by_role("button", name="Record the acknowledgement").click()
    expect(page.get_by_role("heading", name="Record Westshire's acknowledgement")).to_be_visible()
    at_both_widths(page)
    expect(page.get_by_label("Who acknowledged it?")).to_have_value("Jo Receiver")
    fill_date(page, "When was it acknowledged?", timezone.localdate())
    submit(page, "Save acknowledgement")
    expect(page.get_by_text("Acknowledgement recorded.")).to_be_visible()
    deadlines = page.locator(".app-deadline-list li").filter(has_text="Acknowledgement of a transfer")
    expect(deadlines.locator(".app-deadline")).to_have_text("Met")
    at_both_widths(page)
    assert Deadline.objects.get(kind=Deadline.Kind.TRANSFER_ACKNOWLEDGEMENT).status == Deadline.Status.MET
