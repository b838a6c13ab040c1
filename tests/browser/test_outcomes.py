"""After the outcome in a real browser (issue 16 §4, §6), at 1280 px and 375 px with axe-core on every page:
the officer records an outcome reading each outcome's definition, then ticks its checklist; records a complaint on
the closed case; a LADO service manager reopens the case and amends its outcome."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from allegations import services
from allegations.models import CaseAmendment, Complaint, OutcomeChecklistItem
from allegations.outcomes import OUTCOME_DEFINITIONS
from tests.browser.conftest import after_navigation, click_and_load, sign_in, sign_out, submit, visit
from tests.browser.dates import fill_date
from tests.allegations.factories import tell_parents

pytestmark = pytest.mark.browser


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{page.url} scrolls sideways at {width[1]} px: {width[0]} px wide"


def check(page: Page) -> None:
    """The page as it is now at 1280 px, then at 375 px (axe on both, no sideways scroll), back to 1280 px."""
    no_sideways_scroll(page)
    page.set_viewport_size({"width": 375, "height": 800})
    after_navigation(page)
    no_sideways_scroll(page)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_an_outcome_with_its_definitions_then_its_checklist(page: Page, case, lado_officer):
    sign_in(page, lado_officer)
    visit(page, f"/cases/{case.reference}/outcome/")
    check(page)
    outcome = page.get_by_role("group", name="Outcome of the allegation")
    for definition in OUTCOME_DEFINITIONS.values():  # each outcome's meaning under it
        expect(outcome.get_by_text(definition, exact=True)).to_be_visible()
    expect(page.get_by_text("does not stop a referral")).to_be_visible()  # under "Resigned"
    outcome.get_by_label("Malicious", exact=True).check()
    page.get_by_role("group", name="Police outcome").get_by_label("No police action", exact=True).check()
    page.get_by_role("group", name="Employer outcome").get_by_label("No action or sanction", exact=True).check()
    submit(page, "Save")

    nav = page.get_by_role("navigation", name="Parts of this case")
    click_and_load(page, nav.get_by_role("link", name="Outcome", exact=True))
    check(page)
    expect(page.get_by_text(OUTCOME_DEFINITIONS["malicious"])).to_be_visible()
    checklist = page.get_by_role("table", name="The outcome's checklist")
    expect(checklist).to_contain_text("removed the allegation from the person's personnel file")
    expect(checklist).to_contain_text("must not be referred to in references")
    click_and_load(page, checklist.get_by_role("row").filter(has_text="personnel file").get_by_role("link"))
    check(page)
    submit(page, "Save")  # nothing chosen: the error, the answers kept
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose whether it has been done.")
    page.get_by_label("Not applicable", exact=True).check()
    submit(page, "Save")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Say why it does not apply.")
    check(page)
    page.get_by_label("Done", exact=True).check()
    page.get_by_label("Note (required if not applicable)").fill("Removed by the head teacher.")
    submit(page, "Save")
    check(page)
    row = page.get_by_role("row").filter(has_text="personnel file")
    expect(row).to_contain_text("Done")
    expect(row).to_contain_text(lado_officer.get_full_name() or lado_officer.username)
    item = OutcomeChecklistItem.objects.get(case=case, item="personnel_file")
    assert (item.state, item.done_by) == ("done", lado_officer)


def test_a_complaint_then_a_manager_reopens_and_amends(page: Page, case, lado_officer, lado_manager):
    services.case_record_outcome(actor=lado_officer, case=case, outcome="unfounded",
                                 police_outcome="no_police_action", police_outcome_detail="",
                                 employer_outcome="no_sanction")
    tell_parents(case, lado_officer)
    services.case_close(actor=lado_officer, case=case, closed_at=timezone.now(), summary="Concluded: unfounded.")
    sign_in(page, lado_officer)
    visit(page, f"/cases/{case.reference}/conclusion/")
    expect(page.get_by_role("link", name="Reopen the case")).to_have_count(0)  # an officer may not
    expect(page.get_by_text("Retention review")).to_be_visible()
    click_and_load(page, page.get_by_role("link", name="Record a complaint"))
    check(page)
    fill_date(page, "Date the complaint was received", timezone.localdate())
    page.get_by_role("group", name="Who made the complaint?").get_by_label(
        "The person the allegation is about", exact=True).check()
    page.get_by_role("group", name="What is it about?").get_by_label("The outcome of the allegation",
                                                                     exact=True).check()
    page.get_by_label("What the complaint says").fill("The evidence did not support unfounded.")
    submit(page, "Save")
    check(page)
    expect(page.get_by_text("The evidence did not support unfounded.")).to_be_visible()
    click_and_load(page, page.get_by_role("link", name="Update the complaint received"))
    page.get_by_role("group", name="Stage").get_by_label("Stage 2", exact=True).check()
    page.get_by_role("group", name="Result at this stage (leave blank while it is looked into)").get_by_label(
        "Partly upheld", exact=True).check()
    fill_date(page, "Date answered (optional)", timezone.localdate())
    submit(page, "Save")
    check(page)
    complaint = Complaint.objects.get(case=case)
    assert (complaint.stage, complaint.result) == ("stage_2", "partly_upheld")
    sign_out(page)

    sign_in(page, lado_manager)
    visit(page, f"/cases/{case.reference}/conclusion/")
    click_and_load(page, page.get_by_role("link", name="Amend the outcome"))
    check(page)
    expect(page.get_by_text(OUTCOME_DEFINITIONS["unsubstantiated"])).to_be_visible()
    page.get_by_role("group", name="The amended outcome").get_by_label("Unsubstantiated", exact=True).check()
    page.get_by_label("Why is the outcome amended?").fill("The complaint was partly upheld at stage 2.")
    page.get_by_label("Did a complaint lead to this? (optional)").select_option(str(complaint.pk))
    submit(page, "Amend the outcome")
    check(page)
    expect(page.get_by_text("from unfounded to unsubstantiated")).to_be_visible()
    click_and_load(page, page.get_by_role("link", name="Reopen the case"))
    submit(page, "Reopen the case")  # no reason: the error
    expect(page.locator(".govuk-error-summary")).to_contain_text("Say why the case is reopened.")
    check(page)
    page.get_by_label("Why is the case reopened?").fill("A reconvened meeting is needed.")
    submit(page, "Reopen the case")
    check(page)
    expect(page.locator(".app-case-header")).to_contain_text("Open")
    assert list(CaseAmendment.objects.filter(case=case).order_by("at").values_list("kind", flat=True)) == [
        "outcome_amended", "reopened"]
    click_and_load(page, page.get_by_role("navigation", name="Parts of this case").get_by_role(
        "link", name="Timeline", exact=True))
    check(page)
    expect(page.get_by_text("Case reopened by a LADO service manager", exact=False)).to_be_visible()
    expect(page.get_by_text("Outcome amended from unfounded to unsubstantiated", exact=False)).to_be_visible()
