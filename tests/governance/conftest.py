"""A world with closed records old enough to be past retention."""

import datetime as dt

import pytest
from django.utils import timezone

from agencies.models import Role
from allegations import services as case_services
from allegations.models import Case, Referral, TriageDecision
from tests.agencies.factories import UserFactory, member
from tests.allegations.factories import discuss, make_case, make_referral, tell_parents
from tests.meetings.factories import approve, held_meeting_with_minutes


def age(referral, *, years: float) -> None:
    """Move a record's dates into the past (test set-up only: real records age by themselves)."""
    then = timezone.now() - dt.timedelta(days=int(365.25 * years))
    Referral.objects.filter(pk=referral.pk).update(received_at=then, closed_at=then if referral.closed_at else None)
    Case.objects.filter(referral=referral, status="closed").update(closed_at=then + dt.timedelta(days=30))


def closed_case(*, officer, chair, referral, outcome="substantiated", with_meeting=True, **minutes):
    case = make_case(officer=officer, referral=referral)
    if with_meeting:
        meeting = held_meeting_with_minutes(case, actor=officer, chair=chair, **minutes)
        approve(meeting, chair=chair)
    case_services.case_record_outcome(actor=officer, case=case, outcome=outcome, police_outcome="no_police_action",
                                      police_outcome_detail="", employer_outcome="no_sanction")
    tell_parents(case, officer)
    case_services.case_close(actor=officer, case=case, closed_at=timezone.now(), summary="Closed after the outcome.")
    case.refresh_from_db()
    return case


def advice_contact(*, officer, referral):
    referral = discuss(referral, officer)
    case_services.referral_triage(actor=officer, referral=referral, decision=TriageDecision.Decision.ADVICE,
                                  rationale="Below the threshold: advice to the employer.")
    referral.refresh_from_db()
    return referral


@pytest.fixture
def second_manager(lado_service):
    return member(UserFactory(username="manager2"), lado_service, Role.LADO_MANAGER)


@pytest.fixture
def old_case(agency_a_manager, lado_service, agency_a, lado_officer, chair):
    referral = make_referral(actor=agency_a_manager, lado_service=lado_service, agency=agency_a,
                             given="Alex", family="Morgan", dob=dt.date(1950, 5, 1),
                             children=[{"given_name": "Robin", "family_name": "Quill", "relationship": "complainant",
                                        "date_of_birth": dt.date(2012, 3, 4)}])
    case = closed_case(officer=lado_officer, chair=chair, referral=referral,
                       decisions="Police to investigate Robin's account; Alex Morgan not to work with pupils.")
    age(referral, years=12)
    case.refresh_from_db()
    return case
