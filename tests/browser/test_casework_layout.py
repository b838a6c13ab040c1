"""The case-working layout (issue 15): pages that fit a phone and a wide screen, urgent work first,
every page accessible at both widths (axe's WCAG rules and its `region` rule: all content in landmarks)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import AXE, check_axe, sign_in, visit

pytestmark = pytest.mark.browser

PHONE, DESKTOP = 375, 1280


@pytest.fixture
def open_referral(agency_a_manager, lado_service, agency_a):
    from tests.allegations.factories import make_referral

    return make_referral(actor=agency_a_manager, lado_service=lado_service, agency=agency_a, given="Kim", family="Third")


def check_region(page: Page) -> None:
    """axe's `region` rule (a best practice, so not among the WCAG tags check_axe runs): nothing outside a landmark."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        """async () => (await axe.run(document, {runOnly: {type: 'rule', values: ['region']},
                                                resultTypes: ['violations']})).violations"""
    )
    assert violations == [], f"content outside landmarks on {page.url}: " + "; ".join(
        n["html"][:120] for v in violations for n in v["nodes"])


def at_both_widths(page: Page, path: str) -> None:
    """At 1280 px and at 375 px: accessible (axe, with `region`), and nothing scrolls sideways on the phone."""
    for width in (DESKTOP, PHONE):
        page.set_viewport_size({"width": width, "height": 900})
        visit(page, path)
        check_region(page)
        scroll, inner = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert scroll <= inner, f"{path} scrolls sideways at {width} px: {scroll} > {inner}"
    page.set_viewport_size({"width": DESKTOP, "height": 900})


def test_the_duty_officers_pages_fit_a_phone_and_pass_axe(page: Page, lado_officer, case, open_referral):
    sign_in(page, lado_officer)
    for path in ("/my-work/", "/triage/", "/cases/", "/meetings/", f"/referrals/{open_referral.reference}/"):
        at_both_widths(page, path)


def test_the_agency_and_the_analysts_pages_fit_a_phone(page: Page, agency_a_manager, case):
    sign_in(page, agency_a_manager)
    for path in ("/my-work/", "/actions/", "/cases/", "/referrals/"):
        at_both_widths(page, path)


def test_the_chairs_my_work_and_the_figures(browser, page: Page, chair, analyst, lado_service):
    sign_in(page, chair)
    at_both_widths(page, "/my-work/")
    expect(page.get_by_role("table", name=re.compile(r"^Minutes to approve or circulate"))).to_be_visible()
    expect(page.get_by_role("table", name=re.compile(r"^Meetings to chair"))).to_be_visible()
    page.context.clear_cookies()
    sign_in(page, analyst)
    at_both_widths(page, "/reporting/figures/")


def test_the_queue_shows_25_open_referrals_on_one_line_each_and_keeps_its_filters(page: Page, lado_officer, referral):
    from allegations.models import ReferralStatus
    from tests.allegations.factories import referral_copies

    from allegations.models import Referral

    copies = referral_copies(referral, 31, subject_role="Head of pastoral care and safeguarding lead for the whole federation of schools")
    closed = copies[-1]
    Referral.objects.filter(pk=closed.pk).update(status=ReferralStatus.ADVICE)  # test data: no history needed
    sign_in(page, lado_officer)
    visit(page, "/triage/")
    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(25)
    # Open work by default: the closed referral is not listed until asked for
    expect(page.get_by_role("link", name=closed.reference)).to_have_count(0)
    # No reference wraps: each reference cell is one line high, and a long job title does not widen the page
    heights = page.evaluate(
        """() => Array.from(document.querySelectorAll('main tbody td.app-reference a')).map(a => a.getClientRects().length)"""
    )
    assert len(heights) == 25 and set(heights) == {1}, heights
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")

    # Sort by a column and filter; the referral's back link returns to the same list
    visit(page, "/triage/?status=all&sort=reference&dir=desc")
    expect(page.get_by_role("columnheader", name="Reference")).to_have_attribute("aria-sort", "descending")
    first = page.locator("main tbody td.app-reference a").first
    reference = first.inner_text()
    first.click()
    page.wait_for_load_state("load")
    back = page.get_by_role("link", name="Back")
    assert back.get_attribute("href") == "/triage/?status=all&sort=reference&dir=desc"
    back.click()
    page.wait_for_load_state("load")
    expect(page.locator("main tbody td.app-reference a").first).to_have_text(reference)
    expect(page.get_by_label("Status")).to_have_value("all")


def test_the_navigation_fits_one_row_for_the_lado_manager(page: Page, lado_manager):
    sign_in(page, lado_manager)
    tops = page.evaluate(
        """() => Array.from(document.querySelectorAll('.govuk-service-navigation__item'))
                 .map(li => Math.round(li.getBoundingClientRect().top))"""
    )
    assert len(set(tops)) == 1, tops
    # the folded menus open by keyboard or click and lead on
    page.locator("summary", has_text="Manage").click()
    expect(page.get_by_role("link", name="Access log")).to_be_visible()
    # on a phone the navigation collapses behind "Menu"
    page.set_viewport_size({"width": PHONE, "height": 900})
    expect(page.get_by_role("button", name="Menu")).to_be_visible()
    expect(page.locator(".govuk-service-navigation").get_by_role("link", name="Triage queue", exact=True)).to_be_hidden()


def test_print_leaves_out_the_page_chrome_and_marks_every_page(page: Page, lado_officer, case):
    sign_in(page, lado_officer)
    visit(page, "/triage/")
    page.emulate_media(media="print")
    for selector in (".govuk-service-navigation", ".govuk-footer", ".govuk-button", ".govuk-skip-link"):
        assert page.locator(selector).first.evaluate("el => getComputedStyle(el).display") == "none", selector
    expect(page.locator(".app-print-marking")).to_have_text("OFFICIAL-SENSITIVE")
    expect(page.locator(".app-print-marking")).to_be_visible()
    assert page.locator("main a.govuk-link").first.evaluate("el => getComputedStyle(el, '::after').content") in ("none", "normal")
    # and the marking in the page margins of every printed page
    css = page.request.get("/static/govuk/app.css").text()
    assert re.search(r"@page\{[^}]*@top-center\{content:\"OFFICIAL-SENSITIVE\"", css), "no marking at the top of each page"
    assert "@bottom-center{content:\"OFFICIAL-SENSITIVE\"" in css
