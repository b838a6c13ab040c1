"""The referral form in a browser: a date typed wrong is pointed at box by box, and the answers are checked on
their own page before the referral is sent. axe runs on every page visited (tests/browser/conftest.py)."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from allegations.models import Referral
from tests.browser.conftest import check_axe, follow, sign_in, submit, visit
from tests.browser.dates import date_group, fill_date

pytestmark = pytest.mark.browser

LONDON = ZoneInfo("Europe/London")


def test_a_wrong_date_is_pointed_at_and_the_answers_are_checked_before_sending(page: Page, agency_a_manager):
    today = dt.datetime.now(LONDON).date()
    sign_in(page, agency_a_manager)
    visit(page, "/referrals/new/")
    page.get_by_label("Works with children (LADO)").check()
    page.get_by_label("Making a referral").check()
    page.get_by_label("First name").and_(page.locator('[name="given_name"]')).fill("Morgan")
    page.get_by_label("Last name", exact=True).fill("Fairweather")
    page.get_by_label("Their role").fill("Swimming coach")
    page.get_by_label("Paid employee").check()
    page.get_by_label("An allegation of harm or risk of harm").check()
    page.get_by_label("Physical", exact=True).check()
    page.get_by_label("What is alleged to have happened?").fill("A parent says the coach pushed a child under the water.")
    arose = date_group(page, "When did the concern arise?")
    arose.get_by_label("Day", exact=True).fill("31")
    arose.get_by_label("Month", exact=True).fill("2")
    arose.get_by_label("Year", exact=True).fill(str(today.year))
    page.get_by_label("Disclosed by the child, adult at risk or a parent or carer").check()
    page.get_by_label("Contemporaneous — it is recent or happening now").check()
    submit(page, "Continue")

    # The summary names the date's problem; its link takes focus to the Day box, the only one marked
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    link = summary.get_by_role("link", name="The date the concern arose must be a real date")
    expect(link).to_have_attribute("href", "#id_concern_arose_on_day")
    link.click()
    day = arose.get_by_label("Day", exact=True)
    expect(day).to_be_focused()
    expect(day).to_have_class(re.compile(r"govuk-input--error"))
    expect(arose.get_by_label("Month", exact=True)).not_to_have_class(re.compile(r"govuk-input--error"))
    expect(day).to_have_value("31")  # what was typed is shown again, as typed
    expect(arose.get_by_label("Month", exact=True)).to_have_value("2")
    expect(page.get_by_label("Their role")).to_have_value("Swimming coach")
    check_axe(page)

    fill_date(page, "When did the concern arise?", today - dt.timedelta(days=2))
    submit(page, "Continue")

    # Check your answers: nothing is sent yet
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers before sending the referral")
    expect(page.get_by_text("Swimming coach")).to_be_visible()
    assert Referral.objects.count() == 0

    # Change goes back to the form with everything kept
    follow(page, "link", "Change their role")
    expect(page.get_by_label("Their role")).to_have_value("Swimming coach")
    expect(page.get_by_label("What is alleged to have happened?")).to_have_value(
        "A parent says the coach pushed a child under the water.")
    expect(date_group(page, "When did the concern arise?").get_by_label("Year", exact=True)).to_have_value(
        str((today - dt.timedelta(days=2)).year))
    page.get_by_label("Their role").fill("Head swimming coach")
    submit(page, "Continue")
    expect(page.get_by_text("Head swimming coach")).to_be_visible()
    assert Referral.objects.count() == 0

    submit(page, "Send referral")
    expect(page.locator(".govuk-panel__title")).to_have_text("Referral sent")
    referral = Referral.objects.get()
    assert referral.subject_role == "Head swimming coach"
    assert referral.subject.family_name == "Fairweather"
