"""The events that open and meet deadlines, in the browser: the employer's decision and action on
the employer strand, a case review and a police review; errors keep what was typed, and axe-core
finds nothing on each page (the error pages included)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from deadlines.models import Deadline
from tests.browser.conftest import follow, sign_in, submit, visit
from tests.browser.dates import fill_date

pytestmark = pytest.mark.browser


def iso(day: dt.date) -> str:
    return day.isoformat()


def test_recording_the_events_that_meet_deadlines(page: Page, case, lado_officer):
    today = timezone.localdate()
    sign_in(page, lado_officer)
    visit(page, f"/cases/{case.reference}/strands/")

    follow(page, "link", "Update employer's enquiry or disciplinary")
    page.get_by_label("Without formal disciplinary action (action within 3 working days)").check()
    page.get_by_label("Action the employer took (without formal disciplinary action)").fill("Expectations meeting.")
    submit(page, "Save")  # no dates: errors, with the typed action kept
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the date the employer decided.")
    expect(page.get_by_label("Action the employer took (without formal disciplinary action)")).to_have_value("Expectations meeting.")
    fill_date(page, "Date the employer decided", iso(today))
    fill_date(page, "Date the employer took that action", iso(today))
    submit(page, "Save")
    expect(page.get_by_role("row").filter(has_text="Employer's enquiry")).to_contain_text("Employer's action")
    assert Deadline.objects.get(referral=case.referral, kind="employer_action").status == "met"

    follow(page, "link", "Record a case review")
    submit(page, "Save")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the date of the review.")
    fill_date(page, "Date of the review", iso(today))
    page.get_by_label("Summary of the review").fill("All three strands progressing.")
    submit(page, "Save")
    expect(page.get_by_role("table", name="Case and police reviews, latest first")).to_contain_text("All three strands progressing.")

    follow(page, "link", "Record a police review")
    fill_date(page, "Date of the review", iso(today))
    page.get_by_label("What the review decided").fill("Continue to investigate.")
    fill_date(page, "Next police review date (optional)", iso(today + dt.timedelta(days=28)))
    submit(page, "Save")
    assert Deadline.objects.filter(referral=case.referral, kind="police_review", status="open").count() == 1

    page.get_by_role("button", name="Case actions").click()  # the case's menu
    follow(page, "button", "Change how the case is managed")
    page.get_by_label("Strategy discussion (section 47 route)").check()
    page.get_by_label("Why has the route changed?").fill("Police now investigating.")
    submit(page, "Save")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Route changed.")
