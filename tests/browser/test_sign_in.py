"""Two-factor authentication from the keyboard alone: a new officer signs in, is sent to set
up an authenticator app (QR code and the key as text), sees their recovery codes, signs out
and signs in again with a code. axe finds nothing on any page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from demo.authenticator import totp_code
from agencies.models import Role
from tests.agencies.factories import UserFactory, member
from tests.browser.conftest import PASSWORD, after_navigation, sign_out, visit
from tests.browser.test_keyboard import active, tab_to_skip_link_and_use_it

pytestmark = pytest.mark.browser


def _press_enter_and_load(page: Page) -> None:
    with page.expect_navigation():
        page.keyboard.press("Enter")
    after_navigation(page)


def _type_username_and_password(page: Page, username: str) -> None:
    tab_to_skip_link_and_use_it(page)
    page.keyboard.press("Tab")
    assert active(page)["name"] == "login"
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    assert active(page)["name"] == "password"
    page.keyboard.type(PASSWORD)
    _press_enter_and_load(page)


def _type_code(page: Page, code: str) -> None:
    tab_to_skip_link_and_use_it(page)
    page.keyboard.press("Tab")
    assert active(page)["name"] == "code"
    page.keyboard.type(code)
    _press_enter_and_load(page)


def test_a_new_officer_sets_up_two_factor_authentication_and_signs_in_with_the_keyboard(page: Page, lado_service):
    officer = member(UserFactory(username="new.officer", authenticator=False), lado_service, Role.LADO_OFFICER)

    visit(page, "/accounts/login/")
    _type_username_and_password(page, officer.username)
    assert page.url.endswith("/accounts/2fa/totp/activate/")
    expect(page.get_by_role("heading", name="Set up two-factor authentication")).to_be_visible()
    expect(page.get_by_role("img", name="QR code for adding Managing allegations to an authenticator app")).to_be_visible()
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")  # what someone who cannot scan types

    # A wrong code first: the error summary links to the field.
    wrong = f"{(int(totp_code(secret)) + 500_000) % 1_000_000:06d}"
    _type_code(page, wrong)
    expect(page.locator(".govuk-error-summary")).to_be_focused()  # GOV.UK Frontend moves focus there
    page.keyboard.press("Tab")
    assert active(page)["tag"] == "a" and "code" in active(page)["text"].lower()
    page.keyboard.press("Enter")  # the error link takes the keyboard to the field
    assert active(page)["name"] == "code"
    page.keyboard.press("Control+A")
    page.keyboard.type(totp_code(secret))
    _press_enter_and_load(page)

    assert page.url.endswith("/accounts/2fa/recovery-codes/")
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    expect(page.get_by_role("list", name="Recovery codes").get_by_role("listitem")).to_have_count(10)
    tab_to_skip_link_and_use_it(page)
    for _ in range(10):
        page.keyboard.press("Tab")
        if active(page)["text"] == "Continue":
            break
    assert active(page)["text"] == "Continue"
    _press_enter_and_load(page)
    assert page.url.endswith("/my-work/") or "my-work" in page.url, page.url

    sign_out(page)
    _type_username_and_password(page, officer.username)
    assert page.url.endswith("/accounts/2fa/authenticate/")
    _type_code(page, totp_code(secret, step=1))
    expect(page.get_by_text("Signed in as")).to_be_visible()

    visit(page, "/account/")
    expect(page.get_by_role("cell", name="Signed in", exact=True).first).to_be_visible()


def test_the_signed_out_notice_and_lockout_page_are_accessible(page: Page, lado_officer):
    visit(page, "/accounts/login/?signed_out=inactive")
    expect(page.get_by_text("You were signed out because you had not used the service for 30 minutes")).to_be_visible()
    for _ in range(4):
        page.get_by_label("Username").fill("someone")
        page.get_by_label("Password", exact=True).fill("wrong")
        with page.expect_navigation():
            page.get_by_role("button", name="Sign in").click()
        after_navigation(page)
        expect(page.get_by_text("Enter a correct username and password").first).to_be_visible()
    # The fifth failure locks the username from this address.
    page.get_by_label("Username").fill("someone")
    page.get_by_label("Password", exact=True).fill("wrong")
    with page.expect_navigation() as nav:
        page.get_by_role("button", name="Sign in").click()
    assert nav.value.status == 429
    after_navigation(page)
    expect(page.get_by_role("heading", name="Too many failed attempts")).to_be_visible()
