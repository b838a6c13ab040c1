"""The clock in words: a due time as people read it ("Due in 5 hours", "Overdue by 2 days"), and a
deadline's state in words (met, met late, overdue, waived, open: deadlines.md "Status").

Read at a glance, not from a colour: every list, queue row and meeting page says it the same way.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Min
from django.utils import timezone

from .models import Deadline
from .services import current_status


def time_left_in_words(due: dt.datetime, now: dt.datetime) -> str:
    """'Due in 5 hours', 'Overdue by 2 days': read at a glance, not a colour."""
    delta = due - now
    seconds = abs(delta.total_seconds())
    if seconds < 60 * 60:
        amount = max(1, int(seconds // 60))
        unit = "minute"
    elif seconds < 48 * 60 * 60:
        amount = int(seconds // 3600)
        unit = "hour"
    else:
        amount = int(seconds // 86400)
        unit = "day"
    words = f"{amount} {unit}{'' if amount == 1 else 's'}"
    return f"Due in {words}" if delta.total_seconds() > 0 else f"Overdue by {words}"


def person(user) -> str:
    return (user.get_full_name() or user.username) if user else ""


def person_name(first_name: str, last_name: str, username: str | None) -> str:
    """person() for a user read as values (a list's rows): the full name as get_full_name() makes it, else the
    username; "" when there is no user (username None, from an outer join)."""
    if username is None:
        return ""
    return f"{first_name} {last_name}".strip() or username


def deadline_clock(deadline: Deadline | None, now: dt.datetime) -> dict | None:
    """The clock a queue row or a meeting page shows: time left in words while unmet, else how it ended."""
    if deadline is None:
        return None
    status = current_status(deadline, now)
    words = {Deadline.Status.MET: "Met on time", Deadline.Status.MET_LATE: "Met late",
             Deadline.Status.WAIVED: "Waived"}.get(status) or time_left_in_words(deadline.due_at, now)
    return {"status": status, "words": words, "due_at": deadline.due_at}


def deadline_words(deadline: Deadline, now: dt.datetime) -> dict:
    """Every deadline's state in words (met / met late / overdue / waived / due), and who waived it and why."""
    status = current_status(deadline, now)
    S = Deadline.Status
    if status == S.MET:
        text, colour, detail = "Met", "green", f"Met on {timezone.localtime(deadline.met_at):%-d %B %Y}"
    elif status == S.MET_LATE:
        text, colour = "Met late", "yellow"
        detail = f"Met on {timezone.localtime(deadline.met_at):%-d %B %Y}, {time_left_in_words(deadline.due_at, deadline.met_at).replace('Overdue by', 'late by')}"
    elif status == S.OVERDUE:
        text, colour, detail = "Overdue", "red", time_left_in_words(deadline.due_at, now)
    elif status == S.WAIVED:
        text, colour = "Waived", "grey"
        who = person(deadline.waived_by) or "someone"
        when = deadline_waived_on(deadline)
        detail = f"Waived by {who}{' on ' + when if when else ''}: {deadline.waived_reason or 'no reason recorded'}"
    else:
        text, colour, detail = "Open", "blue", time_left_in_words(deadline.due_at, now)
    return {"status": status, "text": text, "colour": colour, "detail": detail,
            "can_waive": status == S.OPEN and deadline.due_at > now}


def deadline_waived_on(deadline: Deadline) -> str:
    at = getattr(deadline, "waived_at", None)
    return f"{timezone.localtime(at):%-d %B %Y}" if at else ""


def deadline_list(deadlines, *, now: dt.datetime | None = None) -> list[tuple[Deadline, dict]]:
    """A page's deadlines with their state in words; when a waived one was waived comes from its
    history (one query for the whole list, whatever its length)."""
    now = now or timezone.now()
    deadlines = list(deadlines)
    waived = [d.pk for d in deadlines if d.status == Deadline.Status.WAIVED]
    if waived:
        first_waived = dict(
            Deadline.history.filter(id__in=waived, status=Deadline.Status.WAIVED)
            .values("id").annotate(at=Min("history_date")).values_list("id", "at").order_by()
        )
        for d in deadlines:
            d.waived_at = first_waived.get(d.pk)
    return [(d, deadline_words(d, now)) for d in deadlines]
