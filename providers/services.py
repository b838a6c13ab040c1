"""Every write with business meaning for provider concerns (seed 001).

Keyword-only, named <thing>_<verb>(*, actor, ...). Each validates, saves with the history user and
reason (allegations.services.save_with_history) and writes the concern's business event (ConcernEvent).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from agencies.models import LADO_ROLES, AccessLevel, Agency, AgencyKind, Membership, Role
from agencies.notifications import notice_once
from agencies.permissions import director_service_ids, provider_service_ids
from allegations.models import Referral
from allegations.services import save_with_history
from deadlines import services as deadlines
from deadlines.models import Deadline

from .models import (
    OPEN_PLAN_STATUSES,
    TRANSITIONS,
    AdmissionsReview,
    AdmissionsSuspension,
    ConcernEvent,
    ConcernLetter,
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
    concern = meeting.provider_concern
    concern_event_record(actor=actor, concern=concern, kind=verb, description=summary)
    if verb == "meeting_held":
        # 001: "The DSP Business Unit will be informed of the outcome of the initial and subsequent meetings".
        _business_unit_notice(concern, f"Serious concerns {concern.reference}: {meeting.get_kind_display().lower()} held",
                              f"meeting-{meeting.pk}-held")
        if meeting.kind == "serious_concerns_review":
            _review_schedule_met(actor=actor, concern=concern, held_at=meeting.held_at)
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
                   lead=None, referrals=(), crime_suspected: bool = False) -> ProviderConcern:
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
    elif provider.kind == AgencyKind.NHS_FOUNDATION_TRUST:  # 001: separate arrangements apply to them
        errors["provider"] = ("NHS foundation trusts have their own arrangements for serious concerns: "
                              "this process does not apply to them.")
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    concern = ProviderConcern(
        reference=next_reference(now), lado_service=lado_service, provider=provider, indicators=list(indicators),
        summary=summary.strip(), recorded_by=actor, recorded_at=now, lead=lead or actor,
        crime_suspected=crime_suspected,
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
        Membership.objects.people().filter(Q(agency_id=service_id) | Q(agency__lado_service_id=service_id),
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


def deadline_closed_at(deadline) -> dt.datetime | None:
    """When a concern's deadline stopped being chased: the concern's closing, except the review of a suspension
    of admissions continued after the process concluded, chased until the suspension is reviewed or lifted."""
    if deadline.kind == Deadline.Kind.ADMISSIONS_REVIEW and AdmissionsSuspension.objects.filter(
            deadline=deadline, ended_on__isnull=True, continued_at__isnull=False).exists():
        return None
    return concern_closed_at(deadline.provider_concern)


def concern_closed_at(concern: ProviderConcern) -> dt.datetime | None:
    """When the concern stopped being chased (concluded, or not invoked); None while active."""
    if concern.status == ConcernStatus.CONCLUDED:
        return concern.concluded_at or concern.decided_at
    if concern.status == ConcernStatus.NOT_INVOKED:
        return concern.decided_at or concern.recorded_at
    return None


@transaction.atomic
def concern_decide(*, actor, concern: ProviderConcern, invoke: bool, rationale: str, handed_to: Agency | None = None,
                   handover_contact: str = "", handover_note: str = "") -> ProviderConcern:
    """The Director / Assistant Director for Adult Services decides whether to invoke the process (001).
    A concern not invoked is handed to commissioning for contract monitoring, to a named contact, with a
    record of what was handed over (001: lower level concerns go to the relevant commissioner)."""
    if concern.lado_service_id not in director_service_ids(actor):
        raise PermissionDenied("Only a director or assistant director can decide whether to invoke the process.")
    concern = _locked(concern)
    errors = {}
    if not rationale.strip():
        errors["rationale"] = "Give the reasons for the decision."
    if not invoke:
        if handed_to is None:
            errors["handed_to"] = "Choose the commissioner the concerns are handed to for contract monitoring."
        if not handover_contact.strip():
            errors["handover_contact"] = "Enter who in commissioning takes the concerns on (their name)."
        if not handover_note.strip():
            errors["handover_note"] = "Record what was handed to commissioning and what they will monitor."
    if errors:
        raise ValidationError(errors)
    _transition(concern, ConcernStatus.INVOKED if invoke else ConcernStatus.NOT_INVOKED)
    now = timezone.now()
    concern.decided_by = actor
    concern.decided_at = now
    concern.decision_rationale = rationale.strip()
    if not invoke:
        concern.handed_to, concern.handover_contact = handed_to, handover_contact.strip()
        concern.handover_note, concern.handed_over_at = handover_note.strip(), now
    verb = "invoked" if invoke else "not invoked"
    save_with_history(concern, actor=actor, reason=f"Serious concerns process {verb}")
    concern_event_record(actor=actor, concern=concern, kind="decided", description=f"Serious concerns process {verb}")
    if not invoke:
        concern_event_record(actor=actor, concern=concern, kind="handed_over",
                             description=f"Handed to {handed_to} for contract monitoring ({concern.handover_contact})")
    _business_unit_notice(concern, f"Serious concerns {concern.reference}: process {verb}", "decided")
    return concern


def _business_unit_notice(concern: ProviderConcern, title: str, what: str) -> None:
    """001: the business unit is told whether the procedure was invoked and of the outcome."""
    link = reverse("providers:register")
    for m in (Membership.objects.people().filter(role=Role.ANALYST, user__is_active=True, agency__kind=AgencyKind.BUSINESS_UNIT)
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
    """An item of the multi-agency plan: an agency's timescale, chased as a `plan_item` deadline like an action."""
    _require_staff(actor, concern)
    _require_active(concern)
    if not description.strip():
        raise ValidationError({"description": "Describe what is to be done."})
    item = PlanItem(concern=concern, description=description.strip(), agency=agency, due_on=due_on, created_by=actor)
    save_with_history(item, actor=actor, reason="Added to the action plan")
    item.deadline = deadlines.deadline_open_on_date(
        actor=actor, referral=None, provider_concern=concern, kind=Deadline.Kind.PLAN_ITEM, due_on=due_on,
        reason=f"Action plan: {agency} to act",
    )
    save_with_history(item, actor=actor, reason="Timescale chased")
    concern_event_record(actor=actor, concern=concern, kind="plan_item",
                         description=f"Action plan: {agency} to act by {due_on:%d %B %Y}")
    return item


def may_update_item(actor, item: PlanItem) -> bool:
    """The service running the process, and the people of the agency responsible for the item (their own items)."""
    if item.concern.lado_service_id in provider_service_ids(actor):
        return True
    return Membership.objects.filter(user=actor, agency_id=item.agency_id, agency__is_active=True).exists()


# What an agency may record of its own item; the service alone records "not achieved" (a judgement on the agency).
AGENCY_STATUSES = (PlanStatus.NOT_STARTED, PlanStatus.IN_PROGRESS, PlanStatus.COMPLETE)


@transaction.atomic
def plan_item_update(*, actor, item: PlanItem, status: str, evidence: str) -> PlanItem:
    """Progress on an item, with its evidence. Complete meets its deadline; the agency's own people may record it."""
    if not may_update_item(actor, item):
        raise PermissionDenied("Only the service running the process or the agency responsible can update this item.")
    item = PlanItem.objects.select_for_update().select_related("concern", "agency").get(pk=item.pk)
    staff = item.concern.lado_service_id in provider_service_ids(actor)
    if item.concern.status != ConcernStatus.INVOKED or item.status == PlanStatus.CARRIED:
        raise ValidationError("This item can no longer be updated here: the process has concluded.")
    allowed = PlanStatus.values if staff else AGENCY_STATUSES
    if status not in allowed or status == PlanStatus.CARRIED:
        raise ValidationError({"status": "Choose the progress."})
    if status == PlanStatus.COMPLETE and not evidence.strip():
        raise ValidationError({"evidence": "Record the evidence that it is complete."})
    item.status = status
    item.evidence = evidence.strip()
    item.updated_at = timezone.now()
    item.updated_by = actor
    save_with_history(item, actor=actor, reason=f"Action plan item: {item.get_status_display().lower()}")
    if item.deadline_id and status == PlanStatus.COMPLETE:
        deadlines.deadline_meet_one(actor=actor, deadline=item.deadline, met_at=item.updated_at,
                                    reason="Action plan item complete")
    who = "" if staff else f" (recorded by {item.agency})"
    concern_event_record(actor=actor, concern=item.concern, kind="plan_item_updated",
                         description=f"Action plan item for {item.agency}: {item.get_status_display().lower()}{who}")
    return item


@transaction.atomic
def plan_item_carry(*, actor, item: PlanItem, owner: str) -> PlanItem:
    """An open item carried into commissioning's contract monitoring with a named owner, so the process can
    conclude without dropping it: its deadline stops being chased here."""
    _require_staff(actor, item.concern)
    item = PlanItem.objects.select_for_update().select_related("concern", "agency").get(pk=item.pk)
    if item.concern.status != ConcernStatus.INVOKED:
        raise ValidationError("Items are carried into commissioning while the process is invoked.")
    if not item.is_open:
        raise ValidationError("Only an item still to do can be carried into commissioning.")
    if not owner.strip():
        raise ValidationError({"owner": "Enter who owns the item in commissioning (their name and role)."})
    item.status, item.carried_owner, item.carried_at = PlanStatus.CARRIED, owner.strip(), timezone.now()
    item.updated_at, item.updated_by = item.carried_at, actor
    save_with_history(item, actor=actor, reason="Carried into commissioning")
    if item.deadline_id:
        deadlines.deadline_waive_one(actor=actor, deadline=item.deadline, reason="Carried into commissioning")
    concern_event_record(actor=actor, concern=item.concern, kind="plan_item_carried",
                         description=f"Action plan item for {item.agency} carried into commissioning ({item.carried_owner})")
    return item


# --- Review meetings on a schedule (001: "Agree timescales for further meetings") --------------------------

@transaction.atomic
def review_schedule_set(*, actor, concern: ProviderConcern, every_days: int, first_review_on: dt.date) -> ProviderConcern:
    """Set at the initial meeting: review meetings every so many days, the next one chased as a deadline."""
    _require_staff(actor, concern)
    concern = _locked(concern)
    _require_active(concern)
    errors = {}
    if not concern.meetings.filter(kind="serious_concerns_initial", status="held").exists():
        errors["__all__"] = "The schedule of reviews is agreed at the initial serious concerns meeting: record it as held first."
    if not 7 <= every_days <= 182:
        errors["every_days"] = "Reviews are held between every week and every 26 weeks."
    if first_review_on < timezone.localdate():
        errors["first_review_on"] = "The first review must be today or later."
    if errors:
        raise ValidationError(errors)
    concern.review_every_days = every_days
    save_with_history(concern, actor=actor, reason="Schedule of review meetings set")
    for deadline in _open_review_meetings(concern):
        deadlines.deadline_waive_one(actor=actor, deadline=deadline, reason="Schedule of review meetings changed")
    deadlines.deadline_open_on_date(actor=actor, referral=None, provider_concern=concern,
                                    kind=Deadline.Kind.CONCERN_REVIEW, due_on=first_review_on,
                                    reason="Serious concerns review meeting due")
    concern_event_record(actor=actor, concern=concern, kind="review_schedule",
                         description=f"Review meetings every {every_days} days; the first by {first_review_on:%d %B %Y}")
    return concern


def _open_review_meetings(concern: ProviderConcern):
    return list(Deadline.objects.filter(provider_concern=concern, kind=Deadline.Kind.CONCERN_REVIEW, met_at__isnull=True,
                                        status__in=deadlines.UNMET).order_by("pk"))


def _review_schedule_met(*, actor, concern: ProviderConcern, held_at) -> None:
    """A review meeting held meets the review deadline and opens the next on the schedule."""
    for deadline in _open_review_meetings(concern):
        deadlines.deadline_meet_one(actor=actor, deadline=deadline, met_at=held_at, reason="Review meeting held")
    if concern.review_every_days and concern.status == ConcernStatus.INVOKED:
        due_on = timezone.localtime(held_at).date() + dt.timedelta(days=concern.review_every_days)
        deadlines.deadline_open_on_date(actor=actor, referral=None, provider_concern=concern,
                                        kind=Deadline.Kind.CONCERN_REVIEW, due_on=due_on,
                                        reason="Next serious concerns review meeting due")


# --- The provider informed in writing after each meeting (001) --------------------------------------------

def letter_values(concern: ProviderConcern, meeting, *, actor, recipient: str) -> dict[str, str]:
    """The provider letter's placeholders (allegations.letters.PLACEHOLDERS) for a provider concern: there is no
    person or outcome of an allegation, so those are blank."""
    from allegations import letters

    values = {name: "" for name in letters.PLACEHOLDERS}
    values.update({
        "reference": concern.reference, "today": letters._date(timezone.now()), "employer": concern.provider.name,
        "meeting_date": letters._date(meeting.held_at or meeting.scheduled_at),
        "lado_service": concern.lado_service.name, "officer": actor.get_full_name() or actor.username,
        "recipient": recipient,
    })
    return values


def letters_missing(concern: ProviderConcern) -> list:
    """The meetings held after which no letter to the provider has been recorded as sent."""
    return list(concern.meetings.filter(status="held").exclude(provider_letters__status=ConcernLetter.Status.SENT)
                .order_by("held_at", "pk"))


@transaction.atomic
def concern_letter_draft(*, actor, concern: ProviderConcern, meeting, recipient: str) -> ConcernLetter:
    """Draft the letter to the provider after a held meeting from the service's provider letter template."""
    from allegations import letters
    from allegations.models import LetterKind

    _require_staff(actor, concern)
    if meeting.provider_concern_id != concern.pk or meeting.status != "held":
        raise ValidationError("The provider is written to after a meeting that has been held.")
    if ConcernLetter.objects.filter(meeting=meeting).exists():
        raise ValidationError("A letter after this meeting has already been drafted.")
    if not recipient.strip():
        raise ValidationError({"recipient": "Enter who the letter is to."})
    template = letters.template_for(concern.lado_service_id, LetterKind.PROVIDER)
    values = letter_values(concern, meeting, actor=actor, recipient=recipient.strip())
    letter = ConcernLetter(concern=concern, meeting=meeting, recipient=recipient.strip(),
                           subject=letters.fill(template.subject, values)[:200], body=letters.fill(template.body, values),
                           drafted_by=actor)
    save_with_history(letter, actor=actor, reason="Letter to the provider drafted")
    concern_event_record(actor=actor, concern=concern, kind="letter_drafted",
                         description=f"Letter to the provider after the {meeting.get_kind_display().lower()} drafted")
    return letter


@transaction.atomic
def concern_letter_edit(*, actor, letter: ConcernLetter, recipient: str, subject: str, body: str) -> ConcernLetter:
    _require_staff(actor, letter.concern)
    letter = ConcernLetter.objects.select_for_update().get(pk=letter.pk)
    if letter.status != ConcernLetter.Status.DRAFT:
        raise ValidationError("A letter that has been sent can no longer be changed.")
    errors = {}
    for field, value, message in (("recipient", recipient, "Enter who the letter is to."),
                                  ("subject", subject, "Enter the letter's subject line."),
                                  ("body", body, "Enter the letter's words.")):
        if not value.strip():
            errors[field] = message
    if errors:
        raise ValidationError(errors)
    letter.recipient, letter.subject, letter.body = recipient.strip(), subject.strip(), body
    save_with_history(letter, actor=actor, reason="Letter to the provider edited")
    return letter


@transaction.atomic
def concern_letter_mark_sent(*, actor, letter: ConcernLetter, sent_by: str, sent_on: dt.date | None = None) -> ConcernLetter:
    """Record when and how the letter went to the provider."""
    from allegations.models import Letter

    _require_staff(actor, letter.concern)
    letter = ConcernLetter.objects.select_for_update().select_related("concern", "meeting").get(pk=letter.pk)
    if letter.status != ConcernLetter.Status.DRAFT:
        raise ValidationError("This letter has already been recorded as sent.")
    if sent_by not in Letter.SentBy.values:
        raise ValidationError({"sent_by": "Choose how the letter was sent."})
    today = timezone.localdate()
    if sent_on is not None and sent_on > today:
        raise ValidationError({"sent_on": "The date it was sent must be today or in the past."})
    if sent_on is not None and letter.meeting.held_at and sent_on < timezone.localtime(letter.meeting.held_at).date():
        raise ValidationError({"sent_on": "The letter cannot have been sent before the meeting was held."})
    letter.status, letter.sent_by, letter.sent_recorded_by = ConcernLetter.Status.SENT, sent_by, actor
    letter.sent_at = timezone.now() if sent_on is None or sent_on == today else timezone.make_aware(
        dt.datetime.combine(sent_on, dt.time(12)))
    save_with_history(letter, actor=actor, reason="Letter to the provider sent")
    # The record of delivery, as every letter's (allegations.letters.letter_mark_sent): sent by the officer, by the
    # channel they chose; the delivery names the letter, and the recipient stays on the letter.
    from allegations.letters import SENT_BY_CHANNEL
    from outbox.delivery import delivery_add

    delivery_add(key=f"concern-letter:{letter.pk}", kind="letter_provider", address="", channel=SENT_BY_CHANNEL[sent_by],
                 about=letter, created_by=actor, sent_at=letter.sent_at)
    concern_event_record(actor=actor, concern=letter.concern, kind="letter_sent",
                         description=f"Provider informed in writing after the {letter.meeting.get_kind_display().lower()} "
                                     f"({Letter.SentBy(sent_by).label.lower()})")
    return letter


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


def conclusion_missing(concern: ProviderConcern) -> list[str]:
    """What stands in the way of concluding the process, in the users' words (empty when nothing does).

    001: "An Outcome and Lessons Learned meeting will conclude the process and confirm that the action/improvement
    plan is complete"; the provider is informed in writing after each meeting. An item still to do may be carried
    into commissioning with a named owner instead."""
    missing = []
    open_items = [item for item in concern.plan_items.select_related("agency").order_by("due_on", "pk") if item.is_open]
    for item in open_items:
        missing.append(f"The action plan item for {item.agency} is {item.get_status_display().lower()}: "
                       f"complete it, or carry it into commissioning with a named owner ({item.description[:80]})")
    if not concern.meetings.filter(kind="outcome_lessons_learned", status="held").exists():
        missing.append("The outcome and lessons learned meeting has not been held")
    for meeting in letters_missing(concern):
        missing.append(f"The provider has not been informed in writing after the {meeting.get_kind_display().lower()} "
                       f"of {letters_date(meeting.held_at)}")
    return missing


def letters_date(moment) -> str:
    from allegations.letters import _date

    return _date(moment)


class ConclusionRefused(ValidationError):
    """The process cannot conclude yet: `missing` lists why (conclusion_missing)."""

    def __init__(self, missing: list[str]):
        self.missing = missing
        super().__init__({"__all__": ["The process cannot be concluded yet:"] + missing})


SUSPENSION_LIFT, SUSPENSION_CONTINUE = "lift", "continue"


@transaction.atomic
def concern_conclude(*, actor, concern: ProviderConcern, outcome: str, lessons_learned: str,
                     suspension_decision: str = "", suspension_lifted_on: dt.date | None = None,
                     suspension_note: str = "") -> ProviderConcern:
    """The Outcome and Lessons Learned meeting concludes the process; the record goes to the business unit (001).

    Refused (ConclusionRefused, listing what is missing) until the action plan is complete or its open items
    are carried into commissioning, the outcome and lessons learned meeting is held and the provider has been
    written to after each meeting. A suspension of new admissions still in force is lifted on a date or
    continued explicitly, with its review still chased; the other unmet deadlines stop being chased."""
    _require_staff(actor, concern)
    concern = _locked(concern)
    if concern.status != ConcernStatus.INVOKED:
        _transition(concern, ConcernStatus.CONCLUDED)  # refused with the status in words
    missing = conclusion_missing(concern)
    if missing:
        raise ConclusionRefused(missing)
    errors = {}
    if not outcome.strip():
        errors["outcome"] = "Record the outcome."
    if not lessons_learned.strip():
        errors["lessons_learned"] = "Record the lessons learned."
    suspension = concern.suspensions.filter(ended_on__isnull=True).select_for_update().first()
    if suspension is not None:
        if suspension_decision not in (SUSPENSION_LIFT, SUSPENSION_CONTINUE):
            errors["suspension_decision"] = "New admissions are still suspended: lift the suspension or continue it."
        elif suspension_decision == SUSPENSION_LIFT and suspension_lifted_on is None:
            errors["suspension_lifted_on"] = "Enter the date the suspension is lifted."
        elif suspension_decision == SUSPENSION_LIFT and suspension_lifted_on < suspension.started_on:
            errors["suspension_lifted_on"] = "The suspension cannot be lifted before it started."
        if suspension_decision and not suspension_note.strip():
            errors["suspension_note"] = ("Say why the suspension is lifted." if suspension_decision == SUSPENSION_LIFT
                                         else "Say why the suspension continues and who reviews it.")
    if errors:
        raise ValidationError(errors)
    if suspension is not None and suspension_decision == SUSPENSION_LIFT:
        suspension_end(actor=actor, suspension=suspension, ended_on=suspension_lifted_on, reason=suspension_note)
    elif suspension is not None:
        suspension.continued_at, suspension.continued_reason = timezone.now(), suspension_note.strip()
        save_with_history(suspension, actor=actor, reason="Suspension of admissions continued after the process")
        concern_event_record(actor=actor, concern=concern, kind="suspension_continued",
                             description=f"Suspension of admissions continues after the process; review by "
                                         f"{suspension.review_on:%d %B %Y}")
    _transition(concern, ConcernStatus.CONCLUDED)
    now = timezone.now()
    concern.outcome = outcome.strip()
    concern.lessons_learned = lessons_learned.strip()
    concern.concluded_at = now
    concern.concluded_by = actor
    concern.sent_to_business_unit_at = now
    save_with_history(concern, actor=actor, reason="Serious concerns process concluded")
    kept = {suspension.deadline_id} if suspension is not None and suspension.continued_at else set()
    for deadline in (Deadline.objects.filter(provider_concern=concern, met_at__isnull=True, status__in=deadlines.UNMET)
                     .exclude(pk__in=kept - {None}).order_by("pk")):
        deadlines.deadline_waive_one(actor=actor, deadline=deadline, reason="Serious concerns process concluded")
    concern_event_record(actor=actor, concern=concern, kind="concluded",
                         description="Process concluded; outcome and lessons learned sent to the business unit")
    _business_unit_notice(concern, f"Serious concerns {concern.reference}: outcome and lessons learned", "concluded")
    return concern


# --- Who to invite to a serious concerns meeting (001 "Who should attend the initial serious concerns meeting") --

HEALTH_KINDS = (AgencyKind.NHS_TRUST, AgencyKind.NHS_FOUNDATION_TRUST, AgencyKind.ICB)


def concern_meeting_suggestions(meeting) -> list | None:
    """Suggestions for a provider concern's meeting (meetings.services.register_meeting_suggestions): the
    commissioners, the CQC, the provider (its registered manager, at the employer level: what concerns the
    provider, not the adults at risk), health, and the police when a crime is suspected. None for other meetings."""
    from meetings.services import REGULATOR_NAMES, Suggestion, _regulator_matches

    if not meeting.provider_concern_id:
        return None
    concern = meeting.provider_concern
    provider, service_id = concern.provider, concern.lado_service_id
    kinds = [AgencyKind.ADULTS_SOCIAL_CARE, AgencyKind.REGULATOR, *HEALTH_KINDS]
    if concern.crime_suspected:
        kinds.append(AgencyKind.POLICE)
    candidates = list(
        Agency.objects.filter(is_active=True).filter(
            Q(kind__in=kinds, lado_service_id=service_id) | Q(kind=AgencyKind.REGULATOR)
            | Q(pk=provider.commissioned_by_id)).order_by("name")
    )
    S, E = AccessLevel.SAFEGUARDING, AccessLevel.EMPLOYER
    found = []
    # Lead commissioners and contracts (001): who commissions the provider, else the adults' social care service.
    commissioners = [a for a in candidates if a.pk == provider.commissioned_by_id] or [
        a for a in candidates if a.kind == AgencyKind.ADULTS_SOCIAL_CARE]
    for agency in commissioners:
        found.append(Suggestion(f"commissioner:{agency.pk}",
                                f"Commissions {provider.name}: the lead commissioner and contracts manager.", S,
                                agency=agency))
    if not commissioners:
        found.append(Suggestion("commissioner", "The lead commissioner of the provider. Not set up in the product.", S,
                                name="Lead commissioner"))
    cqc = next((a for a in candidates if a.kind == AgencyKind.REGULATOR and _regulator_matches(a, "CQC")), None)
    why = "The Care Quality Commission inspector: regulates the provider and may take enforcement action."
    found.append(Suggestion("cqc", why, S, agency=cqc) if cqc else
                 Suggestion("cqc", why + " Not set up in the product.", S, name=REGULATOR_NAMES.get("CQC", "CQC")))
    found.append(Suggestion(
        "provider", "The provider's registered manager: invited to all or part of the meeting, seeing what concerns "
                    "the provider, not the adults at risk.", E, agency=provider))
    for agency in (a for a in candidates if a.kind in HEALTH_KINDS and a.pk != provider.pk):
        found.append(Suggestion(f"health:{agency.pk}", "Health: care and treatment of adults at the provider.", S,
                                agency=agency))
    if concern.crime_suspected:
        police = [a for a in candidates if a.kind == AgencyKind.POLICE]
        why = "A crime is suspected: police investigations take priority."
        for agency in police:
            found.append(Suggestion(f"police:{agency.pk}", why, S, agency=agency))
        if not police:
            found.append(Suggestion("police", why + " No police force is set up in the product.", S, name="Police"))
    return found
