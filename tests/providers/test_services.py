"""Provider concerns (seed 001): recording, deciding, the suspension of admissions and its review deadline,
the action plan, escalation and conclusion."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from agencies.models import Notification
from deadlines import chasing
from deadlines.models import Deadline
from providers import services
from providers.models import ConcernStatus, PlanStatus, ProviderConcern
from tests.providers.factories import make_concern, pipot_referral, ready_to_conclude

pytestmark = pytest.mark.django_db


def test_a_concern_is_recorded_against_001s_indicators_and_the_directors_are_asked_to_decide(
        asm, director, lado_service, provider, lado_officer):
    referral = pipot_referral(actor=lado_officer, lado_service=lado_service, provider=provider)
    concern = make_concern(actor=asm, lado_service=lado_service, provider=provider, referrals=[referral])
    assert concern.reference.startswith("PC-")
    assert concern.status == ConcernStatus.RECORDED
    assert list(concern.referrals.all()) == [referral]
    assert concern.events.filter(kind="recorded").exists()
    notice = Notification.objects.get(user=director)
    assert concern.reference in notice.title and "Kim" not in notice.title


def test_only_a_director_decides_and_the_rationale_is_recorded(asm, director, lado_service, provider, analyst):
    concern = make_concern(actor=asm, lado_service=lado_service, provider=provider)
    with pytest.raises(PermissionDenied):
        services.concern_decide(actor=asm, concern=concern, invoke=True, rationale="Yes")
    with pytest.raises(ValidationError):
        services.concern_decide(actor=director, concern=concern, invoke=True, rationale=" ")
    concern = services.concern_decide(actor=director, concern=concern, invoke=True, rationale="Systemic issues.")
    assert concern.status == ConcernStatus.INVOKED and concern.decided_by == director
    assert concern.decision_rationale == "Systemic issues."
    assert Notification.objects.filter(user=analyst, title__contains="invoked").exists()  # the business unit is told
    with pytest.raises(ValidationError):  # decided once
        services.concern_decide(actor=director, concern=concern, invoke=False, rationale="Changed mind.")


def test_outsiders_cannot_record_concerns(agency_b_outsider, lado_service, provider, other_officer):
    for actor in (agency_b_outsider, other_officer):
        with pytest.raises(PermissionDenied):
            make_concern(actor=actor, lado_service=lado_service, provider=provider)


def test_a_suspension_of_admissions_opens_an_admissions_review_deadline_met_by_the_review(asm, concern):
    today = timezone.localdate()
    suspension = services.suspension_record(actor=asm, concern=concern, kind="imposed", imposed_by="commissioner",
                                            started_on=today, review_on=today + dt.timedelta(days=14))
    deadline = suspension.deadline
    assert deadline.kind == Deadline.Kind.ADMISSIONS_REVIEW
    assert deadline.provider_concern == concern and deadline.referral is None
    assert timezone.localtime(deadline.due_at).date() == today + dt.timedelta(days=14)

    services.suspension_review(actor=asm, suspension=suspension, notes="Some progress; keep it.",
                               next_review_on=today + dt.timedelta(days=28))
    deadline.refresh_from_db()
    assert deadline.status == Deadline.Status.MET
    suspension.refresh_from_db()
    nxt = suspension.deadline
    assert nxt.pk != deadline.pk and nxt.status == Deadline.Status.OPEN
    assert suspension.review_on == today + dt.timedelta(days=28)

    services.suspension_end(actor=asm, suspension=suspension, ended_on=today, reason="Sustained improvement.")
    nxt.refresh_from_db()
    assert nxt.status == Deadline.Status.WAIVED


def test_an_imposed_suspension_is_not_imposed_by_the_provider(asm, concern):
    today = timezone.localdate()
    with pytest.raises(ValidationError):
        services.suspension_record(actor=asm, concern=concern, kind="imposed", imposed_by="provider",
                                   started_on=today, review_on=today)


def test_a_deadline_belongs_to_a_referral_or_a_provider_concern(concern, referral):
    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        Deadline.objects.create(kind="action", anchor_at=now, due_at=now)
    with pytest.raises(IntegrityError), transaction.atomic():
        Deadline.objects.create(kind="action", anchor_at=now, due_at=now, referral=referral, provider_concern=concern)


def test_the_admissions_review_is_chased_to_the_lead_and_escalated_to_the_director(asm, director, concern, mailoutbox):
    today = timezone.localdate()
    suspension = services.suspension_record(actor=asm, concern=concern, kind="voluntary", imposed_by="provider",
                                            started_on=today, review_on=today)
    later = suspension.deadline.escalate_at + dt.timedelta(minutes=1)
    counts = chasing.sweep(now=later)  # late: no "due soon" reminder for what is overdue
    assert counts == {"reminder": 0, "overdue": 1, "escalation": 1, "digests": 0}
    titles = set(Notification.objects.filter(user=asm).values_list("title", flat=True))
    assert any(t.startswith("Overdue: Review of suspended admissions") for t in titles)
    assert Notification.objects.filter(user=director, title__startswith="Escalation").exists()
    assert all("/providers/" in n.link for n in Notification.objects.filter(title__contains=concern.reference))
    assert chasing.sweep(now=later) == {"reminder": 0, "overdue": 0, "escalation": 0, "digests": 0}  # exactly once


def test_a_concluded_concerns_deadlines_are_not_chased(asm, concern):
    today = timezone.localdate()
    suspension = services.suspension_record(actor=asm, concern=concern, kind="voluntary", imposed_by="provider",
                                            started_on=today, review_on=today + dt.timedelta(days=3))
    ready_to_conclude(actor=asm, concern=concern)
    services.concern_conclude(actor=asm, concern=concern, outcome="Improved.", lessons_learned="Act earlier.",
                              suspension_decision="lift", suspension_lifted_on=today, suspension_note="Care is safe.")
    suspension.deadline.refresh_from_db()
    assert suspension.deadline.status == Deadline.Status.WAIVED
    assert Deadline.objects.filter(provider_concern=concern, status__in=["open", "overdue"],
                                   chase_ended_at__isnull=True).count() == 0
    assert chasing.sweep(now=timezone.now() + dt.timedelta(days=10)) == {"reminder": 0, "overdue": 0, "escalation": 0, "digests": 0}


def test_the_action_plan_needs_evidence_to_be_complete(asm, concern, police_agency):
    item = services.plan_item_add(actor=asm, concern=concern, description="Unannounced visits weekly",
                                  agency=police_agency, due_on=timezone.localdate())
    with pytest.raises(ValidationError):
        services.plan_item_update(actor=asm, item=item, status=PlanStatus.COMPLETE, evidence="")
    item = services.plan_item_update(actor=asm, item=item, status=PlanStatus.COMPLETE, evidence="Visit reports 1-4")
    assert item.status == PlanStatus.COMPLETE


def test_escalation_says_who_was_informed(asm, concern):
    with pytest.raises(ValidationError):
        services.escalation_record(actor=asm, concern=concern, reason="disagreement", who_was_informed="",
                                   informed_on=timezone.localdate(), informed_directors=False)
    escalation = services.escalation_record(actor=asm, concern=concern, reason="high_risk",
                                            who_was_informed="Director of Adult Services; lead member",
                                            informed_on=timezone.localdate(), informed_elected_members=True)
    assert escalation.informed_directors and escalation.informed_elected_members


def test_concluding_sends_the_outcome_to_the_business_unit(asm, concern, analyst):
    ready_to_conclude(actor=asm, concern=concern)
    concern = services.concern_conclude(actor=asm, concern=concern, outcome="Sustained improvement.",
                                        lessons_learned="Commissioners to share visit findings sooner.")
    assert concern.status == ConcernStatus.CONCLUDED and concern.sent_to_business_unit_at
    assert Notification.objects.filter(user=analyst, title__contains="lessons learned").exists()
    assert ProviderConcern.objects.get(pk=concern.pk).concluded_by == asm


def test_a_serious_concerns_meeting_opens_its_minutes_deadline(asm, concern):
    from meetings import services as meeting_services
    from meetings.models import MeetingKind

    meeting = meeting_services.meeting_schedule_for_concern(
        actor=asm, concern=concern, kind=MeetingKind.SERIOUS_CONCERNS_INITIAL,
        scheduled_at=timezone.now() - dt.timedelta(hours=2), chair=asm, location="Town Hall")
    assert meeting.provider_concern == concern and meeting.case is None
    assert meeting.minutes.sections.filter(key="provider_information").exists()  # 001's record-keeping list
    meeting = meeting_services.meeting_hold(actor=asm, meeting=meeting, held_at=timezone.now() - dt.timedelta(hours=1))
    deadline = meeting.minutes_deadline
    assert deadline.kind == "minutes_initial" and deadline.provider_concern == concern
    days = (timezone.localtime(deadline.due_at).date() - timezone.localtime(meeting.held_at).date()).days
    assert days == 14
    assert concern.events.filter(kind="meeting_held").exists()
