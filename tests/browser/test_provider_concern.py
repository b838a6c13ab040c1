"""The provider-concern journey (issue 6, seed 001) in a real browser with axe-core on every page it visits:
the adults' safeguarding manager, prompted by several PiPoT referrals about staff at one care home, records
serious concerns; the assistant director invokes the process; an initial serious concerns meeting is scheduled
and held (its minutes fall due in 14 days); new admissions are suspended with a review date; an action plan
item is added; the process is concluded with the outcome and lessons learned; the business unit sees the
provider on its register. The concern's page is usable by keyboard alone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from providers.models import ConcernStatus, ProviderConcern
from tests.browser.conftest import follow, sign_in, sign_out, submit, visit
from tests.browser.dates import fill_date
from tests.browser.test_keyboard import tab_through
from tests.providers.factories import care_home, director_of, pipot_referral, safeguarding_manager_of

pytestmark = pytest.mark.browser

LONDON = ZoneInfo("Europe/London")


def test_a_provider_concern_from_the_prompt_to_the_register(page: Page, lado_service, lado_officer, chair,
                                                            police_agency, analyst):
    provider = care_home(lado_service)
    asm = safeguarding_manager_of(lado_service)
    director = director_of(lado_service)
    referrals = [pipot_referral(actor=lado_officer, lado_service=lado_service, provider=provider) for _ in range(3)]
    now = dt.datetime.now(LONDON)
    today = now.date()

    # --- Prompted on "My work", the adults' safeguarding manager records serious concerns ----------------
    sign_in(page, asm)
    visit(page, "/")  # adults' services people start on "My work"
    expect(page.locator("#provider-prompts-title")).to_have_text("Providers to consider")
    expect(page.locator(".govuk-notification-banner").first).to_contain_text(provider.name)
    follow(page, "link", f"Consider the serious concerns process for {provider.name}")
    expect(page.get_by_label("Which provider are the concerns about?")).to_have_value(str(provider.pk))
    submit(page, "Record concerns")  # no indicator chosen: the error summary says what is missing
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose at least one indicator.")
    page.get_by_label("A series of safeguarding concerns about the same provider: not operating a safe service").check()
    page.get_by_label("Safeguarding allegations against more than one member of staff").check()
    page.get_by_label("Describe the concerns").fill("Hydration and moving and handling concerns across shifts.")
    page.get_by_label("References of linked referrals or cases (optional)").fill(
        ", ".join(r.reference for r in referrals))
    submit(page, "Record concerns")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Serious concerns recorded")
    concern = ProviderConcern.objects.get()
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
    follow(page, "button", "Record that it was held")
    fill_date(page, "When was the meeting held?", earlier)
    submit(page, "Save")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("The minutes are now due.")

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
    expect(page.get_by_role("table", name="The action plan: what, which agency, by when, progress and evidence")
           ).to_contain_text("Unannounced night visits every week")

    # The concern's page by keyboard alone (freshly loaded): every control reached, each with a visible focus indicator.
    visit(page, concern_path)
    unreachable, no_indicator = tab_through(page)
    assert unreachable == [] and no_indicator == [], (unreachable, no_indicator)

    # --- Outcome and lessons learned: the process concludes ------------------------------------------------------
    follow(page, "button", "Conclude the process")
    page.get_by_label("Outcome").fill("Clear and sustained improvement in the quality of care.")
    page.get_by_label("Lessons learned").fill("Commissioners share compliance visit findings sooner.")
    submit(page, "Conclude and send to the business unit")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("sent to the business unit")
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.CONCLUDED
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
