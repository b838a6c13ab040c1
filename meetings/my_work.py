""""My work" for the chair and for an agency (issue 15): the meetings to chair and the minutes to
approve or circulate, soonest first; an agency's open actions, overdue first (the longest overdue
first), then the ones due next. Reads through visible_to, like every selector."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone

from agencies.permissions import standing

from .models import Action, ActionStatus, Meeting, MeetingStatus, MinutesStatus

LIMIT = 50  # a chair's or an agency's open work is far less; a bound all the same


@dataclass(frozen=True)
class ChairRow:
    meeting: Meeting
    link: str
    title: str  # "Strategy discussion, 4 December 2026"
    reference: str
    when: dt.datetime
    state: str  # in words
    state_class: str
    next_step: str
    next_href: str


def chair_work(*, user, now: dt.datetime | None = None) -> dict[str, list[ChairRow]]:
    """{"to_chair": meetings scheduled, soonest first; "minutes": minutes waiting for the chair}."""
    now = now or timezone.now()
    meetings = (
        Meeting.objects.visible_to(user).filter(chair=user)
        .exclude(status=MeetingStatus.CANCELLED)
        .select_related("case__referral", "provider_concern", "minutes", "minutes_deadline")
        .order_by("scheduled_at", "pk")[:LIMIT * 4]
    )
    to_chair, minutes = [], []
    for m in meetings:
        reference = m.case.referral.reference if m.case_id else (m.provider_concern.reference if m.provider_concern_id else "")
        link = reverse("meetings:meeting_detail", args=[m.pk])
        if m.status == MeetingStatus.SCHEDULED:
            soon = m.scheduled_at - now <= dt.timedelta(days=1)
            to_chair.append(ChairRow(m, link, str(m), reference, m.scheduled_at,
                                     "Today or tomorrow" if soon else "Scheduled", "due-today" if soon else "due-soon",
                                     "Chair the meeting", link))
            continue
        record = getattr(m, "minutes", None)
        if record is None or record.status == MinutesStatus.CIRCULATED:
            continue
        due = m.minutes_deadline.due_at if m.minutes_deadline_id else None
        late = due is not None and due <= now
        if record.status == MinutesStatus.DRAFT:
            step, href = "Approve the minutes", reverse("meetings:minutes_approve", args=[m.pk])
        else:
            step, href = "Circulate the minutes", reverse("meetings:minutes_circulate", args=[m.pk])
        minutes.append(ChairRow(m, link, str(m), reference, due or m.scheduled_at,
                                "Overdue" if late else ("Approved, not sent" if record.status == MinutesStatus.APPROVED else "Draft"),
                                "overdue" if late else "due-soon", step, href))
    minutes.sort(key=lambda row: row.when)
    return {"to_chair": to_chair[:LIMIT], "minutes": minutes[:LIMIT]}


@dataclass(frozen=True)
class ActionRow:
    action: Action
    reference: str
    link: str
    agency: str
    due_on: dt.date
    state: str
    state_class: str


def actions_due(*, user, now: dt.datetime | None = None) -> list[ActionRow]:
    """The user's agencies' open actions: overdue first, then by due date (soonest first)."""
    today = timezone.localtime(now or timezone.now()).date()
    s = standing(user)
    actions = (
        Action.objects.visible_to(user).filter(agency_id__in=s.agency_ids, status=ActionStatus.OPEN)
        .select_related("case__referral", "agency").order_by("due_on", "pk")[:LIMIT]
    )
    rows = []
    for a in actions:
        if a.due_on < today:
            state, css = f"Overdue since {a.due_on.day} {a.due_on:%B}", "overdue"
        elif a.due_on == today:
            state, css = "Due today", "due-today"
        else:
            state, css = "Due soon" if (a.due_on - today).days <= 7 else "Open", "due-soon" if (a.due_on - today).days <= 7 else "on-track"
        reference = a.case.referral.reference if a.case_id else ""
        rows.append(ActionRow(a, reference, reverse("meetings:action_list"), a.agency.name, a.due_on, state, css))
    return rows


def my_work_part(*, user) -> dict:
    """"My work": a chair's meetings and minutes, an agency's actions due (allegations.pages, registered in apps.py)."""
    from agencies.models import Role

    s = standing(user)
    return {
        "chair": chair_work(user=user) if s.roles & {Role.CHAIR} or s.is_lado else None,
        "chairs": bool(s.roles & {Role.CHAIR}),
        "actions": actions_due(user=user) if s.agency_ids and not s.is_lado else [],
    }
