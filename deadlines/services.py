"""Opening, meeting and waiving deadlines (deadlines.md "The deadlines", "Status").

The apps above call these with the thing the deadline is about (a referral and its case, a
provider concern), inside their own transaction.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from agencies.models import SPAN_SETTINGS, Partnership, SpanUnit

from . import timescales
from .models import CHASED_AFTER_CLOSING, Deadline


def save_with_history(deadline: Deadline, *, actor, reason: str) -> None:
    """Save with who changed it and why (also for changes made by Celery: actor None)."""
    deadline._history_user = actor
    deadline._change_reason = reason
    deadline.save()


def _save(deadline: Deadline, actor, reason: str) -> None:
    save_with_history(deadline, actor=actor, reason=reason)


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
    # Strategy meeting, minutes, case review, and the update to the person (003 §35: "updates about progress and
    # likely timescales ... provided regularly"; 28 days by default): the partnership's number and unit.
    if kind in SPAN_SETTINGS:
        return add_span(anchor, *partnership.span(kind), partnership)
    if kind == K.INITIAL_DISCUSSION:
        return timescales.add_hours(anchor, 24)
    if kind == K.EMPLOYER_ACTION:
        return timescales.add_working_days(anchor, 3, nation=nation, tz=tz)
    if kind == K.DISCIPLINARY_HEARING:
        return timescales.add_working_days(anchor, 15, nation=nation, tz=tz)
    if kind == K.TRANSFER_ACKNOWLEDGEMENT:
        return timescales.add_working_days(anchor, 1, nation=nation, tz=tz)
    raise ValueError(f"{kind} deadlines take a date, not a span")


REMIND_FRACTION = 0.75  # the reminder goes when 75% of the time from anchor to due has passed


def chase_times(anchor: dt.datetime, due: dt.datetime, partnership: Partnership) -> tuple[dt.datetime, dt.datetime]:
    """(remind_at, escalate_at): 75% of the way from anchor to due; the end of the first working day after due."""
    remind_at = anchor + (due - anchor) * REMIND_FRACTION if due > anchor else due
    escalate_at = timescales.add_working_days(due, 1, nation=partnership.nation, tz=partnership.time_zone)
    return remind_at, escalate_at


def _chase_ended(referral, case, kind: str = "") -> dt.datetime | None:
    """A deadline opened on closed work (an import of a closed case or contact) is never chased, unless its
    kind is owed after closing (a transfer's acknowledgement)."""
    # A provider concern's deadline: opened only while the concern is active.
    if referral is None or kind in CHASED_AFTER_CLOSING:
        return None
    if case is not None and case.closed_at is not None and case.status == "closed":
        return case.closed_at
    if case is None and referral.closed_at is not None:
        return referral.closed_at
    return None


def _open(*, actor, referral, case, provider_concern, kind: str, anchor_at: dt.datetime, due_at: dt.datetime,
          partnership: Partnership, reason: str) -> Deadline:
    remind_at, escalate_at = chase_times(anchor_at, due_at, partnership)
    deadline = Deadline(
        referral=referral,
        case=case,
        provider_concern=provider_concern,
        kind=kind,
        anchor_at=anchor_at,
        due_at=due_at,
        remind_at=remind_at,
        escalate_at=escalate_at,
        chase_ended_at=_chase_ended(referral, case, kind),
    )
    _save(deadline, actor, reason)
    return deadline


def deadline_open(*, actor, referral, kind: str, anchor: dt.datetime, case=None, reason: str,
                  provider_concern=None) -> Deadline:
    """Open a deadline of a referral (and its case), or of a provider concern (referral None: 001)."""
    partnership = Partnership.current()
    return _open(actor=actor, referral=referral, case=case, provider_concern=provider_concern, kind=kind,
                 anchor_at=anchor, due_at=due_for(kind, anchor, partnership), partnership=partnership, reason=reason)


def _meet(deadline: Deadline, *, actor, met_at: dt.datetime, reason: str) -> None:
    deadline.met_at = met_at
    deadline.status = Deadline.Status.MET if met_at <= deadline.due_at else Deadline.Status.MET_LATE
    _save(deadline, actor, reason)


def deadline_meet(*, actor, referral, kind: str, met_at: dt.datetime, reason: str) -> None:
    """Meet the referral's unmet deadlines of this kind (row-locked: no double meeting)."""
    for deadline in Deadline.objects.select_for_update().filter(
        referral=referral, kind=kind, met_at__isnull=True
    ).exclude(status=Deadline.Status.WAIVED):
        _meet(deadline, actor=actor, met_at=met_at, reason=reason)


UNMET = (Deadline.Status.OPEN, Deadline.Status.OVERDUE)


def _stop(deadline: Deadline, *, actor, reason: str, at: dt.datetime) -> bool:
    """Waive an unmet deadline not yet due at `at`; one already due at `at` was missed and stays
    overdue, and is no longer chased. Returns True if it was waived."""
    if deadline.due_at > at:
        deadline.status = Deadline.Status.WAIVED
        deadline.waived_by = actor
        deadline.waived_reason = reason
        _save(deadline, actor, reason)
        return True
    if deadline.chase_ended_at is None:
        deadline.status = Deadline.Status.OVERDUE
        deadline.chase_ended_at = timezone.now()
        _save(deadline, actor, f"{reason}: it fell due unmet, so it stays overdue and is no longer chased")
    return False


def deadline_waive(*, actor, referral, kind: str, reason: str, at: dt.datetime | None = None) -> list[Deadline]:
    """The referral's unmet deadlines of this kind no longer apply as of `at` (default now): those not yet
    due at `at` are waived with who and why; those already due at `at` were missed, stay overdue and are
    no longer chased (deadlines.md "Status"). `at` is the instant the change took effect, e.g. a
    back-dated closure. Returns the waived ones."""
    at = at or timezone.now()
    waived = []
    for deadline in Deadline.objects.select_for_update().filter(
        referral=referral, kind=kind, met_at__isnull=True, status__in=UNMET
    ).order_by("pk"):
        if _stop(deadline, actor=actor, reason=reason, at=at):
            waived.append(deadline)
    return waived


def deadlines_close(*, actor, referral, at: dt.datetime, reason: str) -> None:
    """The case or contact closed at `at`: every unmet deadline is waived or, if it fell due unmet
    before `at`, stays overdue; nothing more is chased."""
    for deadline in Deadline.objects.select_for_update().filter(
        referral=referral, met_at__isnull=True, status__in=UNMET
    ).order_by("pk"):
        _stop(deadline, actor=actor, reason=reason, at=at)


def current_status(deadline: Deadline, now: dt.datetime) -> str:
    """The status as of now: an open deadline past its due time is overdue."""
    if deadline.status == Deadline.Status.OPEN and deadline.due_at <= now:
        return Deadline.Status.OVERDUE
    return deadline.status


# --- One deadline at a time (meetings: a meeting's minutes, an action's due date) -----------

def deadline_open_on_date(*, actor, referral, kind: str, due_on: dt.date, anchor: dt.datetime | None = None,
                          case=None, reason: str, provider_concern=None) -> Deadline:
    """A deadline due at the end of a given date in the partnership's time zone (`action`, `police_review`...)."""
    partnership = Partnership.current()
    return _open(actor=actor, referral=referral, case=case, provider_concern=provider_concern, kind=kind,
                 anchor_at=anchor or timezone.now(), due_at=timescales.end_of_day(due_on, partnership.time_zone),
                 partnership=partnership, reason=reason)


def deadline_meet_one(*, actor, deadline: Deadline, met_at: dt.datetime, reason: str) -> Deadline:
    """Meet this deadline only (row-locked; a deadline already met or waived is left as it is)."""
    deadline = Deadline.objects.select_for_update().get(pk=deadline.pk)
    if deadline.met_at is None and deadline.status != Deadline.Status.WAIVED:
        _meet(deadline, actor=actor, met_at=met_at, reason=reason)
    return deadline


def deadline_waive_one(*, actor, deadline: Deadline, reason: str) -> Deadline:
    """Waive this deadline only, unless it already fell due unmet (then it was missed: it stays overdue, unchased)."""
    deadline = Deadline.objects.select_for_update().get(pk=deadline.pk)
    if deadline.met_at is None and deadline.status in UNMET:
        _stop(deadline, actor=actor, reason=reason, at=timezone.now())
    return deadline
