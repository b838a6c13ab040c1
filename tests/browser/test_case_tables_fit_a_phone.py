"""The tables on a case's Strands and Actions pages and a meeting's (who is invited, the circulation, the actions
agreed) stack on a phone, as the queue's and My work's do: at 375 px, with a strand lead, a long action and an
invitee's e-mail address in them, none of these pages scrolls sideways, and axe finds nothing (`region` too)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from allegations import services
from allegations.models import Strand
from meetings import services as meeting_services
from tests.browser.conftest import sign_in, visit
from tests.browser.test_case_overview import check_region, no_sideways_scroll
from tests.meetings.factories import approve, circulate, held_meeting_with_minutes, invite, make_strategy_case

pytestmark = pytest.mark.browser


def test_strands_actions_and_invitations_fit_a_phone(page: Page, referral, lado_officer, chair, agency_a):
    case = make_strategy_case(officer=lado_officer, referral=referral)
    today = timezone.localdate()
    services.strand_update(actor=lado_officer, case=case, kind=Strand.Kind.POLICE, status=Strand.Status.ACTIVE,
                           lead="Detective Constable Alexandra Montgomery-Whitfield, Northshire Police Public "
                                "Protection Unit", started_on=today - dt.timedelta(days=3),
                           review_on=today + dt.timedelta(days=20))
    meeting_services.action_create(
        actor=lado_officer, case=case, agency=agency_a, due_on=today + dt.timedelta(days=7),
        assignee_name="Designated safeguarding lead",
        description="Change the teaching assistant's duties so that they work away from pupils until the "
                    "police investigation ends, and confirm the arrangements in writing to the LADO service.")
    meeting = held_meeting_with_minutes(case, actor=lado_officer, chair=chair)
    invite(meeting, actor=lado_officer, agency=agency_a, name="Morgan Fairweather-Llewellyn",
           role="Designated safeguarding lead and deputy headteacher",
           email="designated.safeguarding.lead@riverside-primary-school.example.org")
    meeting_services.action_create(
        actor=lado_officer, case=case, agency=agency_a, due_on=today + dt.timedelta(days=5), meeting=meeting,
        description="Write to the parents of the child with the outcome of the school's enquiry and the support offered.")
    approve(meeting, chair=chair)
    circulate(meeting, chair=chair)
    sign_in(page, lado_officer)

    page.set_viewport_size({"width": 375, "height": 800})
    for path, shows in ((f"/cases/{case.reference}/strands/", "Alexandra Montgomery-Whitfield"),
                        (f"/cases/{case.reference}/actions/", "confirm the arrangements in writing"),
                        (f"/meetings/{meeting.pk}/", "the support offered")):
        visit(page, path)
        expect(page.locator("main")).to_contain_text(shows)
        if path.startswith("/meetings/"):
            expect(page.locator("#circulation")).to_be_visible()  # the circulation table is on the page too
        check_region(page)
        no_sideways_scroll(page)
