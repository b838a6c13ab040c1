"""Deadlines seen everywhere, in the browser: my work, the team, the settings (by keyboard alone),
waiving a deadline, and the dashboard; axe-core finds nothing on each page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from agencies.models import Partnership
from deadlines.models import Deadline
from tests.browser.conftest import after_navigation, follow, sign_in, sign_out, submit, visit

pytestmark = pytest.mark.browser


def tab_to(page: Page, element_id: str, limit: int = 80) -> None:
    """Press Tab until the element has the focus, as a keyboard user would."""
    for _ in range(limit):
        if page.evaluate("() => document.activeElement && document.activeElement.id") == element_id:
            return
        page.keyboard.press("Tab")
    pytest.fail(f"#{element_id} was not reached by Tab")


def test_my_work_team_and_waiving(page: Page, case, lado_officer, lado_manager):
    sign_in(page, lado_officer)
    expect(page).to_have_url(re.compile(r"/my-work/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("My work")
    expect(page.get_by_role("table", name=re.compile(r"^Due in the next 7 days"))).to_be_visible()

    # Waive the case review: it no longer applies.
    visit(page, f"/cases/{case.reference}/")
    follow(page, "link", "Waive the case review deadline")
    submit(page, "Waive deadline")  # no reason: the error summary says what to do
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter why this deadline no longer applies")
    page.get_by_label("Why does this deadline no longer apply?").fill("Case to close this week: outcome agreed.")
    submit(page, "Waive deadline")
    expect(page.locator(".app-deadline-list")).to_contain_text("Waived by")
    expect(page.locator(".app-deadline-list")).to_contain_text("Case to close this week: outcome agreed.")
    assert Deadline.objects.get(case=case, kind=Deadline.Kind.CASE_REVIEW).status == Deadline.Status.WAIVED
    sign_out(page)

    sign_in(page, lado_manager)
    follow(page, "link", "Team")
    expect(page.get_by_role("heading", level=1)).to_have_text("Team")
    expect(page.get_by_role("row", name=re.compile(r"^officer|^" + re.escape(lado_officer.get_full_name())))).to_be_visible()


def test_the_manager_changes_a_setting_by_keyboard_alone(page: Page, partnership, lado_manager):
    sign_in(page, lado_manager)
    visit(page, "/settings/deadlines/")
    tab_to(page, "id_strategy_meeting_span")
    page.keyboard.press("Control+A")
    page.keyboard.type("72")
    page.keyboard.press("Tab")  # to its unit
    page.keyboard.type("Hours")
    tab_to(page, "id_reason")
    page.keyboard.type("The partnership board agreed 72 hours.")
    page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    after_navigation(page)
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Settings saved")
    expect(page.get_by_role("table", name=re.compile("Who changed the settings"))).to_contain_text(
        "Strategy meeting: 7 working days → 72 hours")
    partnership.refresh_from_db()
    assert partnership.span("strategy_meeting") == (72, "hours")


def test_the_dashboard(page: Page, case, analyst):
    sign_in(page, analyst)
    follow(page, "link", "Dashboard")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    expect(page.get_by_role("table", name="Open cases by sector")).to_contain_text("Education")
    expect(page.locator("main")).not_to_contain_text(case.reference)
    assert Partnership.objects.exists()
