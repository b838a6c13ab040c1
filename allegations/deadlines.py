"""Opening and meeting deadlines (deadlines.md). Services call these inside their transaction."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from agencies.models import SPAN_SETTINGS, Partnership, SpanUnit

from . import timescales
from .models import Deadline


def _save(deadline: Deadline, actor, reason: str) -> None:
    deadline._history_user = actor
    deadline._change_reason = reason
    deadline.save()


def add_span(anchor: dt.datetime, number: int, unit: str, partnership: Partnership) -> dt.datetime:
    """The due time of a span (deadlines.md "Three kinds of span") in the partnership's nation and time zone."""
    if unit == SpanUnit.HOURS:
        return timescales.add_hours(anchor, number)
    if unit == SpanUnit.WORKING_DAYS:
        return timescales.add_working_days(anchor, number, nation=partnership.nation, tz=partnership.time_zone)
    if unit == SpanUnit.DAYS:
        return timescales.add_days(anchor, number, tz=partnership.time_zone)
    raise ValueError(f"unknown span unit {unit!r}")


def due_for(kind: str, anchor: dt.datetime, partnership: Partnership) -> dt.datetime:
    tz, nation = partnership.time_zone, partnership.nation
    K = Deadline.Kind
    if kind in SPAN_SETTINGS:  # strategy meeting, minutes, case review: the partnership's number and unit
        return add_span(anchor, *partnership.span(kind), partnership)
    if kind == K.INITIAL_DISCUSSION:
        return timescales.add_hours(anchor, 24)
    if kind == K.EMPLOYER_ACTION:
        return timescales.add_working_days(anchor, 3, nation=nation, tz=tz)
    if kind == K.DISCIPLINARY_HEARING:
        return timescales.add_working_days(anchor, 15, nation=nation, tz=tz)
    raise ValueError(f"{kind} deadlines take a date, not a span")


REMIND_FRACTION = 0.75  # the reminder goes when 75% of the time from anchor to due has passed


def chase_times(anchor: dt.datetime, due: dt.datetime, partnership: Partnership) -> tuple[dt.datetime, dt.datetime]:
    """(remind_at, escalate_at): 75% of the way from anchor to due; the end of the first working day after due."""
    remind_at = anchor + (due - anchor) * REMIND_FRACTION if due > anchor else due
    escalate_at = timescales.add_working_days(due, 1, nation=partnership.nation, tz=partnership.time_zone)
    return remind_at, escalate_at


def deadline_open(*, actor, referral, kind: str, anchor: dt.datetime, case=None, reason: str) -> Deadline:
    partnership = Partnership.current()
    due_at = due_for(kind, anchor, partnership)
    remind_at, escalate_at = chase_times(anchor, due_at, partnership)
    deadline = Deadline(
        referral=referral,
        case=case,
        kind=kind,
        anchor_at=anchor,
        due_at=due_at,
        remind_at=remind_at,
        escalate_at=escalate_at,
    )
    _save(deadline, actor, reason)
    return deadline


def deadline_meet(*, actor, referral, kind: str, met_at: dt.datetime, reason: str) -> None:
    """Meet the referral's unmet deadlines of this kind (row-locked: no double meeting)."""
    for deadline in Deadline.objects.select_for_update().filter(
        referral=referral, kind=kind, met_at__isnull=True
    ).exclude(status=Deadline.Status.WAIVED):
        deadline.met_at = met_at
        deadline.status = Deadline.Status.MET if met_at <= deadline.due_at else Deadline.Status.MET_LATE
        _save(deadline, actor, reason)


def deadline_waive(*, actor, referral, kind: str, reason: str) -> None:
    now = timezone.now()
    for deadline in Deadline.objects.select_for_update().filter(
        referral=referral, kind=kind, met_at__isnull=True, status=Deadline.Status.OPEN
    ):
        if deadline.due_at <= now:
            continue  # it fell due unmet: it was missed, and stays so
        deadline.status = Deadline.Status.WAIVED
        deadline.waived_by = actor
        deadline.waived_reason = reason
        _save(deadline, actor, reason)


def current_status(deadline: Deadline, now: dt.datetime) -> str:
    """The status as of now: an open deadline past its due time is overdue."""
    if deadline.status == Deadline.Status.OPEN and deadline.due_at <= now:
        return Deadline.Status.OVERDUE
    return deadline.status


# --- One deadline at a time (meetings: a meeting's minutes, an action's due date) -----------

def deadline_open_on_date(*, actor, referral, kind: str, due_on: dt.date, anchor: dt.datetime | None = None,
                          case=None, reason: str) -> Deadline:
    """A deadline due at the end of a given date in the partnership's time zone (`action`, `police_review`...)."""
    partnership = Partnership.current()
    anchor_at = anchor or timezone.now()
    due_at = timescales.end_of_day(due_on, partnership.time_zone)
    remind_at, escalate_at = chase_times(anchor_at, due_at, partnership)
    deadline = Deadline(
        referral=referral,
        case=case,
        kind=kind,
        anchor_at=anchor_at,
        due_at=due_at,
        remind_at=remind_at,
        escalate_at=escalate_at,
    )
    _save(deadline, actor, reason)
    return deadline


def deadline_meet_one(*, actor, deadline: Deadline, met_at: dt.datetime, reason: str) -> Deadline:
    """Meet this deadline only (row-locked; a deadline already met or waived is left as it is)."""
    deadline = Deadline.objects.select_for_update().get(pk=deadline.pk)
    if deadline.met_at is None and deadline.status != Deadline.Status.WAIVED:
        deadline.met_at = met_at
        deadline.status = Deadline.Status.MET if met_at <= deadline.due_at else Deadline.Status.MET_LATE
        _save(deadline, actor, reason)
    return deadline


def deadline_waive_one(*, actor, deadline: Deadline, reason: str) -> Deadline:
    """Waive this deadline only, unless it already fell due unmet (then it was missed, and stays so)."""
    deadline = Deadline.objects.select_for_update().get(pk=deadline.pk)
    if deadline.met_at is None and deadline.status == Deadline.Status.OPEN and deadline.due_at > timezone.now():
        deadline.status = Deadline.Status.WAIVED
        deadline.waived_by = actor
        deadline.waived_reason = reason
        _save(deadline, actor, reason)
    return deadline
