"""Choosing how notices come by e-mail, in a real browser (issue 17 §2), axe-core on every page and at 1280 and
375 px: from the inbox, a person chooses a daily digest for deadlines by keyboard, saves, and sees it kept."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from agencies.models import NoticeDelivery
from agencies.notices import preferences_of
from tests.browser.conftest import follow, sign_in, submit, visit
from tests.browser.test_transfers import at_both_widths

pytestmark = pytest.mark.browser


def test_a_person_chooses_a_daily_digest_for_deadlines_from_the_inbox(page: Page, agency_a_manager):
    sign_in(page, agency_a_manager)
    visit(page, "/inbox/")
    follow(page, "link", "Choose how you get notices by e-mail")
    expect(page.get_by_role("heading", name="How you get notices by e-mail")).to_be_visible()
    at_both_widths(page)

    deadlines = page.get_by_role("group", name="Deadlines due and overdue")
    straight_away = deadlines.get_by_label("E-mail me each one straight away")
    expect(straight_away).to_be_checked()  # the default: an e-mail for each
    straight_away.focus()
    page.keyboard.press("ArrowDown")  # by keyboard, as radios are used
    expect(deadlines.get_by_label("Send me one e-mail a day listing them")).to_be_checked()
    submit(page, "Save choices")

    expect(page.get_by_text("Your e-mail choices are saved")).to_be_visible()
    expect(page.get_by_role("group", name="Deadlines due and overdue")
           .get_by_label("Send me one e-mail a day listing them")).to_be_checked()
    expect(page.get_by_role("group", name="New referrals")
           .get_by_label("E-mail me each one straight away")).to_be_checked()
    at_both_widths(page)
    assert preferences_of(agency_a_manager) == {"referrals": NoticeDelivery.IMMEDIATE,
                                                "deadlines": NoticeDelivery.DIGEST,
                                                "meetings": NoticeDelivery.IMMEDIATE,
                                                "updates": NoticeDelivery.IMMEDIATE}
