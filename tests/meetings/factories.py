"""Meetings made through the services, so history, events and deadlines are real."""

import datetime as dt

from django.utils import timezone

from allegations import services as case_services
from allegations.models import TriageDecision
from meetings import services
from meetings.models import Meeting
from tests.allegations.factories import discuss

# A body for every required section, so the minutes can be approved.
REQUIRED_TEXT = {
    "confidentiality": "HR left before the child's details were discussed.",
    "risk": "Medium risk: no unsupervised contact with pupils.",
    "risk_child": "The child is safe at home; no contact with the teacher.",
    "risk_adult": "The teacher works away from pupils while enquiries continue.",
    "decisions": "Police to investigate; the school to consider suspension. Rationale: possible offence.",
}


def make_strategy_case(*, officer, referral):
    """A case opened on the section 47 / strategy discussion route (opens the strategy meeting deadline)."""
    referral = discuss(referral, officer)
    case_services.referral_triage(
        actor=officer, referral=referral, decision=TriageDecision.Decision.STRATEGY,
        rationale="Possible offence against a child.", criminal_offence=True,
    )
    referral.refresh_from_db()
    return referral.case


def schedule(case, *, actor, chair, kind="initial", minute_taker=None, when=None, **extra) -> Meeting:
    return services.meeting_schedule(
        actor=actor, case=case, kind=kind, chair=chair, minute_taker=minute_taker,
        scheduled_at=when or timezone.now() + dt.timedelta(days=2), location=extra.pop("location", "Room 4, County Hall"),
        **extra,
    )


def hold(meeting, *, actor, held_at=None, attendance=None) -> Meeting:
    return services.meeting_hold(actor=actor, meeting=meeting, held_at=held_at or timezone.now(), attendance=attendance)


def write(meeting, *, actor, none_raised=(), **bodies):
    """Save sections' text at the minutes' current revision; returns the minutes."""
    minutes = meeting.minutes
    minutes.refresh_from_db()
    sections = {key: {"body": body} for key, body in bodies.items()}
    for key in none_raised:
        sections[key] = {"body": "", "none_raised": True}
    return services.minutes_save(actor=actor, minutes=minutes, revision=minutes.revision, sections=sections)


def complete_required(meeting, *, actor, **more):
    keys = set(meeting.minutes.sections.values_list("key", flat=True))
    bodies = {k: v for k, v in REQUIRED_TEXT.items() if k in keys}
    bodies.update(more)
    return write(meeting, actor=actor, none_raised=("disagreements",), **bodies)


def approve(meeting, *, chair):
    minutes = meeting.minutes
    minutes.refresh_from_db()
    return services.minutes_approve(actor=chair, minutes=minutes, revision=minutes.revision)


def invite(meeting, *, actor, access_level="safeguarding", **kw):
    return services.invitation_add(actor=actor, meeting=meeting, access_level=access_level, **kw)


def circulate(meeting, *, chair, invitations=None):
    minutes = meeting.minutes
    minutes.refresh_from_db()
    invitations = list(meeting.invitations.all()) if invitations is None else invitations
    return services.minutes_circulate(actor=chair, minutes=minutes, invitations=invitations)


def held_meeting_with_minutes(case, *, actor, chair, kind="initial", **bodies):
    """Scheduled, held, required sections written (plus bodies), not yet approved."""
    meeting = schedule(case, actor=actor, chair=chair, kind=kind)
    hold(meeting, actor=actor)
    complete_required(meeting, actor=actor, **bodies)
    meeting.refresh_from_db()
    return meeting
