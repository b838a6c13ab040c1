"""The error pages in the browser (issue 11 §3): 400, 403, 404, 500 and the CSRF failure, each in the
GOV.UK layout, with a way back; axe-core finds nothing on any of them."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import after_navigation, sign_in, visit

pytestmark = pytest.mark.browser


def goto_error(page: Page, path: str, status: int) -> None:
    response = page.goto(path)
    assert response is not None and response.status == status, f"{path}: {response and response.status}"
    after_navigation(page)


def heading(page: Page, text: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(text)


@pytest.mark.urls("tests.error_urls")
def test_every_error_page_is_accessible_and_offers_a_way_on(page: Page, lado_officer):
    sign_in(page, lado_officer)
    navigation = page.get_by_role("navigation", name="Menu")

    goto_error(page, "/no-such-page/", 404)
    heading(page, "Page not found")
    expect(navigation.get_by_role("link", name="Triage queue")).to_be_visible()

    goto_error(page, "/cases/MAS-1999-99999/", 404)  # a record that is not there, or not shared: the same page
    heading(page, "Page not found")

    goto_error(page, "/reporting/dashboard/", 403)
    heading(page, "You cannot use this page")
    expect(page.get_by_role("listitem").filter(has_text="Business unit analyst")).to_be_visible()
    expect(page.locator("main")).to_contain_text("ask your LADO service manager or the partnership administrator")
    expect(navigation.get_by_role("link", name="My work")).to_be_visible()

    # More than Django's 1,000 fields in a query string: a request the product refuses to read.
    goto_error(page, "/triage/?" + "&".join(["officer=1"] * 1001), 400)
    heading(page, "Sorry, there is a problem with that request")

    goto_error(page, "/test-errors/broken/", 500)
    heading(page, "Sorry, there is a problem with the service")
    expect(page.get_by_role("link", name="your start page")).to_have_attribute("href", "/")

    # A form whose security token no longer matches (as after signing in again in another tab).
    visit(page, "/my-work/")
    my_work = page.url
    page.locator("form.app-user-bar__form input[name=csrfmiddlewaretoken]").evaluate("input => input.value = 'x'.repeat(64)")
    with page.expect_navigation() as navigation_done:
        page.get_by_role("button", name="Sign out").click()
    assert navigation_done.value.status == 403
    after_navigation(page)
    heading(page, "Your form could not be sent")
    back = page.get_by_role("link", name="Back", exact=True)
    expect(back).to_have_attribute("href", my_work)
    back.click()
    expect(page).to_have_url(my_work)
    heading(page, "My work")
