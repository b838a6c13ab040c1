"""Reads for the duty officer's "My work" and the LADO manager's team view.

Who owns a deadline is the rule the chase uses (chasing.owner_recipients, as allegations tells
it): the case owner if the deadline belongs to a case and the owner is active; else the referral's
assigned officer if active; else nobody in particular, so every LADO officer of the service. Here
that rule is one SQL expression (`owner_id`, null for "the whole service") so lists and
counts are single queries whatever the number of rows.

The counts beside the deadlines (open referrals and cases, agency actions) and which referrals are
restricted from the user are facts of the apps above, told through deadlines.about.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Count, F, Q, When
from django.db.models import Case as SqlCase
from django.utils import timezone

from agencies.models import LADO_ROLES, Membership
from agencies.permissions import standing

from . import about
from .models import CHASED_AFTER_CLOSING, Deadline
from .timescales import END_OF_DAY
from .wording import deadline_clock, deadline_list, deadline_waived_on, deadline_words, person, time_left_in_words

__all__ = ["deadline_clock", "deadline_list", "deadline_waived_on", "deadline_words"]  # the clock in words (wording.py)

CASE_OPEN = "open"  # allegations.models.CaseStatus.OPEN: the value in the case's status column

UNMET = (Deadline.Status.OPEN, Deadline.Status.OVERDUE)
SOON_DAYS = 7


def live_deadlines():
    """Deadlines still to meet on work still open (what the chase still chases), and those owed after their
    contact closed here (a transfer's acknowledgement: CHASED_AFTER_CLOSING)."""
    return Deadline.objects.filter(met_at__isnull=True, status__in=UNMET, chase_ended_at__isnull=True).filter(
        Q(case__isnull=True, referral__closed_at__isnull=True) | Q(case__status=CASE_OPEN)
        | Q(kind__in=CHASED_AFTER_CLOSING)
    )


def with_owner(deadlines):
    """Annotate `owner_id`: the case owner, else the assigned officer, else null (the whole service)."""
    return deadlines.annotate(
        owner_id=SqlCase(
            When(case__owner__is_active=True, then=F("case__owner_id")),
            When(referral__assigned_to__is_active=True, then=F("referral__assigned_to_id")),
            default=None,
        )
    )


def window(now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """(end of today, end of the 7th day from today), local time."""
    today = timezone.localtime(now).date()
    tz = timezone.get_current_timezone()
    end_today = dt.datetime.combine(today, END_OF_DAY, tzinfo=tz)
    return end_today, dt.datetime.combine(today + dt.timedelta(days=SOON_DAYS), END_OF_DAY, tzinfo=tz)


@dataclass(frozen=True)
class DeadlineRow:
    deadline: Deadline
    reference: str
    link: str
    kind: str
    due_at: dt.datetime
    words: str  # "Overdue by 2 days", "Due in 5 hours"
    tag: str  # the state in words: "Overdue", "Due today", "Due soon"
    tag_colour: str
    owner: str = ""


def _row(deadline: Deadline, now: dt.datetime, end_today: dt.datetime, owner: str = "") -> DeadlineRow:
    subject = about.subject_of(deadline)  # a referral's (allegations) or a provider concern's (providers)
    reference, link = subject.reference(deadline), subject.link(deadline)
    if deadline.due_at <= now:
        tag, colour = "Overdue", "red"
    elif deadline.due_at <= end_today:
        tag, colour = "Due today", "orange"
    else:
        tag, colour = "Due soon", "blue"
    return DeadlineRow(deadline=deadline, reference=reference, link=link, kind=deadline.get_kind_display(),
                       due_at=deadline.due_at, words=time_left_in_words(deadline.due_at, now), tag=tag,
                       tag_colour=colour, owner=owner)


# --- My work -------------------------------------------------------------------------------------

@dataclass
class MyWork:
    overdue: list[DeadlineRow]
    due_today: list[DeadlineRow]
    next_7_days: list[DeadlineRow]
    open_referrals: int
    unassigned_referrals: int
    open_cases: int
    agency_actions: list[dict]  # for agency senior managers: per agency, overdue and due in 7 days


MY_WORK_LIMIT = 300  # an officer's next week is far fewer; a bound all the same


def my_work(*, user, now: dt.datetime | None = None, deadlines: bool = True) -> MyWork:
    """The user's deadlines by when, and the counts beside them. ``deadlines=False``: the counts alone (the "My work"
    page lists the duty officer's work from allegations.urgency, so reading up to 300 deadlines here was wasted)."""
    now = now or timezone.now()
    end_today, end_week = window(now)
    s = standing(user)
    overdue, today, soon = [], [], []
    open_referrals = unassigned = open_cases = 0
    if s.lado_service_ids and deadlines:
        mine = (
            with_owner(live_deadlines().filter(referral__lado_service_id__in=s.lado_service_ids, due_at__lte=end_week)
                       .exclude(referral_id__in=about.fact("hidden_referral_ids")(user)))
            .filter(Q(owner_id=user.pk) | Q(owner_id__isnull=True))
            .select_related("referral")
            .only("id", "kind", "due_at", "status", "case_id", "provider_concern_id", "referral__reference")
            .order_by("due_at", "pk")[:MY_WORK_LIMIT]
        )
        for deadline in mine:
            row = _row(deadline, now, end_today)
            (overdue if row.tag == "Overdue" else today if row.tag == "Due today" else soon).append(row)
    if s.lado_service_ids:
        counts = about.fact("lado_counts")(user=user, service_ids=s.lado_service_ids)
        open_referrals, unassigned = counts["open_referrals"], counts["unassigned_referrals"]
        open_cases = counts["open_cases"]
    return MyWork(overdue=overdue, due_today=today, next_7_days=soon, open_referrals=open_referrals,
                  unassigned_referrals=unassigned, open_cases=open_cases,
                  agency_actions=agency_actions_due(user=user, now=now) if s.referrer_agency_ids else [])


def agency_actions_due(*, user, now: dt.datetime | None = None) -> list[dict]:
    """The senior manager's agencies: open actions overdue and due in the next 7 days (004 §3.12)."""
    today = timezone.localtime(now or timezone.now()).date()
    return about.fact("agency_actions_due")(agency_ids=standing(user).referrer_agency_ids, today=today,
                                            soon_days=SOON_DAYS)


# --- The team view ---------------------------------------------------------------------------------

@dataclass
class TeamWork:
    officers: list[dict]  # {"user", "name", "open_cases", "overdue", "due_soon"}
    unassigned_overdue: int
    unassigned_due_soon: int
    overdue: list[DeadlineRow]  # every overdue deadline of the service, with its owner


TEAM_OVERDUE_LIMIT = 500


def team_work(*, user, now: dt.datetime | None = None) -> TeamWork:
    """The LADO manager's services: each officer's load, and every overdue deadline with its owner."""
    now = now or timezone.now()
    end_today, end_week = window(now)
    services = standing(user).managed_service_ids
    User = get_user_model()
    officers = list(
        User.objects.filter(
            pk__in=Membership.objects.people().filter(agency_id__in=services, role__in=LADO_ROLES).values("user_id"),
            is_active=True,
        ).order_by("first_name", "last_name", "username")
    )
    cases = about.fact("team_open_cases")(user=user, service_ids=services)
    service_deadlines = with_owner(live_deadlines().filter(referral__lado_service_id__in=services)
                                   .exclude(referral_id__in=about.fact("hidden_referral_ids")(user)))
    load = {
        row["owner_id"]: row
        for row in service_deadlines.values("owner_id").annotate(
            overdue=Count("pk", filter=Q(due_at__lte=now)),
            due_soon=Count("pk", filter=Q(due_at__gt=now, due_at__lte=end_week)),
        ).order_by()
    }
    rows = []
    for officer in officers:
        counts = load.get(officer.pk, {})
        rows.append({"user": officer, "name": person(officer), "open_cases": cases.get(officer.pk, 0),
                     "overdue": counts.get("overdue", 0), "due_soon": counts.get("due_soon", 0)})
    names = {officer.pk: person(officer) for officer in officers}
    overdue = []
    for deadline in (
        service_deadlines.filter(due_at__lte=now)
        .select_related("referral")
        .only("id", "kind", "due_at", "status", "case_id", "provider_concern_id", "referral__reference")
        .order_by("due_at", "pk")[:TEAM_OVERDUE_LIMIT]
    ):
        owner = names.get(deadline.owner_id, "Someone no longer in the team") if deadline.owner_id else "Unassigned (the whole service)"
        overdue.append(_row(deadline, now, end_today, owner=owner))
    unassigned = load.get(None, {})
    return TeamWork(officers=rows, unassigned_overdue=unassigned.get("overdue", 0),
                    unassigned_due_soon=unassigned.get("due_soon", 0), overdue=overdue)
