"""Restricting a case and withdrawing a share, in a real browser with axe-core on every page
(issue 12 §3): the LADO manager restricts the case to the officer; the officer stops sharing it
with the police."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from agencies.models import Notification
from allegations import services
from allegations.models import Restriction
from tests.browser.conftest import follow, sign_in, sign_out, submit, visit

pytestmark = pytest.mark.browser


def test_restrict_a_case_then_stop_sharing_it(page: Page, lado_manager, lado_officer, chair, case, police_agency):
    services.case_share_with(actor=lado_officer, case=case, agency=police_agency, level="safeguarding",
                             reason="Police investigation")
    sign_in(page, lado_manager)
    visit(page, f"/cases/{case.reference}/access/")  # the case's page of who may see it
    follow(page, "link", "Restrict to named people")
    submit(page, "Restrict")  # nothing typed: the reason is asked for
    expect(page.locator(".govuk-error-summary")).to_contain_text("Say why the case is restricted.")
    page.get_by_label("Why is this case restricted?").fill("The subject's partner works in the service.")
    page.get_by_label(lado_officer.get_full_name()).check()
    page.get_by_label("Their line manager, if they have an account here (optional)").select_option(
        label=chair.get_full_name())
    submit(page, "Restrict")
    expect(page.locator(".govuk-tag", has_text="Restricted")).to_be_visible()
    restriction = Restriction.objects.get()
    assert set(restriction.may_open.all()) == {lado_manager, lado_officer} and restriction.line_manager == chair
    sign_out(page)

    sign_in(page, lado_officer)
    visit(page, f"/cases/{case.reference}/access/")
    assert Notification.objects.filter(user=lado_manager, title__contains=case.reference).exists()
    page.get_by_role("link", name=f"Stop sharing with {police_agency.name}").click()
    page.wait_for_load_state("load")
    expect(page.get_by_role("heading", name=f"Stop sharing this case with {police_agency.name}")).to_be_visible()
    visit(page, page.url)  # the form page, checked by axe
    submit(page, "Stop sharing")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Say why the agency should no longer see the case.")
    page.get_by_label("Why should they no longer see the case?").fill("The police enquiry has ended.")
    submit(page, "Stop sharing")
    expect(page.get_by_text(f"{police_agency.name} can no longer see this case.")).to_be_visible()
