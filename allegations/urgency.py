"""The duty officer's "My work", most urgent first (issue 15): new referrals nearest their 24-hour
clock first, then what falls due today, then what is overdue by how recently it fell due (the
most recent first: yesterday's missed clock before last year's), then the next 7 days. Each row
says who, where, what kind of harm, and what to do next.

The deadlines are the ones the officer owns, by the chase's rule (workload.with_owner): of cases
they own, of referrals assigned to them, and of work nobody owns yet.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from agencies.permissions import standing
from config.lookups import any_of

from deadlines.models import Deadline
from deadlines.timescales import time_left_in_words
from deadlines.workload import MY_WORK_LIMIT, UNMET, live_deadlines, window, with_owner

from .listing import labels, link_maker
from .models import Referral, ReferralStatus, subject_name
from .querysets import hidden_referral_ids

K = Deadline.Kind
# What the officer does next, by the kind of deadline (the words of the chase's notices).
NEXT_STEP = {
    K.INITIAL_DISCUSSION: "Hold the initial discussion with the referrer",
    K.STRATEGY_MEETING: "Hold the strategy discussion",
    K.MINUTES_INITIAL: "Get the minutes approved and sent",
    K.MINUTES_REVIEW: "Get the minutes approved and sent",
    K.EMPLOYER_ACTION: "Ask the employer what they have done",
    K.DISCIPLINARY_HEARING: "Ask the employer about the hearing",
    K.CASE_REVIEW: "Review the case",
    K.POLICE_REVIEW: "Ask the police for their review",
    K.ACTION: "Chase the agreed action",
    K.ADMISSIONS_REVIEW: "Review the suspended admissions",
    K.PERSON_UPDATE: "Make sure the person has had an update",
    K.SUSPENSION_REVIEW: "Ask the employer to review the suspension",
}


@dataclass(frozen=True)
class WorkRow:
    reference: str
    link: str
    person: str
    employer: str
    category: str
    kind: str  # "Initial discussion", "Police review"…
    due_at: dt.datetime
    words: str  # "Overdue by 2 days", "Due in 5 hours"
    state: str  # in words: "Overdue", "Due today", "Due soon", "New"
    state_class: str  # the badge's shape (frontend/_casework.scss): overdue, due-today, due-soon, new
    next_step: str


@dataclass
class DutyWork:
    new_referrals: list[WorkRow]
    due_today: list[WorkRow]
    overdue: list[WorkRow]
    next_7_days: list[WorkRow]
    # Each part is read up to half of MY_WORK_LIMIT rows: True when there may be more than the page shows.
    more_overdue: bool = False
    more_coming: bool = False


# The columns a row shows, read as values: up to 300 rows, where building a deadline, its referral and its subject as
# models for each cost more than the rest of the page's Python (issue 19).
ROW_VALUES = ("id", "kind", "due_at", "case_id", "referral__reference", "referral__status", "referral__assigned_to_id",
              "referral__employer_name", "referral__category", "referral__subject__given_name",
              "referral__subject__family_name", "referral__subject__described_as")


def _row(deadline: dict, now: dt.datetime, end_today: dt.datetime, *, new: bool, lookups: dict) -> WorkRow:
    reference, kind, due_at = deadline["referral__reference"], deadline["kind"], deadline["due_at"]
    link = lookups["case" if deadline["case_id"] else "referral"](reference)
    if due_at <= now:
        state, css = "Overdue", "overdue"
    elif new:
        state, css = "New", "new"
    elif due_at <= end_today:
        state, css = "Due today", "due-today"
    else:
        state, css = "Due soon", "due-soon"
    step = NEXT_STEP.get(kind, "Open it and decide what is next")
    if kind == K.INITIAL_DISCUSSION and deadline["referral__assigned_to_id"] is None:
        step = "Assign an officer and hold the initial discussion"
    category = lookups["categories"].get(deadline["referral__category"], deadline["referral__category"])
    person = subject_name(deadline["referral__subject__given_name"], deadline["referral__subject__family_name"],
                          deadline["referral__subject__described_as"])
    return WorkRow(
        reference=reference, link=link, person=person, employer=deadline["referral__employer_name"],
        category=category or "Not yet known", kind=lookups["kinds"].get(kind, kind),
        due_at=due_at, words=time_left_in_words(due_at, now), state=state, state_class=css, next_step=step,
    )


# The overdue rows are looked for among the service's live overdue deadlines, most recent first, a window at a time:
# twice the page's part first (an officer who owns half of what is overdue fills it in one read), then four times as
# many each time, until the part is full or none are left.
FIRST_WINDOW = MY_WORK_LIMIT


def _most_recently_overdue(deadlines, service_ids, now: dt.datetime, part: int) -> list[dict]:
    """The `part` most recently overdue of `deadlines` (the officer's, by the chase's rule), read a window at a time.

    One read of every overdue deadline the officer might own, sorted, cost what the service's overdue work cost:
    at 1,000,000 referrals with 47,000 live overdue deadlines, 420 ms for the 150 shown, most of it joining each
    deadline to its referral, case and people to know whose it is (issue 19). Here the window is the service's
    live overdue deadlines in the page's order from the `deadline_live_due` index (no owner yet), and the owner
    rule is applied to the window's rows alone, in the same query. When the officer owns half of what is overdue,
    the first window fills the page in one read, as before; when they own little of it, the next window starts
    after the last one's last row and is four times as large, so the reads stay few and the work is never much
    more than one read of everything."""
    live_overdue = Deadline.objects.filter(met_at__isnull=True, status__in=UNMET, chase_ended_at__isnull=True,
                                           referral__isnull=False, due_at__lte=now,
                                           referral__lado_service_id__in=service_ids)
    found: list[dict] = []
    window, after = FIRST_WINDOW, None
    while True:
        keys = live_overdue
        if after is not None:
            keys = keys.filter(Q(due_at__lt=after[0]) | Q(due_at=after[0], pk__lt=after[1]))
        keys = keys.order_by("-due_at", "-pk")
        found += deadlines.filter(any_of("pk", keys.values("pk")[:window])).order_by("-due_at", "-pk")[: part - len(found)]
        if len(found) >= part:
            return found
        after = keys.values_list("due_at", "pk")[window - 1:window].first()  # the window's last row, if it was full
        if after is None:
            return found
        window *= 4


def duty_work(*, user, now: dt.datetime | None = None) -> DutyWork:
    now = now or timezone.now()
    end_today, end_week = window(now)
    s = standing(user)
    work = DutyWork(new_referrals=[], due_today=[], overdue=[], next_7_days=[])
    if not s.lado_service_ids:
        return work
    deadlines = (
        with_owner(live_deadlines().filter(referral__lado_service_id__in=s.lado_service_ids, due_at__lte=end_week)
                   .exclude(referral_id__in=hidden_referral_ids(user)))
        .filter(Q(owner_id=user.pk) | Q(owner_id__isnull=True))
        .values(*ROW_VALUES)
    )
    # Two reads, each bounded on its own: what is still to come, soonest first, and what is overdue, most recent
    # first. One read of the first 300 by date cut the wrong end once a service had more than 300 overdue: the
    # oldest filled the page and the new referrals and today's work were never read.
    # Half the page's bound each, so the page holds no more rows than before.
    part = max(1, MY_WORK_LIMIT // 2)
    coming = list(deadlines.filter(due_at__gt=now).order_by("due_at", "pk")[:part])
    overdue = _most_recently_overdue(deadlines, s.lado_service_ids, now, part)
    work.more_coming, work.more_overdue = len(coming) == part, len(overdue) == part
    # Worked out once for up to 300 rows, not for each (issue 19: Python per request).
    lookups = {"case": link_maker("allegations:case_detail"), "referral": link_maker("allegations:referral_detail"),
               "categories": labels(Referral, "category"), "kinds": labels(Deadline, "kind")}
    for deadline in overdue:
        work.overdue.append(_row(deadline, now, end_today, new=False, lookups=lookups))
    for deadline in coming:
        new = deadline["kind"] == K.INITIAL_DISCUSSION and deadline["referral__status"] == ReferralStatus.NEW
        row = _row(deadline, now, end_today, new=new, lookups=lookups)
        if new:
            work.new_referrals.append(row)  # nearest its 24-hour clock first (the query's order)
        elif deadline["due_at"] <= end_today:
            work.due_today.append(row)
        else:
            work.next_7_days.append(row)
    return work
