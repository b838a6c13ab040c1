"""Retention and subject access in a real browser, with axe-core on every page: a LADO manager asks for
an old closed case to be deleted (the error summary first), a second manager approves it, and a subject
access request is found, reviewed with a redaction lifted, and released as a web page."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from agencies.models import Role
from allegations.models import Referral
from governance.models import DeletionAudit, SarRelease
from tests.agencies.factories import UserFactory, member
from tests.allegations.factories import make_referral
from tests.browser.conftest import after_navigation, follow, sign_in, sign_out, submit
from tests.governance.conftest import age, closed_case

pytestmark = pytest.mark.browser


@pytest.fixture
def old_case(agency_a_manager, lado_service, agency_a, lado_officer, chair):
    referral = make_referral(actor=agency_a_manager, lado_service=lado_service, agency=agency_a, given="Alex",
                             family="Morgan", dob=dt.date(1950, 5, 1))
    case = closed_case(officer=lado_officer, chair=chair, referral=referral)
    age(referral, years=12)
    return case


def test_a_deletion_asked_for_by_one_manager_and_approved_by_another(page: Page, old_case, lado_manager, lado_service):
    reference = old_case.referral.reference
    second = member(UserFactory(username="manager2"), lado_service, Role.LADO_MANAGER)

    sign_in(page, lado_manager)
    follow(page, "link", "Retention")
    expect(page.get_by_role("heading", level=1)).to_have_text("Retention of records")
    expect(page.get_by_role("cell", name=reference, exact=True)).to_be_visible()
    follow(page, "link", f"Ask to delete {reference}")
    submit(page, "Ask for approval")  # no reason: the error summary, checked by axe
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter why the record should be deleted")
    page.get_by_label("Why should this record be deleted?").fill("Past the 10-year rule.")
    submit(page, "Ask for approval")
    expect(page.get_by_text("You asked for it: another manager decides")).to_be_visible()
    sign_out(page)

    sign_in(page, second)
    follow(page, "link", "Retention")
    follow(page, "link", f"Approve or reject the deletion of {reference}")
    page.get_by_label("Approve: delete the record and everything under it").check()
    submit(page, "Confirm decision")
    expect(page.locator("#audit").locator("xpath=following-sibling::table[1]")).to_contain_text("Past the 10-year rule.")
    assert not Referral.objects.filter(reference=reference).exists()
    assert DeletionAudit.objects.get().approved_by == second


def test_a_subject_access_request_reviewed_and_released(page: Page, old_case, lado_manager):
    sign_in(page, lado_manager)
    follow(page, "link", "Subject access")
    page.get_by_label("First name").fill("Alex")
    page.get_by_label("Last name").fill("Morgan")
    submit(page, "Find the person")
    submit(page, "Start a request about Alex Morgan")
    expect(page.get_by_role("heading", level=1)).to_have_text("Review before release")
    expect(page.locator("#draft ~ dl").first).to_contain_text("Alex Morgan")
    expect(page.get_by_text("[redacted: child 1]").first).to_be_visible()
    page.get_by_label("Release referrer 1", exact=False).check()
    submit(page, "Save redactions")
    with page.expect_download() as download:
        page.get_by_role("button", name="Release as a web page (HTML)").click()
    released = open(download.value.path(), encoding="utf-8").read()
    assert "Pat Referrer" in released and "[redacted: child 1]" in released and "Sam" not in released
    page.reload()
    after_navigation(page)
    expect(page.get_by_role("cell", name="Web page (HTML)")).to_be_visible()
    assert SarRelease.objects.get().released_by == lado_manager
