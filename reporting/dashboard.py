"""The live dashboard for the business unit and the LADO service manager (domain.md §6: open cases,
overdue deadlines and actions by agency, timeliness). Counts only: no references, no names.

Every table is one aggregate query (GROUP BY in the database), whatever the number of rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from agencies.models import Sector
from agencies.permissions import standing
from allegations.models import Case, CaseStatus, Referral, Timeliness, Workforce
from deadlines.models import Deadline

BAR_WIDTH = 160  # pixels for the largest value of a table
WINDOW_DAYS = 365


@dataclass(frozen=True)
class Cell:
    n: int
    pct: int | None  # of the row's total, when the table shows shares
    bar: int  # width in pixels, relative to the table's largest value


@dataclass(frozen=True)
class Row:
    label: str
    cells: list[Cell]
    total: int


@dataclass(frozen=True)
class Table:
    caption: str
    columns: list[str]
    rows: list[Row]
    shares: bool = False  # cells show a percentage of the row's total

    @property
    def total(self) -> int:
        return sum(row.total for row in self.rows)


def _pct(n: int, total: int) -> int | None:
    return round(100 * n / total) if total else None


def _table(caption: str, columns: list[str], data: list[tuple[str, list[int]]], *, shares: bool = False) -> Table:
    largest = max((n for _, values in data for n in values), default=0)
    rows = []
    for label, values in data:
        total = sum(values)
        rows.append(Row(label=label, total=total, cells=[
            Cell(n=n, pct=_pct(n, total) if shares else None, bar=round(BAR_WIDTH * n / largest) if largest else 0)
            for n in values
        ]))
    return Table(caption=caption, columns=columns, rows=rows, shares=shares)


def may_see(user) -> bool:
    s = standing(user)
    return s.is_analyst or s.is_lado_manager


def _service_filter(user, prefix: str) -> Q:
    """The analyst sees the whole partnership; a LADO manager sees the services they manage."""
    s = standing(user)
    if s.is_analyst:
        return Q()
    return Q(**{f"{prefix}lado_service_id__in": s.managed_service_ids})


def open_cases_by_sector(user) -> Table:
    counts = dict(
        Case.objects.filter(_service_filter(user, "referral__"), status=CaseStatus.OPEN)
        .values_list("referral__sector").annotate(n=Count("pk")).order_by()
    )
    labels = dict(Sector.choices)
    data = sorted(((labels.get(k, k or "Not recorded"), [n]) for k, n in counts.items()), key=lambda r: (-r[1][0], r[0]))
    return _table("Open cases by sector", ["Open cases"], data)


def open_cases_by_workforce(user) -> Table:
    counts = dict(
        Case.objects.filter(_service_filter(user, "referral__"), status=CaseStatus.OPEN)
        .values_list("referral__workforce").annotate(n=Count("pk")).order_by()
    )
    data = [(label, [counts.get(value, 0)]) for value, label in Workforce.choices]
    return _table("Open cases by workforce", ["Open cases"], data)


def referral_timeliness(user, now: dt.datetime) -> Table:
    """Referrals received in the last 12 months: within 1 working day of the concern arising (003 §16)?"""
    counts = dict(
        Referral.objects.filter(_service_filter(user, ""), received_at__gt=now - dt.timedelta(days=WINDOW_DAYS),
                                received_at__lte=now)
        .values_list("timeliness").annotate(n=Count("pk")).order_by()
    )
    values = [counts.get(value, 0) for value in Timeliness.values]
    table = _table("Referrals received in the last 12 months, by timeliness", list(Timeliness.labels),
                   [("All referrals", values)], shares=True)
    return table


def deadlines_on_time(user, now: dt.datetime) -> Table:
    """Deadlines that fell due in the last 12 months, by kind: met on time, met late, or overdue (unmet)."""
    S = Deadline.Status
    rows = (
        Deadline.objects.filter(_service_filter(user, "referral__"), due_at__gt=now - dt.timedelta(days=WINDOW_DAYS),
                                due_at__lte=now)
        .values("kind")
        .annotate(
            met=Count("pk", filter=Q(status=S.MET)),
            late=Count("pk", filter=Q(status=S.MET_LATE)),
            overdue=Count("pk", filter=Q(status__in=[S.OPEN, S.OVERDUE], met_at__isnull=True)),
        )
        .order_by()
    )
    by_kind = {row["kind"]: [row["met"], row["late"], row["overdue"]] for row in rows}
    data = [(label, by_kind[value]) for value, label in Deadline.Kind.choices if sum(by_kind.get(value, [0]))]
    return _table("Deadlines due in the last 12 months: met on time, met late, or missed", ["Met on time", "Met late", "Overdue"],
                  data, shares=True)


def overdue_actions_by_agency(user, now: dt.datetime) -> Table:
    """Open actions past their due date, by the agency that must do them (004 §3.12)."""
    from meetings.models import Action, ActionStatus

    today = timezone.localtime(now).date()
    s = standing(user)
    actions = Action.objects.filter(status=ActionStatus.OPEN)
    if not s.is_analyst:
        actions = actions.filter(
            Q(case__referral__lado_service_id__in=s.managed_service_ids) | Q(agency__lado_service_id__in=s.managed_service_ids)
        )
    rows = (
        actions.values("agency__name")
        .annotate(overdue=Count("pk", filter=Q(due_on__lt=today)), open=Count("pk"))
        .filter(overdue__gt=0)
        .order_by("-overdue", "agency__name")
    )
    return _table("Overdue actions by agency", ["Overdue actions", "All open actions"],
                  [(row["agency__name"], [row["overdue"], row["open"]]) for row in rows])


def dashboard(*, user, now: dt.datetime | None = None) -> dict:
    now = now or timezone.now()
    return {
        "by_sector": open_cases_by_sector(user),
        "by_workforce": open_cases_by_workforce(user),
        "timeliness": referral_timeliness(user, now),
        "deadlines": deadlines_on_time(user, now),
        "actions": overdue_actions_by_agency(user, now),
        "as_of": now,
    }
