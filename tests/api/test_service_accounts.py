"""An API client acts through an account with a membership (its agency and role give it its access), but that account
is a system, not a person: no list of people offers it, no invitation, notice or chase goes to it, and it still
reads and writes through the API with its role's access."""

from __future__ import annotations

import pytest

from agencies.models import Membership, Role
from allegations import selectors as case_selectors
from allegations.closing import notice_recipients
from deadlines.chasing import service_members
from meetings import deliveries
from meetings import selectors as meeting_selectors
from tests.api.helpers import bearer, make_client
from tests.meetings.factories import invite, schedule

pytestmark = pytest.mark.django_db


@pytest.fixture
def systems(lado_service, agency_a):
    """The school's HR system (senior manager's role) and the LADO service's case system (officer's role)."""
    return (make_client(agency_a, Role.SENIOR_MANAGER, name="Riverside HR system"),
            make_client(lado_service, Role.LADO_OFFICER, name="LADO case system"))


def test_a_clients_membership_is_a_system_and_still_gives_its_access(systems, case):
    school, lado = systems
    assert Membership.objects.get(user=school.client.user).system
    assert Membership.objects.get(user=lado.client.user).system
    assert not Membership.objects.people().filter(user__in=[school.client.user, lado.client.user]).exists()
    response = bearer(lado).get("/api/v1/cases/")
    assert response.status_code == 200 and case.referral.reference in response.content.decode()


def test_no_list_of_people_offers_a_system(systems, case, lado_service, lado_officer, chair, agency_a_manager):
    school, lado = systems
    machines = {school.client.user.pk, lado.client.user.pk}
    officers = set(case_selectors.lado_officers(service_ids=[lado_service.pk]).values_list("pk", flat=True))
    assert lado_officer.pk in officers and not officers & machines
    people = set(case_selectors.service_people(service_id=lado_service.pk).values_list("pk", flat=True))
    assert agency_a_manager.pk in people and not people & machines
    for candidates in (meeting_selectors.chair_candidates(case), meeting_selectors.minute_taker_candidates(case),
                       meeting_selectors.people_to_invite()):
        chosen = set(candidates.values_list("pk", flat=True))
        assert chosen and not chosen & machines


def test_nothing_is_sent_to_a_system(systems, case, lado_service, agency_a, lado_officer, chair, agency_a_manager):
    school, lado = systems
    machines = {school.client.user.pk, lado.client.user.pk}
    # Meeting invitations and minutes to the school reach its senior manager, not its HR system.
    meeting = schedule(case, actor=lado_officer, chair=chair)
    invitation = invite(meeting, actor=chair, agency=agency_a, access_level="employer")
    assert [r.user.pk for r in deliveries.recipients_of(invitation)] == [agency_a_manager.pk]
    # The outcome notice at closing, and the deadline sweep's notices to the LADO service.
    assert [u.pk for u in notice_recipients(agency_a, referral=case.referral)] == [agency_a_manager.pk]
    members = {u.pk for u in service_members(lado_service.pk, [Role.LADO_OFFICER, Role.LADO_MANAGER, Role.CHAIR])}
    assert lado_officer.pk in members and not members & machines
