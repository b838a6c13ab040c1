"""Search in a browser: from the header's Search link, an empty search gets its message, a misspelt surname
finds the person's case, the results fit a phone without sideways scrolling, and back from a result returns to
them. axe finds nothing on any of these pages, at 1280 and at 375 pixels wide."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.allegations.factories import make_case, make_referral
from tests.browser.conftest import after_navigation, click_and_load, follow, sign_in, submit

pytestmark = pytest.mark.browser


def _fits(page: Page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_search_from_the_header_finds_a_misspelt_surname_and_fits_a_phone(
    page: Page, lado_officer, agency_a_manager, lado_service, agency_a
):
    case = make_case(officer=lado_officer, referral=make_referral(
        actor=agency_a_manager, lado_service=lado_service, agency=agency_a, given="Alex", family="Morgan"))
    make_referral(actor=agency_a_manager, lado_service=lado_service, agency=agency_a, given="Robin", family="Smith")
    reference = case.referral.reference
    sign_in(page, lado_officer)

    follow(page, "link", "Search")
    expect(page.get_by_role("heading", level=1)).to_have_text("Search")
    submit(page, "Search")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a reference, a name or an employer")

    page.get_by_label("Search", exact=True).fill("Morgen")
    submit(page, "Search")
    assert "Morgen" not in page.url
    results = page.get_by_role("region", name="Cases")
    expect(results.get_by_role("link", name=reference)).to_be_visible()
    expect(results).to_contain_text("Alex Morgan")
    expect(results).to_contain_text("Riverside Primary")
    expect(page.get_by_role("region", name="Referrals")).to_contain_text("No referrals match.")

    page.set_viewport_size({"width": 375, "height": 800})
    page.reload()
    after_navigation(page)
    assert _fits(page)

    click_and_load(page, results.get_by_role("link", name=reference))
    assert page.url.endswith(f"/cases/{reference}/")
    page.go_back()
    after_navigation(page)
    expect(page.get_by_role("region", name="Cases").get_by_role("link", name=reference)).to_be_visible()

    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_label("Search", exact=True).fill(reference.rsplit("-", 1)[1])
    submit(page, "Search")
    expect(page.get_by_role("region", name="Cases").get_by_role("link", name=reference)).to_be_visible()
