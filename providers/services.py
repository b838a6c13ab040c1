"""Every write with business meaning for provider concerns (seed 001).

Keyword-only, named <thing>_<verb>(*, actor, ...). Each validates, saves with the history user and
reason (allegations.services.save_with_history) and writes the concern's business event (ConcernEvent).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency, AgencyKind, LADO_ROLES, Membership, Role
from agencies.notifications import notice_once
from agencies.permissions import director_service_ids, provider_service_ids
from allegations.models import Referral
from allegations.services import save_with_history
from deadlines import services as deadlines
from deadlines.models import Deadline

from .models import (
    TRANSITIONS,
    AdmissionsReview,
    AdmissionsSuspension,
    ConcernEvent,
    ConcernReferenceCounter,
    ConcernStatus,
    Escalation,
    ImposedBy,
    Indicator,
    NamedContact,
    PlanItem,
    PlanStatus,
    ProviderConcern,
    SuspensionKind,
)

CONCERN_KINDS = (AgencyKind.CARE_PROVIDER, AgencyKind.RESIDENTIAL_HOME, AgencyKind.VOLUNTARY, AgencyKind.OTHER)


def concern_event_record(*, actor, concern: ProviderConcern, kind: str, description: str) -> ConcernEvent:
    return ConcernEvent.objects.create(actor=actor, concern=concern, kind=kind, description=description)


def concern_meeting_event_record(*, actor, meeting, verb: str, summary: str) -> bool:
    """A serious concerns meeting's event goes on its provider concern's timeline (001); registered with
    meetings.services.register_meeting_timeline (apps.py). False for any other meeting."""
    if not meeting.provider_concern_id:
        return False
    concern_event_record(actor=actor, concern=meeting.provider_concern, kind=verb, description=summary)
    return True


def _require_staff(actor, concern: ProviderConcern) -> None:
    if concern.lado_service_id not in provider_service_ids(actor):
        raise PermissionDenied("Only the service running the process can do that.")


def _require_active(concern: ProviderConcern) -> None:
    if concern.status != ConcernStatus.INVOKED:
        raise ValidationError("This can be recorded only while the serious concerns process is invoked.")


def _locked(concern: ProviderConcern) -> ProviderConcern:
    return ProviderConcern.objects.select_for_update().get(pk=concern.pk)


def _transition(concern: ProviderConcern, new_status: str) -> None:
    if new_status not in TRANSITIONS[concern.status]:
        raise ValidationError(f"This concern is {concern.get_status_display().lower()}: it cannot be changed that way.")
    concern.status = new_status


def next_reference(at: dt.datetime) -> str:
    """PC-YYYY-NNNN, numbered per year without gaps under concurrency (row lock)."""
    year = timezone.localtime(at).year
    ConcernReferenceCounter.objects.get_or_create(year=year)
    counter = ConcernReferenceCounter.objects.select_for_update().get(year=year)
    counter.last += 1
    counter.save()
    return f"PC-{year}-{counter.last:04d}"


def can_record(actor) -> bool:
    return bool(provider_service_ids(actor))


@transaction.atomic
def concern_record(*, actor, lado_service: Agency, provider: Agency, indicators: list[str], summary: str,
                   lead=None, referrals=()) -> ProviderConcern:
    """A senior manager records serious concerns about a provider against 001's indicators."""
    if lado_service.pk not in provider_service_ids(actor):
        raise PermissionDenied("You cannot record provider concerns for that service.")
    errors = {}
    if not indicators or any(i not in Indicator.values for i in indicators):
        errors["indicators"] = "Choose at least one indicator from the list."
    if not summary.strip():
        errors["summary"] = "Describe the concerns."
    if provider.kind == AgencyKind.LADO_SERVICE:
        errors["provider"] = "Choose the provider the concerns are about."
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    concern = ProviderConcern(
        reference=next_reference(now), lado_service=lado_service, provider=provider, indicators=list(indicators),
        summary=summary.strip(), recorded_by=actor, recorded_at=now, lead=lead or actor,
    )
    save_with_history(concern, actor=actor, reason="Serious concerns recorded")  # 001
    if referrals:
        concern.referrals.set([r for r in referrals if r.lado_service_id == lado_service.pk])
    concern_event_record(actor=actor, concern=concern, kind="recorded",
                         description=f"Serious concerns about {provider} recorded: {len(indicators)} indicator(s)")
    _notify_directors(concern)
    return concern


def _notify_directors(concern: ProviderConcern) -> None:
    """The directors / assistant directors who decide on the process are told a decision awaits (001)."""
    link = reverse("providers:concern_detail", args=[concern.reference])
    for user in directors_of(concern.lado_service_id):
        notice_once(user=user, title=f"Serious concerns {concern.reference}: decide whether to invoke the process",
                    link=link, key=f"concern-{concern.pk}-decide", email_template="providers/email/concern_notice",
                    context={"reference": concern.reference})


def _members(service_id: int, roles) -> list:
    """Active people holding one of the roles in the service or in an agency it serves."""
    from django.db.models import Q

    users = {}
    for m in (
        Membership.objects.filter(Q(agency_id=service_id) | Q(agency__lado_service_id=service_id),
                                  role__in=list(roles), user__is_active=True, agency__is_active=True)
        .select_related("user").order_by("user_id")
    ):
        users.setdefault(m.user_id, m.user)
    return list(users.values())


def directors_of(service_id: int) -> list:
    return _members(service_id, [Role.DIRECTOR])


def concern_owner_recipients(concern: ProviderConcern) -> list:
    """Who is chased for a concern's deadline: its lead, else the service's adults' safeguarding managers,
    else its LADO staff."""
    if concern.lead_id and concern.lead.is_active:
        return [concern.lead]
    return _members(concern.lado_service_id, [Role.ADULT_SAFEGUARDING_MANAGER]) or _members(concern.lado_service_id, LADO_ROLES)


def concern_escalation_recipients(concern: ProviderConcern) -> list:
    """The owner's managers: the directors who decided on the process, else the LADO managers; and the owner."""
    users = {u.pk: u for u in directors_of(concern.lado_service_id) or _members(concern.lado_service_id, [Role.LADO_MANAGER])}
    for user in concern_owner_recipients(concern):
        users.setdefault(user.pk, user)
    return list(users.values())


def concern_closed_at(concern: ProviderConcern) -> dt.datetime | None:
    """When the concern stopped being chased (concluded, or not invoked); None while active."""
    if concern.status == ConcernStatus.CONCLUDED:
        return concern.concluded_at or concern.decided_at
    if concern.status == ConcernStatus.NOT_INVOKED:
        return concern.decided_at or concern.recorded_at
    return None


@transaction.atomic
def concern_decide(*, actor, concern: ProviderConcern, invoke: bool, rationale: str) -> ProviderConcern:
    """The Director / Assistant Director for Adult Services decides whether to invoke the process (001)."""
    if concern.lado_service_id not in director_service_ids(actor):
        raise PermissionDenied("Only a director or assistant director can decide whether to invoke the process.")
    concern = _locked(concern)
    if not rationale.strip():
        raise ValidationError({"rationale": "Give the reasons for the decision."})
    _transition(concern, ConcernStatus.INVOKED if invoke else ConcernStatus.NOT_INVOKED)
    concern.decided_by = actor
    concern.decided_at = timezone.now()
    concern.decision_rationale = rationale.strip()
    verb = "invoked" if invoke else "not invoked"
    save_with_history(concern, actor=actor, reason=f"Serious concerns process {verb}")
    concern_event_record(actor=actor, concern=concern, kind="decided", description=f"Serious concerns process {verb}")
    _business_unit_notice(concern, f"Serious concerns {concern.reference}: process {verb}", "decided")
    return concern


def _business_unit_notice(concern: ProviderConcern, title: str, what: str) -> None:
    """001: the business unit is told whether the procedure was invoked and of the outcome."""
    link = reverse("providers:register")
    for m in (Membership.objects.filter(role=Role.ANALYST, user__is_active=True, agency__kind=AgencyKind.BUSINESS_UNIT)
              .select_related("user").order_by("user_id")):
        notice_once(user=m.user, title=title, link=link, key=f"concern-{concern.pk}-{what}",
                    email_template="providers/email/concern_notice", context={"reference": concern.reference})


@transaction.atomic
def concern_link_referrals(*, actor, concern: ProviderConcern, referrals: list[Referral], enquiries_note: str = "") -> ProviderConcern:
    """Link the PiPoT / LADO referrals and cases, and note the individual safeguarding enquiries, at the provider."""
    _require_staff(actor, concern)
    concern = _locked(concern)
    wrong = [r.reference for r in referrals if r.lado_service_id != concern.lado_service_id]
    if wrong:
        raise ValidationError({"references": f"Not a referral of this service: {', '.join(wrong)}"})
    concern.referrals.add(*referrals)
    if enquiries_note.strip():
        concern.enquiries_note = enquiries_note.strip()
    save_with_history(concern, actor=actor, reason="Linked referrals and enquiries")
    if referrals:
        concern_event_record(actor=actor, concern=concern, kind="linked",
                             description=f"Linked {', '.join(r.reference for r in referrals)}")
    return concern


# --- Suspension of new admissions -----------------------------------------------------------------

def _open_review_deadline(*, actor, suspension: AdmissionsSuspension, due_on: dt.date, reason: str) -> Deadline:
    return deadlines.deadline_open_on_date(
        actor=actor, referral=None, provider_concern=suspension.concern, kind=Deadline.Kind.ADMISSIONS_REVIEW,
        due_on=due_on, reason=reason,
    )


@transaction.atomic
def suspension_record(*, actor, concern: ProviderConcern, kind: str, imposed_by: str, started_on: dt.date,
                      review_on: dt.date, reason: str = "", imposing_agency: Agency | None = None) -> AdmissionsSuspension:
    """New admissions suspended, voluntarily or imposed by a commissioner or the regulator, with a review date
    chased as an `admissions_review` deadline (deadlines.md)."""
    _require_staff(actor, concern)
    concern = _locked(concern)
    _require_active(concern)
    errors = {}
    if kind == SuspensionKind.IMPOSED and imposed_by == ImposedBy.PROVIDER:
        errors["imposed_by"] = "An imposed suspension is imposed by a commissioner or the regulator."
    if review_on < started_on:
        errors["review_on"] = "The review date must be on or after the start of the suspension."
    if concern.suspensions.filter(ended_on__isnull=True).exists():
        errors["__all__"] = "Admissions are already suspended: review or end that suspension first."
    if errors:
        raise ValidationError(errors)
    suspension = AdmissionsSuspension(
        concern=concern, kind=kind, imposed_by=imposed_by, imposing_agency=imposing_agency, started_on=started_on,
        review_on=review_on, reason=reason.strip(), recorded_by=actor,
    )
    save_with_history(suspension, actor=actor, reason="New admissions suspended")  # 001
    suspension.deadline = _open_review_deadline(actor=actor, suspension=suspension, due_on=review_on,
                                                reason="Suspension of new admissions: review date")
    save_with_history(suspension, actor=actor, reason="Review date chased")
    concern_event_record(actor=actor, concern=concern, kind="suspension",
                         description=f"New admissions suspended ({suspension.get_kind_display().lower()}, "
                                     f"by {suspension.get_imposed_by_display().lower()}); review by {review_on:%d %B %Y}")
    return suspension


@transaction.atomic
def suspension_review(*, actor, suspension: AdmissionsSuspension, notes: str,
                      next_review_on: dt.date | None = None) -> AdmissionsReview:
    """Record the review: it meets the review deadline; a next review date opens a new one."""
    _require_staff(actor, suspension.concern)
    suspension = AdmissionsSuspension.objects.select_for_update().get(pk=suspension.pk)
    if not suspension.is_active:
        raise ValidationError("This suspension has ended.")
    if not notes.strip():
        raise ValidationError({"notes": "Record what the review found."})
    today = timezone.localdate()
    if next_review_on is not None and next_review_on < today:
        raise ValidationError({"next_review_on": "The next review date must be today or later."})
    now = timezone.now()
    review = AdmissionsReview(suspension=suspension, reviewed_at=now, notes=notes.strip(),
                              next_review_on=next_review_on, recorded_by=actor)
    save_with_history(review, actor=actor, reason="Suspension of admissions reviewed")
    if suspension.deadline_id:
        deadlines.deadline_meet_one(actor=actor, deadline=suspension.deadline, met_at=now, reason="Suspension reviewed")
    if next_review_on is not None:
        suspension.review_on = next_review_on
        suspension.deadline = _open_review_deadline(actor=actor, suspension=suspension, due_on=next_review_on,
                                                    reason="Suspension of new admissions: next review date")
    else:
        suspension.deadline = None
    save_with_history(suspension, actor=actor, reason="Suspension of admissions reviewed")
    concern_event_record(actor=actor, concern=suspension.concern, kind="suspension_reviewed",
                         description="Suspension of admissions reviewed"
                         + (f"; next review by {next_review_on:%d %B %Y}" if next_review_on else ""))
    return review


@transaction.atomic
def suspension_end(*, actor, suspension: AdmissionsSuspension, ended_on: dt.date, reason: str) -> AdmissionsSuspension:
    """Lift the suspension: an open review deadline no longer applies (waived)."""
    _require_staff(actor, suspension.concern)
    suspension = AdmissionsSuspension.objects.select_for_update().get(pk=suspension.pk)
    if not suspension.is_active:
        raise ValidationError("This suspension has already ended.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the suspension ends."})
    if ended_on < suspension.started_on:
        raise ValidationError({"ended_on": "The end date must be on or after the start of the suspension."})
    suspension.ended_on = ended_on
    suspension.ended_reason = reason.strip()
    if suspension.deadline_id:
        deadlines.deadline_waive_one(actor=actor, deadline=suspension.deadline, reason="Suspension of admissions ended")
    save_with_history(suspension, actor=actor, reason="Suspension of admissions ended")
    concern_event_record(actor=actor, concern=suspension.concern, kind="suspension_ended",
                         description=f"Suspension of admissions ended on {ended_on:%d %B %Y}")
    return suspension


# --- The action / improvement plan, contacts, communication, escalation -----------------------------

@transaction.atomic
def plan_item_add(*, actor, concern: ProviderConcern, description: str, agency: Agency, due_on: dt.date) -> PlanItem:
    _require_staff(actor, concern)
    _require_active(concern)
    if not description.strip():
        raise ValidationError({"description": "Describe what is to be done."})
    item = PlanItem(concern=concern, description=description.strip(), agency=agency, due_on=due_on, created_by=actor)
    save_with_history(item, actor=actor, reason="Added to the action plan")
    concern_event_record(actor=actor, concern=concern, kind="plan_item",
                         description=f"Action plan: {agency} to act by {due_on:%d %B %Y}")
    return item


@transaction.atomic
def plan_item_update(*, actor, item: PlanItem, status: str, evidence: str) -> PlanItem:
    _require_staff(actor, item.concern)
    item = PlanItem.objects.select_for_update().get(pk=item.pk)
    if status not in PlanStatus.values:
        raise ValidationError({"status": "Choose a status."})
    if status == PlanStatus.COMPLETE and not evidence.strip():
        raise ValidationError({"evidence": "Record the evidence that it is complete."})
    item.status = status
    item.evidence = evidence.strip()
    item.updated_at = timezone.now()
    save_with_history(item, actor=actor, reason=f"Action plan item: {item.get_status_display().lower()}")
    concern_event_record(actor=actor, concern=item.concern, kind="plan_item_updated",
                         description=f"Action plan item for {item.agency}: {item.get_status_display().lower()}")
    return item


@transaction.atomic
def contact_add(*, actor, concern: ProviderConcern, agency: Agency, name: str, role: str = "", email: str = "",
                phone: str = "") -> NamedContact:
    _require_staff(actor, concern)
    if not name.strip():
        raise ValidationError({"name": "Enter the contact's name."})
    contact = NamedContact(concern=concern, agency=agency, name=name.strip(), role=role.strip(), email=email.strip(),
                           phone=phone.strip())
    save_with_history(contact, actor=actor, reason="Named contact recorded")
    concern_event_record(actor=actor, concern=concern, kind="contact", description=f"Named contact recorded for {agency}")
    return contact


@transaction.atomic
def communication_plan_save(*, actor, concern: ProviderConcern, plan: str) -> ProviderConcern:
    _require_staff(actor, concern)
    concern = _locked(concern)
    concern.communication_plan = plan.strip()
    save_with_history(concern, actor=actor, reason="Communication plan updated")
    concern_event_record(actor=actor, concern=concern, kind="communication_plan", description="Communication plan updated")
    return concern


@transaction.atomic
def escalation_record(*, actor, concern: ProviderConcern, reason: str, who_was_informed: str, informed_on: dt.date,
                      informed_directors: bool = True, informed_elected_members: bool = False,
                      notes: str = "") -> Escalation:
    """Directors / Assistant Directors and Elected Members informed: exceptionally high risk, or agencies cannot agree (001)."""
    _require_staff(actor, concern)
    errors = {}
    if not (informed_directors or informed_elected_members):
        errors["informed_directors"] = "Say who was informed: directors, elected members, or both."
    if not who_was_informed.strip():
        errors["who_was_informed"] = "Enter who was informed (their roles)."
    if informed_on > timezone.localdate():
        errors["informed_on"] = "The date cannot be in the future."
    if errors:
        raise ValidationError(errors)
    escalation = Escalation(concern=concern, reason=reason, who_was_informed=who_was_informed.strip(),
                            informed_on=informed_on, informed_directors=informed_directors,
                            informed_elected_members=informed_elected_members, notes=notes.strip(), recorded_by=actor)
    save_with_history(escalation, actor=actor, reason="Escalation recorded")  # 001
    concern_event_record(actor=actor, concern=concern, kind="escalation",
                         description=f"Escalated: {escalation.get_reason_display().lower()}")
    return escalation


@transaction.atomic
def concern_conclude(*, actor, concern: ProviderConcern, outcome: str, lessons_learned: str) -> ProviderConcern:
    """The Outcome and Lessons Learned meeting concludes the process; the record goes to the business unit (001).
    An active suspension's open review deadline and unmet minutes deadlines stop being chased."""
    _require_staff(actor, concern)
    concern = _locked(concern)
    errors = {}
    if not outcome.strip():
        errors["outcome"] = "Record the outcome."
    if not lessons_learned.strip():
        errors["lessons_learned"] = "Record the lessons learned."
    if errors:
        raise ValidationError(errors)
    _transition(concern, ConcernStatus.CONCLUDED)
    now = timezone.now()
    concern.outcome = outcome.strip()
    concern.lessons_learned = lessons_learned.strip()
    concern.concluded_at = now
    concern.concluded_by = actor
    concern.sent_to_business_unit_at = now
    save_with_history(concern, actor=actor, reason="Serious concerns process concluded")
    for deadline in Deadline.objects.filter(provider_concern=concern, met_at__isnull=True,
                                            status__in=deadlines.UNMET).order_by("pk"):
        deadlines.deadline_waive_one(actor=actor, deadline=deadline, reason="Serious concerns process concluded")
    concern_event_record(actor=actor, concern=concern, kind="concluded",
                         description="Process concluded; outcome and lessons learned sent to the business unit")
    _business_unit_notice(concern, f"Serious concerns {concern.reference}: outcome and lessons learned", "concluded")
    return concern
