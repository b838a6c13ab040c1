"""The state rules of allegations.services: transitions, deadlines opened and waived,
the DBS duty, closed cases, who may act, and reference numbers."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from agencies.models import Partnership
from allegations import services
from allegations.models import (
    Case,
    CaseStatus,
    ContactType,
    EmployerOutcome,
    Outcome,
    Referral,
    ReferralStatus,
    Route,
    TriageDecision,
)
from deadlines.models import Deadline
from deadlines.services import current_status
from tests.allegations.factories import discuss, make_referral, tell_parents

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
D = TriageDecision.Decision


def triage(referral, officer, decision=D.ADVICE, **kwargs):
    return services.referral_triage(actor=officer, referral=referral, decision=decision,
                                    rationale=kwargs.pop("rationale", "Reasons given."), **kwargs)


def record_outcome(case, officer, outcome=Outcome.UNFOUNDED, employer_outcome=EmployerOutcome.NO_SANCTION):
    return services.case_record_outcome(actor=officer, case=case, outcome=outcome, police_outcome="no_police_action",
                                        police_outcome_detail="", employer_outcome=employer_outcome)


def close(case, officer):
    tell_parents(case, officer)
    return services.case_close(actor=officer, case=case, closed_at=timezone.now(), summary="Concluded.")


# --- Referral transitions ------------------------------------------------------------------


def test_referral_transitions_allow_only_discussion_then_one_decision():
    assert services.REFERRAL_TRANSITIONS[ReferralStatus.NEW] == {ReferralStatus.DISCUSSED}
    assert services.REFERRAL_TRANSITIONS[ReferralStatus.DISCUSSED] == {
        ReferralStatus.ADVICE, ReferralStatus.NOT_ALLEGATION, ReferralStatus.TRANSFERRED, ReferralStatus.CASE_OPENED,
    }
    for decided in (ReferralStatus.ADVICE, ReferralStatus.NOT_ALLEGATION, ReferralStatus.TRANSFERRED,
                    ReferralStatus.CASE_OPENED):
        assert not services.REFERRAL_TRANSITIONS.get(decided)


def test_triage_is_refused_before_the_initial_discussion(referral, lado_officer):
    with pytest.raises(ValidationError, match="cannot move to"):
        triage(referral, lado_officer, D.THRESHOLD_MET, harmed=True, route=Route.POSITION_OF_TRUST)

    referral.refresh_from_db()
    assert referral.status == ReferralStatus.NEW
    assert not TriageDecision.objects.exists()
    assert not Case.objects.exists()


def test_a_referral_cannot_be_triaged_twice(referral, lado_officer):
    referral = discuss(referral, lado_officer)
    triage(referral, lado_officer, D.ADVICE)

    with pytest.raises(ValidationError, match="cannot move to"):
        triage(referral, lado_officer, D.THRESHOLD_MET, harmed=True, route=Route.POSITION_OF_TRUST)

    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ADVICE
    assert referral.contact_type == ContactType.ADVICE
    assert TriageDecision.objects.get().decision == D.ADVICE
    assert not Case.objects.exists()


def test_a_referral_with_a_case_cannot_be_triaged_again(case, lado_officer):
    with pytest.raises(ValidationError):
        triage(case.referral, lado_officer, D.NOT_ALLEGATION)

    assert Referral.objects.get(pk=case.referral_id).status == ReferralStatus.CASE_OPENED
    assert TriageDecision.objects.get().decision == D.THRESHOLD_MET


def test_the_initial_discussion_cannot_be_recorded_twice(referral, lado_officer):
    discuss(referral, lado_officer)

    with pytest.raises(ValidationError, match="cannot move to"):
        discuss(referral, lado_officer)

    assert referral.events.filter(verb="initial_discussion").count() == 1


def test_a_met_threshold_must_say_which_of_the_four_thresholds(referral, lado_officer):
    referral = discuss(referral, lado_officer)

    with pytest.raises(ValidationError) as raised:
        triage(referral, lado_officer, D.STRATEGY)

    assert "harmed" in raised.value.error_dict
    assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.DISCUSSED


# --- The strategy route ---------------------------------------------------------------------


@pytest.fixture
def received_maundy_thursday(agency_a_manager, lado_service, agency_a):
    return make_referral(actor=agency_a_manager, lado_service=lado_service, agency=agency_a,
                         received_at=dt.datetime(2025, 4, 17, 16, 30, tzinfo=LONDON))


def test_strategy_decision_opens_a_case_with_a_strategy_meeting_due_in_seven_working_days(
    received_maundy_thursday, lado_officer
):
    referral = discuss(received_maundy_thursday, lado_officer)

    triage(referral, lado_officer, D.STRATEGY, criminal_offence=True)

    referral.refresh_from_db()
    case = referral.case
    assert referral.status == ReferralStatus.CASE_OPENED
    assert referral.contact_type == ContactType.REFERRAL
    assert case.route == Route.STRATEGY_DISCUSSION
    assert case.status == CaseStatus.OPEN
    meeting = Deadline.objects.get(referral=referral, kind=Deadline.Kind.STRATEGY_MEETING)
    assert meeting.anchor_at == referral.received_at
    # Thu 17 Apr 2025 + 7 working days, skipping Good Friday and Easter Monday: end of Wed 30 Apr (BST).
    assert meeting.due_at == dt.datetime(2025, 4, 30, 23, 59, 59, tzinfo=LONDON)
    assert meeting.status == Deadline.Status.OPEN
    assert meeting.case_id == case.pk  # counted among the case's deadlines (the case list's "Open deadlines")
    assert case.deadlines.filter(kind=Deadline.Kind.CASE_REVIEW).exists()


def test_strategy_meeting_span_is_the_partnership_setting(partnership, received_maundy_thursday, lado_officer):
    partnership.strategy_meeting_span = 3
    partnership.save()
    referral = discuss(received_maundy_thursday, lado_officer)

    triage(referral, lado_officer, D.STRATEGY, harmed=True)

    meeting = Deadline.objects.get(referral=referral, kind=Deadline.Kind.STRATEGY_MEETING)
    assert Partnership.current() == partnership
    assert meeting.due_at == dt.datetime(2025, 4, 24, 23, 59, 59, tzinfo=LONDON)


def test_threshold_met_on_the_position_of_trust_route_opens_no_strategy_deadline(case):
    assert case.route == Route.POSITION_OF_TRUST
    assert not Deadline.objects.filter(kind=Deadline.Kind.STRATEGY_MEETING).exists()


# --- Closing a case ------------------------------------------------------------------------


def test_closing_waives_deadlines_not_yet_due_and_keeps_a_missed_one(referral, lado_officer):
    referral = discuss(referral, lado_officer)
    triage(referral, lado_officer, D.STRATEGY, harmed=True)
    case = Case.objects.get(referral=referral)
    missed = Deadline.objects.get(referral=referral, kind=Deadline.Kind.STRATEGY_MEETING)
    missed.due_at = timezone.now() - dt.timedelta(days=1)  # test setup only: it fell due while the case was open
    missed.save()
    initial_status = Deadline.objects.get(referral=referral, kind=Deadline.Kind.INITIAL_DISCUSSION).status
    case = record_outcome(case, lado_officer)

    close(case, lado_officer)

    review = Deadline.objects.get(referral=referral, kind=Deadline.Kind.CASE_REVIEW)
    assert review.status == Deadline.Status.WAIVED
    assert review.waived_by == lado_officer
    assert review.waived_reason
    missed.refresh_from_db()
    assert missed.status != Deadline.Status.WAIVED
    assert missed.waived_by is None
    assert missed.met_at is None
    assert current_status(missed, timezone.now()) == Deadline.Status.OVERDUE
    # A deadline already met is left as it was.
    assert Deadline.objects.get(referral=referral, kind=Deadline.Kind.INITIAL_DISCUSSION).status == initial_status
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    assert case.closed_by == lado_officer


def test_a_case_cannot_close_without_an_outcome(case, lado_officer):
    with pytest.raises(ValidationError) as raised:
        close(case, lado_officer)

    assert "closed_at" in raised.value.error_dict
    assert Case.objects.get(pk=case.pk).status == CaseStatus.OPEN


def test_a_case_with_a_dbs_duty_cannot_close_until_the_dbs_referral_is_recorded(case, lado_officer):
    case = record_outcome(case, lado_officer, Outcome.SUBSTANTIATED, EmployerOutcome.DISMISSED)

    with pytest.raises(ValidationError) as raised:
        close(case, lado_officer)
    assert "summary" in raised.value.error_dict
    assert Case.objects.get(pk=case.pk).status == CaseStatus.OPEN

    services.case_record_dbs_referral(actor=lado_officer, case=case, referred_on=timezone.localdate(), notes="")
    close(case, lado_officer)
    assert Case.objects.get(pk=case.pk).status == CaseStatus.CLOSED


# --- The DBS duty (003 §56) -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("outcome", "employer_outcome", "because"),
    [
        (Outcome.SUBSTANTIATED, EmployerOutcome.DISMISSED, "substantiated and the person was dismissed"),
        (Outcome.SUBSTANTIATED, EmployerOutcome.CEASED_USE, "ceased to use the person's services"),
        (Outcome.UNSUBSTANTIATED, EmployerOutcome.CEASED_USE, "ceased to use the person's services"),
        (Outcome.NO_OUTCOME, EmployerOutcome.RESIGNED, "resigned before the process could be completed"),
        (Outcome.SUBSTANTIATED, EmployerOutcome.RESIGNED, "resigned before the process could be completed"),
    ],
)
def test_dbs_duty_in_the_three_circumstances_of_003_56(outcome, employer_outcome, because):
    assert because in Case(outcome=outcome, employer_outcome=employer_outcome).dbs_duty


@pytest.mark.parametrize(
    ("outcome", "employer_outcome"),
    [
        ("", ""),
        (Outcome.SUBSTANTIATED, ""),
        (Outcome.SUBSTANTIATED, EmployerOutcome.SANCTION),
        (Outcome.SUBSTANTIATED, EmployerOutcome.SUPPORT_TRAINING),
        (Outcome.SUBSTANTIATED, EmployerOutcome.NOT_EMPLOYED),
        (Outcome.UNSUBSTANTIATED, EmployerOutcome.DISMISSED),
        (Outcome.UNFOUNDED, EmployerOutcome.NO_SANCTION),
        (Outcome.FALSE, EmployerOutcome.NO_SANCTION),
        (Outcome.MALICIOUS, EmployerOutcome.SUPPORT_TRAINING),
    ],
)
def test_no_dbs_duty_otherwise(outcome, employer_outcome):
    assert Case(outcome=outcome, employer_outcome=employer_outcome).dbs_duty == ""


def test_recording_an_outcome_with_a_dbs_duty_says_so_in_the_timeline(case, lado_officer):
    record_outcome(case, lado_officer, Outcome.SUBSTANTIATED, EmployerOutcome.DISMISSED)

    assert "duty to refer to the DBS" in case.referral.events.get(verb="outcome").summary


# --- A closed case --------------------------------------------------------------------------------

CHANGES = {
    "decision": lambda case, actor: services.decision_record(
        actor=actor, case=case, decision="Carry on.", rationale="New facts.", made_at="between_meetings"),
    "risk assessment": lambda case, actor: services.risk_assessment_record(
        actor=actor, case=case, level="low", summary="Low."),
    "suspension": lambda case, actor: services.suspension_record(
        actor=actor, case=case, arrangement="suspended", decided_on=timezone.localdate(), decided_by="Head"),
    "disagreement": lambda case, actor: services.disagreement_record(
        actor=actor, case=case, kind="challenge", raised_on=timezone.localdate(), raised_by="Police", about="X"),
    "outcome": lambda case, actor: record_outcome(case, actor, Outcome.SUBSTANTIATED, EmployerOutcome.DISMISSED),
    "dbs referral": lambda case, actor: services.case_record_dbs_referral(
        actor=actor, case=case, referred_on=timezone.localdate(), notes=""),
    "strand": lambda case, actor: services.strand_update(actor=actor, case=case, kind="police", status="active"),
    "owner": lambda case, actor: services.case_assign(actor=actor, case=case, owner=actor),
    "close again": lambda case, actor: close(case, actor),
}


@pytest.fixture
def closed_case(case, lado_officer):
    case = record_outcome(case, lado_officer)
    close(case, lado_officer)
    case.refresh_from_db()
    return case


@pytest.mark.parametrize("change", list(CHANGES), ids=list(CHANGES))
def test_a_closed_case_refuses_further_changes(closed_case, lado_officer, change):
    events_before = closed_case.events.count()
    history_before = closed_case.history.count()

    with pytest.raises(ValidationError, match="This case is closed"):
        CHANGES[change](closed_case, lado_officer)

    closed_case.refresh_from_db()
    assert closed_case.status == CaseStatus.CLOSED
    assert closed_case.outcome == Outcome.UNFOUNDED
    assert closed_case.events.count() == events_before
    assert closed_case.history.count() == history_before


# --- Who may act ---------------------------------------------------------------------------------

LADO_SERVICES = {
    "discussion": lambda referral, actor: discuss(referral, actor),
    "triage": lambda referral, actor: triage(referral, actor, D.ADVICE),
    "assign": lambda referral, actor: services.referral_assign(actor=actor, referral=referral, officer=actor),
}
CASE_SERVICES = {
    "decision": CHANGES["decision"],
    "outcome": CHANGES["outcome"],
    "owner": CHANGES["owner"],
    "close": lambda case, actor: close(case, actor),
}


@pytest.mark.parametrize("persona", ["agency_a_manager", "agency_a_viewer", "other_officer", "police_user"])
@pytest.mark.parametrize("service", list(LADO_SERVICES))
def test_only_the_lado_service_may_act_on_a_referral(request, referral, persona, service):
    actor = request.getfixturevalue(persona)

    with pytest.raises(PermissionDenied):
        LADO_SERVICES[service](referral, actor)

    referral.refresh_from_db()
    assert referral.status == ReferralStatus.NEW
    assert referral.assigned_to is None


@pytest.mark.parametrize("persona", ["agency_a_manager", "other_officer"])
@pytest.mark.parametrize("service", list(CASE_SERVICES))
def test_only_the_lado_service_may_change_a_case(request, case, persona, service):
    actor = request.getfixturevalue(persona)
    events_before = case.events.count()

    with pytest.raises(PermissionDenied):
        CASE_SERVICES[service](case, actor)

    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN
    assert case.outcome == ""
    assert case.events.count() == events_before


@pytest.mark.parametrize("persona", ["agency_a_viewer", "agency_b_outsider"])
def test_only_a_senior_manager_of_the_agency_may_refer_for_it(request, persona, lado_service, agency_a):
    with pytest.raises(PermissionDenied):
        make_referral(actor=request.getfixturevalue(persona), lado_service=lado_service, agency=agency_a)

    assert not Referral.objects.exists()


def test_only_the_lado_service_may_take_a_referral_by_phone(other_officer, lado_service, agency_a):
    with pytest.raises(PermissionDenied):
        make_referral(actor=other_officer, lado_service=lado_service, agency=agency_a, phone=True)

    assert not Referral.objects.exists()


# --- Reference numbers ---------------------------------------------------------------------------


def at(year, month=6, day=1):
    return dt.datetime(year, month, day, 12, 0, tzinfo=LONDON)


def test_references_are_numbered_per_year_without_gaps():
    assert [services.next_reference(at(2025)) for _ in range(3)] == ["MAS-2025-00001", "MAS-2025-00002", "MAS-2025-00003"]
    assert services.next_reference(at(2026, 1, 1)) == "MAS-2026-00001"
    assert services.next_reference(at(2025, 12, 31)) == "MAS-2025-00004"


def test_references_skip_numbers_already_taken(agency_a_manager, lado_service, agency_a):
    assert services.next_reference(at(2025)) == "MAS-2025-00001"
    imported = make_referral(actor=agency_a_manager, lado_service=lado_service, agency=agency_a, received_at=at(2024))
    # Test setup only: a referral imported with its own reference in this year's space.
    imported.reference = "MAS-2025-00002"
    imported.save()

    assert services.next_reference(at(2025)) == "MAS-2025-00003"
    assert services.next_reference(at(2025)) == "MAS-2025-00004"


def test_submitted_referrals_take_the_next_reference_of_their_year(agency_a_manager, lado_service, agency_a):
    first = make_referral(actor=agency_a_manager, lado_service=lado_service, agency=agency_a, received_at=at(2025, 3))
    second = make_referral(actor=agency_a_manager, lado_service=lado_service, agency=agency_a, received_at=at(2025, 4))

    assert (first.reference, second.reference) == ("MAS-2025-00001", "MAS-2025-00002")
