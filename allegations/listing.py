"""Lists that keep their place: server-side sorting by a column's link (the link keeps the filters,
so it works without JavaScript), and the list's query remembered in the session so that the back
link of a record opened from the list returns to the same filters, sort and page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import NamedTuple
from urllib.parse import quote

from django.db.models import F
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone

from config.jinja2 import govuk_date, govuk_date_and_time
from deadlines.wording import deadline_clock, person_name

from .models import OPEN_REFERRAL_STATUSES, Case, Referral, subject_name
from .selectors import initial_deadline_clock


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    fields: tuple[str, ...] = ()  # order_by fields for ascending; empty: not sortable
    first: str = "asc"  # the direction a first click sorts by


@dataclass(frozen=True)
class Header:
    label: str
    key: str
    href: str  # "" when the column does not sort
    aria_sort: str  # "ascending", "descending" or "none"


def sorting(request, columns: list[Column]) -> tuple[Column | None, str]:
    """The column ?sort= names (None: the list's own order) and the direction ?dir= asks for."""
    by_key = {c.key: c for c in columns if c.fields}
    direction = "desc" if request.GET.get("dir") == "desc" else "asc"
    return by_key.get(request.GET.get("sort", "")), direction


def sort_key(request, columns: list[Column]) -> tuple:
    """What sorted_by's order is made from (the column's key and the direction; nothing for the list's own order),
    for keeping the list's SQL."""
    column, direction = sorting(request, columns)
    return () if column is None else (column.key, direction)


def sorted_by(request, queryset, columns: list[Column]):
    """(queryset ordered by ?sort=<key>&dir=asc|desc, or left in its own order, and the headers to draw)."""
    column, direction = sorting(request, columns)
    if column is not None:
        order = [F(f).desc(nulls_last=True) if direction == "desc" else F(f).asc(nulls_last=True) for f in column.fields]
        queryset = queryset.order_by(*order, "-pk" if direction == "desc" else "pk")
    headers = []
    for c in columns:
        if not c.fields:
            headers.append(Header(c.label, c.key, "", ""))
            continue
        current = column is not None and c.key == column.key
        next_dir = ("desc" if direction == "asc" else "asc") if current else c.first
        query = request.GET.copy()
        query["sort"], query["dir"] = c.key, next_dir
        query.pop("page", None)
        headers.append(Header(c.label, c.key, "?" + query.urlencode(),
                              ("ascending" if direction == "asc" else "descending") if current else "none"))
    return queryset, headers


def remember(request, viewname: str) -> None:
    """Keep this list's query (filters, sort, page) for the back links of the records opened from it."""
    key, query = f"list:{viewname}", request.GET.urlencode()
    if request.session.get(key) != query:  # written only when it changes: a list seen again costs no query
        request.session[key] = query


def back_url(request, viewname: str) -> str:
    """The list as it was last seen (its filters, sort and page), or the list as it opens."""
    query = request.session.get(f"list:{viewname}", "")
    return reverse(viewname) + (f"?{query}" if query else "")


# --- Rows worked out once (issue 19: Python per request) ---------------------------------------------------------
# A list's rows are drawn by a plain loop in its template; what each cell shows is worked out here, in one pass,
# rather than by a macro, a URL look-up and a choice look-up per cell.

def link_maker(viewname: str) -> Callable[[str], str]:
    """The address of ``viewname`` for each row's reference, with the URLconf consulted once for the whole list
    (``reverse()`` for each row was a large part of what a row cost). The reference is quoted as reverse() quotes
    it."""
    before, after = _link_parts(viewname, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
    return lambda reference: f"{before}{quote(str(reference), safe=_URL_SAFE)}{after}"


@cache
def _link_parts(viewname: str, prefix: str, urlconf: str) -> tuple[str, str]:
    """The address of ``viewname`` either side of its one argument, for a script prefix and URLconf: looked up once
    per process (the URLconf does not change while it runs)."""
    return tuple(reverse(viewname, args=[_MARKER], urlconf=urlconf).split(_MARKER))


_MARKER = "REFERENCE-MARKER"
_URL_SAFE = "!$&'()*+,;=/~:@"  # django.urls.resolvers: RFC3986_SUBDELIMS + "/~:@"


@cache
def labels(model, field_name: str) -> dict:
    """A choice field's labels by value, as ``get_<field>_display()`` gives them (a value not among the choices
    shows as itself: ``labels(...).get(value, value)``)."""
    return {value: str(label) for value, label in model._meta.get_field(field_name).flatchoices}


# The clock's look, by the deadline's state (the same as the clock_tag macro of allegations/_macros.html).
CLOCK_LOOK = {"overdue": "overdue", "open": "on-track", "met": "met", "met_late": "met-late", "waived": "closed"}


class QueueRow(NamedTuple):
    href: str
    reference: str
    person: str
    role: str
    employer: str
    kind: str  # the category, else the sector
    adults: bool
    received_on: str  # "23 November 2026"
    received_at: str  # "2:05pm"
    status: str
    clock_look: str  # "" when the row shows no clock
    clock_words: str
    officer: str


def queue_rows(referrals, now: dt.datetime) -> list[QueueRow]:
    """The triage queue's rows (templates/allegations/triage_queue.html): each referral's cells, with its 24-hour
    initial-discussion clock while it is open. ``referrals`` is the queue read as values (selectors.QUEUE_VALUES,
    in that order): no model is built for a row, its subject, its officer or its deadline."""
    link = link_maker("allegations:referral_detail")
    categories, sectors = labels(Referral, "category"), labels(Referral, "sector")
    statuses = labels(Referral, "status")
    tz = timezone.get_current_timezone()  # once for the list (the times are read aware, in UTC)
    rows = []
    for (reference, role, employer, category, sector, workforce, received_at, status, given_name, family_name,
         described_as, first_name, last_name, username, deadline_row) in referrals:
        clock = None
        if status in OPEN_REFERRAL_STATUSES:
            clock = deadline_clock(initial_deadline_clock(deadline_row), now)
        received_on, received_time = govuk_date_and_time(received_at, tz)
        rows.append(QueueRow(
            href=link(reference), reference=reference,
            person=subject_name(given_name, family_name, described_as),
            role=role, employer=employer,
            kind=categories.get(category, category) or sectors.get(sector, sector),
            adults=workforce == "adults",
            received_on=received_on, received_at=received_time,
            status=statuses.get(status, status),
            clock_look=CLOCK_LOOK[clock["status"]] if clock else "", clock_words=clock["words"] if clock else "",
            officer=person_name(first_name, last_name, username) or "Not assigned",
        ))
    return rows


class CaseRow(NamedTuple):
    href: str
    reference: str
    person: str
    role: str
    employer: str
    opened_on: str
    status: str  # "Open", "Closed — substantiated"
    owner: str
    open_deadlines: int


def case_rows(cases) -> list[CaseRow]:
    """The case list's rows (templates/allegations/case_list.html). ``cases`` is the page read as values
    (selectors.CASE_LIST_VALUES, in that order): no model is built for a case, its referral, subject or owner."""
    link = link_maker("allegations:case_detail")
    statuses, outcomes = labels(Case, "status"), labels(Case, "outcome")
    rows = []
    for (status, opened_at, _pk, outcome, open_deadlines, reference, role, employer, given_name, family_name,
         described_as, first_name, last_name, username) in cases:
        status_text = statuses.get(status, status)
        if outcome:
            status_text = f"{status_text} — {outcomes.get(outcome, outcome).lower()}"
        rows.append(CaseRow(
            href=link(reference), reference=reference, person=subject_name(given_name, family_name, described_as),
            role=role, employer=employer, opened_on=govuk_date(opened_at),
            status=status_text, owner=person_name(first_name, last_name, username) or "—",
            open_deadlines=open_deadlines,
        ))
    return rows
