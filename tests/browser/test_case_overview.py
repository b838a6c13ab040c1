"""The case at a glance in a real browser (issue 15 §3): the overview and each page of the case at 1280 px and at
375 px, none scrolling sideways, axe-core finding nothing (the `region` rule too); the menu of case actions opens
from the keyboard and closing the case asks first."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from allegations import services
from allegations.models import RiskAssessment
from tests.browser.conftest import after_navigation, sign_in, visit

pytestmark = pytest.mark.browser

PAGES = ["Overview", "Strands", "Decisions", "The person", "Meetings", "Actions", "Documents", "Outcome", "People told",
         "Timeline", "Access"]


def check_region(page: Page) -> None:
    """axe's `region` rule (all content inside landmarks), which the WCAG tags of check_axe leave out."""
    violations = page.evaluate(
        """async () => (await axe.run(document, {runOnly: {type: 'rule', values: ['region']},
                                                resultTypes: ['violations']})).violations"""
    )
    assert violations == [], f"content outside landmarks on {page.url}: {violations}"


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{page.url} scrolls sideways at {width[1]} px: {width[0]} px wide"


def each_page(page: Page, case) -> None:
    """Visit the overview, then every page through the sub-navigation: axe and region on each, no sideways scroll."""
    visit(page, f"/cases/{case.reference}/")
    nav = page.get_by_role("navigation", name="Parts of this case")
    expect(nav.get_by_role("link")).to_have_text(PAGES)
    for label in PAGES:
        with page.expect_navigation():
            page.get_by_role("navigation", name="Parts of this case").get_by_role("link", name=label,
                                                                                  exact=True).click()
        after_navigation(page)
        check_region(page)
        no_sideways_scroll(page)
        current = page.get_by_role("navigation", name="Parts of this case").locator('[aria-current="page"]')
        expect(current).to_have_text(label)
        expect(page).to_have_title(re.compile(rf"^{label} — Case {case.reference}"))


def test_the_case_at_a_glance_at_1280_and_375(page: Page, case, lado_officer, police_agency):
    services.case_share_with(actor=lado_officer, case=case, agency=police_agency, level="safeguarding",
                             reason="The police are investigating.")
    services.risk_assessment_record(actor=lado_officer, case=case, level=RiskAssessment.Level.MEDIUM,
                                    summary="Supervised contact only while the police investigate.",
                                    controls="Works in the office, away from pupils.")
    sign_in(page, lado_officer)

    visit(page, f"/cases/{case.reference}/")
    check_region(page)
    summary = page.locator(".app-case-summary")
    for key in ("Who", "What is alleged", "Where", "Route", "Status", "Next deadline", "Waiting on"):
        expect(summary.get_by_text(key, exact=True)).to_be_visible()
    expect(summary).to_contain_text("grabbed their arm")  # what is alleged, at the top
    expect(page.locator(".govuk-button--warning")).to_have_count(0)  # no red button in the page
    # The summary sits in the first screen at 1280 px.
    box = summary.bounding_box()
    assert box is not None and box["y"] < 900, box
    each_page(page, case)

    page.set_viewport_size({"width": 375, "height": 800})
    each_page(page, case)


def test_closing_from_the_menu_asks_first(page: Page, case, lado_officer):
    sign_in(page, lado_officer)
    visit(page, f"/cases/{case.reference}/")
    toggle = page.get_by_role("button", name="Case actions")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.focus()
    page.keyboard.press("Enter")  # from the keyboard: the menu opens on its first item
    expect(toggle).to_have_attribute("aria-expanded", "true")
    check_region(page)
    close = page.get_by_role("button", name="Close the case")  # a link in the menu, with a button's role
    expect(close).to_be_visible()
    no_sideways_scroll(page)
    with page.expect_navigation():
        close.click()
    after_navigation(page)
    check_region(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Are you sure you want to close this case?")
    expect(page.get_by_text("nothing more can be recorded on it")).to_be_visible()
    with page.expect_navigation():
        page.get_by_role("link", name="No, go back to the case").click()
    after_navigation(page)
    expect(page).to_have_url(re.compile(rf"/cases/{re.escape(case.reference)}/$"))
