"""Every write with business meaning for meetings, minutes and actions.

Keyword-only, named <thing>_<verb>(*, actor, ...). Each validates, saves with the history
user and reason (allegations.services.save_with_history), writes the business event on the
case timeline (allegations.services.event_record) and schedules side effects after commit.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency, AgencyKind, Membership, Sector
from agencies.permissions import provider_service_ids, standing
from allegations.models import Case, RegulatorReferral, Route
from allegations.services import case_review_met, event_record, save_with_history
from config.jinja2 import govuk_date, govuk_datetime
from deadlines import services as deadlines
from deadlines.models import Deadline
from outbox.services import message_add
from outbox.submissions import submission_claim, submission_done
from outbox.tasks import TIME_LIMIT as OUTBOX_TIME_LIMIT

from . import deliveries, selectors, webhook_events
from .agendas import template_for
from .permissions import meeting_share, meeting_unshare
from .models import (
    AUDIENCES_FOR,
    CASE_KINDS,
    PROVIDER_KINDS,
    AccessLevel,
    Action,
    ActionStatus,
    Attendance,
    Audience,
    VARIANT_LEVEL,
    Circulation,
    GuestAccess,
    Invitation,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Minutes,
    MinutesSection,
    MinutesStatus,
    MinutesPdf,
    MinutesVersion,
    PdfStatus,
    PdfVariant,
    Withholding,
)

logger = logging.getLogger(__name__)

MEETING_TRANSITIONS: dict[str, frozenset[str]] = {
    MeetingStatus.SCHEDULED: frozenset({MeetingStatus.HELD, MeetingStatus.CANCELLED}),
}
ACTION_TRANSITIONS: dict[str, frozenset[str]] = {
    ActionStatus.OPEN: frozenset({ActionStatus.DONE, ActionStatus.CANCELLED}),
}

CONFLICT_MESSAGE = (
    "Someone else saved these minutes while you were editing. Your text has not been saved, and is kept "
    "below: check their changes (shown under each section they changed), then save again to keep your text."
)
STALE_APPROVAL_MESSAGE = "The minutes were changed since you opened this page. Read them again before approving."


class MinutesConflict(ValidationError):
    """A save based on an earlier revision of the minutes than the one in the database."""


# A meeting that is not a case's (a provider concern's serious concerns meeting, 001) goes on the timeline of
# what it is about, written by the app that owns that timeline: it registers a function in its
# AppConfig.ready() (providers/apps.py), since meetings imports no app above it. The function takes
# (*, actor, meeting, verb, summary) and returns True when it recorded the event.
_other_timelines: list[Callable[..., bool]] = []


def register_meeting_timeline(function: Callable[..., bool]) -> None:
    if function not in _other_timelines:
        _other_timelines.append(function)


# Who to invite to a meeting that is not a case's is suggested by the app that owns what it is about
# (providers: a serious concerns meeting, 001 "Who should attend"), registered in its AppConfig.ready(). The
# function takes (meeting) and returns a list of Suggestion, or None when the meeting is not its.
_other_suggestions: list[Callable[..., list | None]] = []


def register_meeting_suggestions(function: Callable[..., list | None]) -> None:
    if function not in _other_suggestions:
        _other_suggestions.append(function)


def _to_the_minute(moment: dt.datetime) -> dt.datetime:
    """Times are typed in hours and minutes: the start of the minute a moment falls in."""
    return moment.replace(second=0, microsecond=0)


def _event(*, actor, meeting: Meeting, verb: str, summary: str, reason: str = "") -> None:
    if meeting.case_id:
        event_record(actor=actor, referral=meeting.case.referral, case=meeting.case, verb=verb, summary=summary,
                     reason=reason)
        return
    for record in _other_timelines:
        if record(actor=actor, meeting=meeting, verb=verb, summary=summary):
            return


def _meeting_label(meeting: Meeting) -> str:
    return f"{meeting.get_kind_display()} of {govuk_date(meeting.scheduled_at)}"


def _require_manager(actor, meeting: Meeting) -> None:
    if not selectors.can_manage(actor, meeting):
        raise PermissionDenied("Only the chair or the LADO service can do that.")


def _require_chair(actor, meeting: Meeting, what: str) -> None:
    if not selectors.is_chair(actor, meeting):
        raise PermissionDenied(f"Only the chair of the meeting can {what}.")


def _locked_meeting(meeting: Meeting) -> Meeting:
    return (Meeting.objects.select_for_update(of=("self",)).select_related("case__referral", "provider_concern")
            .get(pk=meeting.pk))


def _transition(meeting: Meeting, new_status: str) -> None:
    if new_status not in MEETING_TRANSITIONS.get(meeting.status, frozenset()):
        raise ValidationError(
            f"This meeting is {meeting.get_status_display().lower()}: it cannot be "
            f"{MeetingStatus(new_status).label.lower()}."
        )
    meeting.status = new_status


def _require_open_case(case: Case | None) -> None:
    if case is not None and not case.is_open:
        raise ValidationError("This case is closed.")


# --- Scheduling ---------------------------------------------------------------------------------

@transaction.atomic
def meeting_schedule(
    *,
    actor,
    case: Case,
    kind: str,
    scheduled_at: dt.datetime,
    chair,
    minute_taker=None,
    location: str = "",
    online_link: str = "",
    chaired_by_service: bool = True,
    form_token: str = "",
) -> Meeting:
    """A chair or the LADO service schedules a meeting of a case; its minutes start from the kind's template.
    A second post of the same form (`form_token`) raises AlreadySubmitted with the meeting already made."""
    if not selectors.can_schedule(actor, case):
        raise PermissionDenied("Only the LADO service or a chair can schedule a meeting.")
    submission = submission_claim(token=form_token, user=actor)
    case = Case.objects.select_for_update(of=("self",)).select_related("referral").get(pk=case.pk)
    _require_open_case(case)
    errors = {}
    if kind not in CASE_KINDS:
        errors["kind"] = "Choose the kind of meeting."
    if not location.strip() and not online_link.strip():
        errors["location"] = "Enter where the meeting is held, or a link to join it online."
    if scheduled_at < _to_the_minute(case.referral.received_at):
        errors["scheduled_at"] = "The meeting cannot be before the referral was received."
    if not selectors.chair_candidates(case).filter(pk=chair.pk).exists():
        errors["chair"] = "Choose a chair from the list."
    if minute_taker is not None and not selectors.minute_taker_candidates(case).filter(pk=minute_taker.pk).exists():
        errors["minute_taker"] = "Choose a minute taker from the list."
    if errors:
        raise ValidationError(errors)
    meeting = Meeting(
        case=case, kind=kind, scheduled_at=scheduled_at, chair=chair, minute_taker=minute_taker,
        location=location.strip(), online_link=online_link.strip(), chaired_by_service=chaired_by_service,
        created_by=actor,
    )
    save_with_history(meeting, actor=actor, reason=f"{meeting.get_kind_display()} scheduled")
    minutes = Minutes(meeting=meeting, updated_by=actor)
    save_with_history(minutes, actor=actor, reason="Minutes started from the meeting's template")
    for order, spec in enumerate(template_for(kind, case.referral.workforce), start=1):
        section = MinutesSection(
            minutes=minutes, key=spec.key, title=spec.title, guidance=spec.guidance, audience=spec.audience,
            order=order, required=spec.required, allows_none=spec.allows_none,
        )
        save_with_history(section, actor=actor, reason="Minutes started from the meeting's template")
    _event(actor=actor, meeting=meeting, verb="meeting_scheduled",
           summary=f"{meeting.get_kind_display()} scheduled for {govuk_datetime(scheduled_at)}")
    submission_done(submission, url=reverse("meetings:meeting_detail", args=[meeting.pk]))
    return meeting


@transaction.atomic
def meeting_schedule_for_concern(
    *,
    actor,
    concern,
    kind: str,
    scheduled_at: dt.datetime,
    chair,
    minute_taker=None,
    location: str = "",
    online_link: str = "",
) -> Meeting:
    """A serious concerns meeting of a provider concern (001): initial, review, or outcome and lessons learned.
    Its minutes start from the kind's record-keeping template (agendas.py, 001 "Record keeping")."""
    if concern.lado_service_id not in provider_service_ids(actor):
        raise PermissionDenied("Only the service running the process can schedule its meetings.")
    concern = type(concern).objects.select_for_update().get(pk=concern.pk)  # providers.ProviderConcern
    errors = {}
    if not concern.is_active:  # the process is invoked
        errors["__all__"] = "Meetings are held only while the serious concerns process is invoked."
    if kind not in PROVIDER_KINDS:
        errors["kind"] = "Choose the kind of meeting."
    if not location.strip() and not online_link.strip():
        errors["location"] = "Enter where the meeting is held, or a link to join it online."
    if chair is None:
        errors["chair"] = "Choose a chair from the list."
    if errors:
        raise ValidationError(errors)
    meeting = Meeting(
        provider_concern=concern, kind=kind, scheduled_at=scheduled_at, chair=chair, minute_taker=minute_taker,
        location=location.strip(), online_link=online_link.strip(), chaired_by_service=False, created_by=actor,
    )
    save_with_history(meeting, actor=actor, reason=f"{meeting.get_kind_display()} scheduled")
    _minutes_from_template(meeting, actor)
    _event(actor=actor, meeting=meeting, verb="meeting_scheduled",
           summary=f"{meeting.get_kind_display()} scheduled for {govuk_datetime(scheduled_at)}")
    return meeting


def _minutes_from_template(meeting: Meeting, actor) -> Minutes:
    minutes = Minutes(meeting=meeting, updated_by=actor)
    save_with_history(minutes, actor=actor, reason="Minutes started from the meeting's template")
    for order, spec in enumerate(template_for(meeting.kind), start=1):
        section = MinutesSection(
            minutes=minutes, key=spec.key, title=spec.title, guidance=spec.guidance, audience=spec.audience,
            order=order, required=spec.required, allows_none=spec.allows_none,
        )
        save_with_history(section, actor=actor, reason="Minutes started from the meeting's template")
    return minutes


@transaction.atomic
def meeting_hold(*, actor, meeting: Meeting, held_at: dt.datetime, attendance: dict[int, str] | None = None) -> Meeting:
    """Record that the meeting took place: opens the minutes deadline (14 or 7 days, 001); a strategy
    discussion meets the strategy meeting deadline (003 §27)."""
    _require_manager(actor, meeting)
    meeting = _locked_meeting(meeting)
    _require_open_case(meeting.case)
    _transition(meeting, MeetingStatus.HELD)
    errors = {}
    if held_at > timezone.now():
        errors["held_at"] = "The meeting cannot be recorded as held in the future."
    elif meeting.case and held_at < _to_the_minute(meeting.case.referral.received_at):
        errors["held_at"] = "The meeting cannot be before the referral was received."
    if errors:
        raise ValidationError(errors)
    if meeting.case:  # typed to the minute: in the minute the referral arrived means after it
        held_at = max(held_at, meeting.case.referral.received_at)
    meeting.held_at = held_at
    if meeting.case:
        referral = meeting.case.referral
        meeting.minutes_deadline = deadlines.deadline_open(
            actor=actor, referral=referral, case=meeting.case, kind=meeting.minutes_deadline_kind, anchor=held_at,
            reason=f"{meeting.get_kind_display()} held: minutes to be circulated",  # 001
        )
        if meeting.kind == MeetingKind.STRATEGY_DISCUSSION:
            deadlines.deadline_meet(actor=actor, referral=referral, kind=Deadline.Kind.STRATEGY_MEETING,
                                    met_at=held_at, reason="Strategy discussion held")
        elif meeting.kind == MeetingKind.REVIEW:  # a held review meeting is a case review (003 §42)
            case_review_met(actor=actor, case=meeting.case, at=held_at, reason="Review meeting held")
    elif meeting.provider_concern_id:  # minutes within 14 days of the initial, 7 of a review (001)
        meeting.minutes_deadline = deadlines.deadline_open(
            actor=actor, referral=None, provider_concern=meeting.provider_concern, kind=meeting.minutes_deadline_kind,
            anchor=held_at, reason=f"{meeting.get_kind_display()} held: minutes to be circulated",  # 001
        )
    save_with_history(meeting, actor=actor, reason="Meeting held")
    if attendance:
        _attendance(actor=actor, meeting=meeting, attendance=attendance)
    _event(actor=actor, meeting=meeting, verb="meeting_held",
           summary=f"{meeting.get_kind_display()} held on {govuk_datetime(held_at)}")
    return meeting


@transaction.atomic
def meeting_cancel(*, actor, meeting: Meeting, reason: str) -> Meeting:
    _require_manager(actor, meeting)
    meeting = _locked_meeting(meeting)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the meeting is cancelled."})
    _transition(meeting, MeetingStatus.CANCELLED)
    meeting.cancelled_reason = reason.strip()
    invited = deliveries.invited_ids(meeting)
    if invited:
        meeting.calendar_sequence += 1  # the cancellation replaces the invitation in their calendars
    save_with_history(meeting, actor=actor, reason=f"Cancelled: {reason.strip()}")
    # Everyone who was sent the invitation is sent the cancellation (METHOD:CANCEL).
    for invitation in meeting.invitations.filter(pk__in=invited).select_related("agency", "user"):
        deliveries.cancellation_deliver(actor=actor, meeting=meeting, invitation=invitation)
    # The reason stays on the meeting (seen by those invited): the case timeline is read more widely.
    _event(actor=actor, meeting=meeting, verb="meeting_cancelled", summary=f"{_meeting_label(meeting)} cancelled")
    return meeting


@transaction.atomic
def meeting_reschedule(*, actor, meeting: Meeting, scheduled_at: dt.datetime, location: str = "",
                       online_link: str = "") -> Meeting:
    """Change the date, time or place of a scheduled meeting. Everyone already sent the invitation is sent an
    update (the same calendar entry, a higher SEQUENCE), so their calendars move it."""
    _require_manager(actor, meeting)
    meeting = _locked_meeting(meeting)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise ValidationError(f"This meeting is {meeting.get_status_display().lower()}: it cannot be moved.")
    location, online_link = location.strip(), online_link.strip()
    errors = {}
    if not location and not online_link:
        errors["location"] = "Enter where the meeting is held, or a link to join it online."
    if meeting.case_id and scheduled_at < _to_the_minute(meeting.case.referral.received_at):
        errors["scheduled_at"] = "The meeting cannot be before the referral was received."
    if errors:
        raise ValidationError(errors)
    if (scheduled_at, location, online_link) == (meeting.scheduled_at, meeting.location, meeting.online_link):
        raise ValidationError("Nothing has changed: change the date, the time or the place.")
    before = meeting.scheduled_at
    meeting.scheduled_at, meeting.location, meeting.online_link = scheduled_at, location, online_link
    invited = deliveries.invited_ids(meeting)
    if invited:
        meeting.calendar_sequence += 1
    save_with_history(meeting, actor=actor, reason="Date, time or place changed")
    for invitation in meeting.invitations.filter(pk__in=invited).select_related("agency", "user"):
        deliveries.invitation_deliver(actor=actor, meeting=meeting, invitation=invitation, update=True)
    moved = f" from {govuk_datetime(before)}" if before != scheduled_at else ""
    _event(actor=actor, meeting=meeting, verb="meeting_rescheduled",
           summary=f"{meeting.get_kind_display()} moved{moved} to {govuk_datetime(scheduled_at)}"
                   f"{'; the invitees were sent the change' if invited else ''}")
    return meeting


@transaction.atomic
def invitations_send(*, actor, meeting: Meeting) -> list:
    """Send the invitation, with a calendar file, to everyone invited who has not been sent it: each agency's
    people who hold its chosen roles, each person with an account, and each external person (who is given a guest
    account for this meeting, with a link that works once). Returns the deliveries made."""
    _require_manager(actor, meeting)
    meeting = _locked_meeting(meeting)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise ValidationError(f"This meeting is {meeting.get_status_display().lower()}: invitations are not sent.")
    already = deliveries.invited_ids(meeting)
    to_send = [i for i in meeting.invitations.select_related("agency", "user").order_by("invited_at", "pk")
               if i.pk not in already]
    if not to_send:
        raise ValidationError("Everyone invited has already been sent the invitation.")
    made = []
    for invitation in to_send:
        guest_for_external(actor=actor, invitation=invitation)
        made += deliveries.invitation_deliver(actor=actor, meeting=meeting, invitation=invitation)
    _event(actor=actor, meeting=meeting, verb="meeting_invitations_sent",
           summary=f"Invitations to the {_meeting_label(meeting)} sent to {len(to_send)} "
                   f"{'invitee' if len(to_send) == 1 else 'invitees'}")
    return made


# --- Who to invite ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Suggestion:
    """Someone the case's facts say should be invited (004 §3.9: the right agencies were not always invited)."""

    key: str
    why: str
    access_level: str
    agency: Agency | None = None
    name: str = ""

    @property
    def label(self) -> str:
        return self.agency.name if self.agency else self.name

    @property
    def access_label(self) -> str:
        return AccessLevel(self.access_level).label.split(":")[0]


# Regulators of settings, by sector (003 §28: "e.g. HR, Ofsted").
SETTING_REGULATORS = {
    Sector.EARLY_YEARS: "Ofsted", Sector.FOSTERING: "Ofsted", Sector.ADOPTION: "Ofsted", Sector.RESIDENTIAL: "Ofsted",
    Sector.CARE_HOME: "CQC", Sector.HOME_CARE: "CQC", Sector.SUPPORTED_LIVING: "CQC",
}
REGULATOR_NAMES = dict(RegulatorReferral.Regulator.choices)


def _lines(text: str) -> list[str]:
    parts = [p.strip(" \t-•*·") for p in re.split(r"[\n;]+", text or "")]
    seen, result = set(), []
    for part in parts:
        if part and part.lower() not in seen:
            seen.add(part.lower())
            result.append(part)
    return result


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60]


def _regulator_matches(agency: Agency, body: str) -> bool:
    name, body = agency.name.lower(), body.lower()
    full = REGULATOR_NAMES.get(body.upper(), REGULATOR_NAMES.get(body, "")).lower()
    words = re.findall(r"[a-z0-9]+", name)
    return name == body or (full and name == full) or body in words or f"({body})" in name


def meeting_suggest_invitees(case: Case, meeting: Meeting | None = None, *,
                             invitations: list[Invitation] | None = None) -> list[Suggestion]:
    """Who the case's facts say should be invited, each with why; those already invited to the meeting
    (or in `invitations`) are left out.

    A read: it changes nothing (the chair decides, with invitation_add). A fixed number of queries,
    whatever the facts.
    """
    referral = case.referral
    triage = getattr(referral, "triage", None)
    employer = referral.employer
    body = referral.subject.registration_body.strip()
    setting_regulator = SETTING_REGULATORS.get(referral.sector, "")
    other_settings = _lines(referral.other_settings)
    service = referral.lado_service
    ours = {(service.authority or "").strip().lower(), service.name.lower()} - {""}
    cross_border = [
        (kind, place) for kind, place in (("lives_in", referral.subject_lives_in.strip()),
                                          ("works_in", referral.subject_works_in.strip()))
        if place and place.lower() not in ours
    ]
    social_care_kind = (AgencyKind.ADULTS_SOCIAL_CARE if referral.workforce == "adults"
                        else AgencyKind.CHILDRENS_SOCIAL_CARE)

    wanted = Q(kind__in=[AgencyKind.POLICE, social_care_kind], lado_service_id=service.pk)
    if employer is None and referral.employer_name.strip():
        wanted |= Q(lname=referral.employer_name.strip().lower())
    if body or setting_regulator:
        wanted |= Q(kind=AgencyKind.REGULATOR)
    if other_settings:
        wanted |= Q(lname__in=[s.lower() for s in other_settings])
    if cross_border:
        places = [p.lower() for _, p in cross_border]
        wanted |= Q(kind=AgencyKind.LADO_SERVICE) & (Q(lauthority__in=places) | Q(lname__in=places))
    candidates = list(
        Agency.objects.filter(is_active=True).select_related("commissioned_by")
        .annotate(lname=Lower("name"), lauthority=Lower("authority")).filter(wanted).order_by("name")
    )
    has_social_worker = any(child.has_social_worker for child in referral.children.all())
    if employer is None:
        # The employer named in the referral may be an agency of the product (often the referring one).
        employer = next((a for a in candidates if a.name.lower() == referral.employer_name.strip().lower()), None)

    found: list[Suggestion] = []
    E, S = AccessLevel.EMPLOYER, AccessLevel.SAFEGUARDING

    # The employer (003 §28): sees the adult's employment matters, not the child's details (003 §29).
    why = "The person's employer: their case manager or HR manage the employment side."  # 003 §28
    if employer is not None:
        found.append(Suggestion("employer", why, E, agency=employer))
    elif referral.employer_name.strip():
        found.append(Suggestion("employer", why + " Not set up in the product: invite a named person.", E,
                                name=referral.employer_name.strip()))
    if referral.referring_agency and referral.referring_agency != employer and not referral.referring_agency.is_lado_service:
        found.append(Suggestion("referrer", "Made the referral.", E, agency=referral.referring_agency))
    if employer is not None and employer.commissioned_by_id:
        found.append(Suggestion(
            "commissioner", f"Commissions the service of {employer.name}, the person's employer.", E,  # 003 §7
            agency=employer.commissioned_by,
        ))

    # The police (003 §21).
    police = [a for a in candidates if a.kind == AgencyKind.POLICE]
    possible_offence = (triage is not None and triage.criminal_offence) or case.route == Route.STRATEGY_DISCUSSION
    why = ("A possible criminal offence: the police take part in strategy discussions and investigate."  # 003 §21
           if possible_offence else
           "The police advise whether there may be a criminal offence.")  # 003 §21, §36
    for agency in police:
        found.append(Suggestion(f"police:{agency.pk}", why, S, agency=agency))
    if not police:
        found.append(Suggestion("police", why + " No police force is set up in the product.", S, name="Police"))

    # Children's or adults' social care (003 §25).
    label = "Adults' social care" if referral.workforce == "adults" else "Children's social care"
    why = (f"{label}: the safeguarding of the {'adults' if referral.workforce == 'adults' else 'children'} "
           "involved, and any section 47 or safeguarding enquiries.")  # 003 §25
    if has_social_worker:
        why += " A child or adult involved has a social worker."
    social_care = [a for a in candidates if a.kind == social_care_kind]
    for agency in social_care:
        found.append(Suggestion(f"social_care:{agency.pk}", why, S, agency=agency))
    if not social_care:
        found.append(Suggestion("social_care", why + " Not set up in the product.", S, name=label))

    # The regulator of the person's profession, and of the setting (003 §28, §56).
    regulators = [a for a in candidates if a.kind == AgencyKind.REGULATOR]
    for key, name, why in (
        ("regulator", body,
         f"The person is registered with {REGULATOR_NAMES.get(body.upper(), body)}"
         f"{' (' + referral.subject.registration_number + ')' if referral.subject.registration_number else ''}: "
         "their fitness to practise may be in question."),  # 003 §56
        ("setting_regulator", setting_regulator,
         f"{REGULATOR_NAMES.get(setting_regulator, setting_regulator)} regulates "
         f"{Sector(referral.sector).label.lower()} settings."),  # 003 §28
    ):
        if not name:
            continue
        match = next((a for a in regulators if _regulator_matches(a, name)), None)
        if match is not None:
            found.append(Suggestion(key, why, E, agency=match))
        else:
            found.append(Suggestion(key, why, E, name=REGULATOR_NAMES.get(name.upper(), name)))

    # Other settings where the person works or volunteers (003 §25, 004 §3.8).
    by_name = {a.name.lower(): a for a in candidates}
    for place in other_settings:
        why = f"The person also works or volunteers at {place}: children there may be at risk."  # 003 §25, 004 §3.8
        agency = by_name.get(place.lower())
        if agency is not None:
            found.append(Suggestion(f"setting:{_slug(place)}", why, E, agency=agency))
        else:
            found.append(Suggestion(f"setting:{_slug(place)}", why, E, name=place))

    # The authorities where the person lives and works, if not ours (003 §4, §69–72).
    lado_services = [a for a in candidates if a.kind == AgencyKind.LADO_SERVICE]
    for kind, place in cross_border:
        why = (f"The person lives in {place}: its LADO may need to consider the person's own children and "
               "settings there." if kind == "lives_in" else  # 003 §69–72
               f"The person works in {place}: its LADO should know.")  # 003 §4, §69–72
        agency = next((a for a in lado_services if place.lower() in {a.name.lower(), (a.authority or "").lower()}), None)
        if agency is not None and agency.pk != service.pk:
            found.append(Suggestion(kind, why, S, agency=agency))
        elif agency is None:
            found.append(Suggestion(kind, why, S, name=f"LADO service, {place}"))

    if invitations is None:
        invitations = list(meeting.invitations.all()) if meeting is not None else []
    return _merge_and_drop_invited(found, invitations)


def meeting_suggestions(meeting: Meeting, *, invitations: list[Invitation] | None = None) -> list[Suggestion]:
    """Who should be invited to this meeting: from its case's facts, or from what the meeting is about as the
    app that owns it says (register_meeting_suggestions); those already invited are left out."""
    if meeting.case_id:
        return meeting_suggest_invitees(meeting.case, meeting, invitations=invitations)
    if invitations is None:
        invitations = list(meeting.invitations.all())
    for suggest in _other_suggestions:
        found = suggest(meeting)
        if found is not None:
            return _merge_and_drop_invited(found, invitations)
    return []


def _merge_and_drop_invited(found: list[Suggestion], invitations: list[Invitation]) -> list[Suggestion]:
    """One suggestion per agency (its reasons joined); none for who is already invited."""
    merged: list[Suggestion] = []
    by_agency: dict[int, int] = {}
    for s in found:
        if s.agency is not None and s.agency.pk in by_agency:
            index = by_agency[s.agency.pk]
            first = merged[index]
            merged[index] = Suggestion(first.key, f"{first.why} {s.why}",
                                       selectors.widest([first.access_level, s.access_level]), first.agency)
            continue
        if s.agency is not None:
            by_agency[s.agency.pk] = len(merged)
        merged.append(s)
    keys = {i.suggestion_key for i in invitations if i.suggestion_key}
    agency_ids = {i.agency_id for i in invitations if i.agency_id}
    names = {i.name.lower() for i in invitations if i.name}
    return [
        s for s in merged
        if s.key not in keys and not (s.agency and s.agency.pk in agency_ids) and not (not s.agency and s.name.lower() in names)
    ]


# --- Invitations ----------------------------------------------------------------------------

def _share_if_needed(meeting: Meeting, agency: Agency | None) -> None:
    if agency is not None:
        meeting_share(meeting=meeting, agency=agency)


@transaction.atomic
def invitation_add(
    *,
    actor,
    meeting: Meeting,
    access_level: str,
    agency: Agency | None = None,
    user=None,
    name: str = "",
    role: str = "",
    email: str = "",
    why_suggested: str = "",
    suggestion_key: str = "",
) -> Invitation:
    """Invite an agency, a person with an account, or someone without one (name, role, e-mail)."""
    _require_manager(actor, meeting)
    meeting = _locked_meeting(meeting)
    if meeting.is_cancelled:
        raise ValidationError("This meeting is cancelled.")
    name, role, email = name.strip(), role.strip(), email.strip()
    errors = {}
    if access_level not in AccessLevel.values:
        errors["access_level"] = "Choose what they may see of the minutes."
    if agency is None and user is None and not name:
        errors["agency"] = "Choose an agency or a person, or enter the name of someone without an account."
    if agency is not None and not agency.is_active:
        errors["agency"] = "That agency is no longer active."
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = "Enter an email address in the correct format, like name@example.org."
    if user is not None:
        memberships = {m.agency_id: m.agency for m in Membership.objects.filter(user=user, agency__is_active=True)
                       .select_related("agency")}
        if not user.is_active or not memberships:
            errors["user"] = "That person cannot be invited: they have no active account."
        elif agency is None:
            if len(memberships) > 1:
                errors["agency"] = "This person works for more than one agency: choose the one they attend for."
            else:
                agency = next(iter(memberships.values()))
        elif agency.pk not in memberships:
            errors["agency"] = f"{user.get_full_name() or user.username} does not work for {agency}."
    if errors:
        raise ValidationError(errors)
    existing = meeting.invitations.all()
    if user is not None and existing.filter(user=user).exists():
        raise ValidationError({"user": "That person is already invited."})
    if user is None and not name and existing.filter(agency=agency, user__isnull=True, name="").exists():
        raise ValidationError({"agency": f"{agency} is already invited."})
    if email and existing.filter(email__iexact=email).exists():
        raise ValidationError({"email": "Someone with that email address is already invited."})
    if suggestion_key and existing.filter(suggestion_key=suggestion_key).exists():
        raise ValidationError("That suggestion has already been invited.")
    invitation = Invitation(
        meeting=meeting, agency=agency, user=user, name=name, role=role, email=email, access_level=access_level,
        why_suggested=why_suggested, suggestion_key=suggestion_key, invited_by=actor,
    )
    save_with_history(invitation, actor=actor, reason="Invited to the meeting")
    _share_if_needed(meeting, agency)
    who = invitation.display_name + (f" ({agency})" if agency and invitation.display_name != agency.name else "")
    _event(actor=actor, meeting=meeting, verb="meeting_invitation",
           summary=f"{who} invited to the {_meeting_label(meeting)}, with {invitation.get_access_level_display().split(':')[0].lower()} access")
    webhook_events.meeting_invited(invitation)  # issue 20
    return invitation


@transaction.atomic
def invitation_add_suggested(*, actor, meeting: Meeting, key: str) -> Invitation:
    """Take up one of meeting_suggest_invitees' suggestions as it stands."""
    _require_manager(actor, meeting)
    suggestion = next((s for s in meeting_suggestions(meeting) if s.key == key), None)
    if suggestion is None:
        raise ValidationError("That suggestion is no longer available: they may already be invited.")
    return invitation_add(
        actor=actor, meeting=meeting, access_level=suggestion.access_level, agency=suggestion.agency,
        name="" if suggestion.agency else suggestion.name, why_suggested=suggestion.why, suggestion_key=suggestion.key,
    )


@transaction.atomic
def invitation_update(*, actor, invitation: Invitation, access_level: str, name: str = "", role: str = "",
                      email: str = "") -> Invitation:
    meeting = invitation.meeting
    _require_manager(actor, meeting)
    _locked_meeting(meeting)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk, meeting=meeting)
    errors = {}
    if access_level not in AccessLevel.values:
        errors["access_level"] = "Choose what they may see of the minutes."
    name, email = name.strip(), email.strip()
    if invitation.user_id is None and invitation.agency_id is None and not name:
        errors["name"] = "Enter the person's name."
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = "Enter an email address in the correct format, like name@example.org."
        else:
            if meeting.invitations.exclude(pk=invitation.pk).filter(email__iexact=email).exists():
                errors["email"] = "Someone with that email address is already invited."
    if errors:
        raise ValidationError(errors)
    before = invitation.access_level
    invitation.access_level, invitation.name, invitation.role, invitation.email = access_level, name, role.strip(), email
    save_with_history(invitation, actor=actor, reason="Invitation changed")
    if before != access_level:
        _event(actor=actor, meeting=meeting, verb="meeting_access_changed",
               summary=f"{invitation.display_name}: access to the minutes of the {_meeting_label(meeting)} is now "
                       f"{invitation.get_access_level_display().split(':')[0].lower()}")
    return invitation


@transaction.atomic
def invitation_remove(*, actor, invitation: Invitation) -> None:
    """Withdraw an invitation. The agency stops seeing the meeting on its next request, unless still invited."""
    meeting = invitation.meeting
    _require_manager(actor, meeting)
    _locked_meeting(meeting)
    invitation = Invitation.objects.select_related("agency", "user").get(pk=invitation.pk, meeting=meeting)
    who, agency = invitation.display_name, invitation.agency
    guest = GuestAccess.objects.filter(invitation=invitation).first()
    if guest is not None:  # the guest account's access ends with the invitation (history says who ended it)
        guest._history_user = actor
        guest._change_reason = "Invitation withdrawn: guest access ended"
        guest.delete()
    invitation._history_user = actor
    invitation._change_reason = "Invitation withdrawn"
    invitation.delete()
    if agency is not None and not meeting.invitations.filter(agency=agency).exists():
        meeting_unshare(meeting=meeting, agency=agency)
    _event(actor=actor, meeting=meeting, verb="meeting_uninvited", summary=f"{who} no longer invited to the {_meeting_label(meeting)}")


def _attendance(*, actor, meeting: Meeting, attendance: dict[int, str]) -> int:
    invitations = {i.pk: i for i in Invitation.objects.select_for_update().filter(meeting=meeting)}
    unknown = set(attendance) - set(invitations)
    if unknown:
        raise ValidationError("Record attendance only for people invited to this meeting.")
    changed = 0
    for pk, value in attendance.items():
        if value not in Attendance.values:
            raise ValidationError({f"attendance_{pk}": "Choose whether they attended."})
        if value in (Attendance.ATTENDED, Attendance.ABSENT) and not meeting.is_held:
            raise ValidationError({f"attendance_{pk}": "Record who attended once the meeting has been held."})
        invitation = invitations[pk]
        if invitation.attendance != value:
            invitation.attendance = value
            save_with_history(invitation, actor=actor, reason=f"Attendance: {Attendance(value).label.lower()}")
            changed += 1
    return changed


@transaction.atomic
def attendance_record(*, actor, meeting: Meeting, attendance: dict[int, str]) -> int:
    """Who attended, who sent apologies, who did not come. Apologies may be recorded before the meeting."""
    _require_manager(actor, meeting)
    meeting = _locked_meeting(meeting)
    if meeting.is_cancelled:
        raise ValidationError("This meeting is cancelled.")
    changed = _attendance(actor=actor, meeting=meeting, attendance=attendance)
    if changed:
        _event(actor=actor, meeting=meeting, verb="meeting_attendance",
               summary=f"Attendance recorded for the {_meeting_label(meeting)}")
    return changed


# --- Minutes -------------------------------------------------------------------------------------

def _locked_minutes(minutes: Minutes) -> Minutes:
    return Minutes.objects.select_for_update(of=("self",)).select_related("meeting__case__referral").get(pk=minutes.pk)


@transaction.atomic
def minutes_save(*, actor, minutes: Minutes, revision: int, sections: dict[str, dict]) -> Minutes:
    """Save the sections' text. Refused if someone saved since this editor loaded the minutes (revision).

    sections maps a section key to {"body", "audience", "none_raised"}. A change to approved minutes makes a
    new draft, which becomes the next version when the chair approves it; approved versions are kept.
    """
    meeting = minutes.meeting
    if not selectors.can_edit_minutes(actor, meeting):
        raise PermissionDenied("Only the chair, the minute taker or the LADO service can edit the minutes.")
    minutes = _locked_minutes(minutes)
    if minutes.meeting.is_cancelled:
        raise ValidationError("This meeting is cancelled.")
    if minutes.revision != revision:
        raise MinutesConflict(CONFLICT_MESSAGE, code="conflict")
    errors = {}
    changed = []
    for section in minutes.sections.select_for_update():
        data = sections.get(section.key)
        if data is None:
            continue
        body = (data.get("body") or "").replace("\r\n", "\n").strip()
        audience = data.get("audience") or section.audience
        none_raised = bool(data.get("none_raised")) and section.allows_none
        if audience not in Audience.values:
            errors[section.key] = f"Choose who ‘{section.title}’ is for."
            continue
        if none_raised and body:
            errors[section.key] = f"‘{section.title}’: either record them, or tick ‘None raised’, not both."
            continue
        if (section.body, section.audience, section.none_raised) != (body, audience, none_raised):
            section.body, section.audience, section.none_raised = body, audience, none_raised
            changed.append(section)
    if errors:
        raise ValidationError(errors)
    if not changed:
        return minutes
    reopened = minutes.status != MinutesStatus.DRAFT
    for section in changed:
        save_with_history(section, actor=actor, reason="Minutes edited")
    minutes.revision += 1
    minutes.updated_at, minutes.updated_by = timezone.now(), actor
    if reopened:
        minutes.status = MinutesStatus.DRAFT
    save_with_history(minutes, actor=actor, reason="Minutes edited")
    if reopened:
        _event(actor=actor, meeting=minutes.meeting, verb="minutes_changed",
               summary=f"Approved minutes of the {_meeting_label(minutes.meeting)} changed: a draft of version "
                       f"{minutes.next_version} (version {minutes.version} is kept)")
    return minutes


def incomplete_sections(minutes: Minutes, sections=None) -> dict[str, str]:
    """The required sections not yet completed, each with what to do."""
    sections = list(minutes.sections.all()) if sections is None else sections
    missing = {}
    for section in sections:
        if section.required and not section.is_complete:
            if section.allows_none:
                missing[section.key] = f"Record the {section.title.lower()}, or tick ‘None raised’."
            else:
                missing[section.key] = f"Complete ‘{section.title}’ before approving."
    return missing


@transaction.atomic
def minutes_approve(*, actor, minutes: Minutes, revision: int) -> MinutesVersion:
    """The chair approves the draft: it becomes the next version, an immutable snapshot."""
    _require_chair(actor, minutes.meeting, "approve the minutes")
    minutes = _locked_minutes(minutes)
    meeting = minutes.meeting
    if not meeting.is_held:
        raise ValidationError("Record that the meeting was held before approving its minutes.")
    if minutes.revision != revision:
        raise MinutesConflict(STALE_APPROVAL_MESSAGE, code="conflict")
    if minutes.status != MinutesStatus.DRAFT:
        raise ValidationError(f"These minutes are already approved as version {minutes.version}. "
                              "Change them first to make a new version.")
    sections = list(minutes.sections.all())
    missing = incomplete_sections(minutes, sections)
    if missing:
        raise ValidationError(missing)
    version = MinutesVersion(
        minutes=minutes, number=minutes.version + 1, sections=[s.snapshot() for s in sections], approved_by=actor,
    )
    save_with_history(version, actor=actor, reason="Minutes approved")
    minutes.version = version.number
    minutes.status = MinutesStatus.APPROVED
    save_with_history(minutes, actor=actor, reason=f"Approved as version {version.number}")
    _event(actor=actor, meeting=meeting, verb="minutes_approved",
           summary=f"Minutes of the {_meeting_label(meeting)} approved as version {version.number}")
    return version


@transaction.atomic
def minutes_circulate(*, actor, minutes: Minutes, invitations: list[Invitation]) -> list[Circulation]:
    """The chair sends the latest approved version to the chosen invitees, each at their access level.

    Records who received which version and when; the first circulation meets the minutes deadline.
    """
    _require_chair(actor, minutes.meeting, "circulate the minutes")
    minutes = _locked_minutes(minutes)
    meeting = minutes.meeting
    if minutes.version == 0:
        raise ValidationError("Approve the minutes before circulating them.")
    if not invitations:
        raise ValidationError({"invitations": "Choose who to send the minutes to."})
    if any(i.meeting_id != meeting.pk for i in invitations):
        raise ValidationError({"invitations": "Choose people invited to this meeting."})
    version = minutes.versions.get(number=minutes.version)
    already = set(version.circulations.values_list("invitation_id", flat=True))
    to_send = [i for i in invitations if i.pk not in already]
    if not to_send:
        raise ValidationError({"invitations": f"They have all already been sent version {version.number}."})
    now = timezone.now()
    made = []
    for invitation in to_send:
        recipient = invitation.display_name
        if invitation.agency_id and recipient != invitation.agency.name:
            recipient = f"{recipient}, {invitation.agency.name}"
        circulation = Circulation(
            version=version, invitation=invitation, recipient=recipient,
            email=invitation.email or (invitation.user.email if invitation.user_id else ""),
            access_level=invitation.access_level, sent_at=now, sent_by=actor,
        )
        save_with_history(circulation, actor=actor, reason=f"Minutes version {version.number} circulated")
        made.append(circulation)
    # Each recipient the chair chose is sent the minutes: an agency's people in its chosen roles, a person with an
    # account, an external person (through a guest account for this meeting, made if need be).
    title = _circulated_title(meeting, version)
    link = reverse("meetings:meeting_detail", args=[meeting.pk])
    for circulation in made:
        invitation = circulation.invitation
        guest_for_external(actor=actor, invitation=invitation)
        deliveries.minutes_deliver(actor=actor, circulation=circulation, recipients=deliveries.recipients_of(invitation),
                                   title=title, link=link)
    if minutes.status == MinutesStatus.APPROVED:
        minutes.status = MinutesStatus.CIRCULATED
        save_with_history(minutes, actor=actor, reason=f"Version {version.number} circulated")
    if meeting.minutes_circulated_at is None:
        meeting.minutes_circulated_at = now
        save_with_history(meeting, actor=actor, reason="Minutes first circulated")
    # The minutes deadline is not met by pressing the button: it is met when the last recipient is reached
    # (deliveries.minutes_delivery_changed), or the chair records why one could not be (circulation_unreached).
    _event(actor=actor, meeting=meeting, verb="minutes_circulated",
           summary=f"Minutes of the {_meeting_label(meeting)} (version {version.number}) sent to "
                   f"{len(made)} {'recipient' if len(made) == 1 else 'recipients'}")
    return made


def _circulated_title(meeting: Meeting, version: MinutesVersion) -> str:
    """A name-free title: the case (or provider concern, 001) reference and the meeting's kind only."""
    if meeting.provider_concern_id:
        where = f", provider concern {meeting.provider_concern.reference}"
    elif meeting.case_id:
        where = f", case {meeting.case.referral.reference}"
    else:
        where = ""
    return f"Minutes circulated: {meeting.get_kind_display().lower()}{where} (version {version.number})"


@transaction.atomic
def circulation_unreached(*, actor, circulation: Circulation, reason: str) -> Circulation:
    """The chair records why a recipient of the minutes could not be reached: the deadline no longer waits for
    them (it is met once every other recipient is reached)."""
    version = circulation.version
    meeting = version.minutes.meeting
    _require_chair(actor, meeting, "record why someone could not be reached")
    circulation = Circulation.objects.select_for_update().get(pk=circulation.pk)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why they could not be reached."})
    state = deliveries.circulation_states([circulation])[circulation.pk]
    if state.resolved:
        raise ValidationError("The minutes reached them: there is nothing to record.")
    if circulation.unreached_at is not None:
        raise ValidationError("Why they could not be reached is already recorded.")
    circulation.unreached_reason, circulation.unreached_at, circulation.unreached_by = reason, timezone.now(), actor
    save_with_history(circulation, actor=actor, reason=f"Could not be reached: {reason}")
    _event(actor=actor, meeting=meeting, verb="minutes_unreached",
           summary=f"Minutes of the {_meeting_label(meeting)} (version {version.number}): the chair recorded why "
                   f"one recipient could not be reached")
    deliveries.minutes_deadline_check(version=version, actor=actor)
    return circulation


@transaction.atomic
def minutes_send_again(*, actor, circulation: Circulation) -> list:
    """The chair sends the minutes again to the recipients of a circulation whose latest delivery failed (after
    correcting an address, say). Each attempt is its own delivery; the deadline waits for the latest."""
    version = circulation.version
    meeting = version.minutes.meeting
    _require_chair(actor, meeting, "send the minutes again")
    circulation = (Circulation.objects.select_for_update(of=("self",)).select_related("invitation__agency",
                                                                                       "invitation__user")
                   .get(pk=circulation.pk))
    if circulation.unreached_at is not None:
        raise ValidationError("Why they could not be reached is already recorded.")
    invitation = circulation.invitation
    state = deliveries.circulation_states([circulation])[circulation.pk]
    if invitation is None or not state.failed:
        raise ValidationError("Nothing to send again: no delivery of these minutes to them has failed.")
    guest_for_external(actor=actor, invitation=invitation)
    made = deliveries.minutes_deliver_again(
        actor=actor, circulation=circulation, failed=state.failed, recipients=deliveries.recipients_of(invitation),
        title=_circulated_title(meeting, version), link=reverse("meetings:meeting_detail", args=[meeting.pk]))
    if not made:
        raise ValidationError("Nobody the invitation reaches now was sent them before: record why they could not "
                              "be reached instead.")
    _event(actor=actor, meeting=meeting, verb="minutes_sent_again",
           summary=f"Minutes of the {_meeting_label(meeting)} (version {version.number}) sent again to "
                   f"{len(made)} {'recipient' if len(made) == 1 else 'recipients'} not reached the first time")
    return made


# --- Actions --------------------------------------------------------------------------------

@transaction.atomic
def action_create(
    *,
    actor,
    case: Case,
    description: str,
    agency: Agency,
    due_on: dt.date,
    meeting: Meeting | None = None,
    assignee=None,
    assignee_name: str = "",
) -> Action:
    """An action agreed in a meeting or a decision: what, which agency, who, by when (due at the end of that day)."""
    if not selectors.can_manage_actions(actor, case):
        raise PermissionDenied("Only the LADO service or a chair of the case's meetings can agree actions.")
    case = Case.objects.select_for_update(of=("self",)).select_related("referral").get(pk=case.pk)
    _require_open_case(case)
    errors = {}
    if not description.strip():
        errors["description"] = "Describe the action."
    if due_on < timezone.localdate():
        errors["due_on"] = "The due date cannot be in the past."
    if not agency.is_active:
        errors["agency"] = "That agency is no longer active."
    if meeting is not None and meeting.case_id != case.pk:
        errors["meeting"] = "Choose a meeting of this case."
    if assignee is not None and not Membership.objects.filter(user=assignee, agency=agency).exists():
        errors["assignee"] = f"{assignee.get_full_name() or assignee.username} does not work for {agency}."
    if errors:
        raise ValidationError(errors)
    action = Action(
        case=case, meeting=meeting, description=description.strip(), agency=agency, assignee=assignee,
        assignee_name=assignee_name.strip(), due_on=due_on, created_by=actor,
    )
    action.deadline = deadlines.deadline_open_on_date(
        actor=actor, referral=case.referral, case=case, kind=Deadline.Kind.ACTION, due_on=due_on,
        reason=f"Action agreed for {agency}",
    )
    save_with_history(action, actor=actor, reason="Action agreed")
    where = f" at the {_meeting_label(meeting)}" if meeting else ""
    # What the action is stays with the action (seen by its agency, the chair and the LADO service): the case
    # timeline is read by every agency that sees the case, and a police action must not alert the employer (003 §34).
    event_record(actor=actor, referral=case.referral, case=case, verb="action_agreed",
                 summary=f"Action agreed for {agency}{where}, due {govuk_date(due_on)}")
    webhook_events.action_assigned(action)  # issue 20
    return action


def _locked_action(action: Action) -> Action:
    return Action.objects.select_for_update(of=("self",)).select_related("case__referral", "agency", "deadline").get(pk=action.pk)


def _action_transition(action: Action, new_status: str) -> None:
    if new_status not in ACTION_TRANSITIONS.get(action.status, frozenset()):
        raise ValidationError(f"This action is already {action.get_status_display().lower()}.")
    action.status = new_status


@transaction.atomic
def action_progress_record(*, actor, action: Action, note: str) -> Action:
    """The action's agency (or the LADO service) says how it is going; earlier notes stay in its history."""
    if not selectors.can_complete(actor, action):
        raise PermissionDenied("Only the agency the action is for, or the LADO service, can record progress on it.")
    action = _locked_action(action)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": "Say how the action is going."})
    if not action.is_open:
        raise ValidationError({"note": f"This action is already {action.get_status_display().lower()}."})
    action.progress, action.progress_at = note, timezone.now()
    save_with_history(action, actor=actor, reason="Progress recorded")
    return action


@transaction.atomic
def action_complete(*, actor, action: Action, evidence: str) -> Action:
    """Mark an action done, with the evidence that it was (004 §3.7: outcomes of actions were not recorded)."""
    if not selectors.can_complete(actor, action):
        raise PermissionDenied("Only the agency the action is for, or the LADO service, can mark it done.")
    action = _locked_action(action)
    if not evidence.strip():
        raise ValidationError({"evidence": "Describe the evidence that the action was done."})
    _action_transition(action, ActionStatus.DONE)
    action.evidence = evidence.strip()
    action.completed_at, action.completed_by = timezone.now(), actor
    save_with_history(action, actor=actor, reason="Action done")
    if action.deadline_id:
        deadlines.deadline_meet_one(actor=actor, deadline=action.deadline, met_at=action.completed_at,
                                    reason="Action marked done with evidence")
    if action.case_id:
        event_record(actor=actor, referral=action.case.referral, case=action.case, verb="action_done",
                     summary=f"Action for {action.agency} done (due {govuk_date(action.due_on)})")
    return action


@transaction.atomic
def action_cancel(*, actor, action: Action, reason: str) -> Action:
    if action.case is None or not selectors.can_manage_actions(actor, action.case):
        raise PermissionDenied("Only the LADO service or a chair of the case's meetings can cancel an action.")
    action = _locked_action(action)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the action is no longer needed."})
    _action_transition(action, ActionStatus.CANCELLED)
    action.cancelled_reason = reason.strip()
    save_with_history(action, actor=actor, reason=f"Action cancelled: {reason.strip()}")
    if action.deadline_id:
        deadlines.deadline_waive_one(actor=actor, deadline=action.deadline, reason=f"Action cancelled: {reason.strip()}")
    event_record(actor=actor, referral=action.case.referral, case=action.case, verb="action_cancelled",
                 summary=f"Action for {action.agency} cancelled (due {govuk_date(action.due_on)})")
    return action


# --- PDFs of the minutes (issue part 6) --------------------------------------------------------------

# A PDF claimed for rendering longer ago than the outbox task's hard time limit was abandoned by a lost worker.
PDF_STALE_AFTER = dt.timedelta(seconds=OUTBOX_TIME_LIMIT + 30)


def _recipient_of(invitation: Invitation) -> str:
    recipient = invitation.display_name
    if invitation.role:
        recipient = f"{recipient}, {invitation.role}"
    if invitation.agency_id and invitation.agency.name not in recipient:
        recipient = f"{recipient}, {invitation.agency.name}"
    return recipient


def _person_name(user) -> str:
    return user.get_full_name() or user.username


def _within(variant: str, level: str | None) -> bool:
    """A PDF of this variant shows no section that this access level may not see."""
    return level is not None and AUDIENCES_FOR[VARIANT_LEVEL[variant]] <= AUDIENCES_FOR[level]


@transaction.atomic
def minutes_pdf_request(
    *,
    actor,
    version: MinutesVersion,
    variant: str,
    invitation: Invitation | None = None,
    recipient: str = "",
) -> MinutesPdf:
    """Ask for a PDF of an approved version; the task renders it after commit.

    - The chair or the case's LADO service prepare any level for anyone: an invitee (never wider than their
      invitation's access level) or a person they name (e.g. the subject, who asked for the minutes). Only the
      chair releases the redacted version (003 §49–50).
    - Anyone else who may read the minutes asks for their own PDF, at their own level, of a version sent to
      them; asking again returns the same PDF.
    """
    version = MinutesVersion.objects.select_related("minutes__meeting__case__referral").get(pk=version.pk)
    meeting = version.minutes.meeting
    manager = selectors.can_manage(actor, meeting)
    recipient = (recipient or "").strip()
    if variant not in PdfVariant.values:
        raise ValidationError({"variant": "Choose which sections the PDF should hold."})
    if manager:
        if variant == PdfVariant.REDACTED and not selectors.is_chair(actor, meeting):
            raise PermissionDenied("Only the chair can release the redacted version.")
        if invitation is not None:
            if invitation.meeting_id != meeting.pk:
                raise ValidationError({"invitation": "Choose someone invited to this meeting."})
            if not _within(variant, invitation.access_level):
                raise ValidationError({"variant": (
                    f"{invitation.display_name}'s access is ‘{invitation.get_access_level_display().split(':')[0]}’: "
                    "choose that level or a narrower one.")})
            recipient = recipient or _recipient_of(invitation)
        if not recipient:
            raise ValidationError({"recipient": "Choose an invitee, or enter who the PDF is for."})
    else:
        invitations = selectors.invitations_of(meeting)
        level = selectors.access_level_for(actor, meeting, invitations)
        if level is None:
            raise PermissionDenied("Your access does not include any section of these minutes.")
        if not selectors.can_edit_minutes(actor, meeting) and not version.circulations.exists():
            raise PermissionDenied("This version has not been sent out.")
        if variant != level:
            raise PermissionDenied("You can have a PDF at your own access level only.")
        invitation = next((i for i in invitations if i.user_id == actor.pk), None)
        recipient = _person_name(actor)
        agency_ids = standing(actor).agency_ids
        if invitation is None:  # invited through their agency
            invitation = next((i for i in invitations if i.user_id is None and i.agency_id in agency_ids
                               and i.access_level == level), None)
        if invitation is not None and invitation.agency_id:
            recipient = f"{recipient}, {invitation.agency.name}"
        existing = (
            MinutesPdf.objects.filter(version=version, variant=variant, requested_by=actor, recipient=recipient)
            .exclude(status=PdfStatus.FAILED).first()
        )
        if existing is not None:
            return existing
    pdf = MinutesPdf(version=version, variant=variant, invitation=invitation, recipient=recipient[:250],
                     requested_by=actor)
    save_with_history(pdf, actor=actor, reason=f"PDF of version {version.number} requested")
    _event(actor=actor, meeting=meeting, verb="minutes_pdf_requested",
           summary=f"PDF of the minutes of the {_meeting_label(meeting)} (version {version.number}, "
                   f"{PdfVariant(variant).label.split(':')[0].lower()}) requested")

    message_add(handler="meetings.minutes_pdf", key=f"minutes-pdf:{pdf.pk}", pdf_id=pdf.pk)
    return pdf


def _claim_pdf(pdf_id: int) -> MinutesPdf | None:
    """Lock the row and mark it rendering; None when there is nothing to do (done, or another worker on it)."""
    with transaction.atomic():
        pdf = MinutesPdf.objects.select_for_update().get(pk=pdf_id)
        now = timezone.now()
        if pdf.status == PdfStatus.DONE:
            return None
        if pdf.status == PdfStatus.RENDERING and pdf.started_at and now - pdf.started_at < PDF_STALE_AFTER:
            return None
        pdf.status, pdf.started_at, pdf.finished_at, pdf.error = PdfStatus.RENDERING, now, None, ""
        save_with_history(pdf, actor=pdf.requested_by, reason="Rendering by the background worker")
        return pdf


def minutes_pdf_render(*, pdf_id: int) -> MinutesPdf:
    """Render a requested PDF and store it under MEDIA_ROOT/pdfs. Safe to run twice: a done PDF is left as it is.

    Rendering happens outside any transaction (it can take seconds); the result is saved only if this run still
    holds the claim. Attributed to whoever asked for it (history user), as the worker has no user.
    """
    from . import pdf as renderer  # WeasyPrint is loaded by the worker only

    claimed = _claim_pdf(pdf_id)
    if claimed is None:
        return MinutesPdf.objects.get(pk=pdf_id)
    logger.info("Rendering minutes PDF %s", pdf_id)
    version = MinutesVersion.objects.select_related(
        "minutes__meeting__case__referral", "approved_by").get(pk=claimed.version_id)
    withholdings = []
    if claimed.variant == PdfVariant.REDACTED:
        withholdings = list(Withholding.objects.filter(minutes_id=version.minutes_id).order_by("pk"))
    record = selectors.minutes_record(meeting=version.minutes.meeting, variant=claimed.variant,
                                      invitation=claimed.invitation)
    try:
        rendered = renderer.render_minutes(version=version, variant=claimed.variant, recipient=claimed.recipient,
                                           passages=[w.text for w in withholdings], record=record)
    except Exception as error:  # noqa: BLE001 — any failure is recorded on the row for the people waiting
        logger.exception("PDF %s could not be rendered", pdf_id)
        with transaction.atomic():
            pdf = MinutesPdf.objects.select_for_update().get(pk=pdf_id)
            if pdf.status == PdfStatus.RENDERING and pdf.started_at == claimed.started_at:
                pdf.status, pdf.finished_at = PdfStatus.FAILED, timezone.now()
                pdf.error = f"{type(error).__name__}: the PDF could not be made. Ask for it again."
                save_with_history(pdf, actor=pdf.requested_by, reason="Rendering failed")
        return MinutesPdf.objects.get(pk=pdf_id)
    with transaction.atomic():
        pdf = MinutesPdf.objects.select_for_update().get(pk=pdf_id)
        if pdf.status != PdfStatus.RENDERING or pdf.started_at != claimed.started_at:
            return pdf  # another run took it over
        old = pdf.file.name if pdf.file else ""
        pdf.file.save(f"minutes-{pdf.pk}.pdf", ContentFile(rendered.data), save=False)
        pdf.status, pdf.finished_at, pdf.pages = PdfStatus.DONE, timezone.now(), rendered.pages
        pdf.withheld = [w.pk for w in withholdings]
        save_with_history(pdf, actor=pdf.requested_by, reason="Rendered")
        if old and old != pdf.file.name:
            transaction.on_commit(lambda: pdf.file.storage.delete(old))
    return pdf


@transaction.atomic
def withholding_add(*, actor, version: MinutesVersion, text: str, reason: str) -> Withholding:
    """The chair withholds a passage from the redacted version (003 §49–50). The passage must be in the version."""
    from .pdf import passage_occurs

    minutes = _locked_minutes(version.minutes)
    _require_chair(actor, minutes.meeting, "withhold passages of the minutes")
    text = (text or "").replace("\r\n", "\n").strip()
    reason = (reason or "").strip()
    errors = {}
    if not text:
        errors["text"] = "Enter the passage to withhold, exactly as it appears in the minutes."
    else:
        section = next((s for s in version.sections
                        if passage_occurs(s["body"], text) or passage_occurs(s["title"], text)), None)
        if section is None:
            errors["text"] = (f"That passage is not in version {version.number} of the minutes: copy it exactly "
                              "as it appears.")
    if not reason:
        errors["reason"] = "Say why the passage is withheld."
    if errors:
        raise ValidationError(errors)
    withholding = Withholding(minutes=minutes, section_key=section["key"], text=text, reason=reason, created_by=actor)
    save_with_history(withholding, actor=actor, reason=f"Passage withheld: {reason}")
    _event(actor=actor, meeting=minutes.meeting, verb="minutes_passage_withheld",
           summary=f"A passage of the minutes of the {_meeting_label(minutes.meeting)} withheld from the redacted version")
    return withholding


# --- Guests: external people without an account (issue part 7) ------------------------------------------

GUEST_DAYS = 30
GUEST_MAX_DAYS = 365


def can_grant_guest(actor, meeting: Meeting) -> bool:
    return selectors.is_chair(actor, meeting) or standing(actor).is_administrator


@transaction.atomic
def guest_access_grant(*, actor, invitation: Invitation, expires_at: dt.datetime | None = None) -> GuestAccess:
    """Give a named external invitee an account for this one meeting, at their invitation's access level,
    until it expires. The account has no usable password: the e-mail (after commit) carries a one-time link
    to set one, and nothing else."""
    from django.contrib.auth import get_user_model

    meeting = invitation.meeting
    if not can_grant_guest(actor, meeting):
        raise PermissionDenied("Only the chair or an administrator can give someone a guest account.")
    meeting = _locked_meeting(meeting)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk, meeting=meeting)
    now = timezone.now()
    expires_at = expires_at or now + dt.timedelta(days=GUEST_DAYS)
    User = get_user_model()
    errors = {}
    if meeting.is_cancelled:
        raise ValidationError("This meeting is cancelled.")
    if invitation.user_id is not None:
        raise ValidationError("They already have an account.")
    if not invitation.name.strip():
        raise ValidationError("Only a named person can have a guest account: add their name to the invitation.")
    email = invitation.email.strip().lower()
    if not email:
        errors["email"] = "Add their e-mail address to the invitation first: the link to set a password goes there."
    elif User.objects.filter(Q(email__iexact=email) | Q(username__iexact=email)).exists():
        errors["email"] = "Someone with this e-mail address already has an account: invite them by their account."
    if expires_at <= now:
        errors["expires_on"] = "The access must end in the future."
    elif expires_at > now + dt.timedelta(days=GUEST_MAX_DAYS):
        errors["expires_on"] = f"Guest access can last {GUEST_MAX_DAYS} days at most."
    if errors:
        raise ValidationError(errors)
    first, _, last = invitation.name.strip().partition(" ")
    user = User(username=email, email=email, first_name=first[:150], last_name=last[:150])
    user.set_unusable_password()
    user.save()
    guest = GuestAccess(user=user, meeting=meeting, invitation=invitation, expires_at=expires_at, granted_by=actor)
    save_with_history(guest, actor=actor, reason="Guest account for one meeting")
    invitation.user = user
    save_with_history(invitation, actor=actor, reason="Guest account given")
    _event(actor=actor, meeting=meeting, verb="meeting_guest_granted",
           summary=f"Guest account for {invitation.display_name} to the {_meeting_label(meeting)}, until "
                   f"{govuk_date(expires_at)}")

    message_add(handler="meetings.guest_invitation", key=f"guest-invitation:{guest.pk}", guest_access_id=guest.pk)
    return guest


def guest_for_external(*, actor, invitation: Invitation) -> GuestAccess | None:
    """An external invitee (a name and an e-mail address, no account) is sent a link to a guest account for this
    one meeting, at their invitation's level: made here when the invitation or the minutes are first sent to them.
    A guest's access lasts at least GUEST_DAYS from now (so they can read minutes sent to them). Nothing for
    anyone else, or for an address that already belongs to an account (they are sent it at that address)."""
    from django.contrib.auth import get_user_model

    guest = GuestAccess.objects.filter(invitation=invitation).first()
    now = timezone.now()
    if guest is not None:
        if guest.is_active(now) and guest.expires_at < now + dt.timedelta(days=GUEST_DAYS):
            guest.expires_at = now + dt.timedelta(days=GUEST_DAYS)
            save_with_history(guest, actor=actor, reason="Guest access lengthened: something new was sent to them")
        return guest
    email = invitation.email.strip().lower()
    if invitation.user_id or not invitation.name.strip() or not email:
        return None
    User = get_user_model()
    if User.objects.filter(Q(email__iexact=email) | Q(username__iexact=email)).exists():
        return None
    meeting = invitation.meeting
    first, _, last = invitation.name.strip().partition(" ")
    user = User(username=email, email=email, first_name=first[:150], last_name=last[:150])
    user.set_unusable_password()
    user.save()
    expires_at = max(now, meeting.scheduled_at) + dt.timedelta(days=GUEST_DAYS)
    guest = GuestAccess(user=user, meeting=meeting, invitation=invitation, expires_at=expires_at, granted_by=actor,
                        link_sent_at=now)
    save_with_history(guest, actor=actor, reason="Guest account for one meeting, with what was sent to them")
    invitation.user = user
    save_with_history(invitation, actor=actor, reason="Guest account given")
    _event(actor=actor, meeting=meeting, verb="meeting_guest_granted",
           summary=f"Guest account for {invitation.display_name} to the {_meeting_label(meeting)}, until "
                   f"{govuk_date(expires_at)}")
    return guest


@transaction.atomic
def guest_access_end(*, actor, guest: GuestAccess) -> GuestAccess:
    """End a guest's access now (it also ends by itself when it expires)."""
    meeting = guest.meeting
    if not can_grant_guest(actor, meeting):
        raise PermissionDenied("Only the chair or an administrator can end a guest's access.")
    guest = GuestAccess.objects.select_for_update().select_related("invitation").get(pk=guest.pk)
    now = timezone.now()
    if guest.expires_at > now:
        guest.expires_at = now
        save_with_history(guest, actor=actor, reason="Guest access ended by the chair")
        _event(actor=actor, meeting=meeting, verb="meeting_guest_ended",
               summary=f"Guest access of {guest.invitation.display_name} to the {_meeting_label(meeting)} ended")
    return guest
