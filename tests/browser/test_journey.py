"""The main journey, in a real browser, with axe-core on every page it visits:
a school's designated safeguarding lead makes a referral; a LADO officer triages it,
opens a case, works it and closes it."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from allegations.models import Case, Referral
from tests.browser.conftest import follow, sign_in, sign_out, submit
from tests.browser.dates import fill_date

pytestmark = pytest.mark.browser

LONDON = ZoneInfo("Europe/London")


def name_of(user) -> str:
    return user.get_full_name() or user.username


def iso(day: dt.date) -> str:
    return day.isoformat()


def local_now() -> str:
    """Now in the partnership's time zone (typed to the minute: the services count a time in the minute the
    referral arrived as after it)."""
    return dt.datetime.now(LONDON).strftime("%Y-%m-%dT%H:%M:%S")


def expect_error_summary(page: Page, *messages: str) -> None:
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    for message in messages:
        expect(summary.get_by_role("link", name=message)).to_be_visible()
    # GOV.UK Frontend moves focus to the summary so screen readers announce it
    expect(summary).to_be_focused()
    assert page.title().startswith("Error: ")


def test_referral_from_school_to_closed_case(page: Page, agency_a_manager, lado_officer):
    today = dt.datetime.now(LONDON).date()  # the product's 'not in the future' is in London time
    officer = name_of(lado_officer)

    # --- The school's designated safeguarding lead makes a referral ----------------
    sign_in(page, agency_a_manager)
    follow(page, "link", "Make a referral")
    expect(page.get_by_role("heading", level=1)).to_have_text("Make a referral to the LADO or PiPoT service")
    # What we know about the referrer is filled in for them
    expect(page.get_by_label("Your name")).to_have_value(name_of(agency_a_manager))
    expect(page.get_by_label("Referring agency")).to_have_value(str(agency_a_manager.memberships.get().agency_id))
    expect(page.get_by_label("Employer or organisation")).to_have_value("Riverside Primary")

    # Sent empty: the error summary lists what is missing, and each link finds its field
    submit(page, "Continue")
    expect_error_summary(
        page,
        "Say whether you are making a referral or asking for advice.",
        "Enter the person's first name.",
        "Describe what is alleged to have happened.",
        "Enter the date the concern arose.",
    )
    page.locator(".govuk-error-summary").get_by_role("link", name="Enter the person's last name.").click()
    expect(page.get_by_label("Last name", exact=True)).to_be_focused()
    page.locator(".govuk-error-summary").get_by_role("link", name="Say how the person is engaged.").click()
    expect(page.get_by_label("Paid employee")).to_be_focused()

    page.get_by_label("Making a referral").check()
    page.get_by_label("Works with children (LADO)").check()
    page.get_by_label("First name").and_(page.locator('[name="given_name"]')).fill("Jonathan")
    page.get_by_label("Last name", exact=True).fill("Ashworth-Browne")
    fill_date(page.get_by_role("group", name="Date of birth (optional)", exact=True).first, None, "1984-03-27")
    page.get_by_label("Their role").fill("Year 4 class teacher")
    page.get_by_label("Paid employee").check()
    page.get_by_label("An allegation of harm or risk of harm").check()
    page.get_by_label("Physical", exact=True).check()
    page.get_by_label("What is alleged to have happened?").fill(
        "A pupil says the teacher grabbed his arm hard in the classroom on Tuesday; a teaching assistant saw it."
    )
    fill_date(page, "When did the concern arise?", iso(today - dt.timedelta(days=3)))
    page.get_by_label("Disclosed by the child, adult at risk or a parent or carer").check()
    page.get_by_label("Contemporaneous — it is recent or happening now").check()
    person = page.get_by_role("group", name="Person 1")
    person.get_by_label("First name").fill("Sam")
    fill_date(person, "Date of birth (optional)", iso(today - dt.timedelta(days=9 * 365)))
    person.get_by_label("Who are they?").select_option(label="Made the allegation or was harmed")
    submit(page, "Continue")
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers before sending the referral")
    expect(page.locator(".govuk-summary-list").first).to_contain_text("Making a referral")
    submit(page, "Send referral")

    expect(page.locator(".govuk-panel__title")).to_have_text("Referral sent")
    reference = page.locator(".govuk-panel__body strong").inner_text().strip()
    referral = Referral.objects.get(reference=reference)
    assert referral.subject.family_name == "Ashworth-Browne"
    assert [c.given_name for c in referral.children.all()] == ["Sam"]

    follow(page, "link", "Our referrals")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=reference))
    expect(row).to_contain_text("Jonathan Ashworth-Browne")
    expect(row).to_contain_text("New")
    sign_out(page)

    # --- The LADO officer triages it ----------------------------------------------
    sign_in(page, lado_officer)
    expect(page).to_have_url(re.compile(r"/my-work/$"))  # the duty officer's landing page
    follow(page, "link", "Triage queue")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=reference))
    expect(row.locator(".app-deadline")).to_have_text(re.compile(r"^Due in (2[0-4]|1?\d) hours?$"))

    follow(page, "link", reference)
    expect(page.get_by_role("heading", level=1)).to_have_text(reference)
    follow(page, "button", "Record the initial discussion")
    expect(page.get_by_label("Who was it with?")).to_have_value(name_of(agency_a_manager))
    fill_date(page, "When was the initial discussion held?", local_now())
    page.get_by_label("What was discussed and agreed").fill("Spoke to the DSL. Pupil seen by the school nurse; no marks.")
    submit(page, "Save discussion")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Initial discussion recorded.")

    follow(page, "button", "Record the triage decision")
    page.get_by_label("The person has behaved in a way that has harmed a child, or may have harmed a child").check()
    page.get_by_label("Threshold met — open a case").check()
    page.get_by_label("Position-of-trust (managing allegations) meeting").check()
    page.get_by_label("Rationale").fill("Threshold 1: a pupil may have been harmed by a member of staff.")
    submit(page, "Record decision")

    # --- The case -----------------------------------------------------------------------
    expect(page).to_have_url(re.compile(rf"/cases/{re.escape(reference)}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{reference}: Jonathan Ashworth-Browne")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Triage decision recorded.")

    follow(page, "link", "Strands")  # the case's sub-navigation
    follow(page, "link", "Update police investigation")
    page.get_by_role("group", name="Status").get_by_label("In progress").check()
    page.get_by_label("Lead").fill("DC Morgan, Testshire Police")
    fill_date(page, "Started on", iso(today - dt.timedelta(days=1)))
    fill_date(page, "Police review date", iso(today + dt.timedelta(days=14)))
    submit(page, "Save")
    strand = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Police investigation"))
    expect(strand).to_contain_text("In progress")

    follow(page, "link", "Record a risk assessment")
    page.get_by_label("Medium").check()
    page.get_by_label("Assessment").fill("The teacher is in class with the pupil every day.")
    submit(page, "Save")
    expect(page.locator("#risk ~ .govuk-inset-text").first).to_contain_text("Medium risk")

    follow(page, "link", "Decisions")  # decisions and challenges have their own page of the case
    follow(page, "link", "Record a decision")
    page.get_by_label("Decision", exact=True).fill("The teacher works away from the pupil's class until the enquiry ends.")
    page.get_by_label("Rationale").fill("Keeps the pupil safe without prejudging the outcome.")
    page.get_by_label("Between meetings").check()
    submit(page, "Save")
    expect(page.get_by_role("table", name="Decisions with rationale")).to_contain_text("works away from the pupil")

    follow(page, "link", "Record a disagreement or challenge")
    page.get_by_label("Professional challenge").check()
    fill_date(page, "Raised on", iso(today))
    page.get_by_label("Raised by").fill("Head teacher, Riverside Primary")
    page.get_by_label("What is it about?").fill("The head teacher thinks the move to another class is not needed.")
    submit(page, "Save")
    expect(page.locator(".govuk-summary-card")).to_contain_text("Professional challenge raised by Head teacher")

    page.get_by_role("button", name="Case actions").click()  # the case's menu
    follow(page, "button", "Record the outcome")
    page.get_by_label("Substantiated", exact=True).check()
    page.get_by_label("No police action").check()
    page.get_by_label("Disciplinary sanction").check()
    submit(page, "Save")
    outcome = page.locator("#outcome + .govuk-summary-list")
    expect(outcome).to_contain_text("Substantiated")
    expect(outcome).to_contain_text("No police action")
    expect(outcome).to_contain_text("Disciplinary sanction")

    page.get_by_role("button", name="Case actions").click()
    follow(page, "button", "Close the case")
    expect(page.get_by_role("heading", level=1)).to_have_text("Are you sure you want to close this case?")
    fill_date(page, "Closure date and time", local_now())
    page.get_by_label("Closing summary").fill("Substantiated; final written warning; no police action.")
    # For each child: the parents were told, or why not (issue 16 §3; tests/browser/test_people_told.py).
    page.get_by_label("Why were the parents or carers of Sam not told?").fill("Sam is 17 and asked us not to.")
    submit(page, "Close the case")

    expect(page.locator(".govuk-notification-banner")).to_contain_text("Case closed.")
    expect(page.locator("h1 + p .govuk-tag")).to_have_text("Closed")
    expect(page.get_by_role("button", name="Close the case")).to_have_count(0)
    assert Case.objects.get(referral=referral).status == "closed"

    follow(page, "link", "Timeline")
    timeline = page.locator(".app-timeline__item")
    steps = [
        ("Referral received, submitted by Riverside Primary", name_of(agency_a_manager)),
        (f"Initial discussion held with {name_of(agency_a_manager)}", officer),
        ("Triage decision: Threshold met — open a case", officer),
        ("Case opened: Position-of-trust (managing allegations) meeting", officer),
        ("Police investigation: in progress", officer),
        ("Risk assessed as medium", officer),
        ("Decision (between meetings): The teacher works away", officer),
        ("Professional challenge raised by Head teacher, Riverside Primary", officer),
        ("Outcome recorded: substantiated", officer),
        ("Case closed", officer),
    ]
    for summary, actor in steps:
        item = timeline.filter(has=page.locator(".app-timeline__title", has_text=summary))
        expect(item).to_have_count(1)
        expect(item.locator(".app-timeline__byline")).to_have_text(f"by {actor}")
