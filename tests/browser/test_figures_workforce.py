"""The figures and the annual report for one workforce in a real browser, with axe-core on every page: the analyst
chooses the adults' workforce (PiPoT) from the keyboard on the figures page, sees only its contacts by the
financial year's quarters, in words; the annual report keeps the choice; both fit 375 px without sideways
scrolling."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from allegations.models import ContactType
from tests.browser.conftest import after_navigation, follow, sign_in
from tests.reporting.factories import contact

pytestmark = pytest.mark.browser


def _fits(page: Page) -> None:
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"), "scrolls sideways"


def test_the_analyst_chooses_the_adults_workforce_on_the_figures_page(page: Page, analyst, lado_service):
    now = timezone.localtime()
    contact(lado_service=lado_service, received_at=now, contact_type=ContactType.NOT_ALLEGATION, workforce="adults",
            sector="care_home")
    contact(lado_service=lado_service, received_at=now, contact_type=ContactType.ADVICE)  # children's

    sign_in(page, analyst)
    follow(page, "link", "Figures")
    expect(page.get_by_role("heading", level=1)).to_have_text("Figures")
    expect(page.locator("#workforce-counted")).to_have_text("The children's and adults' workforces (LADO and PiPoT).")
    expect(page.locator("table").first).to_contain_text("Advice (stays with the employer)")

    # From the keyboard: the radios are one group; arrow to the adults' workforce, Tab to the button, Enter.
    page.get_by_role("radio", name="Both workforces").focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("radio", name="The adults' workforce (PiPoT)")).to_be_checked()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Show the figures")).to_be_focused()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    after_navigation(page)
    assert "workforce=adults" in page.url
    expect(page.locator("#workforce-counted")).to_have_text("The adults' workforce (PiPoT).")
    contacts = page.locator("table").first
    fy = now.year if now.month >= 4 else now.year - 1
    quarter = (now.month - 4) // 3 + 1 if now.month >= 4 else 4
    expect(contacts.locator("tbody tr")).to_have_count(1)
    assert contacts.locator("tbody tr").inner_text().split("\t") == [
        f"{fy}/{(fy + 1) % 100:02d}", f"Q{quarter}", "Not an allegation (complaint or conduct matter)", "1"]
    expect(page.get_by_role("radio", name="The adults' workforce (PiPoT)")).to_be_checked()

    page.set_viewport_size({"width": 375, "height": 800})
    after_navigation(page)
    _fits(page)

    # The annual report keeps the workforce chosen.
    page.set_viewport_size({"width": 1280, "height": 900})
    with page.expect_navigation():
        page.get_by_role("link", name="annual report").click()
    after_navigation(page)
    expect(page.get_by_role("radio", name="The adults' workforce (PiPoT)")).to_be_checked()
    expect(page.locator("#workforce-counted")).to_have_text("The adults' workforce (PiPoT).")
    page.set_viewport_size({"width": 375, "height": 800})
    after_navigation(page)
