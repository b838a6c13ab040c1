"""Playwright driving Debian's Chromium against pytest-django's live server, with
axe-core run on every page a test visits (STYLE.md: the browser suite).

Own `browser` and `page` fixtures (not pytest-playwright's) so that we control the
launch: the system Chromium (never a downloaded one), headless, no network chatter,
and `bypass_csp` so the injected axe script is not blocked by the product's CSP.
One browser for the whole session; a fresh context (cookies, storage) per test.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
PASSWORD = "test-password-123"  # tests/agencies/factories.py
from tests.agencies.factories import TOTP_SECRET  # noqa: E402
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
TIMEOUT_MS = 10_000  # generous: CI runs the whole suite on 2 cores

expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (make chromium)")
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make assets` (npm ci in frontend/)")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, transactional_db) -> Page:
    context = browser.new_context(
        base_url=live_server.url, bypass_csp=True, locale="en-GB", timezone_id="Europe/London",
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


# --- Accessibility checks -----------------------------------------------------------

def _describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v.get('impact')}): {v['help']}  {v.get('helpUrl', '')}")
        for node in v["nodes"][:10]:
            lines.append(f"    at {', '.join(map(str, node['target']))}: {node.get('html', '')[:200]}")
            for reason in (node.get("failureSummary") or "").splitlines()[1:]:
                lines.append(f"        {reason.strip()}")
    return "\n".join(lines)


def check_axe(page: Page) -> None:
    """axe-core (WCAG 2.2 AA rules) finds nothing on the page as it is now; and every
    error-summary link points at an element on the page (axe does not check that)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        """async (tags) => (await axe.run(document, {
               runOnly: {type: 'tag', values: tags}, resultTypes: ['violations'],
           })).violations""",
        WCAG_TAGS,
    )
    if violations:
        pytest.fail(f"axe found problems on {page.url}:\n{_describe(violations)}", pytrace=False)

    missing = page.evaluate(
        """() => Array.from(document.querySelectorAll('.govuk-error-summary a[href^="#"]'))
                 .map(a => a.getAttribute('href'))
                 .filter(href => !document.getElementById(decodeURIComponent(href.slice(1))))"""
    )
    if missing:
        pytest.fail(f"error-summary links with no target on {page.url}: {missing}", pytrace=False)


def after_navigation(page: Page) -> None:
    """Call after anything that loads a page: its CSS loaded, and it is accessible."""
    page.wait_for_load_state("load")
    css_loaded = page.evaluate(
        """() => Array.from(document.styleSheets)
                 .some(s => (s.href || '').endsWith('/static/govuk/app.css') && s.cssRules.length > 100)"""
    )
    assert css_loaded, f"app.css did not load on {page.url}"
    check_axe(page)


def _expect_ok(response, what: str) -> None:
    assert response is not None, f"{what}: no response"
    assert response.status == 200, f"{what}: HTTP {response.status} at {response.url}"


def visit(page: Page, path: str) -> None:
    """Go to a path on the live server: a 200 and an accessible page."""
    _expect_ok(page.goto(path), path)
    after_navigation(page)


def click_and_load(page: Page, locator) -> None:
    """Click something that loads a page (a link, a submit button): a 200 and an
    accessible page at the end (after any redirect)."""
    with page.expect_navigation() as navigation:
        locator.click()
    _expect_ok(navigation.value, str(locator))
    after_navigation(page)


def follow(page: Page, role: str, name: str) -> None:
    """Follow the link (or link styled as a button) with this accessible name; a link in a folded
    navigation menu (Reports, Manage) is reached by opening its menu first, as a person would."""
    locator = page.get_by_role(role, name=name, exact=True)
    if not locator.count():  # roles leave out what is hidden: look in the closed menus by the link's text
        menu = page.locator("details.app-nav-group:not([open])").filter(
            has=page.locator("a.app-nav-group__link").get_by_text(name, exact=True))
        if menu.count():
            menu.first.locator("summary").click()
    click_and_load(page, locator)


def submit(page: Page, button: str) -> None:
    click_and_load(page, page.get_by_role("button", name=button, exact=True))


_codes_used: set[tuple[int, int]] = set()


def totp_code_for(user, secret: str = TOTP_SECRET) -> str:
    """A code the user's authenticator app would show now and that they have not used yet: the
    product accepts one step either side of now (MFA_TOTP_TOLERANCE) and each code only once."""
    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    now = int(time.time()) // app_settings.TOTP_PERIOD
    for counter in (now, now + 1, now - 1):
        if (user.pk, counter) not in _codes_used:
            _codes_used.add((user.pk, counter))
            return format_hotp_value(hotp_value(secret, counter))
    time.sleep(app_settings.TOTP_PERIOD)  # a fourth sign-in in 30 seconds: wait for a fresh code
    return totp_code_for(user, secret)


def sign_in(page: Page, user) -> None:
    """Through the real sign-in pages: username and password, then the authenticator code."""
    visit(page, "/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    submit(page, "Sign in")
    assert "/accounts/2fa/authenticate/" in page.url, f"no code asked of {user.username}: {page.url}"
    page.get_by_label("Enter the code from your authenticator app").fill(totp_code_for(user))
    submit(page, "Continue")
    assert "/accounts/" not in page.url, f"sign-in failed for {user.username}: {page.url}"


def sign_out(page: Page) -> None:
    """The header's "Sign out" button (a POST form)."""
    submit(page, "Sign out")
    assert page.url.endswith("/accounts/login/"), page.url
