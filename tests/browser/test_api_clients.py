"""The partnership administrator's API clients pages in a browser: make a client, its secret shown once, revoke it;
axe on every page (tests/browser/conftest.py), and the pages fit 375 px without scrolling sideways."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from agencies.models import Role
from tests.agencies.factories import UserFactory, member
from tests.browser.conftest import follow, sign_in, submit, visit

pytestmark = pytest.mark.browser


def _fits(page: Page) -> None:
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"), page.url


def test_the_administrator_makes_and_revokes_a_client(page: Page, agency_a, lado_service):
    # The partnership administrator, here also the LADO service manager (so signing in lands on their work, not
    # on Django's administration, which is not ours to check with axe).
    admin = member(member(UserFactory(username="partnership.admin"), lado_service, Role.ADMINISTRATOR),
                   lado_service, Role.LADO_MANAGER)
    sign_in(page, admin)
    visit(page, "/api-clients/")
    follow(page, "button", "Make an API client")
    submit(page, "Make the client")  # nothing filled in: each question says what to do
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a name for the client")
    page.get_by_label("Name of the client").fill("Riverside HR system")
    page.get_by_label("Agency it acts for").select_option(label="Riverside Primary")
    page.get_by_label("Role it acts in").select_option(Role.SENIOR_MANAGER.value)
    page.get_by_label("Submit referrals").check()
    page.get_by_label("Read the agency's referrals and cases").check()
    submit(page, "Make the client")
    expect(page.get_by_role("heading", name="API client made")).to_be_visible()
    expect(page.locator("#client-secret")).not_to_be_empty()
    page.set_viewport_size({"width": 375, "height": 800})
    _fits(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    follow(page, "link", "Back to API clients")
    _fits(page)
    follow(page, "link", "Revoke Riverside HR system")
    page.get_by_label("Why is it revoked?").fill("The system is retired.")
    submit(page, "Revoke the client")
    expect(page.get_by_text("Revoked", exact=True)).to_be_visible()
    page.set_viewport_size({"width": 375, "height": 800})
    _fits(page)
