"""An agency's administrator sets up webhooks in a real browser, axe-core on every page: an http:// address is
refused with the error summary, an https:// one is added by keyboard, its secret shown once; a failed delivery's
attempts are listed and sent again; the endpoint is paused and resumed. The pages fit 375 px."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from agencies.models import Role
from outbox.services import messages_drain
from tests.agencies.factories import UserFactory, member
from tests.browser.conftest import after_navigation, follow, sign_in, submit, visit
from webhooks.events import event_add
from webhooks.models import Endpoint

pytestmark = pytest.mark.browser


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{page.url} scrolls sideways at {width[1]} px: {width[0]} px wide"


def test_an_administrator_adds_an_endpoint_and_follows_its_deliveries(page: Page, agency_a, referral):
    admin = member(UserFactory(username="a.admin"), agency_a, Role.ADMINISTRATOR)
    sign_in(page, admin)
    follow(page, "link", "Webhooks")
    expect(page.get_by_role("heading", level=1)).to_have_text("Webhooks")
    follow(page, "button", "Add an endpoint")

    page.get_by_label("Endpoint address").fill("http://hooks.example.org/ma")
    page.get_by_label("case.shared", exact=False).check()
    submit(page, "Add endpoint")  # checked by axe with its error summary
    expect(page.locator(".govuk-error-summary")).to_contain_text("The address must start with https://")
    assert not Endpoint.objects.exists()

    # By keyboard: the address, an event ticked with Space, the form sent with Enter.
    address = page.get_by_label("Endpoint address")
    address.fill("")
    address.focus()
    page.keyboard.type("https://127.0.0.1/ma-hooks")
    box = page.get_by_label("referral.acknowledged", exact=False)
    box.focus()
    page.keyboard.press("Space")
    expect(box).to_be_checked()
    page.get_by_role("button", name="Add endpoint").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    after_navigation(page)
    endpoint = Endpoint.objects.get()
    expect(page.locator("#webhook-secret")).to_have_text(endpoint.secret)
    page.set_viewport_size({"width": 375, "height": 800})
    no_sideways_scroll(page)
    page.set_viewport_size({"width": 1280, "height": 900})

    # An event whose delivery fails (a private address is never sent to): its attempt is listed, and sent again.
    event_add(agency=agency_a, event="case.shared", reference=referral.reference, link=f"/cases/{referral.reference}/")
    messages_drain()
    visit(page, f"/webhooks/{endpoint.pk}/")
    expect(page.get_by_text("Address on a private network refused")).to_be_visible()
    assert referral.subject.family_name not in page.content()
    page.get_by_role("button", name=re.compile(rf"^Send again\W+case\.shared for {referral.reference}$")).focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    after_navigation(page)
    expect(page.get_by_text("is being sent again")).to_be_visible()

    submit(page, "Pause")
    expect(page.locator(".govuk-warning-text")).to_contain_text("Events are kept and sent when you resume it")
    page.set_viewport_size({"width": 375, "height": 800})
    no_sideways_scroll(page)
    visit(page, "/webhooks/")
    no_sideways_scroll(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    follow(page, "link", "https://127.0.0.1/ma-hooks")
    submit(page, "Resume")
    expect(page.get_by_text("Endpoint resumed")).to_be_visible()
