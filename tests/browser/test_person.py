"""A fair process for the person the allegation is about (issue 16 §2), in the browser: what they were told with
something held back on the police's advice, their named contact and the support offered, then an update that meets
the 28-day update and opens the next; axe-core finds nothing at 1280 and 375 px, and nothing scrolls sideways."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from allegations.models import Route
from deadlines.models import Deadline
from tests.allegations.factories import make_case, make_referral
from tests.browser.conftest import follow, sign_in, submit, visit
from tests.browser.dates import fill_date
from tests.browser.test_casework_layout import check_region

pytestmark = pytest.mark.browser


@pytest.fixture
def old_case(agency_a_manager, lado_service, agency_a, lado_officer):
    referral = make_referral(actor=agency_a_manager, lado_service=lado_service, agency=agency_a,
                             received_at=timezone.now() - dt.timedelta(days=30))
    return make_case(officer=lado_officer, referral=referral, route=Route.POSITION_OF_TRUST)


def no_sideways_scroll(page: Page) -> None:
    scroll, inner = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll <= inner, f"{page.url} scrolls sideways: {scroll} > {inner}"


def test_the_person_told_their_contact_support_and_an_update(page: Page, old_case, lado_officer):
    case, today = old_case, timezone.localdate()
    told_on = today - dt.timedelta(days=20)
    sign_in(page, lado_officer)
    visit(page, f"/cases/{case.reference}/")
    follow(page, "link", "The person")
    check_region(page)
    expect(page.get_by_text("Regular updates fall due once the person has been told.")).to_be_visible()

    # What they were told, with something held back on the police's advice.
    follow(page, "link", "Record what the person was told, or what is held back")
    page.get_by_label("What is held back from them, if anything?").fill("Who made the allegation.")
    submit(page, "Save")  # nobody said on whose advice: errors, with what was typed kept
    expect(page.locator(".govuk-error-summary")).to_contain_text("Say on whose advice it is held back")
    expect(page.get_by_label("What is held back from them, if anything?")).to_have_value("Who made the allegation.")
    fill_date(page, "When was the person told?", told_on)
    page.get_by_label("Who told them?").fill("Ms Patel, head teacher, Riverside Primary")
    page.get_by_label("What were they told?").fill("That an allegation was made and the LADO is involved.")
    page.get_by_label("On whose advice is it held back?").fill("DC Jones, Testshire Police")
    fill_date(page, "Held back until (if known)", today + dt.timedelta(days=10))
    page.get_by_label("Why is it held back, or until what?").fill("Until the child has been interviewed.")
    submit(page, "Save")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Recorded what the person was told.")
    told = page.locator("#told + dl")
    expect(told).to_contain_text("DC Jones, Testshire Police")
    expect(told).to_contain_text("Until the child has been interviewed.")
    first = Deadline.objects.get(referral=case.referral, kind=Deadline.Kind.PERSON_UPDATE)
    assert timezone.localtime(first.due_at).date() == told_on + dt.timedelta(days=28)
    expect(page.locator("#updates ~ p").first).to_contain_text("Next update due")

    # Their named contact, and the support offered.
    follow(page, "link", "Record the named contact")
    page.get_by_label("Name of the named contact").fill("Sam Carter")
    page.get_by_label("Their role").fill("Deputy head teacher")
    page.get_by_label("Their agency").fill("Riverside Primary")
    fill_date(page, "Named contact from", told_on)
    submit(page, "Save")
    expect(page.locator("#contact + dl")).to_contain_text("Sam Carter, Deputy head teacher, Riverside Primary")

    follow(page, "link", "Record support offered")
    page.get_by_label("Trade union or professional body").check()
    fill_date(page, "When was it offered?", told_on)
    page.get_by_label("Who offered it?").fill("Ms Patel, head teacher")
    page.get_by_label("Taken up", exact=True).check()
    submit(page, "Save")
    support = page.get_by_role("table", name="Support offered to the person, and whether they took it up")
    expect(support).to_contain_text("Trade union or professional body")
    expect(support).to_contain_text("Taken up")

    # An update meets the one due and opens the next, 28 days on.
    follow(page, "link", "Record an update to the person")
    fill_date(page, "When was the person updated?", today)
    page.get_by_label("Who updated them?").fill("Sam Carter")
    page.get_by_label("What were they told about progress and likely timescales?").fill(
        "The police expect to decide within a month.")
    page.get_by_label("Their views, if they gave them (optional)").fill("They want to return to work.")
    submit(page, "Save")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Update recorded.")
    first.refresh_from_db()
    assert first.status == Deadline.Status.MET
    nxt = Deadline.objects.get(referral=case.referral, kind=Deadline.Kind.PERSON_UPDATE, met_at__isnull=True)
    assert timezone.localtime(nxt.due_at).date() == today + dt.timedelta(days=28)
    expect(page.locator("#updates ~ p").first).to_contain_text(
        f"Next update due {(today + dt.timedelta(days=28)):%-d %B %Y}")
    expect(page.get_by_text("They want to return to work.")).to_be_visible()

    # The same page on a phone.
    page.set_viewport_size({"width": 375, "height": 800})
    visit(page, f"/cases/{case.reference}/person/")
    check_region(page)
    no_sideways_scroll(page)


def test_recording_a_suspension_asks_the_questions(page: Page, old_case, lado_officer):
    """Suspension considered properly (issue 16 §5): the questions are asked, errors keep what was typed, and the
    review date becomes a deadline; axe finds nothing on the form and its errors."""
    case, today = old_case, timezone.localdate()
    sign_in(page, lado_officer)
    visit(page, f"/cases/{case.reference}/suspension/")
    page.get_by_label("Suspended", exact=True).check()
    page.get_by_label("Redeployment to duties without contact with children or adults at risk").check()
    fill_date(page, "Decided on", today)
    page.get_by_label("Decided by").fill("Ms Patel, head teacher")
    submit(page, "Save")  # the questions not answered: errors, with what was typed kept
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Describe the risk that the arrangement manages.")
    expect(summary).to_contain_text("Enter when the arrangement will be reviewed.")
    expect(page.get_by_label("Redeployment to duties without contact with children or adults at risk")).to_be_checked()
    page.get_by_label("Why the alternatives are, or are not, enough").fill("No role away from pupils this term.")
    page.get_by_label("The risk: to children or adults at risk, to the investigation, and to the person").fill(
        "Unsupervised contact with pupils.")
    page.get_by_role("group", name="Was the LADO's advice sought before the decision?").get_by_label("Yes").check()
    fill_date(page, "When was the LADO's advice sought?", today)
    page.get_by_role("group", name="Has the person been told of the arrangement?").get_by_label("Yes").check()
    fill_date(page, "When were they told?", today)
    fill_date(page, "When will the arrangement be reviewed?", today + dt.timedelta(days=14))
    submit(page, "Save")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Arrangement recorded.")
    expect(page.locator("#arrangements ~ dl").first).to_contain_text("No role away from pupils this term.")
    deadline = Deadline.objects.get(referral=case.referral, kind=Deadline.Kind.SUSPENSION_REVIEW)
    assert timezone.localtime(deadline.due_at).date() == today + dt.timedelta(days=14)
