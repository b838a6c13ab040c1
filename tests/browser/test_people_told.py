"""Facts that change and the people told, in a real browser (issue 16 §1, §3): a LADO officer adds a fourth child
after intake, records that the parents were told, and closes the case, which asks why the other children's parents
were not told. axe-core on every page visited; at 1280 px and 375 px, nothing scrolls sideways."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from allegations import services
from allegations.models import Case, CaseStatus, Child, ParentsTold
from tests.allegations.factories import make_case, make_referral
from tests.browser.conftest import click_and_load, follow, sign_in, submit, visit
from tests.browser.dates import fill_date
from tests.browser.test_case_overview import check_region, no_sideways_scroll

pytestmark = pytest.mark.browser


@pytest.fixture
def three_children_case(agency_a_manager, lado_service, agency_a, lado_officer):
    referral = make_referral(
        actor=agency_a_manager, lado_service=lado_service, agency=agency_a,
        received_at=timezone.now() - dt.timedelta(days=3),
        children=[{"given_name": name, "family_name": "Pupil", "relationship": "complainant"}
                  for name in ("Ash", "Bo", "Cy")],
    )
    case = make_case(officer=lado_officer, referral=referral)
    services.case_record_outcome(actor=lado_officer, case=case, outcome="unfounded", police_outcome="no_police_action",
                                 police_outcome_detail="", employer_outcome="no_sanction")
    return case


def _fits(page: Page) -> None:
    check_region(page)
    no_sideways_scroll(page)


@pytest.mark.parametrize("width", [1280, 375])
def test_a_fourth_child_after_intake_parents_told_and_closing(page: Page, three_children_case, lado_officer, width):
    case = three_children_case
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, lado_officer)

    # The referral's page: the three children, and the LADO service's "Add a child".
    visit(page, f"/referrals/{case.reference}/")
    _fits(page)
    follow(page, "link", "Add a child")
    _fits(page)
    page.get_by_label("First name").fill("Dee")
    page.get_by_label("Who are they?").select_option("other_in_setting")
    page.get_by_role("group", name="Do they have a social worker?").get_by_label("Yes", exact=True).check()
    page.get_by_role("group", name="Are they looked after (in care)?").get_by_label("No", exact=True).check()
    submit(page, "Save")  # no reason: the GOV.UK error summary, what was typed kept
    expect(page.locator(".govuk-error-summary")).to_contain_text("Say why you are making this change.")
    expect(page.get_by_label("First name")).to_have_value("Dee")
    _fits(page)
    page.get_by_label("Why are you making this change?").fill("Named by the head teacher at the strategy meeting.")
    submit(page, "Save")
    expect(page.locator("#people").locator("xpath=following-sibling::table[1]")).to_contain_text("Dee")
    _fits(page)
    dee = Child.objects.get(referral=case.referral, given_name="Dee")
    assert (dee.social_worker, dee.looked_after) == ("yes", "no")

    # People told: Dee's parents were told by the head teacher.
    visit(page, f"/cases/{case.reference}/people-told/")
    _fits(page)
    record = page.locator(f'a[href$="/children/{dee.pk}/parents-told/"]')
    expect(record).to_contain_text("Record whether the parents or carers were told")
    click_and_load(page, record)
    _fits(page)
    page.get_by_role("group", name="Have the parents or carers been told?").get_by_label("Yes", exact=True).check()
    page.get_by_label("Who told them? (if told)").fill("Head teacher, Riverside Primary")
    fill_date(page, "When were they told? (if told)", timezone.localdate() - dt.timedelta(days=1))
    page.get_by_label("What were they told? (if told)").fill("That an allegation was made and is being looked into.")
    page.get_by_label("The child's views, if given (optional)").fill("Dee wants to stay in the same class.")
    submit(page, "Save")
    expect(page.get_by_role("heading", name="People told")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Head teacher, Riverside Primary")
    _fits(page)

    # Closing asks for the others: refused until each has a reason.
    visit(page, f"/cases/{case.reference}/close/")  # the case's menu leads here (tests/browser/test_case_overview.py)
    expect(page.get_by_role("heading", level=1)).to_have_text("Are you sure you want to close this case?")
    _fits(page)
    fill_date(page, "Closure date and time", timezone.localtime().replace(second=0) - dt.timedelta(minutes=5))
    page.get_by_label("Closing summary").fill("Unfounded; the school keeps a record of the concern.")
    submit(page, "Close the case")
    summary = page.locator(".govuk-error-summary")
    for name in ("Ash", "Bo", "Cy"):
        expect(summary).to_contain_text(f"Record that the parents or carers of {name} Pupil were told")
    _fits(page)
    assert Case.objects.get(pk=case.pk).status == CaseStatus.OPEN
    for name in ("Ash", "Bo", "Cy"):
        page.get_by_label(f"Why were the parents or carers of {name} Pupil not told?").fill(
            "The police asked that the family is not told until they have spoken to them.")
    submit(page, "Close the case")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Case closed.")
    _fits(page)
    assert Case.objects.get(pk=case.pk).status == CaseStatus.CLOSED
    assert ParentsTold.objects.filter(child__referral=case.referral, told=False).count() == 3
    assert ParentsTold.objects.get(child=dee).told
