"""A triage queue and a case list of more than 1,000 rows in a browser (issue 19): they say "More than 1,000",
page on with the pagination's next and previous links (the case list by position past its first 1,000), and
every page passes axe."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.allegations.factories import case_copies, make_case, make_referral, referral_copies
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


def test_a_long_case_list_pages_on_by_position_past_its_first_1000(page: Page, lado_officer, agency_a_manager,
                                                                   lado_service, agency_a):
    """Past page 40 the case list's next and previous carry a case's position (allegations/paging.py): the
    page has the same GOV.UK pagination, a link back to page 1 and no numbered current page, and passes axe."""
    case = make_case(officer=lado_officer, referral=make_referral(actor=agency_a_manager, lado_service=lado_service,
                                                                 agency=agency_a))
    case_copies(case, 1010)
    sign_in(page, lado_officer)
    visit(page, "/cases/?page=40")
    last_of_40 = page.locator("tbody a").last.inner_text()

    follow(page, "link", "Next page")
    assert "after=" in page.url
    expect(page.get_by_text("More than 1,000 cases")).to_be_visible()
    pagination = page.get_by_role("navigation", name="Pagination")
    expect(pagination.get_by_role("link", name="Page 1", exact=True)).to_have_count(1)
    first_of_41 = page.locator("tbody a").first.inner_text()
    assert first_of_41 != last_of_40

    follow(page, "link", "Previous page")
    assert "before=" in page.url
    assert page.locator("tbody a").last.inner_text() == last_of_40
