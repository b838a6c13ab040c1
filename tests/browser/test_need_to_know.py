"""Need to know in a real browser, from the keyboard, with axe-core on every page (issue 12 §1): the LADO officer
shares the case with the police at the safeguarding level; the police hold the suspension (the employer's part)
back from the school, which no longer reads it, and then lift the hold."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from allegations import services
from tests.browser.conftest import after_navigation, sign_in, sign_out, visit

pytestmark = pytest.mark.browser


def press_and_load(page: Page, key: str = "Enter") -> None:
    with page.expect_navigation():
        page.keyboard.press(key)
    after_navigation(page)


def choose(page: Page, label: str) -> None:
    page.get_by_label(label).focus()
    page.keyboard.press("Space")


def hold_or_lift(page: Page, case, link: str, answer: str, why: str) -> None:
    """From the case page, follow the arrangement's hold link, answer, say why and save: all from the keyboard."""
    visit(page, f"/cases/{case.reference}/strands/")
    page.get_by_role("link", name=re.compile(link + r"\s+\(Alternative duties")).focus()
    press_and_load(page)
    choose(page, answer)
    page.get_by_label("Why?").fill(why)
    page.get_by_label("Why?").press("Tab")
    press_and_load(page)


def test_share_at_a_level_then_the_police_hold_an_item_from_the_school(page: Page, lado_officer, police_user,
                                                                       police_agency, agency_a_manager, case):
    services.suspension_record(actor=lado_officer, case=case, arrangement="alternative_duties",
                               decided_on=case.opened_at.date(), decided_by="Head teacher",
                               notes="Working in the library, away from pupils.")
    # The LADO officer shares the case with the police at the safeguarding level.
    sign_in(page, lado_officer)
    visit(page, f"/cases/{case.reference}/share/")
    page.get_by_label("Agency").focus()
    page.get_by_label("Agency").select_option(label=police_agency.name)
    choose(page, "The safeguarding part (police, social care, health): also the police and social care enquiries, "
                 "risk assessments, the children's details and documents")
    page.get_by_label("Why share the case with them?").fill("The police are investigating.")
    page.get_by_label("Why share the case with them?").press("Tab")
    press_and_load(page)
    expect(page.get_by_text(f"{police_agency.name} (safeguarding level)")).to_be_visible()
    sign_out(page)

    # The police keep the arrangement from the school while they investigate.
    sign_in(page, police_user)
    hold_or_lift(page, case, "Keep from the employer", "No: not for the employer while the investigation runs",
                 "The member of staff has not been interviewed yet.")
    expect(page.get_by_text("not for the employer while the investigation runs")).to_be_visible()
    expect(page.get_by_text("Working in the library, away from pupils.")).to_be_visible()
    sign_out(page)

    # The school no longer reads it.
    sign_in(page, agency_a_manager)
    visit(page, f"/cases/{case.reference}/strands/")
    expect(page.get_by_text("Working in the library, away from pupils.")).to_have_count(0)
    expect(page.get_by_role("link", name=re.compile("Keep from the employer"))).to_have_count(0)
    sign_out(page)

    # The police lift it; the school reads it again.
    sign_in(page, police_user)
    hold_or_lift(page, case, "Let the employer see it",
                 "Yes: the investigation no longer needs it kept from the employer", "Interview held.")
    sign_out(page)
    sign_in(page, agency_a_manager)
    visit(page, f"/cases/{case.reference}/strands/")
    expect(page.get_by_text("Working in the library, away from pupils.")).to_be_visible()
