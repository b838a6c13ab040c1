"""Keyboard-only use: the skip link, signing in and sending a form without a mouse,
and a visible focus indicator on every control a keyboard user can reach."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PASSWORD, after_navigation, sign_in, totp_code_for, visit

pytestmark = pytest.mark.browser

# Everything a keyboard user should be able to reach, each with a signature of the
# styles a focus indicator changes (for GOV.UK radios and checkboxes the indicator is
# drawn on the label's ::before, the input itself being transparent).
MARK_FOCUSABLE = """() => {
  const selector = 'a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]), '
                 + 'select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"])';
  const visible = el => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
  // A link in a closed menu (<details>) is reached by opening the menu: its <summary> is the tab stop.
  const inClosedMenu = el => { const menu = el.closest('details:not([open])');
                               return menu !== null && menu.querySelector(':scope > summary') !== el; };
  const els = Array.from(document.querySelectorAll(selector)).filter(el => visible(el) && !inClosedMenu(el));
  els.forEach((el, i) => { el.dataset.kbd = String(i); });
  return els.map(el => ({
    kbd: el.dataset.kbd,
    what: el.outerHTML.slice(0, 120),
    group: el.type === 'radio' ? 'radio:' + el.name : el.dataset.kbd,
  }));
}"""

FOCUS_SIGNATURE = """(el) => {
  const sig = (e, pseudo) => {
    const s = getComputedStyle(e, pseudo);
    return [s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow, s.backgroundColor, s.color,
            s.textDecorationLine, s.textDecorationThickness, s.borderTopWidth, s.borderTopColor].join('|');
  };
  let out = sig(el, null);
  const label = el.matches('.govuk-radios__input, .govuk-checkboxes__input') ? el.nextElementSibling : null;
  if (label) out += '#' + sig(label, '::before') + '#' + sig(label, '::after');
  return out;
}"""

VISIBLE_INDICATOR = """(el) => {
  const shows = e => { const s = getComputedStyle(e, e === el ? null : '::before');
    const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2
                    && !/rgba\\(.*, 0\\)$|transparent/.test(s.outlineColor);
    return outline || s.boxShadow !== 'none'; };
  const label = el.matches('.govuk-radios__input, .govuk-checkboxes__input') ? el.nextElementSibling : null;
  return shows(el) || (label !== null && shows(label));
}"""


def active(page: Page) -> dict:
    return page.evaluate(
        """() => { const el = document.activeElement;
                   return {tag: el.tagName.toLowerCase(), id: el.id, kbd: el.dataset ? el.dataset.kbd : undefined,
                           text: (el.innerText || '').trim(), name: el.name || ''}; }"""
    )


def tab_to_skip_link_and_use_it(page: Page) -> None:
    """From a fresh page load, the first Tab lands on the skip link; Enter moves focus to <main>."""
    page.keyboard.press("Tab")
    assert active(page)["text"] == "Skip to main content"
    expect(page.get_by_role("link", name="Skip to main content")).to_be_visible()  # shown when focused
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    assert active(page)["id"] == "main-content"


def tab_through(page: Page) -> tuple[list[str], list[str]]:
    """Tab from the top of the page to the end. Returns the controls never reached
    (a radio group counts as one stop) and the ones reached without a visible
    change of style when focused."""
    controls = page.evaluate(MARK_FOCUSABLE)
    assert len(controls) > 10, controls
    blurred = {c["kbd"]: page.locator(f'[data-kbd="{c["kbd"]}"]').evaluate(FOCUS_SIGNATURE) for c in controls}
    page.evaluate("() => document.activeElement && document.activeElement.blur()")

    reached: set[str] = set()
    no_indicator: list[str] = []
    for _ in range(len(controls) + 5):
        page.keyboard.press("Tab")
        now = active(page)
        if now["kbd"] is None:
            if now["tag"] == "body" and reached:
                break  # past the last control
            continue
        if now["kbd"] in reached:
            break  # wrapped round
        reached.add(now["kbd"])
        element = page.locator(f'[data-kbd="{now["kbd"]}"]')
        if element.evaluate(FOCUS_SIGNATURE) == blurred[now["kbd"]] or not element.evaluate(VISIBLE_INDICATOR):
            no_indicator.append(element.evaluate("el => el.outerHTML.slice(0, 120)"))

    groups_reached = {c["group"] for c in controls if c["kbd"] in reached}
    unreachable = [c["what"] for c in controls if c["group"] not in groups_reached]
    return unreachable, no_indicator


def test_skip_link_comes_first_and_a_keyboard_user_can_sign_in(page: Page, agency_a_manager):
    visit(page, "/accounts/login/")
    response = page.request.get("/static/govuk/app.css")
    assert response.status == 200 and response.headers["content-type"].startswith("text/css")

    tab_to_skip_link_and_use_it(page)
    page.keyboard.press("Tab")
    assert active(page)["name"] == "login"  # allauth's name for the username field
    page.keyboard.type(agency_a_manager.username)
    page.keyboard.press("Tab")
    assert active(page)["name"] == "password"
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    after_navigation(page)
    # Then the code from their authenticator app (two-factor authentication for everyone: accounts/).
    tab_to_skip_link_and_use_it(page)
    page.keyboard.press("Tab")
    assert active(page)["name"] == "code"
    page.keyboard.type(totp_code_for(agency_a_manager))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    after_navigation(page)
    expect(page.get_by_text("Signed in as")).to_be_visible()

    visit(page, "/referrals/new/")
    tab_to_skip_link_and_use_it(page)
    page.keyboard.press("Tab")
    # The first control of the form is next, not the header again: who the person works with (it sets the words)
    assert active(page)["name"] == "workforce"


def test_referral_form_sent_by_keyboard_focuses_the_error_summary(page: Page, agency_a_manager):
    sign_in(page, agency_a_manager)
    visit(page, "/referrals/new/")
    page.get_by_label("Your role").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")  # implicit submission from a text input
    after_navigation(page)

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    # From the summary, Tab reaches its first link; Enter takes focus to the question
    page.keyboard.press("Tab")
    first_link = summary.get_by_role("link").first
    expect(first_link).to_be_focused()
    expect(first_link).to_have_text("Say whether the person works with children or with adults.")
    page.keyboard.press("Enter")
    expect(page.get_by_label("Works with children (LADO)")).to_be_focused()
    page.keyboard.press("Space")
    expect(page.get_by_label("Works with children (LADO)")).to_be_checked()
    # The next link in the summary goes to the next question on the page
    second_link = summary.get_by_role("link").nth(1)
    expect(second_link).to_have_text("Say whether you are making a referral or asking for advice.")
    second_link.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Making a referral")).to_be_focused()
    page.keyboard.press("Space")
    expect(page.get_by_label("Making a referral")).to_be_checked()


def test_triage_queue_every_control_is_reachable_by_tab_with_a_visible_focus(page: Page, lado_officer, referral):
    sign_in(page, lado_officer)
    visit(page, "/triage/")  # signing in lands on My work
    expect(page.get_by_role("heading", level=1)).to_have_text("Triage queue")
    expect(page.get_by_role("link", name=referral.reference)).to_be_visible()

    unreachable, no_indicator = tab_through(page)
    assert unreachable == [], "not reachable by Tab:\n" + "\n".join(unreachable)
    assert no_indicator == [], "no visible focus indicator:\n" + "\n".join(no_indicator)

    # And explicitly for the first link in the table
    link = page.locator("table a").first
    link.focus()
    style = link.evaluate("el => { const s = getComputedStyle(el); return [s.boxShadow, s.backgroundColor]; }")
    assert style[0] != "none" and style[1] == "rgb(255, 221, 0)", style  # GOV.UK focus: yellow with a black underline


class Keys:
    """Every key press sent to the page, counted: typing a word counts one press per character."""

    def __init__(self, page: Page):
        self.page, self.count = page, 0

    def press(self, key: str, times: int = 1) -> None:
        for _ in range(times):
            self.page.keyboard.press(key)
            self.count += 1

    def type(self, text: str) -> None:
        for character in text:
            self.page.keyboard.type(character)
            self.count += 1

    def enter_and_load(self) -> None:
        with self.page.expect_navigation():
            self.press("Enter")
        after_navigation(self.page)

    def skip_to_main(self) -> None:
        """The skip link first, then Enter. After a form sent from a page reached by the skip link, the
        browser keeps "#main-content" through the redirect and already starts from <main>: no keys needed."""
        if self.page.url.endswith("#main-content"):
            return
        self.press("Tab")
        assert active(self.page)["text"] == "Skip to main content", (active(self.page), self.page.url)
        self.press("Enter")
        assert active(self.page)["id"] == "main-content"

    def tab_until(self, found, limit: int = 15) -> dict:
        """Tab until `found(active element)`; fails after `limit` presses."""
        for _ in range(limit):
            self.press("Tab")
            now = active(self.page)
            if found(now):
                return now
        raise AssertionError(f"not reached in {limit} presses of Tab; at {active(self.page)}")


TRIAGE_KEYSTROKE_BUDGET = 120


def test_a_new_referral_is_triaged_to_a_case_by_keyboard_alone_within_the_budget(page: Page, lado_officer, referral):
    """From landing on My work to the case opened: the new referral is the first link after the skip
    link, the officer select and the next step come first on the referral page, the decision form is
    reached without tabbing through the page, and every key press is counted."""
    import datetime as dt

    from django.utils import timezone

    from allegations.models import Referral, ReferralStatus

    # Received an hour ago by phone: the discussion (now, to the minute) comes after it. (A test row: no history needed.)
    Referral.objects.filter(pk=referral.pk).update(received_at=timezone.now() - dt.timedelta(hours=1))
    sign_in(page, lado_officer)
    expect(page.get_by_role("heading", level=1)).to_have_text("My work")
    keys = Keys(page)

    # My work: the skip link, then the new referral, the most urgent work, first
    keys.skip_to_main()
    keys.press("Tab")
    assert active(page)["text"] == referral.reference
    keys.enter_and_load()
    expect(page.get_by_role("heading", level=1)).to_have_text(referral.reference)

    # The referral: assign it to myself (the officer select is the first control of the page)
    keys.skip_to_main()
    keys.press("Tab")
    assert active(page)["name"] == "officer"
    keys.press("ArrowDown")
    assert page.get_by_label("Officer").input_value() == str(lado_officer.pk)
    keys.tab_until(lambda el: el["text"] == "Assign", limit=1)
    keys.enter_and_load()
    referral.refresh_from_db()
    assert referral.assigned_to == lado_officer

    # Then the next step, straight after the officer
    keys.skip_to_main()
    keys.tab_until(lambda el: el["text"] == "Record the initial discussion", limit=3)
    keys.enter_and_load()

    # The initial discussion: when (now) and with whom (the referrer) are filled in; what was agreed is typed
    keys.skip_to_main()
    keys.tab_until(lambda el: el["tag"] == "textarea" and el["name"] == "notes")
    keys.type("Agreed: harm threshold met.")
    keys.tab_until(lambda el: el["text"] == "Save discussion", limit=1)
    keys.enter_and_load()
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.DISCUSSED, page.locator("main").inner_text()[:500]

    keys.skip_to_main()
    keys.tab_until(lambda el: el["text"] == "Record the triage decision", limit=3)
    keys.enter_and_load()

    # The decision: a threshold, "threshold met — open a case", the route and the rationale
    keys.skip_to_main()
    keys.tab_until(lambda el: el["name"] == "harmed")
    keys.press("Space")
    keys.tab_until(lambda el: el["name"] == "decision")
    keys.press("ArrowDown", 3)
    expect(page.get_by_label("Threshold met — open a case")).to_be_checked()
    keys.tab_until(lambda el: el["name"] == "route", limit=1)
    keys.press("Space")
    keys.tab_until(lambda el: el["name"] == "rationale")
    keys.type("The person harmed a child.")
    keys.tab_until(lambda el: el["text"] == "Record decision", limit=1)
    keys.enter_and_load()

    referral.refresh_from_db()
    assert referral.status == ReferralStatus.CASE_OPENED, page.locator("main").inner_text()[:500]
    assert f"/cases/{referral.reference}/" in page.url
    print(f"keyboard triage: {keys.count} key presses")
    assert keys.count <= TRIAGE_KEYSTROKE_BUDGET, f"{keys.count} key presses"
