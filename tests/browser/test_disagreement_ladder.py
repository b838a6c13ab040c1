"""A disagreement climbs its ladder in a real browser (issue 16 §9): raised with the manager, escalated to the LADO
manager, answered resolved; every page axe-clean, at 1280 px and at 375 px without sideways scroll."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from allegations.models import DisagreementStep
from deadlines.models import Deadline
from tests.browser.conftest import click_and_load, follow, sign_in, submit, visit
from tests.browser.dates import fill_date

pytestmark = pytest.mark.browser


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{page.url} scrolls sideways at {width[1]} px: {width[0]} px wide"


def record_the_answer(page: Page) -> None:
    click_and_load(page, page.get_by_role("link", name=re.compile(r"^Record the answer")))
    no_sideways_scroll(page)


@pytest.mark.parametrize("width", [1280, 375])
def test_raise_escalate_to_the_lado_manager_and_resolve(page: Page, case, lado_officer, width):
    page.set_viewport_size({"width": width, "height": 900})
    today = timezone.localdate()
    sign_in(page, lado_officer)
    visit(page, f"/cases/{case.reference}/decisions/")
    no_sideways_scroll(page)

    follow(page, "link", "Record a disagreement or challenge")
    page.get_by_label("Professional challenge").check()
    fill_date(page, "Raised on", today)
    page.get_by_label("Raised by").fill("DS Patel, Testshire Police")
    page.get_by_label("What is it about?").fill("The decision not to suspend the teacher.")
    page.get_by_label("Raised with which manager? (optional)").fill("Sam Jones, team manager")
    submit(page, "Save")
    no_sideways_scroll(page)
    card = page.locator(".govuk-summary-card").first
    expect(card).to_contain_text("waiting for an answer from the manager")
    expect(card).to_contain_text("The manager: Sam Jones, team manager")

    record_the_answer(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Record the answer of the manager")
    page.get_by_label("Escalated to the next step").check()
    page.get_by_label("How it was resolved, or why it was escalated").fill("The team manager upheld the decision.")
    fill_date(page, "Date of the answer", today)
    page.get_by_label("Escalated to (if escalated)").fill("Alex Reid, LADO manager")
    submit(page, "Save")
    no_sideways_scroll(page)
    card = page.locator(".govuk-summary-card").first
    expect(card).to_contain_text("waiting for an answer from the LADO manager")
    expect(card).to_contain_text("The LADO manager: Alex Reid, LADO manager")
    expect(card).to_contain_text("Waiting for the answer.")

    record_the_answer(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Record the answer of the LADO manager")
    page.get_by_label("Resolved", exact=True).check()
    page.get_by_label("How it was resolved, or why it was escalated").fill("Agreed: the teacher is suspended.")
    fill_date(page, "Date of the answer", today)
    submit(page, "Save")
    no_sideways_scroll(page)
    card = page.locator(".govuk-summary-card").first
    expect(card).to_contain_text("— resolved")
    expect(card).to_contain_text("Resolved on")
    expect(card).to_contain_text("Agreed: the teacher is suspended.")
    expect(card.get_by_role("link", name=re.compile(r"^Record the answer"))).to_have_count(0)

    steps = list(DisagreementStep.objects.filter(disagreement__case=case).order_by("pk"))
    assert [(s.level, s.result) for s in steps] == [("manager", "escalated"), ("lado_manager", "resolved")]
    assert [s.deadline.status for s in steps] == [Deadline.Status.MET, Deadline.Status.MET]

    visit(page, f"/cases/{case.reference}/timeline/")
    no_sideways_scroll(page)
    expect(page.locator("main")).to_contain_text("raised with the LADO manager (Alex Reid, LADO manager)")
