"""An assurance round in a real browser (issue 6 §9, §10), with axe-core on every page: the business unit
starts a round with seed 000's six questions, changes one, adds one, chooses the agencies and sends it;
agency A's senior manager follows the inbox notice, saves a draft, is told what is missing, and submits;
the business unit reads the composite both ways round and downloads it."""

from __future__ import annotations

import csv
import io

import pytest
from playwright.sync_api import Page, expect

from assurance.models import AssuranceRound, Request, RoundStatus
from tests.browser.conftest import after_navigation, check_axe, follow, sign_in, sign_out, submit
from tests.browser.dates import fill_date

pytestmark = pytest.mark.browser


def test_an_assurance_round_from_questions_to_composite(page: Page, analyst, agency_a, agency_b, agency_a_manager,
                                                        agency_b_outsider):
    # The business unit starts a round.
    sign_in(page, analyst)
    follow(page, "link", "Assurance")
    follow(page, "button", "Start an assurance round")
    submit(page, "Create the round")  # empty: the error summary, checked by axe
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a title for the round.")
    page.get_by_label("Title").fill("PiPoT assurance audit 2026")
    page.get_by_label("Period the answers cover").fill("2025 to 2026")
    fill_date(page, "Answers due by", "2026-12-31")
    submit(page, "Create the round")
    expect(page.get_by_role("heading", level=1)).to_have_text("PiPoT assurance audit 2026")
    questions = page.locator("#main-content ol.govuk-list--number > li")
    expect(questions).to_have_count(8)  # seed 000's six and its two commissioning questions
    expect(questions.first).to_contain_text("clear and well understood process")

    # Change the sixth question, add a ninth.
    follow(page, "link", "Change question 6")
    page.get_by_label("Question", exact=True).fill("Does your organisation have a lead role for allegations about adults' workforce?")
    submit(page, "Save the question")
    follow(page, "link", "Add a question")
    page.get_by_label("Question", exact=True).fill("Do you ask providers you commission to report concerns about staff to you?")
    page.get_by_label("Yes or no, with comments").check()
    submit(page, "Save the question")
    expect(questions).to_have_count(9)
    expect(questions.nth(5)).to_contain_text("adults' workforce")

    # Choose the agencies and send.
    follow(page, "link", "Choose the agencies")
    page.get_by_label("Riverside Primary").check()
    page.get_by_label("Hilltop Academy").check()
    submit(page, "Save the agencies")
    submit(page, "Send the questionnaire")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Questionnaire sent")
    expect(page.get_by_text("0 of 2 agencies have submitted their answers.")).to_be_visible()
    round_ = AssuranceRound.objects.get()
    assert round_.status == RoundStatus.SENT
    sign_out(page)

    # Agency A's senior manager answers from the inbox notice.
    sign_in(page, agency_a_manager)
    follow(page, "link", "Inbox 1 unread")  # the navigation says how many are unread
    follow(page, "link", "Assurance questionnaire to answer for Riverside Primary by 31 December 2026")
    expect(page.get_by_role("heading", level=1)).to_have_text("PiPoT assurance audit 2026")
    first = page.get_by_role("group", name="1. Does your organisation have a clear and well understood process", exact=False)
    first.get_by_label("Yes").check()
    page.get_by_label("Comments on question 1 (optional)").fill("Included in our safeguarding policy, with a flowchart.")
    submit(page, "Save as a draft")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Draft saved")
    expect(page.get_by_label("Comments on question 1 (optional)")).to_have_value(
        "Included in our safeguarding policy, with a flowchart.")
    submit(page, "Submit the answers")  # eight questions unanswered: the error summary links to each
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("link")).to_have_count(8)
    # Answer the rest from the keyboard's point of view: each question's radios are a named group.
    for question in round_.questions.all()[1:]:
        if question.is_yes_no:
            page.locator(f'input[name="q{question.pk}"][value="yes"]').check()
        elif question.is_numbers:
            page.get_by_label("Referrals (question 5)").fill("2")
            page.get_by_label("Cases (question 5)").fill("1")
        else:
            page.locator(f'textarea[name="q{question.pk}_text"]').fill("Two in the last three years.")
    submit(page, "Submit the answers")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Answers submitted for Riverside Primary")
    expect(page.locator("table")).to_contain_text("Submitted")
    sign_out(page)

    # The business unit reads the composite and downloads it.
    sign_in(page, analyst)
    follow(page, "link", "Assurance")
    follow(page, "link", "PiPoT assurance audit 2026")
    expect(page.get_by_text("1 of 2 agencies have submitted their answers.")).to_be_visible()
    follow(page, "link", "See the answers side by side (composite)")
    table = page.locator("table").first  # the answers; the numbers question's totals follow
    expect(page.locator("table").nth(1)).to_contain_text("Referrals")
    expect(table.locator("thead th")).to_have_text(["Question", "Hilltop Academy", "Riverside Primary"])
    first_row = table.locator("tbody tr").nth(1)
    expect(first_row.locator("th")).to_contain_text("clear and well understood process")
    expect(first_row.locator("td").nth(1)).to_contain_text("Yes")
    expect(first_row.locator("td").nth(1)).to_contain_text("with a flowchart")
    expect(first_row.locator("td").nth(0)).to_have_text("No answer")
    follow(page, "link", "Show agencies as rows, questions as columns")
    expect(page.locator("table").first.locator("tbody th[scope=row]")).to_have_text(["Hilltop Academy",
                                                                                   "Riverside Primary"])
    follow(page, "link", "Show questions as rows, agencies as columns")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the composite as CSV").click()
    rows = list(csv.reader(io.StringIO(open(download.value.path(), encoding="utf-8").read())))
    assert rows[0] == ["Question", "Hilltop Academy", "Riverside Primary"]
    assert rows[2][2] == "Yes. Included in our safeguarding policy, with a flowchart."
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the composite as a spreadsheet (XLSX)").click()
    assert download.value.suggested_filename == "assurance-pipot-assurance-audit-2026.xlsx"
    check_axe(page)

    # The round closes: agency B can no longer answer.
    follow(page, "link", "Back to the round")
    submit(page, "Close the round")
    assert AssuranceRound.objects.get().status == RoundStatus.CLOSED
    assert Request.objects.get(agency=agency_b).answered_at is None
    after_navigation(page)
