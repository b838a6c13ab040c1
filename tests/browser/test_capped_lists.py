"""A triage queue of more than 1,000 referrals in a browser (issue 19): it says "More than 1,000
referrals", pages on with the pagination's next and previous links, and both pages pass axe."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.allegations.factories import make_referral, referral_copies
from tests.browser.conftest import follow, sign_in, visit


def test_a_long_queue_says_more_than_1000_and_pages_on(page: Page, lado_officer, agency_a_manager, lado_service,
                                                       agency_a):
    referral = make_referral(actor=agency_a_manager, lado_service=lado_service, agency=agency_a)
    referral_copies(referral, 1010)
    sign_in(page, lado_officer)
    visit(page, "/triage/")
    expect(page.get_by_text("More than 1,000 referrals")).to_be_visible()
    pagination = page.get_by_role("navigation", name="Pagination")
    expect(pagination.get_by_role("link", name="Page 2", exact=True)).to_have_count(1)
    expect(pagination.get_by_role("link", name="Page 41", exact=True)).to_have_count(0)  # no last page it has not counted
    first = page.locator("tbody a").first.inner_text()

    follow(page, "link", "Next page")
    assert page.url.endswith("?page=2")
    expect(page.get_by_text("More than 1,000 referrals")).to_be_visible()
    assert page.locator("tbody a").first.inner_text() != first
    follow(page, "link", "Previous page")
    assert page.locator("tbody a").first.inner_text() == first
