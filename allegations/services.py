"""Every write with business meaning. Keyword-only, named <thing>_<verb>(*, actor, ...).

Each service validates, saves (with the history user and reason set), writes the
business event, and schedules side effects after commit.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency, AgencyKind, Partnership
from agencies.permissions import standing
from outbox.services import message_add
from outbox.submissions import submission_claim, submission_done
from webhooks.events import event_add

from deadlines import measures, timescales
from deadlines import services as deadlines
from deadlines.models import Deadline

from . import matching
from .permissions import SHARE_LEVELS, case_share, case_shared_with, case_unshare
from .querysets import hidden_referral_ids
from .wording import adapt, route_away
from .models import (
    AccessLog,
    Audience,
    Case,
    CaseLink,
    CaseStatus,
    Child,
    Decision,
    Disagreement,
    Event,
    Part,
    PartAudience,
    ReferenceCounter,
    EmployerDecision,
    Referral,
    ReferralStatus,
    RegulatorReferral,
    Restriction,
    Review,
    RiskAssessment,
    Route,
    Strand,
    Subject,
    SubjectMatch,
    Suspension,
    TriageDecision,
    ContactType,
    ConcernKind,
)

# The referral's allowed status changes; anything else is refused.
REFERRAL_TRANSITIONS: dict[str, frozenset[str]] = {
    ReferralStatus.NEW: frozenset({ReferralStatus.DISCUSSED}),
    ReferralStatus.DISCUSSED: frozenset(
        {ReferralStatus.ADVICE, ReferralStatus.NOT_ALLEGATION, ReferralStatus.TRANSFERRED, ReferralStatus.CASE_OPENED}
    ),
}

DECISION_OUTCOMES = {
    TriageDecision.Decision.ADVICE: (ReferralStatus.ADVICE, ContactType.ADVICE),
    TriageDecision.Decision.NOT_ALLEGATION: (ReferralStatus.NOT_ALLEGATION, ContactType.NOT_ALLEGATION),
    TriageDecision.Decision.TRANSFER: (ReferralStatus.TRANSFERRED, ContactType.TRANSFER),
    TriageDecision.Decision.THRESHOLD_MET: (ReferralStatus.CASE_OPENED, ContactType.REFERRAL),
    TriageDecision.Decision.STRATEGY: (ReferralStatus.CASE_OPENED, ContactType.REFERRAL),
}


def save_with_history(instance, *, actor, reason: str) -> None:
    """Save a historied row with who changed it and why (also for changes made by Celery)."""
    instance._history_user = actor
    instance._change_reason = reason
    instance.save()


def event_record(*, actor, referral: Referral, verb: str, summary: str, case: Case | None = None, reason: str = "",
                 part: str = "", part_id: int | None = None) -> Event:
    """The business log. `part` and `part_id` name the item of the case it is about (a strand, a document…),
    so the timeline shows it only to that item's audience (selectors.case_parts_for)."""
    return Event.objects.create(actor=actor, referral=referral, case=case, verb=verb, summary=summary, reason=reason,
                                part=part, part_id=part_id)


def _require_lado(actor, referral: Referral) -> None:
    if referral.lado_service_id not in standing(actor).lado_service_ids:
        raise PermissionDenied("Only the LADO service holding this referral can do that.")
    if Restriction.objects.filter(referral_id=referral.pk, referral_id__in=hidden_referral_ids(actor)).exists():
        raise PermissionDenied("This referral is restricted to named people.")


def _require_may_hold(referral: Referral, person) -> None:
    """A restricted referral or case is given only to someone named on it, and never to the person it
    is about or to their line manager."""
    restriction = Restriction.objects.filter(referral_id=referral.pk).first()
    if restriction is None:
        return
    if person.pk in restriction.conflicted_ids():
        raise ValidationError("This case cannot be given to the person it is about or to their line manager.")
    if not restriction.may_open.filter(pk=person.pk).exists():
        raise ValidationError("Choose someone named as able to open this restricted case.")


def next_reference(received_at: dt.datetime) -> str:
    """MAS-YYYY-NNNNN, numbered per year without gaps under concurrency (row lock)."""
    year = timezone.localtime(received_at).year
    ReferenceCounter.objects.get_or_create(year=year)
    counter = ReferenceCounter.objects.select_for_update().get(year=year)
    while True:
        counter.last += 1
        reference = f"MAS-{year}-{counter.last:05d}"
        if not Referral.objects.filter(reference=reference).exists():  # imported references share the space
            break
    counter.save(update_fields=["last"])
    return reference


# --- Subjects -----------------------------------------------------------------

def subject_create(*, actor, given_name: str, family_name: str, reason: str, **fields: Any) -> Subject:
    subject = Subject(given_name=given_name.strip(), family_name=family_name.strip(), **fields)
    subject.given_key = matching.phonetic_key(subject.given_name)
    subject.family_key = matching.phonetic_key(subject.family_name)
    save_with_history(subject, actor=actor, reason=reason)
    return subject


def subject_add_name(*, actor, subject: Subject, given_name: str, family_name: str, kind: str, reason: str):
    from .models import SubjectName

    other = SubjectName(subject=subject, given_name=given_name.strip(), family_name=family_name.strip(), kind=kind)
    other.family_key = matching.phonetic_key(other.family_name)
    save_with_history(other, actor=actor, reason=reason)
    return other


# --- Referrals ----------------------------------------------------------------

@transaction.atomic
def referral_submit(
    *,
    actor,
    lado_service: Agency,
    referring_agency: Agency | None,
    subject_fields: dict[str, Any],
    previous_family_name: str = "",
    referral_fields: dict[str, Any],
    children: list[dict[str, Any]],
    taken_by_phone: bool = False,
    form_token: str = "",
) -> Referral:
    """An agency (or a LADO officer taking a call) submits a referral or an advice request.

    `form_token` (the form's one-time token) makes a second post of the same form raise AlreadySubmitted
    with the referral made by the first, and make nothing."""
    s = standing(actor)
    if taken_by_phone:
        if lado_service.pk not in s.lado_service_ids:
            raise PermissionDenied("Only the LADO service can take a referral by phone.")
    elif referring_agency is None or referring_agency.pk not in s.referrer_agency_ids:
        raise PermissionDenied("You can only refer for an agency you are a senior manager of.")
    if lado_service.kind != AgencyKind.LADO_SERVICE:
        raise ValidationError("Referrals go to a LADO service.")
    submission = submission_claim(token=form_token, user=actor)

    received_at = referral_fields.pop("received_at", None) or timezone.now()
    subject = subject_create(actor=actor, reason="Named in a new referral", **subject_fields)
    if previous_family_name.strip():
        subject_add_name(
            actor=actor,
            subject=subject,
            given_name=subject.given_name,
            family_name=previous_family_name,
            kind="previous",
            reason="Previous name given in a referral",
        )
    referral = Referral(
        reference=next_reference(received_at),
        lado_service=lado_service,
        referring_agency=referring_agency,
        submitted_by=actor,
        taken_by_phone=taken_by_phone,
        received_at=received_at,
        subject=subject,
        **referral_fields,
    )
    if not referral.children_count:
        referral.children_count = len(children) or None
    referral.timeliness = measures.referral_timeliness(referral.received_at, referral.concern_arose_at, Partnership.current())
    save_with_history(referral, actor=actor, reason="Referral received")
    for child in children:
        save_with_history(Child(referral=referral, **child), actor=actor, reason="Named in a new referral")
    deadlines.deadline_open(
        actor=actor,
        referral=referral,
        kind=Deadline.Kind.INITIAL_DISCUSSION,
        anchor=received_at,
        reason="Referral received: initial discussion due within 24 hours",  # 003 §22
    )
    how = "taken by phone" if taken_by_phone else f"submitted by {referring_agency}"
    event_record(actor=actor, referral=referral, verb="referral_received", summary=f"Referral received, {how}")
    event_add(agency=referring_agency, event="referral.acknowledged", reference=referral.reference, occurred_at=received_at, link=reverse("allegations:referral_detail", args=[referral.reference]))  # its system learns the reference (issue 20)

    # The LADO service is told by the worker, once this commits (the outbox: kept even if Redis is away).
    message_add(handler="allegations.referral_received", key=f"referral-received:{referral.pk}",
                referral_id=referral.pk)
    submission_done(submission, url=reverse("allegations:referral_confirmation", args=[referral.reference]))
    return referral


def _transition(referral: Referral, new_status: str) -> None:
    allowed = REFERRAL_TRANSITIONS.get(referral.status, frozenset())
    if new_status not in allowed:
        raise ValidationError(
            f"This referral is {referral.get_status_display().lower()}: it cannot move to "
            f"‘{ReferralStatus(new_status).label.lower()}’."
        )
    referral.status = new_status


def _locked(referral: Referral) -> Referral:
    return Referral.objects.select_for_update().get(pk=referral.pk)


@transaction.atomic
def referral_assign(*, actor, referral: Referral, officer) -> Referral:
    _require_lado(actor, referral)
    if referral.lado_service_id not in standing(officer).lado_service_ids:
        raise ValidationError("Choose an officer of this LADO service.")
    _require_may_hold(referral, officer)
    referral = _locked(referral)
    referral.assigned_to = officer
    save_with_history(referral, actor=actor, reason=f"Assigned to {officer.get_full_name() or officer}")
    event_record(
        actor=actor, referral=referral, verb="referral_assigned",
        summary=f"Assigned to {officer.get_full_name() or officer.username}",
    )
    return referral


def _to_the_minute(moment: dt.datetime) -> dt.datetime:
    """Times are typed in hours and minutes: the start of the minute a moment falls in."""
    return moment.replace(second=0, microsecond=0)


@transaction.atomic
def referral_record_discussion(*, actor, referral: Referral, held_at: dt.datetime, with_whom: str, notes: str) -> Referral:
    """The initial discussion with the referrer (003 §22)."""
    _require_lado(actor, referral)
    referral = _locked(referral)
    if held_at > timezone.now():
        raise ValidationError("The initial discussion cannot be in the future.")
    if held_at < _to_the_minute(referral.received_at):
        raise ValidationError("The initial discussion cannot be before the referral was received.")
    held_at = max(held_at, referral.received_at)  # typed to the minute: in the minute it arrived means after it
    _transition(referral, ReferralStatus.DISCUSSED)
    referral.initial_discussion_at = held_at
    referral.initial_discussion_with = with_whom
    referral.initial_discussion_notes = notes
    if referral.assigned_to_id is None:
        referral.assigned_to = actor
    save_with_history(referral, actor=actor, reason="Initial discussion recorded")
    deadlines.deadline_meet(
        actor=actor, referral=referral, kind=Deadline.Kind.INITIAL_DISCUSSION, met_at=held_at,
        reason="Initial discussion recorded",
    )
    event_record(actor=actor, referral=referral, verb="initial_discussion", summary=f"Initial discussion held with {with_whom}")
    return referral


@transaction.atomic
def referral_triage(
    *,
    actor,
    referral: Referral,
    decision: str,
    rationale: str,
    harmed: bool = False,
    criminal_offence: bool = False,
    risk_of_harm: bool = False,
    unsuitable: bool = False,
    transfer_to: str = "",
    route: str = "",
    concern_kind: str = "",
) -> TriageDecision:
    """Decide against the four thresholds (003 §3); a met threshold opens a case.

    `concern_kind` is the officer's view of what it is (seed 000, 003 §8, §10): only an allegation
    goes through the LADO / PiPoT process; a quality-of-care concern or a complaint is routed away."""
    _require_lado(actor, referral)
    referral = _locked(referral)
    D = TriageDecision.Decision
    if decision in (D.THRESHOLD_MET, D.STRATEGY) and not referral.subject.is_named:
        # An advice request may describe the person without naming them; an allegation names them.
        raise ValidationError({"decision": "The person is not named: a case needs their name. Record advice, or ask "
                                           "the referrer to make a referral that names them."})
    any_threshold = harmed or criminal_offence or risk_of_harm or unsuitable
    errors = {}
    if not concern_kind:  # not asked (the children's form leaves it optional): opening a case says it is an allegation
        concern_kind = ConcernKind.ALLEGATION if decision in (D.THRESHOLD_MET, D.STRATEGY) else referral.concern_kind
    if concern_kind not in ConcernKind.values:
        errors["concern_kind"] = "Say whether it is an allegation, a quality-of-care concern or a complaint."
    elif concern_kind != ConcernKind.ALLEGATION and decision in (D.THRESHOLD_MET, D.STRATEGY):
        errors["decision"] = (f"A {ConcernKind(concern_kind).label.lower().removeprefix('a ')} does not open a case: "
                              f"choose ‘not an allegation’ (or advice), or say it is an allegation.")
    if not rationale.strip():
        errors["rationale"] = "Give the rationale for the decision."
    if decision in (D.THRESHOLD_MET, D.STRATEGY) and not any_threshold:
        errors["harmed"] = "Say which of the four thresholds is met, or choose another decision."
    if decision in (D.ADVICE, D.NOT_ALLEGATION) and any_threshold:
        errors["decision"] = "You said a harm threshold is met: choose ‘threshold met’ or the strategy discussion route."
    if decision == D.TRANSFER and not transfer_to.strip():
        errors["transfer_to"] = "Enter the authority the referral is transferred to."
    if decision == D.THRESHOLD_MET and route not in (Route.POSITION_OF_TRUST, Route.EMPLOYER):
        errors["route"] = "Choose how the case will be managed."
    if errors:
        raise ValidationError(errors)
    new_status, contact_type = DECISION_OUTCOMES[D(decision)]
    _transition(referral, new_status)
    triage = TriageDecision(
        referral=referral, decision=decision, rationale=rationale, harmed=harmed, criminal_offence=criminal_offence,
        risk_of_harm=risk_of_harm, unsuitable=unsuitable, transfer_to=transfer_to.strip(), decided_by=actor,
    )
    save_with_history(triage, actor=actor, reason="Triage decision")
    referral.contact_type = contact_type
    kind_changed = concern_kind != referral.concern_kind
    referral.concern_kind = concern_kind
    if new_status != ReferralStatus.CASE_OPENED:
        referral.closed_at = triage.decided_at  # closed without a case
    save_with_history(referral, actor=actor, reason=f"Triage decision: {triage.get_decision_display()}")
    if referral.closed_at:
        deadlines.deadlines_close(actor=actor, referral=referral, at=referral.closed_at,
                                  reason="Contact closed without a case before it fell due")
    summary = f"Triage decision: {adapt(triage.get_decision_display(), referral.workforce)}"
    if concern_kind != ConcernKind.ALLEGATION:
        summary += f". {ConcernKind(concern_kind).label}, for {route_away(concern_kind, referral.workforce)}"
    elif kind_changed:
        summary += ". Treated as an allegation"
    event_record(actor=actor, referral=referral, verb="triage_decision", summary=summary[:300], reason=rationale)
    if decision == D.STRATEGY:
        case = case_open(actor=actor, referral=referral, route=Route.STRATEGY_DISCUSSION)
        deadlines.deadline_open(
            actor=actor, referral=referral, case=case, kind=Deadline.Kind.STRATEGY_MEETING,
            anchor=referral.received_at, reason="Strategy (section 47) route chosen at triage",
        )
    elif decision == D.THRESHOLD_MET:
        case_open(actor=actor, referral=referral, route=route)
    return triage


# --- Subject matching -----------------------------------------------------------

@transaction.atomic
def subject_match_decide(*, actor, referral: Referral, candidate: Subject, decision: str) -> SubjectMatch:
    """An officer confirms or rejects a suggested earlier record. Never automatic."""
    _require_lado(actor, referral)
    referral = _locked(referral)
    if candidate.pk == referral.subject_id:
        raise ValidationError("That is already this referral's subject record.")
    found = matching.score(
        given=referral.subject.given_name, family=referral.subject.family_name,
        date_of_birth=referral.subject.date_of_birth, candidate=candidate,
        other_names=list(candidate.other_names.all()),
    )
    # Not update_or_create: that writes history with no user and no reason.
    match = SubjectMatch.objects.select_for_update().filter(referral=referral, candidate=candidate).first()
    if match is None:
        match = SubjectMatch(referral=referral, candidate=candidate)
    match.decision, match.score, match.decided_by, match.decided_at = decision, found.score, actor, timezone.now()
    save_with_history(match, actor=actor, reason=f"Suggested earlier record {match.get_decision_display().lower()}")
    if decision == SubjectMatch.Decision.CONFIRMED:
        provisional = referral.subject
        referral.subject = candidate
        save_with_history(referral, actor=actor, reason=f"Subject confirmed as the person of an earlier record (match {found.score:.2f})")
        if not provisional.referrals.exists():
            # Keep the details given in this referral as another name, then retire the duplicate record.
            if (provisional.family_name.lower(), provisional.given_name.lower()) != (
                candidate.family_name.lower(), candidate.given_name.lower()
            ):
                subject_add_name(
                    actor=actor, subject=candidate, given_name=provisional.given_name,
                    family_name=provisional.family_name, kind="alias",
                    reason=f"Name as given in referral {referral.reference}",
                )
            provisional.merged_into = candidate
            save_with_history(provisional, actor=actor, reason=f"Confirmed as the same person by {actor}")
        event_record(actor=actor, referral=referral, verb="subject_matched", summary="Earlier record of the same person confirmed")
    else:
        event_record(actor=actor, referral=referral, verb="subject_match_rejected", summary="A suggested earlier record was rejected")
    return match


# --- Cases --------------------------------------------------------------------

def case_open(*, actor, referral: Referral, route: str) -> Case:
    case = Case(referral=referral, owner=referral.assigned_to or actor, route=route)
    save_with_history(case, actor=actor, reason="Threshold met at triage")
    for kind in Strand.Kind.values:
        save_with_history(Strand(case=case, kind=kind), actor=actor, reason="Case opened")
    deadlines.deadline_open(
        actor=actor, referral=referral, case=case, kind=Deadline.Kind.CASE_REVIEW, anchor=case.opened_at,
        reason="Case opened: periodic review",  # 003 §42
    )
    event_record(actor=actor, referral=referral, case=case, verb="case_opened", summary=f"Case opened: {adapt(case.get_route_display(), referral.workforce)}")
    return case


def _case_for_update(actor, case: Case) -> Case:
    _require_lado(actor, case.referral)
    locked = Case.objects.select_for_update().select_related("referral").get(pk=case.pk)
    if not locked.is_open:
        raise ValidationError("This case is closed. A LADO service manager can reopen it; or record new information as "
                              "a new referral.")
    return locked


@transaction.atomic
def case_assign(*, actor, case: Case, owner) -> Case:
    case = _case_for_update(actor, case)
    if case.referral.lado_service_id not in standing(owner).lado_service_ids:
        raise ValidationError("Choose an officer of this LADO service.")
    _require_may_hold(case.referral, owner)
    case.owner = owner
    save_with_history(case, actor=actor, reason="Case owner changed")
    event_record(actor=actor, referral=case.referral, case=case, verb="case_assigned", summary=f"Case owner is now {owner.get_full_name() or owner.username}")
    return case


def _instant(day: dt.date) -> dt.datetime:
    """When something recorded by its date happened: now if today, else the end of that local day
    (so a date on or before a deadline's due date meets it on time, one after it late)."""
    if day == timezone.localdate():
        return timezone.now()
    return timescales.end_of_day(day, Partnership.current().time_zone)


def _start_of(day: dt.date) -> dt.datetime:
    """The anchor of a deadline opened by a decision made on `day`: now if today, else that day's start."""
    if day == timezone.localdate():
        return timezone.now()
    return dt.datetime.combine(day, dt.time.min, tzinfo=ZoneInfo(Partnership.current().time_zone))


# The deadline each employer decision opens (003 §40-41).
EMPLOYER_DEADLINES = {
    EmployerDecision.NO_FORMAL_ACTION: Deadline.Kind.EMPLOYER_ACTION,
    EmployerDecision.HEARING: Deadline.Kind.DISCIPLINARY_HEARING,
}


@transaction.atomic
def strand_update(*, actor, case: Case, kind: str, reason: str = "", **fields) -> Strand:
    """Update a strand. On the employer strand, the employer's decision opens its deadline (003 §40-41)
    and the employer's action or the hearing date meets it; on the police strand, a review date set by
    the police opens the police review deadline (003 §43)."""
    case = _case_for_update(actor, case)
    strand = Strand.objects.select_for_update().get(case=case, kind=kind)
    before = {name: getattr(strand, name) for name in (
        "hearing_on", "review_on", "employer_decision", "employer_decision_on", "employer_action_on")}
    for name, value in fields.items():
        setattr(strand, name, value)
    errors = {}
    if strand.status == Strand.Status.CONCLUDED and strand.concluded_on is None:
        errors["concluded_on"] = "Enter the date the strand concluded."
    today = timezone.localdate()
    if strand.employer_decision and strand.employer_decision_on is None:
        errors["employer_decision_on"] = "Enter the date the employer decided."
    if strand.employer_decision_on and not strand.employer_decision:
        errors["employer_decision"] = "Choose how the employer will deal with it, or clear the date."
    for name in ("employer_decision_on", "employer_action_on"):
        day = getattr(strand, name)
        if day and day > today:
            errors[name] = "The date cannot be in the future."
        elif day and day < timezone.localdate(case.referral.received_at):
            errors[name] = "The date cannot be before the referral was received."
    if strand.employer_action.strip() and strand.employer_action_on is None:
        errors["employer_action_on"] = "Enter the date the employer took the action."
    if strand.employer_action_on and not strand.employer_action.strip():
        errors["employer_action"] = "Describe the action the employer took."
    if errors:
        raise ValidationError(errors)
    save_with_history(strand, actor=actor, reason=reason or "Strand updated")
    referral = case.referral

    decision_changed = (strand.employer_decision, strand.employer_decision_on) != (
        before["employer_decision"], before["employer_decision_on"])
    if decision_changed:
        for decision, deadline_kind in EMPLOYER_DEADLINES.items():
            if before["employer_decision"] == decision:  # the earlier decision's deadline no longer applies
                deadlines.deadline_waive(actor=actor, referral=referral, kind=deadline_kind,
                                         reason="The employer's decision changed")
        deadline_kind = EMPLOYER_DEADLINES.get(strand.employer_decision)
        if deadline_kind:
            opened = deadlines.deadline_open(
                actor=actor, referral=referral, case=case, kind=deadline_kind,
                anchor=_start_of(strand.employer_decision_on),
                reason=f"Employer's decision: {strand.get_employer_decision_display()}",
            )
            event_record(
                actor=actor, referral=referral, case=case, verb="employer_decision", part=Part.STRAND, part_id=strand.pk,
                summary=f"Employer's decision ({strand.employer_decision_on:%d %B %Y}): "
                        f"{strand.get_employer_decision_display()}; due {timezone.localtime(opened.due_at):%d %B %Y}",
                reason=reason,
            )
        elif strand.employer_decision:
            event_record(actor=actor, referral=referral, case=case, verb="employer_decision", part=Part.STRAND, part_id=strand.pk,
                         summary=f"Employer's decision: {strand.get_employer_decision_display()}", reason=reason)
    if strand.employer_action_on and not before["employer_action_on"]:
        deadlines.deadline_meet(actor=actor, referral=referral, kind=Deadline.Kind.EMPLOYER_ACTION,
                                met_at=_instant(strand.employer_action_on), reason="Employer's action recorded")
        event_record(actor=actor, referral=referral, case=case, verb="employer_action", part=Part.STRAND, part_id=strand.pk,
                     summary=f"Employer's action recorded (taken on {strand.employer_action_on:%d %B %Y})", reason=reason)
    if strand.hearing_on and not before["hearing_on"]:
        deadlines.deadline_meet(
            actor=actor, referral=referral, kind=Deadline.Kind.DISCIPLINARY_HEARING, met_at=timezone.now(),
            reason="Hearing date recorded",
        )
    if strand.kind == Strand.Kind.POLICE and strand.review_on != before["review_on"]:
        _police_review_date(actor=actor, case=case, strand=strand, review_on=strand.review_on,
                            reason="Police review date changed")
    event_record(
        actor=actor, referral=referral, case=case, verb="strand_updated", part=Part.STRAND, part_id=strand.pk,
        summary=f"{strand.get_kind_display()}: {strand.get_status_display().lower()}", reason=reason,
    )
    return strand


def _police_review_date(*, actor, case: Case, strand: Strand, review_on: dt.date | None, reason: str) -> None:
    """The police set (or moved, or cleared) the date they review the investigation (003 §43)."""
    deadlines.deadline_waive(actor=actor, referral=case.referral, kind=Deadline.Kind.POLICE_REVIEW, reason=reason)
    if review_on:
        deadlines.deadline_open_on_date(
            actor=actor, referral=case.referral, case=case, kind=Deadline.Kind.POLICE_REVIEW, due_on=review_on,
            reason=f"Police review date set: {review_on:%d %B %Y}",  # 003 §43
        )
        event_record(actor=actor, referral=case.referral, case=case, verb="police_review_date",
                     summary=f"Police review date set: {review_on:%d %B %Y}", part=Part.STRAND, part_id=strand.pk)


def case_review_met(*, actor, case: Case, at: dt.datetime, reason: str) -> None:
    """A case review took place at `at` (recorded, or a review meeting held): it meets the open case
    review deadline and opens the next one from it (28 days, a partnership setting; 003 §42).
    Runs inside the caller's transaction, with the case locked."""
    deadlines.deadline_meet(actor=actor, referral=case.referral, kind=Deadline.Kind.CASE_REVIEW, met_at=at, reason=reason)
    if not Deadline.objects.filter(referral=case.referral, kind=Deadline.Kind.CASE_REVIEW, anchor_at__gte=at,
                                   status__in=deadlines.UNMET).exists():
        deadlines.deadline_open(actor=actor, referral=case.referral, case=case, kind=Deadline.Kind.CASE_REVIEW,
                                anchor=at, reason=f"{reason}: next review due")  # 003 §42


@transaction.atomic
def review_record(*, actor, case: Case, kind: str, held_on: dt.date, summary: str,
                  next_review_on: dt.date | None = None) -> Review:
    """Record a case review (003 §42) or a police review (003 §43): meets its deadline; a case review
    opens the next; a police review may set the next police review date (a new deadline)."""
    case = _case_for_update(actor, case)
    errors = {}
    today = timezone.localdate()
    if held_on > today:
        errors["held_on"] = "The review date cannot be in the future."
    elif held_on < timezone.localdate(case.referral.received_at):
        errors["held_on"] = "The review cannot be before the referral was received."
    if not summary.strip():
        errors["summary"] = "Summarise the review."
    if next_review_on is not None:
        if kind != Review.Kind.POLICE:
            errors["next_review_on"] = "Only a police review sets the next review date."
        elif next_review_on < today or next_review_on <= held_on:
            errors["next_review_on"] = "The next review date must be after this review, and not in the past."
    if errors:
        raise ValidationError(errors)
    review = Review(case=case, kind=kind, held_on=held_on, summary=summary.strip(), next_review_on=next_review_on,
                    recorded_by=actor)
    label = review.get_kind_display()
    save_with_history(review, actor=actor, reason=f"{label} recorded")
    at = _instant(held_on)
    if kind == Review.Kind.CASE:
        case_review_met(actor=actor, case=case, at=at, reason="Case review recorded")
    else:
        deadlines.deadline_meet(actor=actor, referral=case.referral, kind=Deadline.Kind.POLICE_REVIEW, met_at=at,
                                reason="Police review recorded")
        if next_review_on:
            strand = Strand.objects.select_for_update().get(case=case, kind=Strand.Kind.POLICE)
            strand.review_on = next_review_on
            save_with_history(strand, actor=actor, reason="Next police review date set at a police review")
            _police_review_date(actor=actor, case=case, strand=strand, review_on=next_review_on,
                                reason="Next police review date set at a police review")
    event_record(actor=actor, referral=case.referral, case=case, verb=f"{kind}_review",
                 summary=f"{label} held on {held_on:%d %B %Y}", reason=review.summary, part=Part.REVIEW, part_id=review.pk)
    return review


@transaction.atomic
def case_change_route(*, actor, case: Case, route: str, reason: str) -> Case:
    """Change how the case is managed. Away from the strategy (section 47) route its strategy meeting
    deadline is waived (who and why); onto it, one is opened from the referral's receipt (003 §27)."""
    case = _case_for_update(actor, case)
    errors = {}
    if route not in Route.values:
        errors["route"] = "Choose how the case will be managed."
    elif route == case.route:
        errors["route"] = "The case is already managed this way."
    if not reason.strip():
        errors["reason"] = "Say why the route changed."
    if errors:
        raise ValidationError(errors)
    before = case.route
    case.route = route
    save_with_history(case, actor=actor, reason=f"Route changed: {reason.strip()}")
    referral = case.referral
    if before == Route.STRATEGY_DISCUSSION:
        deadlines.deadline_waive(actor=actor, referral=referral, kind=Deadline.Kind.STRATEGY_MEETING,
                                 reason=f"The route changed away from the strategy discussion: {reason.strip()}")
    elif route == Route.STRATEGY_DISCUSSION and not Deadline.objects.filter(
        referral=referral, kind=Deadline.Kind.STRATEGY_MEETING, status__in=deadlines.UNMET
    ).exists():
        deadlines.deadline_open(actor=actor, referral=referral, case=case, kind=Deadline.Kind.STRATEGY_MEETING,
                                anchor=referral.received_at, reason="Route changed to the strategy (section 47) route")
    event_record(actor=actor, referral=referral, case=case, verb="route_changed",
                 summary=f"Route changed to: {adapt(case.get_route_display(), case.referral.workforce)}", reason=reason.strip())
    return case


def _case_record(*, actor, case: Case, instance, verb: str, summary: str, part: str, reason: str = ""):
    save_with_history(instance, actor=actor, reason=summary)
    event_record(actor=actor, referral=case.referral, case=case, verb=verb, summary=summary, reason=reason,
                 part=part, part_id=instance.pk)
    return instance


@transaction.atomic
def suspension_record(*, actor, case: Case, **fields) -> Suspension:
    """Suspension or other arrangements, considered properly (003 §34-35): the alternatives, the risk, the police's
    and social care's views, whether the person was told, whether the LADO's advice was sought before it, and a
    review date (the suspension_review deadline). Recording the arrangement again is its review: it meets the
    review that was due, and its own review date opens the next."""
    case = _case_for_update(actor, case)
    item = Suspension(case=case, recorded_by=actor, **fields)
    errors = {}
    unknown = set(item.alternatives_considered) - set(Suspension.Alternative.values)
    if unknown:
        errors["alternatives_considered"] = "Choose the alternatives from the list."
    if item.lado_advice_sought == Suspension.Answer.YES:
        if item.lado_advice_on is None:
            errors["lado_advice_on"] = "Enter when the LADO's advice was sought."
        elif item.lado_advice_on > item.decided_on:
            errors["lado_advice_on"] = "The LADO's advice was sought before the decision: enter a date on or before it."
    elif item.lado_advice_on is not None:
        errors["lado_advice_sought"] = "Say that the LADO's advice was sought, or clear the date."
    if item.person_informed == Suspension.Informed.YES and item.person_informed_on is None:
        errors["person_informed_on"] = "Enter when the person was told."
    if item.review_on is not None and item.review_on <= item.decided_on:
        errors["review_on"] = "The review date must be after the decision."
    if errors:
        raise ValidationError(errors)
    _case_record(
        actor=actor, case=case, instance=item, verb="suspension", part=Part.SUSPENSION, reason=item.notes,
        summary=f"Employment arrangement: {item.get_arrangement_display().lower()} (decided by {item.decided_by})",
    )
    deadlines.deadline_meet(actor=actor, referral=case.referral, kind=Deadline.Kind.SUSPENSION_REVIEW,
                            met_at=_instant(item.decided_on), reason="The arrangement was recorded again (reviewed)")
    if item.review_on is not None and item.ended_on is None:
        deadlines.deadline_open_on_date(
            actor=actor, referral=case.referral, case=case, kind=Deadline.Kind.SUSPENSION_REVIEW, due_on=item.review_on,
            anchor=_start_of(item.decided_on), reason=f"Arrangement to be reviewed by {item.review_on:%d %B %Y}",
        )
    return item


@transaction.atomic
def risk_assessment_record(*, actor, case: Case, **fields) -> RiskAssessment:
    case = _case_for_update(actor, case)
    item = RiskAssessment(case=case, assessed_by=actor, **fields)
    return _case_record(
        actor=actor, case=case, instance=item, verb="risk_assessment", part=Part.RISK, reason=item.summary,
        summary=f"Risk assessed as {item.get_level_display().lower()}",
    )


@transaction.atomic
def decision_record(*, actor, case: Case, **fields) -> Decision:
    case = _case_for_update(actor, case)
    item = Decision(case=case, decided_by=actor, **fields)
    return _case_record(
        actor=actor, case=case, instance=item, verb="decision", part=Part.DECISION, reason=item.rationale,
        summary=f"Decision ({item.get_made_at_display().lower()}): {item.decision[:200]}",
    )


@transaction.atomic
def disagreement_record(*, actor, case: Case, raised_to: str = "", answer_by=None, **fields) -> Disagreement:
    """Record it and raise it with the manager: the first step of its escalation ladder (allegations.ladder)."""
    from . import ladder

    case = _case_for_update(actor, case)
    item = Disagreement(case=case, recorded_by=actor, **fields)
    _case_record(
        actor=actor, case=case, instance=item, verb="disagreement", part=Part.DISAGREEMENT, reason=item.about,
        summary=f"{item.get_kind_display()} raised by {item.raised_by}",
    )
    ladder.step_open(actor=actor, case=case, disagreement=item, level=ladder.Level.MANAGER, raised_on=item.raised_on,
                     raised_by=item.raised_by, raised_to=raised_to, answer_by=answer_by)
    return item


@transaction.atomic
def disagreement_resolve(*, actor, disagreement: Disagreement, status: str, resolution: str, escalated_to: str, resolved_on,
                         escalated_by: str = "", answer_by=None) -> Disagreement:
    """How the step waiting for an answer ended: resolved, or escalated to the next step (allegations.ladder). A
    disagreement without steps (recorded before the ladder, or imported so) ends here as it always did."""
    from . import ladder

    case = _case_for_update(actor, disagreement.case)
    item = Disagreement.objects.select_for_update().get(pk=disagreement.pk, case=case)
    if item.steps.filter(answered_at__isnull=True).exists():
        ladder.step_answer(actor=actor, case=case, disagreement=item, answered_on=resolved_on, answer=resolution,
                           result=status, raised_by=escalated_by, raised_to=escalated_to, answer_by=answer_by)
        return item
    if item.steps.exists() or item.status == Disagreement.Status.RESOLVED:
        raise ValidationError("This disagreement is not waiting for an answer.")
    if status == Disagreement.Status.ESCALATED and not escalated_to.strip():
        raise ValidationError({"escalated_to": "Say to whom it was escalated."})
    if not resolution.strip():
        raise ValidationError({"resolution": "Say how it was resolved or why it was escalated."})
    item.status, item.resolution, item.escalated_to, item.resolved_on = status, resolution, escalated_to, resolved_on
    return _case_record(
        actor=actor, case=case, instance=item, verb="disagreement_resolved", part=Part.DISAGREEMENT, reason=resolution,
        summary=f"{item.get_kind_display()} {item.get_status_display().lower()}",
    )


@transaction.atomic
def case_link(*, actor, case: Case, linked_case: Case, reason: str) -> CaseLink:
    case = _case_for_update(actor, case)
    if linked_case.pk == case.pk:
        raise ValidationError({"linked_reference": "A case cannot be linked to itself."})
    if linked_case.referral.lado_service_id not in standing(actor).lado_service_ids:
        raise ValidationError({"linked_reference": "There is no case with that reference."})
    if CaseLink.objects.filter(case=case, linked_case=linked_case).exists():
        raise ValidationError({"linked_reference": "These cases are already linked."})
    link = CaseLink(case=case, linked_case=linked_case, reason=reason)
    save_with_history(link, actor=actor, reason=reason)
    save_with_history(CaseLink(case=linked_case, linked_case=case, reason=reason), actor=actor, reason=reason)
    event_record(actor=actor, referral=case.referral, case=case, verb="case_linked", summary=f"Linked to case {linked_case.reference}", reason=reason)
    return link


@transaction.atomic
def case_share_with(*, actor, case: Case, agency: Agency, level: str, reason: str) -> None:
    """Share the case with an agency at a level (employer or safeguarding), never "everything" (issue 12 §1).
    Sharing again with the same agency changes its level."""
    if level not in SHARE_LEVELS:
        raise ValidationError({"level": "Choose what the agency may see: the employer's part or the safeguarding part."})
    case = _case_for_update(actor, case)
    case_share(case=case, agency=agency, level=level)
    event_record(actor=actor, referral=case.referral, case=case, verb="case_shared",
                 summary=f"Shared with {agency} at the {level} level", reason=reason)
    event_add(agency=agency, event="case.shared", reference=case.referral.reference, link=reverse("allegations:case_detail", args=[case.referral.reference]), data={"level": level})  # issue 20


def _part_audience_for_update(*, actor, case: Case, part: str, part_id: int) -> PartAudience:
    from .selectors import item_of

    if item_of(case, part, part_id) is None:
        raise ValidationError("There is no such item on this case.")
    referral = case.referral
    row, _ = PartAudience.objects.select_for_update().get_or_create(
        referral=referral, part=part, part_id=part_id, defaults={"changed_by": actor},
    )
    return row


@transaction.atomic
def case_part_set_audience(*, actor, case: Case, part: str, part_id: int, audience: str, reason: str) -> PartAudience:
    """The LADO service widens or narrows who may see one item of the case ("" for its default); the reason is
    kept in the item's audience history and on the (LADO-only) timeline."""
    _require_lado(actor, case.referral)
    if audience not in ("", *Audience.values):
        raise ValidationError({"audience": "Choose who may see it."})
    if not reason.strip():
        raise ValidationError({"reason": "Say why."})
    row = _part_audience_for_update(actor=actor, case=case, part=part, part_id=part_id)
    row.audience, row.changed_by, row.changed_at = audience, actor, timezone.now()
    save_with_history(row, actor=actor, reason=reason)
    label = Audience(audience).label.lower() if audience else "its default audience"
    event_record(actor=actor, referral=case.referral, case=case, verb="part_audience_changed",
                 summary=f"{Part(part).label} {part_id}: now for {label}", reason=reason)
    return row


@transaction.atomic
def case_part_hold(*, actor, case: Case, part: str, part_id: int, held: bool, reason: str) -> PartAudience:
    """Mark an item "not for the employer while the investigation runs" (003 §34), or lift that: the police at the
    safeguarding level on this case, or the LADO service (selectors.may_hold_from_employer)."""
    from .selectors import may_hold_from_employer

    if not may_hold_from_employer(actor, case):
        raise PermissionDenied("Only the police on this case or the LADO service can do that.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why."})
    row = _part_audience_for_update(actor=actor, case=case, part=part, part_id=part_id)
    row.held_from_employer, row.changed_by, row.changed_at = held, actor, timezone.now()
    save_with_history(row, actor=actor, reason=reason)
    summary = (f"{Part(part).label} {part_id}: not for the employer while the investigation runs" if held
               else f"{Part(part).label} {part_id}: no longer held back from the employer")
    event_record(actor=actor, referral=case.referral, case=case, verb="part_held" if held else "part_released",
                 summary=summary, reason=reason)
    return row


@transaction.atomic
def case_share_withdraw(*, actor, case: Case, agency: Agency, reason: str) -> None:
    """The LADO service withdraws a share (open or closed case): the agency's people lose the case
    on their next request. Kept in the case's history and on its timeline, with the reason."""
    _require_lado(actor, case.referral)
    case = Case.objects.select_for_update().select_related("referral").get(pk=case.pk)
    if not case_shared_with(case=case, agency=agency):
        raise ValidationError("This case is not shared with that agency.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the agency should no longer see the case."})
    case_unshare(case=case, agency=agency)
    save_with_history(case, actor=actor, reason=f"Sharing with {agency} withdrawn: {reason.strip()}")
    event_record(actor=actor, referral=case.referral, case=case, verb="case_unshared",
                 summary=f"No longer shared with {agency}", reason=reason.strip())


@transaction.atomic
def referral_restrict(*, actor, referral: Referral, reason: str, may_open, subject_account=None,
                      line_manager=None) -> Restriction:
    """The LADO service manager makes a confidential referral and its case open only to the people
    named (the manager included), never to the person it is about nor their line manager (003 §11,
    §27). Named again later, the list replaces the earlier one."""
    from .selectors import can_restrict, lado_officers

    if not can_restrict(actor, referral):
        raise PermissionDenied("Only the LADO service manager can restrict a case.")
    _require_lado(actor, referral)
    referral = _locked(referral)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the case is restricted."})
    conflicted = {p.pk for p in (subject_account, line_manager) if p is not None}
    if actor.pk in conflicted:
        raise ValidationError("You are the person it is about or their line manager: ask another manager to restrict it.")
    people = {p.pk: p for p in may_open}
    people[actor.pk] = actor
    staff = set(lado_officers(service_ids=[referral.lado_service_id]).filter(pk__in=people).values_list("pk", flat=True))
    if set(people) - staff:
        raise ValidationError({"may_open": "Choose people of this LADO service."})
    if set(people) & conflicted:
        raise ValidationError({"may_open": "The person it is about and their line manager cannot be among those who may open it."})
    case = Case.objects.filter(referral=referral).first()
    for holder in (referral.assigned_to, case.owner if case else None):
        if holder is not None and (holder.pk in conflicted or holder.pk not in people):
            raise ValidationError(f"The case is with {holder.get_full_name() or holder.username}: name them among those "
                                  "who may open it, or give the case to someone else first.")
    restriction = Restriction.objects.select_for_update().filter(referral=referral).first() or Restriction(referral=referral)
    restriction.reason, restriction.restricted_by, restriction.restricted_at = reason, actor, timezone.now()
    restriction.subject_account, restriction.line_manager = subject_account, line_manager
    save_with_history(restriction, actor=actor, reason=reason)
    restriction.may_open.set(list(people.values()))
    event_record(actor=actor, referral=referral, case=case, verb="restricted",
                 summary=f"Restricted to {len(people)} named {'person' if len(people) == 1 else 'people'}", reason=reason)
    return restriction


@transaction.atomic
def case_record_outcome(*, actor, case: Case, outcome: str, police_outcome: str, police_outcome_detail: str,
                        employer_outcome: str, reason: str = "") -> Case:
    case = _case_for_update(actor, case)
    case.outcome, case.police_outcome, case.employer_outcome = outcome, police_outcome, employer_outcome
    case.police_outcome_detail = police_outcome_detail
    case.outcome_recorded_at = timezone.now()
    save_with_history(case, actor=actor, reason=reason or "Outcome recorded")
    from .outcomes import checklist_sync

    checklist_sync(actor=actor, case=case, reason="Outcome recorded")  # what the outcome sets off (003 §55-56)
    summary = f"Outcome recorded: {case.get_outcome_display().lower()}"
    if case.dbs_duty:
        summary += "; the employer has a duty to refer to the DBS"
    event_record(actor=actor, referral=case.referral, case=case, verb="outcome", summary=summary, reason=reason)
    return case


@transaction.atomic
def case_record_dbs_referral(*, actor, case: Case, referred_on, notes: str) -> Case:
    case = _case_for_update(actor, case)
    if referred_on and referred_on > timezone.localdate():
        raise ValidationError({"referred_on": "The date of the DBS referral cannot be in the future."})
    case.dbs_referral_on = referred_on
    case.dbs_referral_notes = notes
    save_with_history(case, actor=actor, reason="DBS referral recorded")
    what = f"DBS referral made on {referred_on:%d %B %Y}" if referred_on else "DBS referral not made"
    event_record(actor=actor, referral=case.referral, case=case, verb="dbs_referral", summary=what, reason=notes)
    return case


@transaction.atomic
def case_record_civil_claim(*, actor, case: Case, civil_claim: bool, claim_on=None, notes: str = "") -> Case:
    """Record (or withdraw) that a civil claim was brought over the matter. Allowed on a closed case too: claims
    are often brought years after (002 §1.1); the annual report counts them by the date recorded."""
    _require_lado(actor, case.referral)
    case = Case.objects.select_for_update().select_related("referral").get(pk=case.pk)
    if civil_claim and claim_on is None:
        raise ValidationError({"claim_on": "Enter the date the service learned of the claim."})
    if claim_on and claim_on > timezone.localdate():
        raise ValidationError({"claim_on": "The date of the claim cannot be in the future."})
    case.civil_claim = civil_claim
    case.civil_claim_on = claim_on if civil_claim else None
    case.civil_claim_notes = notes.strip()
    save_with_history(case, actor=actor, reason="Civil claim recorded" if civil_claim else "Civil claim removed")
    what = f"Civil claim recorded, learned of on {claim_on:%d %B %Y}" if civil_claim else "No civil claim"
    event_record(actor=actor, referral=case.referral, case=case, verb="civil_claim", summary=what, reason=notes)
    return case


@transaction.atomic
def regulator_referral_record(*, actor, case: Case, **fields) -> RegulatorReferral:
    case = _case_for_update(actor, case)
    item = RegulatorReferral(case=case, **fields)
    return _case_record(
        actor=actor, case=case, instance=item, verb="regulator_referral", part=Part.REGULATOR, reason=item.notes,
        summary=f"Referral to {item.get_regulator_display()} made by {item.made_by}",
    )


@transaction.atomic
def case_close(*, actor, case: Case, closed_at: dt.datetime, summary: str,
               feedback_given_on=None, lessons_learned_on=None, return_to_work_support: str = "",
               parents_not_told: dict[int, str] | None = None) -> Case:
    """Close with a recorded outcome (004 §3.7: outcomes were never recorded), and for each child either that the
    parents or carers were told or why not (003 §25, §58): `parents_not_told` gives the reason for a child
    (by id) not yet answered (allegations/facts.py)."""
    from .facts import parents_not_told_at_closing

    case = _case_for_update(actor, case)
    errors: dict[str, list[str]] = {}  # every reason at once: two on one field must not overwrite each other
    for child_id, line in parents_not_told_at_closing(actor=actor, referral=case.referral,
                                                      reasons=parents_not_told or {}):
        errors.setdefault(f"not_told_{child_id}", []).append(line)
    if not case.outcome:
        errors.setdefault("closed_at", []).append("Record the outcome before closing the case.")
    if case.dbs_duty and not (case.dbs_referral_on or case.dbs_referral_notes.strip()):
        errors.setdefault("summary", []).append(
            "The employer has a duty to refer to the DBS: record the referral, or why it was not made, first."
        )
    if closed_at < _to_the_minute(case.referral.received_at):
        errors.setdefault("closed_at", []).append("The closure date cannot be before the referral was received.")
    if closed_at > timezone.now():
        errors.setdefault("closed_at", []).append("The closure date cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    case.status = CaseStatus.CLOSED
    closed_at = max(closed_at, case.referral.received_at)  # typed to the minute (_to_the_minute)
    case.closed_at, case.closed_by, case.closure_summary = closed_at, actor, summary
    case.feedback_given_on, case.lessons_learned_on = feedback_given_on, lessons_learned_on
    case.return_to_work_support = return_to_work_support
    case.closed_months = measures.closed_months(case.referral.received_at, closed_at, Partnership.current())
    save_with_history(case, actor=actor, reason="Case closed")
    # Judged at the closure time, which may be back-dated: not yet due then -> waived; due unmet -> missed.
    deadlines.deadlines_close(actor=actor, referral=case.referral, at=closed_at, reason="Case closed before it fell due")
    event = event_record(actor=actor, referral=case.referral, case=case, verb="case_closed", summary="Case closed",
                         reason=summary)
    from .closing import case_closed_notify

    case_closed_notify(case=case, event=event)  # each agency that took part, at its level (issue 17 §4)
    return case


# --- Access log ---------------------------------------------------------------

def access_record(*, user, referral: Referral, case: Case | None = None) -> None:
    """Log an opening; an opening of a restricted referral or case is shown to the manager who
    restricted it (an inbox notice with the reference only)."""
    log = AccessLog.objects.create(user=user, referral=referral, case=case, what="case" if case else "referral")
    try:
        restriction = referral.restriction  # fetched with the referral (selectors.referral_get, case_get)
    except Restriction.DoesNotExist:
        return
    if restriction.restricted_by_id != user.pk:
        from .notifications import restricted_opened_notify

        restricted_opened_notify(restriction=restriction, log=log, case=case)
