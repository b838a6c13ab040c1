"""Low-level concerns in a real browser (issue 16 part 8), axe-core on every page at 1280 and 375 px: an agency's
senior manager records a concern about one of its people; with two earlier ones that makes three in twelve
months, and the LADO officer sees the prompt on the triage queue and opens a referral from it."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from allegations.models import Referral
from lowlevel.models import LowLevelConcern
from tests.browser.conftest import follow, sign_in, sign_out, submit, visit
from tests.browser.dates import fill_date
from tests.browser.test_casework_layout import at_both_widths
from tests.lowlevel.factories import record

pytestmark = pytest.mark.browser


def test_an_agency_records_a_concern_and_the_lado_opens_a_referral_from_the_prompt(
        page: Page, agency_a_manager, agency_a, lado_officer, lado_service):
    today = dt.date.today()
    for days in (200, 90):
        record(actor=agency_a_manager, agency=agency_a, given="Chris", family="Lowe",
               occurred_on=today - dt.timedelta(days=days))

    # --- The agency's senior manager records the third concern -------------------------------------------
    sign_in(page, agency_a_manager)
    visit(page, "/low-level-concerns/")
    follow(page, "button", "Record a low-level concern")
    submit(page, "Record the concern")  # nothing typed: the error summary says what is missing
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the person's first name.")
    page.get_by_label("First name").fill("Chris")
    page.get_by_label("Last name").fill("Lowe")
    page.get_by_label("Their role").fill("Teaching assistant")
    fill_date(page, "When did it happen?", today - dt.timedelta(days=2))
    page.get_by_label("What happened?").fill("Messaged a pupil on a personal account about homework.")
    page.get_by_label("What action did you take as the employer?").fill("Reminded of the online safety policy.")
    submit(page, "Record the concern")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Low-level concern recorded")
    expect(page.locator("h1")).to_have_text("Chris Lowe")
    concern = LowLevelConcern.objects.order_by("-pk").first()
    at_both_widths(page, f"/low-level-concerns/{concern.pk}/")
    at_both_widths(page, "/low-level-concerns/")
    sign_out(page)

    # --- The LADO officer is prompted on the triage queue, and opens a referral from it --------------------
    sign_in(page, lado_officer)
    at_both_widths(page, "/triage/")
    expect(page.locator("#low-level-prompts-title")).to_have_text("People to consider")
    expect(page.locator(".govuk-notification-banner").filter(has_text="People to consider")
           ).to_contain_text("3 or more concerns within 12 months")
    follow(page, "link", "Open a referral about Chris Lowe")
    expect(page.get_by_label("First name")).to_have_value("Chris")
    expect(page.get_by_label("What is the concern?")).to_contain_text("Messaged a pupil on a personal account")
    path = page.url.removeprefix(page.url.split("/low-level-concerns/")[0])
    at_both_widths(page, path)
    page.get_by_label("Works with children (LADO)").check()
    page.get_by_label("Emotional").check()
    page.get_by_label("Contemporaneous — it is recent or happening now").check()
    submit(page, "Open the referral")
    referral = Referral.objects.get()
    assert page.url.endswith(f"/referrals/{referral.reference}/")
    expect(page.locator("body")).to_contain_text("Opened from 3 low-level concerns recorded by 1 employer")
    assert referral.low_level_concerns.count() == 3
    visit(page, "/triage/")
    expect(page.locator("#low-level-prompts-title")).to_have_count(0)
