"""Reads for the duty officer's "My work" and the LADO manager's team view.

Who owns a deadline is the rule the chase uses (chasing.owner_recipients): the case owner
if the deadline belongs to a case and the owner is active; else the referral's assigned
officer if active; else nobody in particular, so every LADO officer of the service. Here
that rule is one SQL expression (`owner_id`, null for "the whole service") so lists and
counts are single queries whatever the number of rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Count, F, Min, Q, When
from django.db.models import Case as SqlCase
from django.urls import reverse
from django.utils import timezone

from agencies.models import LADO_ROLES, Membership
from agencies.permissions import standing

from .deadlines import current_status
from .models import OPEN_REFERRAL_STATUSES, Case, CaseStatus, Deadline, Referral
from .querysets import hidden_referral_ids
from .timescales import END_OF_DAY, time_left_in_words

UNMET = (Deadline.Status.OPEN, Deadline.Status.OVERDUE)
SOON_DAYS = 7


def live_deadlines():
    """Deadlines still to meet on work still open (what the chase still chases)."""
    return Deadline.objects.filter(met_at__isnull=True, status__in=UNMET, chase_ended_at__isnull=True).filter(
        Q(case__isnull=True, referral__closed_at__isnull=True) | Q(case__status=CaseStatus.OPEN)
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
    if deadline.provider_concern_id:  # a provider concern's deadline (providers.selectors.my_provider_work)
        reference = deadline.provider_concern.reference
        link = reverse("providers:concern_detail", args=[reference])
    elif deadline.case_id:
        reference = deadline.referral.reference
        link = reverse("allegations:case_detail", args=[reference])
    else:
        reference = deadline.referral.reference
        link = reverse("allegations:referral_detail", args=[reference])
    if deadline.due_at <= now:
        tag, colour = "Overdue", "red"
    elif deadline.due_at <= end_today:
        tag, colour = "Due today", "orange"
    else:
        tag, colour = "Due soon", "blue"
    return DeadlineRow(deadline=deadline, reference=reference, link=link, kind=deadline.get_kind_display(),
                       due_at=deadline.due_at, words=time_left_in_words(deadline.due_at, now), tag=tag,
                       tag_colour=colour, owner=owner)


def _person(user) -> str:
    return (user.get_full_name() or user.username) if user else ""


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


def my_work(*, user, now: dt.datetime | None = None) -> MyWork:
    now = now or timezone.now()
    end_today, end_week = window(now)
    s = standing(user)
    overdue, today, soon = [], [], []
    open_referrals = unassigned = open_cases = 0
    if s.lado_service_ids:
        mine = (
            with_owner(live_deadlines().filter(referral__lado_service_id__in=s.lado_service_ids, due_at__lte=end_week)
                       .exclude(referral_id__in=hidden_referral_ids(user)))
            .filter(Q(owner_id=user.pk) | Q(owner_id__isnull=True))
            .select_related("referral")
            .only("id", "kind", "due_at", "status", "case_id", "provider_concern_id", "referral__reference")
            .order_by("due_at", "pk")[:MY_WORK_LIMIT]
        )
        for deadline in mine:
            row = _row(deadline, now, end_today)
            (overdue if row.tag == "Overdue" else today if row.tag == "Due today" else soon).append(row)
        counts = Referral.objects.filter(
            lado_service_id__in=s.lado_service_ids, status__in=OPEN_REFERRAL_STATUSES
        ).open_to(user).aggregate(mine=Count("pk", filter=Q(assigned_to=user)), unassigned=Count("pk", filter=Q(assigned_to__isnull=True)))
        open_referrals, unassigned = counts["mine"], counts["unassigned"]
        open_cases = Case.objects.filter(
            referral__lado_service_id__in=s.lado_service_ids, status=CaseStatus.OPEN, owner=user
        ).open_to(user).count()
    return MyWork(overdue=overdue, due_today=today, next_7_days=soon, open_referrals=open_referrals,
                  unassigned_referrals=unassigned, open_cases=open_cases,
                  agency_actions=agency_actions_due(user=user, now=now) if s.referrer_agency_ids else [])


def agency_actions_due(*, user, now: dt.datetime | None = None) -> list[dict]:
    """The senior manager's agencies: open actions overdue and due in the next 7 days (004 §3.12)."""
    from meetings.models import Action, ActionStatus  # meetings depends on allegations, not the other way round

    today = timezone.localtime(now or timezone.now()).date()
    return list(
        Action.objects.filter(agency_id__in=standing(user).referrer_agency_ids, status=ActionStatus.OPEN)
        .values("agency_id", "agency__name")
        .annotate(
            overdue=Count("pk", filter=Q(due_on__lt=today)),
            due_soon=Count("pk", filter=Q(due_on__gte=today, due_on__lte=today + dt.timedelta(days=SOON_DAYS))),
        )
        .order_by("agency__name")
    )


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
            pk__in=Membership.objects.filter(agency_id__in=services, role__in=LADO_ROLES).values("user_id"),
            is_active=True,
        ).order_by("first_name", "last_name", "username")
    )
    cases = dict(
        Case.objects.filter(referral__lado_service_id__in=services, status=CaseStatus.OPEN).open_to(user)
        .values_list("owner_id").annotate(n=Count("pk")).order_by()
    )
    service_deadlines = with_owner(live_deadlines().filter(referral__lado_service_id__in=services)
                                   .exclude(referral_id__in=hidden_referral_ids(user)))
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
        rows.append({"user": officer, "name": _person(officer), "open_cases": cases.get(officer.pk, 0),
                     "overdue": counts.get("overdue", 0), "due_soon": counts.get("due_soon", 0)})
    names = {officer.pk: _person(officer) for officer in officers}
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


# --- Deadline lists on the case and referral pages ------------------------------------------------------

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
        text, colour, detail = "Met", "green", f"Met on {timezone.localtime(deadline.met_at):%-d %b %Y}"
    elif status == S.MET_LATE:
        text, colour = "Met late", "yellow"
        detail = f"Met on {timezone.localtime(deadline.met_at):%-d %b %Y}, {time_left_in_words(deadline.due_at, deadline.met_at).replace('Overdue by', 'late by')}"
    elif status == S.OVERDUE:
        text, colour, detail = "Overdue", "red", time_left_in_words(deadline.due_at, now)
    elif status == S.WAIVED:
        text, colour = "Waived", "grey"
        who = _person(deadline.waived_by) or "someone"
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
