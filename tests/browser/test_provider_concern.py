"""The provider-concern journey (issues 6 and 18, seed 001) in a real browser with axe-core on every page it visits:
the adults' safeguarding manager, prompted by several PiPoT referrals about staff at one care home (and not by
the NHS foundation trust's), records serious concerns, a crime suspected; the assistant director invokes the
process (and hands another concern, not invoked, to commissioning); an initial serious concerns meeting is
scheduled with its invitees suggested (the provider, at its level; the police) and held, the business unit told;
the provider is written to from the template, sent by post; reviews are scheduled; new admissions are suspended;
two action plan items become deadlines, one updated with evidence by the police under "Our actions", the other
carried into commissioning; concluding is refused while the work is open, then succeeds with the suspension
continued and its review still chased; the business unit sees the provider on its register. The concern's page
is usable by keyboard alone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from agencies.models import AgencyKind, Notification, Sector
from deadlines.models import Deadline
from providers import services
from providers.models import ConcernStatus, PlanStatus, ProviderConcern
from tests.agencies.factories import AgencyFactory
from tests.browser.conftest import click_and_load, follow, sign_in, sign_out, submit, visit
from tests.browser.dates import fill_date
from tests.browser.test_keyboard import tab_through
from tests.providers.factories import (
    care_home,
    director_of,
    held_meeting,
    make_concern,
    pipot_referral,
    provider_written_to,
    safeguarding_manager_of,
)

pytestmark = pytest.mark.browser

LONDON = ZoneInfo("Europe/London")


def test_a_provider_concern_from_the_prompt_to_the_register(page: Page, lado_service, lado_officer, chair,
                                                            police_agency, police_user, analyst):
    provider = care_home(lado_service)
    asm = safeguarding_manager_of(lado_service)
    director = director_of(lado_service)
    referrals = [pipot_referral(actor=lado_officer, lado_service=lado_service, provider=provider) for _ in range(3)]
    trust = AgencyFactory(name="Testshire Hospitals NHS Foundation Trust", kind=AgencyKind.NHS_FOUNDATION_TRUST,
                          sector=Sector.HEALTH, lado_service=lado_service)
    for _ in range(3):  # 001 leaves NHS foundation trusts out: no prompt for them
        pipot_referral(actor=lado_officer, lado_service=lado_service, provider=trust, sector="health")
    other_home = care_home(lado_service, name="Elm Lodge Care Home")
    below = make_concern(actor=asm, lado_service=lado_service, provider=other_home)
    now = dt.datetime.now(LONDON)
    today = now.date()

    # --- Prompted on "My work", the adults' safeguarding manager records serious concerns ----------------
    sign_in(page, asm)
    visit(page, "/")  # adults' services people start on "My work"
    expect(page.locator("#provider-prompts-title")).to_have_text("Providers to consider")
    expect(page.locator(".govuk-notification-banner").first).to_contain_text(provider.name)
    expect(page.locator(".govuk-notification-banner").first).not_to_contain_text(trust.name)
    follow(page, "link", f"Consider the serious concerns process for {provider.name}")
    expect(page.get_by_label("Which provider are the concerns about?")).to_have_value(str(provider.pk))
    submit(page, "Record concerns")  # no indicator chosen: the error summary says what is missing
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose at least one indicator.")
    page.get_by_label("A series of safeguarding concerns about the same provider: not operating a safe service").check()
    page.get_by_label("Safeguarding allegations against more than one member of staff").check()
    page.get_by_label("Describe the concerns").fill("Hydration and moving and handling concerns across shifts.")
    page.get_by_label("References of linked referrals or cases (optional)").fill(
        ", ".join(r.reference for r in referrals))
    page.get_by_label("A crime is suspected").check()
    submit(page, "Record concerns")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Serious concerns recorded")
    concern = ProviderConcern.objects.get(provider=provider)
    assert concern.referrals.count() == 3
    concern_path = f"/providers/{concern.reference}/"
    sign_out(page)

    # --- The assistant director decides to invoke the process ----------------------------------------------
    sign_in(page, director)
    visit(page, concern_path)
    follow(page, "button", "Decide whether to invoke the process")
    page.get_by_label("Yes, invoke the process").check()
    page.get_by_label("Rationale").fill("Systemic issues; agreed with the police and the CQC inspector.")
    submit(page, "Record the decision")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Decision recorded")

    # Another concern, below the threshold: not invoked, handed to commissioning with a record of it.
    visit(page, f"/providers/{below.reference}/")
    follow(page, "button", "Decide whether to invoke the process")
    page.get_by_label("No, do not invoke it").check()
    page.get_by_label("Rationale").fill("One incident, dealt with by the provider.")
    submit(page, "Record the decision")  # not invoked, and nobody named to take it on: refused
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose the commissioner")
    page.get_by_label("If not invoked: the commissioner who takes the concerns on for contract monitoring"
                      ).select_option(label="Testshire Adult Social Care")
    page.get_by_label("If not invoked: who in commissioning takes them on").fill("Jo Smith, contracts manager")
    page.get_by_label("If not invoked: what is handed over and what commissioning will monitor").fill(
        "Monthly contract monitoring visits on hydration.")
    submit(page, "Record the decision")
    expect(page.locator("#decision ~ dl").first).to_contain_text("Handed to commissioning")
    expect(page.locator("#decision ~ dl").first).to_contain_text("Jo Smith, contracts manager")
    sign_out(page)

    # --- The initial serious concerns meeting: scheduled and held ------------------------------------------
    sign_in(page, asm)
    visit(page, concern_path)
    follow(page, "link", "Schedule a meeting")
    page.get_by_label("Initial serious concerns meeting").check()
    earlier = (now - dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    fill_date(page, "Date and time", earlier)
    page.get_by_label("Where is it held? (leave blank if online only)").fill("County Hall, Room 2")
    page.get_by_label("Chair", exact=True).select_option(label=asm.get_full_name())
    submit(page, "Schedule meeting")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Meeting scheduled.")
    expect(page.locator(".govuk-caption-l")).to_have_text(f"Provider concern {concern.reference}")
    # Who to invite, from the concern's facts (001): the provider at its level, the CQC, the police (a crime).
    suggestions = page.locator("#suggestions ~ ul").first
    expect(suggestions).to_contain_text(provider.name)
    expect(suggestions).to_contain_text("Care Quality Commission")
    expect(suggestions).to_contain_text(police_agency.name)
    submit(page, f"Invite {provider.name}")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(f"{provider.name} invited.")
    follow(page, "button", "Record that it was held")
    fill_date(page, "When was the meeting held?", earlier)
    page.get_by_role("group", name=provider.name, exact=True).get_by_label("Attended", exact=True).check()
    submit(page, "Save")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("The minutes are now due.")
    assert Notification.objects.filter(user=analyst, title__contains="initial serious concerns meeting held").exists()

    # --- The provider informed in writing, from the template; the schedule of reviews -------------------------
    visit(page, concern_path)
    follow(page, "link", "Write to the provider after the initial serious concerns meeting")
    submit(page, "Draft the letter")
    expect(page.get_by_label("Letter")).to_contain_text(provider.name)
    follow(page, "button", "Record that it was sent")
    page.get_by_label("Post").check()
    fill_date(page, "Date sent", today.isoformat())
    submit(page, "Record as sent")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("recorded as sent")
    expect(page.get_by_role("table", name="Serious concerns meetings")).to_contain_text("by post")
    follow(page, "link", "Set the schedule of review meetings")
    page.get_by_label("How often are review meetings held?").select_option(label="Every 4 weeks")
    fill_date(page, "First review meeting by", (today + dt.timedelta(days=28)).isoformat())
    submit(page, "Set the schedule")
    expect(page.locator("#deadlines + ul")).to_contain_text("Serious concerns review meeting")

    # --- Suspension of new admissions, with a review date chased as a deadline --------------------------------
    visit(page, concern_path)
    expect(page.locator("#deadlines + ul")).to_contain_text("Minutes of an initial meeting")
    follow(page, "link", "Record a suspension of new admissions")
    page.get_by_label("Imposed", exact=True).check()
    page.get_by_label("A commissioner").check()
    fill_date(page, "Suspended from", today.isoformat())
    fill_date(page, "Review date", (today + dt.timedelta(days=14)).isoformat())
    submit(page, "Save")
    expect(page.locator("#admissions ~ dl").first).to_contain_text("Suspended")
    expect(page.locator("#deadlines + ul")).to_contain_text("Review of suspended admissions")

    # --- An item of the multi-agency action plan -------------------------------------------------------------
    follow(page, "link", "Add to the plan")
    page.get_by_label("What is to be done?").fill("Unannounced night visits every week")
    page.get_by_label("Which agency is responsible?").select_option(label=police_agency.name)
    fill_date(page, "Timescale: to be completed by", (today + dt.timedelta(days=28)).isoformat())
    submit(page, "Save")
    plan = page.get_by_role("table", name="The action plan: what, which agency, by when, progress and evidence")
    expect(plan).to_contain_text("Unannounced night visits every week")
    follow(page, "link", "Add to the plan")
    page.get_by_label("What is to be done?").fill("Medicines audit by the care home support team")
    page.get_by_label("Which agency is responsible?").select_option(label="Testshire Adult Social Care")
    fill_date(page, "Timescale: to be completed by", (today + dt.timedelta(days=14)).isoformat())
    submit(page, "Save")
    expect(page.locator("#deadlines + ul")).to_contain_text("Action plan item")

    # The concern's page by keyboard alone (freshly loaded): every control reached, each with a visible focus indicator.
    visit(page, concern_path)
    unreachable, no_indicator = tab_through(page)
    assert unreachable == [] and no_indicator == [], (unreachable, no_indicator)

    # --- Concluding too soon is refused, saying what is missing ---------------------------------------------------
    follow(page, "button", "Conclude the process")
    expect(page.locator("#still-to-do")).to_contain_text("outcome and lessons learned meeting has not been held")
    page.get_by_label("Outcome").fill("Clear and sustained improvement in the quality of care.")
    page.get_by_label("Lessons learned").fill("Commissioners share compliance visit findings sooner.")
    page.get_by_label("Continue it: its review by", exact=False).check()
    page.get_by_label("Why is it lifted or continued?").fill("The commissioner keeps it until the next contract visit.")
    submit(page, "Conclude and send to the business unit")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("The process cannot be concluded yet")
    expect(summary).to_contain_text("Unannounced night visits every week")
    expect(summary).to_contain_text("The outcome and lessons learned meeting has not been held")
    assert ProviderConcern.objects.get(pk=concern.pk).status == ConcernStatus.INVOKED
    sign_out(page)

    # --- The police update their own item, with evidence, under "Our actions" -----------------------------------
    sign_in(page, police_user)
    visit(page, "/actions/")
    expect(page.locator("#plan-items")).to_have_text("Action plan items: serious concerns about a provider")
    ours = page.locator("#plan-items + table")
    expect(ours).to_contain_text("Unannounced night visits every week")
    expect(ours).to_contain_text(concern.reference)
    click_and_load(page, ours.get_by_role("link", name="Update progress of Unannounced night visits every week"))
    page.get_by_label("Complete").check()
    page.get_by_label("Evidence").fill("Visit reports for four weeks, day and night shifts.")
    submit(page, "Save progress")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Progress recorded")
    sign_out(page)

    # --- The other item carried into commissioning; the outcome meeting held, the provider written to -----------
    sign_in(page, asm)
    visit(page, concern_path)
    follow(page, "link", "Carry into commissioning the item Medicines audit by the care home support")
    page.get_by_label("Who owns it in commissioning?").fill("Jo Smith, contracts manager")
    submit(page, "Carry into commissioning")
    expect(plan).to_contain_text("Carried into commissioning: Jo Smith, contracts manager")
    held_meeting(actor=asm, concern=concern)  # the outcome and lessons learned meeting (its pages as above)
    provider_written_to(actor=asm, concern=concern)
    assert services.conclusion_missing(concern) == []

    # --- Outcome and lessons learned: the process concludes, the suspension continued -----------------------------
    visit(page, concern_path)
    follow(page, "button", "Conclude the process")
    page.get_by_label("Outcome").fill("Clear and sustained improvement in the quality of care.")
    page.get_by_label("Lessons learned").fill("Commissioners share compliance visit findings sooner.")
    submit(page, "Conclude and send to the business unit")  # the suspension not decided: never silently
    expect(page.locator(".govuk-error-summary")).to_contain_text("lift the suspension or continue it")
    page.get_by_label("Continue it: its review by", exact=False).check()
    page.get_by_label("Why is it lifted or continued?").fill("The commissioner keeps it until the next contract visit.")
    submit(page, "Conclude and send to the business unit")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("sent to the business unit")
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.CONCLUDED
    assert concern.plan_items.get(description__startswith="Unannounced").status == PlanStatus.COMPLETE
    expect(page.locator("#admissions ~ dl").first).to_contain_text("continued after the process concluded")
    review = Deadline.objects.get(provider_concern=concern, kind="admissions_review")
    assert review.status == Deadline.Status.OPEN and review.chase_ended_at is None  # its review still chased
    visit(page, "/providers/")
    expect(page.get_by_role("table", name="Concerns")).to_contain_text("Concluded")
    sign_out(page)

    # --- The business unit's register of providers ----------------------------------------------------------------
    sign_in(page, analyst)
    visit(page, "/providers/register/")
    table = page.get_by_role("table", name="Providers subject to the process")
    expect(table).to_contain_text(concern.reference)
    expect(table).to_contain_text(provider.name)
    expect(table).to_contain_text("Clear and sustained improvement")
    assert "Kim" not in page.content()  # no subject's name on the register
    with page.expect_download() as info:
        page.get_by_role("link", name="Download the register (CSV)").click()
    assert info.value.suggested_filename == "provider-register.csv"
