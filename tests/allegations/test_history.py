"""Every write through the services is attributed: a history row with the acting
user and a reason, an event on the case timeline naming who did it; and every
opening of a referral or case page is logged (003 §45–47)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone
from markupsafe import escape

from allegations import services
from allegations.models import AccessLog, Case, Child, Event, Strand, SubjectMatch
from deadlines.models import Deadline
from tests.allegations.factories import discuss, make_case, make_referral, tell_parents

pytestmark = pytest.mark.django_db


def latest(instance):
    return instance.history.order_by("-history_date", "-history_id").first()


def assert_attributed(instance, actor, reason: str | None = None):
    record = latest(instance)
    assert record is not None, f"no history for {instance!r}"
    assert record.history_user == actor, f"{type(instance).__name__}: {record.history_user} != {actor}"
    assert (record.history_change_reason or "").strip(), f"{type(instance).__name__}: no change reason"
    if reason is not None:
        assert record.history_change_reason == reason
    return record


def name_in(page, user) -> bool:
    return str(escape(user.get_full_name() or user.username)) in page.content.decode()


# --- Each step of a referral's life -------------------------------------------------

def test_submitting_a_referral_records_who_and_why_on_every_row(agency_a_manager, lado_service, agency_a):
    referral = make_referral(actor=agency_a_manager, lado_service=lado_service, agency=agency_a)
    assert latest(referral).history_type == "+"
    assert_attributed(referral, agency_a_manager, "Referral received")
    assert_attributed(referral.subject, agency_a_manager, "Named in a new referral")
    child = Child.objects.get(referral=referral)
    assert_attributed(child, agency_a_manager, "Named in a new referral")
    deadline = referral.deadlines.get(kind=Deadline.Kind.INITIAL_DISCUSSION)
    assert_attributed(deadline, agency_a_manager)
    event = Event.objects.get(referral=referral)
    assert (event.actor, event.verb) == (agency_a_manager, "referral_received")


def test_the_initial_discussion_is_attributed_to_the_officer(referral, lado_officer):
    discuss(referral, lado_officer)
    referral.refresh_from_db()
    assert_attributed(referral, lado_officer, "Initial discussion recorded")
    deadline = referral.deadlines.get(kind=Deadline.Kind.INITIAL_DISCUSSION)
    record = assert_attributed(deadline, lado_officer, "Initial discussion recorded")
    assert record.met_at is not None
    assert Event.objects.get(referral=referral, verb="initial_discussion").actor == lado_officer


def test_triage_and_the_case_it_opens_are_attributed_to_the_officer(referral, lado_officer):
    case = make_case(officer=lado_officer, referral=referral)
    referral.refresh_from_db()
    assert_attributed(referral, lado_officer, "Triage decision: Threshold met — open a case")
    assert_attributed(referral.triage, lado_officer, "Triage decision")
    assert_attributed(case, lado_officer, "Threshold met at triage")
    strands = list(case.strands.all())
    assert len(strands) == 3
    for strand in strands:
        assert_attributed(strand, lado_officer, "Case opened")
    assert_attributed(case.deadlines.get(kind=Deadline.Kind.CASE_REVIEW), lado_officer)
    triage_event = Event.objects.get(referral=referral, verb="triage_decision")
    assert (triage_event.actor, triage_event.reason) == (lado_officer, "Threshold 1 met.")
    assert Event.objects.get(case=case, verb="case_opened").actor == lado_officer


def test_a_strand_update_keeps_the_officer_and_the_reason(case, lado_manager):
    services.strand_update(actor=lado_manager, case=case, kind=Strand.Kind.POLICE, reason="DC Jones called",
                           status=Strand.Status.ACTIVE, lead="DC Jones")
    strand = case.strands.get(kind=Strand.Kind.POLICE)
    record = assert_attributed(strand, lado_manager, "DC Jones called")
    assert (record.status, record.lead) == (Strand.Status.ACTIVE, "DC Jones")
    assert record.prev_record.status == Strand.Status.NOT_STARTED  # the earlier state is kept
    event = Event.objects.get(case=case, verb="strand_updated")
    assert (event.actor, event.reason) == (lado_manager, "DC Jones called")


def test_recording_the_outcome_and_closing_are_attributed(agency_a_manager, lado_service, agency_a, lado_officer,
                                                          lado_manager):
    referral = make_referral(actor=agency_a_manager, lado_service=lado_service, agency=agency_a,
                             received_at=timezone.now() - dt.timedelta(days=3))
    case = make_case(officer=lado_officer, referral=referral)
    services.case_record_outcome(actor=lado_manager, case=case, outcome="unfounded", police_outcome="no_police_action",
                                 police_outcome_detail="", employer_outcome="no_sanction")
    case.refresh_from_db()
    record = assert_attributed(case, lado_manager, "Outcome recorded")
    assert record.outcome == "unfounded"

    tell_parents(case, lado_officer)
    services.case_close(actor=lado_officer, case=case, closed_at=timezone.now(), summary="Unfounded; closed.")
    case.refresh_from_db()
    record = assert_attributed(case, lado_officer, "Case closed")
    assert record.status == "closed"
    # The open case review clock was waived by the officer who closed the case, with the reason.
    review = case.deadlines.get(kind=Deadline.Kind.CASE_REVIEW)
    assert review.status == Deadline.Status.WAIVED
    assert_attributed(review, lado_officer, "Case closed before it fell due")
    closed = Event.objects.get(case=case, verb="case_closed")
    assert (closed.actor, closed.reason) == (lado_officer, "Unfounded; closed.")


def test_a_refused_write_leaves_no_history(referral, lado_officer):
    from django.core.exceptions import ValidationError

    rows = referral.history.count()
    with pytest.raises(ValidationError):
        services.referral_triage(actor=lado_officer, referral=referral, decision="advice", rationale="Too early")
    assert referral.history.count() == rows
    assert not Event.objects.filter(referral=referral, verb="triage_decision").exists()


def _every_historied_model():
    # Deadline lives in the deadlines app since issue 13; its history is a case's history as before.
    return [m for label in ("allegations", "deadlines") for m in apps.get_app_config(label).get_models()
            if getattr(m._meta, "simple_history_manager_attribute", None) == "history"]


def test_a_whole_case_leaves_no_history_row_without_a_user_and_a_reason(
    agency_a_manager, lado_service, agency_a, agency_b_outsider, agency_b, lado_officer, lado_manager, police_agency,
):
    """Walk a case through every service, then read every history table of the app."""
    earlier = make_referral(actor=agency_b_outsider, lado_service=lado_service, agency=agency_b, given="Alex",
                            family="Morgan")
    earlier_case = make_case(officer=lado_officer, referral=earlier)
    referral = make_referral(actor=agency_a_manager, lado_service=lado_service, agency=agency_a, given="Alex",
                             family="Morgan", received_at=timezone.now() - dt.timedelta(days=3))
    services.referral_assign(actor=lado_manager, referral=referral, officer=lado_officer)
    referral = discuss(referral, lado_officer)
    match = services.subject_match_decide(actor=lado_officer, referral=referral, candidate=earlier.subject,
                                          decision="confirmed")
    services.referral_triage(actor=lado_officer, referral=referral, decision="threshold_met", rationale="Threshold 1",
                             harmed=True, route="position_of_trust")
    case = Case.objects.get(referral=referral)
    today = timezone.localdate()
    services.strand_update(actor=lado_officer, case=case, kind="employer", reason="Hearing set",
                           status="active", hearing_on=today + dt.timedelta(days=10))
    services.suspension_record(actor=lado_officer, case=case, arrangement="suspended", decided_on=today,
                               decided_by="Head teacher")
    services.risk_assessment_record(actor=lado_officer, case=case, level="high", summary="Access to pupils")
    services.decision_record(actor=lado_officer, case=case, decision="Hold a meeting", rationale="Police interest")
    disagreement = services.disagreement_record(actor=lado_officer, case=case, kind="challenge", raised_on=today,
                                                raised_by="Police", about="Threshold")
    services.disagreement_resolve(actor=lado_manager, disagreement=disagreement, status="resolved",
                                  resolution="Agreed", escalated_to="", resolved_on=today)
    services.case_link(actor=lado_officer, case=case, linked_case=earlier_case, reason="Same subject")
    services.case_share_with(actor=lado_officer, case=case, agency=police_agency, level="safeguarding", reason="Police investigation")
    services.case_assign(actor=lado_manager, case=case, owner=lado_manager)
    services.case_record_outcome(actor=lado_manager, case=case, outcome="substantiated", police_outcome="caution",
                                 police_outcome_detail="", employer_outcome="dismissed")
    services.case_record_dbs_referral(actor=lado_manager, case=case, referred_on=today, notes="")
    services.regulator_referral_record(actor=lado_manager, case=case, regulator="TRA", made_on=today,
                                       made_by="Riverside Primary")
    tell_parents(case, lado_manager)
    services.case_close(actor=lado_manager, case=case, closed_at=timezone.now(), summary="Substantiated.")

    assert_attributed(match, lado_officer)
    checked = 0
    for model in _every_historied_model():
        for record in model.history.all():
            checked += 1
            where = f"{model.__name__} #{record.pk} ({record.history_type})"
            assert record.history_user_id is not None, f"{where} has no user"
            assert (record.history_change_reason or "").strip(), f"{where} has no reason"
    assert checked > 40
    # And the business log names someone for every event.
    assert not Event.objects.filter(actor__isnull=True).exists()


# --- The timeline and the access log ---------------------------------------------------

def test_the_case_timeline_lists_each_event_with_its_actor(login, case, lado_officer, lado_manager, agency_a_manager):
    services.decision_record(actor=lado_manager, case=case, decision="Strategy meeting", rationale="Police interest")
    page = login(lado_officer).get(reverse("allegations:case_timeline", args=[case.reference]))
    html = page.content.decode()
    events = list(Event.objects.filter(referral=case.referral))
    assert {e.verb for e in events} >= {"referral_received", "initial_discussion", "triage_decision", "case_opened",
                                        "decision"}
    for event in events:
        assert str(escape(event.summary)) in html, event.summary
    for person in (lado_officer, lado_manager, agency_a_manager):
        assert f"by {escape(person.get_full_name())}" in html
    # Newest first: the decision comes before the referral being received.
    assert html.index("Decision (between meetings): Strategy meeting") < html.index("Referral received, submitted by")


def test_opening_the_referral_page_is_logged_and_shown_to_the_lado(login, referral, agency_a_manager, lado_officer):
    before = timezone.now()
    assert login(agency_a_manager).get(reverse("allegations:referral_detail", args=[referral.reference])).status_code == 200
    entry = AccessLog.objects.get()
    assert (entry.user, entry.referral, entry.case, entry.what) == (agency_a_manager, referral, None, "referral")
    assert before <= entry.at <= timezone.now()

    page = login(lado_officer).get(reverse("allegations:referral_detail", args=[referral.reference]))
    assert "Who has opened this" in page.content.decode()
    assert name_in(page, agency_a_manager)
    assert name_in(page, lado_officer)  # the officer's own visit is logged before the page is drawn
    assert AccessLog.objects.filter(user=lado_officer, referral=referral).count() == 1


def test_opening_the_case_page_is_logged_and_shown_to_the_lado(login, case, agency_a_viewer, lado_officer):
    assert login(agency_a_viewer).get(reverse("allegations:case_detail", args=[case.reference])).status_code == 200
    entry = AccessLog.objects.get()
    assert (entry.user, entry.referral, entry.case, entry.what) == (agency_a_viewer, case.referral, case, "case")

    page = login(lado_officer).get(reverse("allegations:case_access", args=[case.reference]))
    assert "Who has opened this case" in page.content.decode()
    assert name_in(page, agency_a_viewer)


def test_only_the_lado_sees_who_has_opened_a_record(login, case, agency_a_manager, lado_officer):
    login(lado_officer).get(reverse("allegations:case_detail", args=[case.reference]))
    client = login(agency_a_manager)
    for name in ("allegations:referral_detail", "allegations:case_detail"):
        page = client.get(reverse(name, args=[case.reference]))
        assert page.status_code == 200
        assert "Who has opened this" not in page.content.decode()
    assert AccessLog.objects.filter(user=agency_a_manager).count() == 2


def test_a_refused_visit_is_not_logged_as_an_opening(login, case, agency_b_outsider):
    client = login(agency_b_outsider)
    assert client.get(reverse("allegations:case_detail", args=[case.reference])).status_code == 404
    assert client.get(reverse("allegations:referral_detail", args=[case.reference])).status_code == 404
    assert not AccessLog.objects.exists()


def test_the_history_of_a_subject_match_names_the_officer(referral, lado_officer, agency_b_outsider, lado_service,
                                                          agency_b):
    other = make_referral(actor=agency_b_outsider, lado_service=lado_service, agency=agency_b, given="Alex",
                          family="Morgan")
    match = services.subject_match_decide(actor=lado_officer, referral=referral, candidate=other.subject,
                                          decision="rejected")
    assert SubjectMatch.objects.get() == match
    assert_attributed(match, lado_officer)
    assert Case.objects.count() == 0
