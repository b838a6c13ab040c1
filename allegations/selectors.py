"""Reads that take the user and go through visible_to. Outsiders get 404."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, F, Func, JSONField, OuterRef, Q, Subquery, TextField, Value
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models.functions import Cast, Coalesce, JSONObject
from django.http import Http404
from django.utils.dateparse import parse_datetime

from agencies.models import AccessLevel, Agency, AgencyKind, widest_level
from agencies.permissions import standing
from config.prepared import KeptReads

from deadlines.models import Deadline

from .ladder import ladder_of
from .models import (
    AUDIENCES_SEEN,
    DEADLINE_AUDIENCE,
    DEFAULT_AUDIENCE,
    SECTION_AUDIENCE,
    VERB_AUDIENCE,
    Case,
    CaseLink,
    Complaint,
    Decision,
    Disagreement,
    Event,
    OtherSubject,
    Part,
    PartAudience,
    PersonContact,
    PersonSupport,
    PersonTold,
    PersonUpdate,
    Referral,
    RegulatorReferral,
    Review,
    RiskAssessment,
    Section,
    Strand,
    Subject,
    Suspension,
    default_audience,
    queue_open_rank,
    queue_open_received,
)
from .paging import Keyset
from .permissions import case_share_levels


def _no_such_reference(reference: str) -> bool:
    """A reference PostgreSQL cannot even compare (a NUL character, from a crafted URL) matches nothing."""
    return "\x00" in reference


# The fields of a PartAudience row carried in its referral's or case's own query (_with_part_audiences).
_PART_AUDIENCE_FIELDS = ("id", "referral_id", "part", "part_id", "audience", "held_from_employer", "changed_by_id",
                         "changed_at")


def _with_part_audiences(queryset, referral_id: str):
    """The referral's part audiences (need to know, read by every page of a referral or case) as a JSON array in
    the same query as the referral or case itself: one query fewer on each of those pages (issue 19: the case page
    in at most 12 queries). part_audiences() takes them from there."""
    rows = PartAudience.objects.filter(referral_id=OuterRef(referral_id)).order_by().values(
        row=JSONObject(**{name: name for name in _PART_AUDIENCE_FIELDS}))
    return queryset.annotate(part_audience_rows=ArraySubquery(rows))


def referral_get(*, user, reference: str) -> Referral:
    if _no_such_reference(reference):
        raise Http404("No referral with that reference")
    try:
        referral = (
            _with_part_audiences(Referral.objects.visible_to(user), "pk")
            .select_related("subject", "lado_service", "referring_agency", "assigned_to", "employer", "triage__decided_by",
                            "restriction")
            .get(reference=reference)
        )
    except Referral.DoesNotExist:
        raise Http404("No referral with that reference") from None
    referral._part_audience_rows = referral.part_audience_rows
    return referral


# What a case is read with: its referral, the people and agencies named on it, and its restriction.
CASE_RELATED = ("referral__subject", "referral__lado_service", "referral__referring_agency",
                "referral__triage__decided_by", "referral__restriction", "owner", "closed_by")
# What the case's own pages show of them (views._case_page): not the LADO service's row nor the triage decision,
# which none of them shows. Reading, compiling and building the columns of two joins fewer is a millisecond of the
# page's Python (issue 19).
CASE_PAGE_RELATED = ("referral__subject", "referral__referring_agency", "referral__restriction")
# The people those pages name (the owner; who closed it), read by their names only, each as a JSON object in the
# case's own query rather than a join of auth_user: PostgreSQL plans that query afresh on each request, and the two
# joins were a millisecond of its planning (1.6 ms with them, 0.7 ms without; issue 19, benchmarks/README.md).
CASE_PAGE_PEOPLE = ("owner", "closed_by")
# In the user model's own column order (_person builds the model from them).
_PERSON_FIELDS = ("id", "username", "first_name", "last_name")


@functools.cache
def _case_base(related: tuple[str, ...], overview: bool, people: tuple[str, ...] = ()):
    """What every read of a case shares, for each `related` and `overview`: its joins, its part audiences and (for
    the overview) whether it has links and other subjects, resolved once per process (as _queue_base: resolving these
    expressions for each request was a millisecond of the case page's Python). Never evaluated itself: case_get
    filters a copy of it for the user and the reference. (Deferring the forty columns the overview never shows was
    measured too: no faster, as Django's select mask for them costs what their columns did.)"""
    cases = _with_part_audiences(Case.objects.select_related(*related), "referral_id")
    for name in people:
        person = get_user_model().objects.filter(pk=OuterRef(f"{name}_id")).values(row=_JSONBObject(*_PERSON_FIELDS))
        cases = cases.annotate(**{f"{name}_row": Subquery(person)})
    if overview:
        cases = cases.annotate(
            has_links=Exists(CaseLink.objects.filter(case_id=OuterRef("pk"))),
            has_other_subjects=Exists(OtherSubject.objects.filter(referral_id=OuterRef("referral_id"))),
        )
    return cases


def case_get(*, user, reference: str, related: tuple[str, ...] = CASE_RELATED, overview: bool = False,
             people: tuple[str, ...] = ()) -> Case:
    """The case (404 unless the user sees it). With `overview`, also whether it has linked cases (`has_links`) and
    other people alleged against (`has_other_subjects`), in the same query: most cases have neither, and the
    overview then reads neither list (two queries fewer, issue 19). The users named in `people` (foreign keys of
    the case, not also in `related`) come with it by their names only (_PERSON_FIELDS; the rest deferred)."""
    if _no_such_reference(reference):
        raise Http404("No case with that reference")
    try:
        case = _case_base(tuple(related), overview, tuple(people)).visible_to(user).get(referral__reference=reference)
    except Case.DoesNotExist:
        raise Http404("No case with that reference") from None
    case.referral._part_audience_rows = case.part_audience_rows
    for name in people:
        Case._meta.get_field(name).set_cached_value(case, _person(case, getattr(case, f"{name}_row")))
    return case


def _person(instance, row: dict | None):
    """The user of a JSON object of _PERSON_FIELDS, as the ORM builds one read with only() (its other fields read if
    asked for), or None."""
    if row is None:
        return None
    model = get_user_model()
    names = [f.attname for f in model._meta.concrete_fields if f.attname in row]
    return model.from_db(instance._state.db, names, [row[name] for name in names])


def can_manage(user, referral: Referral) -> bool:
    """May this user act on the referral as its LADO service (triage, run the case)? (A restricted
    referral has been fetched through visible_to, which hides it from those not named.)"""
    return referral.lado_service_id in standing(user).lado_service_ids


def can_restrict(user, referral: Referral) -> bool:
    """May this user restrict the referral (and its case) to named people? The LADO service manager."""
    return referral.lado_service_id in standing(user).managed_service_ids


# What the queue's clock shows of the initial-discussion deadline (deadlines.wording.deadline_clock).
_CLOCK_FIELDS = ("id", "referral_id", "kind", "due_at", "met_at", "status")


def _with_initial_deadline(queryset):
    """Each referral's initial-discussion deadline (its soonest) as a JSON object in the referral's own query: the
    queue in one query fewer than with a prefetch (issue 19: at most 8). initial_deadline() reads it."""
    first = (Deadline.objects.filter(referral_id=OuterRef("pk"), kind=Deadline.Kind.INITIAL_DISCUSSION)
             .order_by("due_at", "pk").values(row=_JSONBObject(*_CLOCK_FIELDS))[:1])
    return queryset.annotate(initial_deadline_row=Subquery(first))


class _JSONBObject(Func):
    """``JSONB_BUILD_OBJECT('id', "id", …)`` of the named fields: the SQL JSONObject gives on PostgreSQL, its keys
    cast to text when the expression is made (once per process, _queue_base) rather than each time the page's query
    is compiled, which JSONObject does by copying itself with a new Cast and TextField for each key (issue 19)."""

    function = "JSONB_BUILD_OBJECT"
    output_field = JSONField()

    def __init__(self, *names: str):
        super().__init__(*(part for name in names for part in (Cast(Value(name), TextField()), F(name))))


def initial_deadline(referral: Referral) -> Deadline | None:
    """The referral's initial-discussion deadline as triage_queue read it (the columns the clock shows), or None."""
    row = referral.initial_deadline_row
    if not row:
        return None
    return Deadline(id=row["id"], referral_id=row["referral_id"], kind=row["kind"], status=row["status"],
                    due_at=parse_datetime(row["due_at"]), met_at=row["met_at"] and parse_datetime(row["met_at"]))


class DeadlineClock(NamedTuple):
    """What deadlines.wording.deadline_clock reads of a deadline (its status and when it is due), from the JSON
    object triage_queue reads: the queue's rows build no Deadline for their clocks."""

    status: str
    due_at: dt.datetime


def initial_deadline_clock(row: dict | None) -> DeadlineClock | None:
    """The clock's part of an ``initial_deadline_row`` read as a value (listing.queue_rows), or None."""
    if not row:
        return None
    return DeadlineClock(row["status"], parse_datetime(row["due_at"]))


# The columns the queue shows (allegations.listing.queue_rows): a referral has about seventy, and reading,
# compiling and building every one of them for 25 rows was a large part of the page's Python.
QUEUE_FIELDS = (
    "id", "reference", "lado_service_id", "subject_role", "employer_name", "category", "sector", "workforce",
    "received_at", "status",
    "subject__id", "subject__given_name", "subject__family_name", "subject__described_as",
    "assigned_to__id", "assigned_to__first_name", "assigned_to__last_name", "assigned_to__username",
)


# What a queue row shows (listing.queue_rows), read as values: building 25 referrals with their subjects and
# officers as models was a large part of the page's Python. The joins are the same as select_related's (the subject
# inner, the officer outer).
QUEUE_VALUES = (
    "reference", "subject_role", "employer_name", "category", "sector", "workforce", "received_at", "status",
    "subject__given_name", "subject__family_name", "subject__described_as",
    "assigned_to__first_name", "assigned_to__last_name", "assigned_to__username", "initial_deadline_row",
)


def triage_queue(*, user):
    """The LADO service's referrals: new work first, the 24-hour clock soonest first."""
    s = standing(user)
    key = triage_queue_key(user)
    # A copy of the one built for these services and this person once per process (issue 19: building it was a
    # twentieth of the queue's Python): it holds their ids and nothing read from the database (never evaluated
    # itself), so a change to a restriction or to the services is seen at once.
    queue = _TRIAGE_QUEUES.get(key) if user.pk is not None else None
    if queue is None:
        queue = _queue_base().filter(lado_service_id__in=s.lado_service_ids).open_to(user)
        if user.pk is None:
            return queue
        if len(_TRIAGE_QUEUES) >= 1024:
            _TRIAGE_QUEUES.clear()
        _TRIAGE_QUEUES[key] = queue
    return queue.all()


_TRIAGE_QUEUES: dict[tuple, object] = {}


def triage_queue_key(user) -> tuple:
    """Everything triage_queue's query for this person is made from: the services they work for and the person
    (whose restrictions it leaves out, by their id). Two people, or one person whose services change, never share
    a queue, nor the SQL kept for it (TRIAGE_QUEUE_READS)."""
    return (tuple(sorted(standing(user).lado_service_ids)), user.pk)


# The queue's count and page, their SQL kept per key (config.prepared.KeptReads): the view keys them by
# triage_queue_key, the filters' values, the order and the page (issue 19: compiling them was about 1.5 ms of each
# queue page's Python). Only SQL is kept: the rows, the restrictions included, are read afresh on each request.
TRIAGE_QUEUE_READS = KeptReads(Referral)


@functools.cache
def _queue_base():
    """What every queue shares, its columns, clock and order, resolved once per process (issue 19: resolving these
    expressions for each request was a tenth of the queue's Python). Never evaluated itself: each request filters a
    copy of it (a QuerySet's filter() copies)."""
    return (
        _with_initial_deadline(Referral.objects.select_related("subject", "assigned_to").only(*QUEUE_FIELDS))
        # Open work first, oldest (nearest its 24-hour clock) first; then the rest, newest first.
        # The same expressions as the referral_queue_order index, which serves this order.
        .alias(open_rank=queue_open_rank(), open_received=queue_open_received())
        .order_by("open_rank", F("open_received").asc(nulls_last=True), "-received_at", "-pk")
    )


def referrals_for_agency(*, user):
    s = standing(user)
    return (
        Referral.objects.filter(referring_agency_id__in=s.referrer_agency_ids | s.agency_ids)
        .select_related("subject", "referring_agency", "case")
        .order_by("-received_at")
    )


def _open_deadline_count(kinds=None):
    deadlines = Deadline.objects.filter(  # unmet: open, or marked overdue by the chasing sweep
        case=OuterRef("pk"), met_at__isnull=True, status__in=[Deadline.Status.OPEN, Deadline.Status.OVERDUE]
    )
    if kinds is not None:
        deadlines = deadlines.filter(kind__in=kinds)
    return (
        deadlines
        .order_by()
        .values("case")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )


# The case list's order, newest first, as a position for paging past its first pages (paging.Keyset).
CASE_LIST_KEYSET = Keyset("status", "opened_at", "pk")

# What a case list row shows (listing.case_rows), read as values, in this order, with the keyset's fields (the
# first and last rows' keys are the pages' links): building 25 cases with their referrals, subjects, agencies and
# owners as models was most of the page's Python. The joins are the same as select_related's (the referral and
# its subject inner, the owner outer), so the rows are the same.
CASE_LIST_VALUES = (
    "status", "opened_at", "pk", "outcome", "open_deadlines",
    "referral__reference", "referral__subject_role", "referral__employer_name",
    "referral__subject__given_name", "referral__subject__family_name", "referral__subject__described_as",
    "owner__first_name", "owner__last_name", "owner__username",
)


def case_list(*, user):
    """The cases the user may see (visible_to), each with its open deadlines counted, open cases first, newest
    first."""
    return _case_list_base(standing(user).is_lado).visible_to(user)


@functools.cache
def _case_list_base(lado: bool):
    """What every case list shares, its columns, count of open deadlines and order, resolved once per process for
    the LADO service and once for everyone else (issue 19: resolving the count's subquery and the order was a tenth
    of the list's Python). Never evaluated itself: each request filters a copy of it (visible_to)."""
    # Need to know: outside the LADO service, the count covers the deadlines every viewer of a case may see
    # (the employer's); the case page shows each person the rest their level allows.
    kinds = None if lado else [
        kind for kind, audience in DEADLINE_AUDIENCE.items() if sees(AccessLevel.EMPLOYER, audience)
    ]
    return (
        Case.objects.select_related("referral__subject", "referral__referring_agency", "owner")
        # A count per listed case (25 rows), not a GROUP BY over every case of the service.
        .annotate(open_deadlines=Coalesce(Subquery(_open_deadline_count(kinds)), 0))
        # Open cases first ("open" > "closed"), newest first: the case_status_opened index read backwards;
        # the pk settles ties (cases opened the same moment, e.g. imported), so pages never repeat a case.
        .order_by(*(f"-{field}" for field in CASE_LIST_KEYSET.fields))
    )


def previous_referrals(*, user, referral: Referral):
    """Other referrals about the same person record that the user may see."""
    return (
        Referral.objects.visible_to(user)
        .filter(subject=referral.subject)
        .exclude(pk=referral.pk)
        .select_related("case")
        .order_by("-received_at")
    )


def timeline(*, referral: Referral):
    """The whole business log of a referral and its case: the LADO service's view. Anyone else reads the
    timeline through case_parts_for / referral_parts_for, which keep only the events of parts they may see."""
    return Event.objects.filter(referral=referral).select_related("actor").order_by("-at", "-pk")


def earlier_records(*, user, referral: Referral, exclude_ids=()):
    """"Possible earlier records" of the referral's subject: suggested only among subjects of
    referrals this user may open (never another LADO service's, nor a restricted case's)."""
    from . import matching

    subject = referral.subject
    return matching.candidates(
        given=subject.given_name, family=subject.family_name, date_of_birth=subject.date_of_birth,
        exclude_ids=[subject.pk, *exclude_ids],
        within=Subject.objects.filter(referrals__in=Referral.objects.visible_to(user)),
    )


# --- Need to know: which parts of a case a person may see (issue 12 §1) ------------------------------------
#
# One selector decides, for pages, downloads and notices alike: viewer_level() gives the person's level on the
# case (the LADO service: full; an agency the case is shared with: the share's level; the referring agency:
# employer), and case_parts_for() returns only the parts whose audience that level sees. Templates render what
# they are given.


def viewer_level(user, referral: Referral) -> str | None:
    """The person's level on this referral and its case: full, safeguarding, employer, or None."""
    s = standing(user)
    if referral.lado_service_id in s.lado_service_ids:
        return AccessLevel.FULL
    levels = []
    if referral.referring_agency_id is not None and referral.referring_agency_id in s.outside_agency_ids:
        levels.append(AccessLevel.EMPLOYER)  # the referring agency starts at the employer level
    case = getattr(referral, "case", None) if _has_case(referral) else None
    if case is not None and s.outside_group_ids:
        levels.extend(case_share_levels(case=case, group_ids=s.outside_group_ids).values())
    return widest_level(levels)


def _has_case(referral: Referral) -> bool:
    try:
        referral.case
    except Case.DoesNotExist:
        return False
    return True


def sees(level: str | None, audience: str) -> bool:
    return level is not None and audience in AUDIENCES_SEEN[level]


def part_audiences(referral: Referral) -> dict[tuple[str, int], PartAudience]:
    """The items of this referral and its case whose audience was changed or held back: read with the referral or
    case by referral_get or case_get (the first call takes them, so a later one reads them afresh), else one query."""
    carried = referral.__dict__.pop("_part_audience_rows", None)
    if carried is None:
        rows = PartAudience.objects.filter(referral=referral)
    else:
        rows = [PartAudience(**{**row, "changed_at": parse_datetime(row["changed_at"])}) for row in carried]
    return {(row.part, row.part_id): row for row in rows}


def may_hold_from_employer(user, case: Case) -> bool:
    """The LADO service, and the police at the safeguarding level on this case, may mark an item "not for the
    employer while the investigation runs" and lift it (003 §34)."""
    s = standing(user)
    if case.referral.lado_service_id in s.lado_service_ids:
        return True
    police_groups = set(
        Agency.objects.filter(pk__in=s.outside_agency_ids, kind=AgencyKind.POLICE).values_list("group_id", flat=True)
    )
    if not police_groups:
        return False
    levels = case_share_levels(case=case, group_ids=police_groups)
    return AccessLevel.SAFEGUARDING in levels.values()


@dataclass
class ItemView:
    """One item with who may see it, for the LADO service's controls (audience) and the police's (held)."""

    item: object
    part: str
    audience: str
    default: str
    held: bool

    @property
    def label(self) -> str:
        """What the item is, in words, for the links that change who may see it."""
        item = self.item
        if self.part == Part.STRAND:
            return item.get_kind_display()
        if self.part == Part.SUSPENSION:
            return f"{item.get_arrangement_display()}, {item.decided_on:%d %B %Y}"
        if self.part == Part.REVIEW:
            return f"{item.get_kind_display()}, {item.held_on:%d %B %Y}"
        if self.part == Part.DOCUMENT:
            return f"document {item.pk}"
        if self.part == Part.PERSON_TOLD:
            return f"what the person was told, recorded {item.recorded_at:%d %B %Y}"
        if self.part == Part.PERSON_CONTACT:
            return f"named contact {item.name}"
        if self.part == Part.PERSON_SUPPORT:
            return f"{item.label().lower()}, offered {item.offered_on:%d %B %Y}"
        if self.part == Part.PERSON_UPDATE:
            return f"update to the person, {item.given_on:%d %B %Y}"
        return f"{Part(self.part).label.lower()} {item.pk}"


@dataclass
class CaseParts:
    """What one person may see of a case. Lists hold only the items their level allows; `shows` the sections."""

    level: str
    sections: frozenset
    strands: list = field(default_factory=list)
    suspensions: list = field(default_factory=list)
    reviews: list = field(default_factory=list)
    risks: list = field(default_factory=list)
    decisions: list = field(default_factory=list)
    disagreements: list = field(default_factory=list)
    regulator_referrals: list = field(default_factory=list)
    person_told: list = field(default_factory=list)
    person_contacts: list = field(default_factory=list)
    person_support: list = field(default_factory=list)
    person_updates: list = field(default_factory=list)
    # After the outcome (outcomes.py): complaints by their audience; the checklist and reopenings with the outcome.
    complaints: list = field(default_factory=list)
    outcome_checklist: list = field(default_factory=list)
    amendments: list = field(default_factory=list)
    children: list = field(default_factory=list)
    events: list = field(default_factory=list)
    deadline_kinds: frozenset = frozenset()
    # (part, id) -> ItemView for every item shown, so the page can show its audience and the hold.
    items: dict = field(default_factory=dict)
    may_hold: bool = False
    # The case's PartAudience rows by (part, id), read once.
    overrides: dict = field(default_factory=dict)

    def shows(self, section: str) -> bool:
        return section in self.sections

    @property
    def sees_rationale(self) -> bool:
        return self.shows(Section.LADO_WORK)

    def view_of(self, part: str, item) -> ItemView | None:
        return self.items.get((part, item.pk))

    def may_open(self, part: str) -> bool:
        """Whether the person may see any item of this part, judged without reading the items: its usual audience
        includes them, or the LADO service widened an item of it to them (the sub-navigation asks this)."""
        if sees(self.level, DEFAULT_AUDIENCE[part]):
            return True
        return any(p == part and sees(self.level, row.effective(DEFAULT_AUDIENCE[part]))
                   for (p, _), row in self.overrides.items())

    def opens(self, part: str) -> bool:
        """Whether the page shows this part's heading: its usual audience includes the person, or an item of it
        was widened to them. (An employer is not told "no risk assessment recorded" when there is one.)"""
        return sees(self.level, DEFAULT_AUDIENCE[part]) or any(p == part for p, _ in self.items)


def _sections_for(level: str) -> frozenset:
    return frozenset(section for section, audience in SECTION_AUDIENCE.items() if sees(level, audience))


def item_view(part: str, item, overrides: dict) -> ItemView:
    """Who may see this item: its default audience, as the LADO service changed it, less the employer while the
    police hold it back."""
    default = default_audience(part, item)
    row = overrides.get((part, item.pk))
    return ItemView(item=item, part=part, default=default, audience=row.effective(default) if row else default,
                    held=bool(row and row.held_from_employer))


def _visible_items(parts: CaseParts, part: str, items, overrides: dict) -> list:
    shown = []
    for item in items:
        view = item_view(part, item, overrides)
        if sees(parts.level, view.audience):
            shown.append(item)
            parts.items[(part, item.pk)] = view
    return shown


def _own_children(user, referral: Referral) -> bool:
    """The agency that gave us the children's details sees them, whatever its level: they are its own words."""
    return referral.referring_agency_id is not None and referral.referring_agency_id in standing(user).agency_ids


def _visible_events(level: str, referral: Referral, overrides: dict, *, limit: int) -> list:
    events = timeline(referral=referral)
    if level == AccessLevel.FULL:
        return list(events[:limit])
    allowed_verbs = [verb for verb, audience in VERB_AUDIENCE.items() if sees(level, audience)]
    candidates = list(events.filter(Q(verb__in=allowed_verbs) | ~Q(part=""))[: limit * 2])
    items = _event_items(candidates)
    shown = []
    for event in candidates:
        if event.part:
            item = items.get((event.part, event.part_id))
            if item is None:
                continue  # an item no longer there (or of a meeting): its event stays with the LADO service
            audience = item_view(event.part, item, overrides).audience
        else:
            audience = VERB_AUDIENCE[event.verb]
        if sees(level, audience):
            event.reason = ""  # the why of an event is the LADO service's reasoning (a decision's rationale…)
            shown.append(event)
    return shown[:limit]


def part_model(part: str):
    from records.models import Document  # records sits beside allegations; its documents are parts of a case

    return {Part.STRAND: Strand, Part.SUSPENSION: Suspension, Part.REVIEW: Review, Part.RISK: RiskAssessment,
            Part.DECISION: Decision, Part.DISAGREEMENT: Disagreement, Part.REGULATOR: RegulatorReferral,
            Part.DOCUMENT: Document, Part.PERSON_TOLD: PersonTold, Part.PERSON_CONTACT: PersonContact,
            Part.PERSON_SUPPORT: PersonSupport, Part.PERSON_UPDATE: PersonUpdate, Part.COMPLAINT: Complaint}[part]


def item_of(case: Case, part: str, part_id: int):
    """The item of this case (a document: of the case or its referral, not a meeting's), or None."""
    if part not in Part.values:
        return None
    if part == Part.DOCUMENT:
        condition = Q(case=case) | Q(referral_id=case.referral_id)
    else:
        condition = Q(case=case)
    return part_model(part).objects.filter(condition, pk=part_id).first()


def _event_items(events) -> dict:
    """The items events are about, by (part, id): one query per kind of part present."""
    wanted: dict[str, set] = {}
    for event in events:
        if event.part:
            wanted.setdefault(event.part, set()).add(event.part_id)
    found = {}
    for part, ids in wanted.items():
        for item in part_model(part).objects.filter(pk__in=ids):
            found[(part, item.pk)] = item
    return found


# What a page of the case reads besides the parts' audiences (CaseParts' lists): the case's sub-pages each load
# only their own kinds, so a page's queries are bounded by what it shows (views.CASE_PAGES).
CHILDREN_LIST = "children"
EVENTS = "events"
OUTCOME_RECORDS = "outcome_records"  # the outcome's checklist and the case's reopenings and amended outcomes


def case_parts_for(user, case: Case, *, timeline_limit: int = 100, load: frozenset | None = None) -> CaseParts:
    """Everything of the case this person may see, and nothing else: the case page, its PDFs and downloads read
    it. The caller has fetched the case through visible_to (so the person sees the case itself). `load` names the
    kinds of items to read (Part values, CHILDREN_LIST, EVENTS); None reads them all. What the person may see is
    decided here whatever is loaded: the lists not loaded stay empty."""
    referral = case.referral
    level = viewer_level(user, referral) or AccessLevel.EMPLOYER
    overrides = part_audiences(referral)
    parts = CaseParts(level=level, sections=_sections_for(level), may_hold=may_hold_from_employer(user, case),
                      overrides=overrides)

    def wanted(kind: str) -> bool:
        return load is None or kind in load

    if wanted(Part.STRAND):
        parts.strands = _visible_items(parts, Part.STRAND, case.strands.all(), overrides)
    if wanted(Part.SUSPENSION):
        parts.suspensions = _visible_items(parts, Part.SUSPENSION, case.suspensions.all(), overrides)
    if wanted(Part.REVIEW):
        parts.reviews = _visible_items(parts, Part.REVIEW, case.reviews.all(), overrides)
    if wanted(Part.RISK):
        parts.risks = _visible_items(parts, Part.RISK, case.risk_assessments.select_related("assessed_by"), overrides)
    if wanted(Part.DECISION):
        parts.decisions = _visible_items(parts, Part.DECISION, case.decisions.select_related("decided_by"), overrides)
    if wanted(Part.DISAGREEMENT):
        parts.disagreements = _visible_items(parts, Part.DISAGREEMENT, case.disagreements.all(), overrides)
        ladder_of(parts.disagreements)  # each one's escalation steps: only of those the person may see
    if wanted(Part.REGULATOR) and parts.shows(Section.OUTCOME):
        parts.regulator_referrals = _visible_items(parts, Part.REGULATOR, case.regulator_referrals.all(), overrides)
    if wanted(Part.PERSON_TOLD):
        parts.person_told = _visible_items(parts, Part.PERSON_TOLD, case.person_told.all(), overrides)
    if wanted(Part.PERSON_CONTACT):
        parts.person_contacts = _visible_items(parts, Part.PERSON_CONTACT, case.person_contacts.all(), overrides)
    if wanted(Part.PERSON_SUPPORT):
        parts.person_support = _visible_items(parts, Part.PERSON_SUPPORT, case.person_support.all(), overrides)
    if wanted(Part.PERSON_UPDATE):
        parts.person_updates = _visible_items(parts, Part.PERSON_UPDATE, case.person_updates.all(), overrides)
    if wanted(Part.COMPLAINT):
        parts.complaints = _visible_items(parts, Part.COMPLAINT, case.complaints.all(), overrides)
    if wanted(OUTCOME_RECORDS) and parts.shows(Section.OUTCOME):
        from .outcomes import current_checklist

        parts.outcome_checklist = current_checklist(case)
        parts.amendments = list(case.amendments.select_related("decided_by"))
    if parts.shows(Section.CHILDREN) or _own_children(user, referral):
        parts.sections |= {Section.CHILDREN}
        if wanted(CHILDREN_LIST):
            parts.children = list(referral.children.all())
    if wanted(EVENTS):
        parts.events = _visible_events(level, referral, overrides, limit=timeline_limit)
    parts.deadline_kinds = frozenset(
        Deadline.Kind.values if level == AccessLevel.FULL
        else [kind for kind, audience in DEADLINE_AUDIENCE.items() if sees(level, audience)]
    )
    return parts


# --- The case at a glance: its sub-pages and what it is waiting on -------------------------------------------


@dataclass(frozen=True)
class CaseTab:
    """One page of a case in its sub-navigation: `slug` names the page (views.CASE_PAGES)."""

    slug: str
    label: str


PERSON_PARTS = (Part.PERSON_TOLD, Part.PERSON_CONTACT, Part.PERSON_SUPPORT, Part.PERSON_UPDATE)


def person_views_between(user, case: Case, *, after, until) -> list:
    """The person's views recorded after `after` (the last meeting's time, or None: the start of the case) and up to
    `until` (this meeting's time), that this person may see: a meeting's papers (meetings.views.meeting_detail;
    002 §14: the person does not attend, their views are conveyed to the meeting)."""
    parts = case_parts_for(user, case, load=frozenset({Part.PERSON_UPDATE}))
    return sorted((u for u in parts.person_updates if u.views.strip() and u.recorded_at <= until
                   and (after is None or u.recorded_at > after)), key=lambda u: (u.recorded_at, u.pk))


def case_tabs(parts: CaseParts) -> list[CaseTab]:
    """The pages of the case this person may open, in the sub-navigation's order. A page they may not see is not
    listed, and its view answers 404 (views._case_page asks this list)."""
    tabs = [CaseTab("overview", "Overview"), CaseTab("strands", "Strands")]
    if parts.may_open(Part.DECISION) or parts.may_open(Part.DISAGREEMENT):
        tabs.append(CaseTab("decisions", "Decisions"))
    if any(parts.may_open(part) for part in PERSON_PARTS):
        tabs.append(CaseTab("person", "The person"))  # a fair process for the person (issue 16 §2)
    tabs += [CaseTab("meetings", "Meetings"), CaseTab("actions", "Actions"), CaseTab("documents", "Documents")]
    # What the outcome set off, complaints, reopening (outcomes.py): whoever sees the outcome.
    if parts.shows(Section.OUTCOME):
        tabs.append(CaseTab("conclusion", "Outcome"))
    if parts.shows(Section.CHILDREN):  # who told each child's parents or carers (people.people_told)
        tabs.append(CaseTab("people_told", "People told"))
    tabs.append(CaseTab("timeline", "Timeline"))
    if parts.shows(Section.ACCESS_LOG):
        tabs.append(CaseTab("access", "Access"))
    return tabs


# Whom each kind of deadline waits on, for the case summary (a meeting's minutes: its chair; an action: the
# agency that holds it, from the actions themselves).
WAITING_ON: dict[str, str] = {
    Deadline.Kind.INITIAL_DISCUSSION: "service", Deadline.Kind.STRATEGY_MEETING: "service",
    Deadline.Kind.CASE_REVIEW: "service", Deadline.Kind.ADMISSIONS_REVIEW: "service",
    Deadline.Kind.MINUTES_INITIAL: "chair", Deadline.Kind.MINUTES_REVIEW: "chair",
    Deadline.Kind.POLICE_REVIEW: "police",
    Deadline.Kind.EMPLOYER_ACTION: "employer", Deadline.Kind.DISCIPLINARY_HEARING: "employer",
    # The person's updates come from their named contact, usually at the employer (003 §35).
    Deadline.Kind.PERSON_UPDATE: "employer", Deadline.Kind.SUSPENSION_REVIEW: "employer",
}


@dataclass(frozen=True)
class Waiting:
    """One line of "waiting on": who, for what, and when it is due (in words)."""

    who: str
    what: str
    due: str
    overdue: bool = False


def waiting_on(*, referral: Referral, deadline_rows, actions, today) -> list[Waiting]:
    """What the case is waiting for and from whom: the unmet deadlines the person may see (deadline_rows, already
    filtered by case_parts_for's deadline_kinds) and the open actions they may see (meetings_context), by agency.
    Overdue first."""
    from .wording import wording

    words = wording(referral.workforce)
    names = {"service": f"The {words['service_name']}", "chair": "The chair of the meeting",
             "police": "The police", "employer": referral.employer_name or "The employer"}
    lines = []
    for deadline, state in deadline_rows:
        if state["status"] in (Deadline.Status.OPEN, Deadline.Status.OVERDUE) and deadline.kind in WAITING_ON:
            detail = state["detail"]  # "Due in 3 days", "Overdue by 2 hours"
            lines.append(Waiting(who=names[WAITING_ON[deadline.kind]], what=deadline.get_kind_display().lower(),
                                 due=detail[:1].lower() + detail[1:], overdue=state["status"] == Deadline.Status.OVERDUE))
    by_agency: dict[str, list] = {}
    for action in actions:
        if action.is_open:
            entry = by_agency.setdefault(action.agency.name, [0, 0, action.due_on])
            entry[0] += 1
            entry[1] += action.is_overdue(today)
            entry[2] = min(entry[2], action.due_on)
    for name, (count, late, soonest) in by_agency.items():
        what = f"{count} open action{'' if count == 1 else 's'}"
        due = f"{late} overdue" if late else f"the first due {soonest.day} {soonest:%B %Y}"
        lines.append(Waiting(who=name, what=what, due=due, overdue=bool(late)))
    return sorted(lines, key=lambda line: not line.overdue)


def next_deadline(deadline_rows):
    """The soonest unmet deadline the person may see, with its state in words, or None."""
    unmet = [(d, state) for d, state in deadline_rows
             if state["status"] in (Deadline.Status.OPEN, Deadline.Status.OVERDUE)]
    return min(unmet, key=lambda row: row[0].due_at) if unmet else None


def referral_parts_for(user, referral: Referral, *, timeline_limit: int = 50) -> CaseParts:
    """The referral page's parts: its case's when it has one; before that, the LADO service sees all and the
    referring agency its own referral (employer level, with the children it named)."""
    if _has_case(referral):
        return case_parts_for(user, referral.case, timeline_limit=timeline_limit)
    level = viewer_level(user, referral) or AccessLevel.EMPLOYER
    parts = CaseParts(level=level, sections=_sections_for(level))
    if parts.shows(Section.CHILDREN) or _own_children(user, referral):
        parts.sections |= {Section.CHILDREN}
        parts.children = list(referral.children.all())
    parts.events = _visible_events(level, referral, part_audiences(referral), limit=timeline_limit)
    return parts


def document_views(referral: Referral, documents, overrides: dict | None = None) -> dict[int, ItemView]:
    """Who may see each of a case's own documents (not a meeting's), for the case page's controls."""
    overrides = part_audiences(referral) if overrides is None else overrides
    return {d.pk: item_view(Part.DOCUMENT, d, overrides) for d in documents if not d.meeting_id}


def visible_documents(user, referral: Referral, documents) -> list:
    """The documents of a referral or its case (not a meeting's) this person may see: safeguarding by default,
    each one's audience as the LADO service set it, held back from the employer while the police say so; the
    referring agency also sees what its own people attached to the referral."""
    documents = list(documents)
    level = viewer_level(user, referral)
    if level is None:
        return []
    if level == AccessLevel.FULL:
        return documents
    overrides = part_audiences(referral)
    own_uploaders: set[int] = set()
    if referral.referring_agency_id in standing(user).agency_ids:
        from agencies.models import Membership

        own_uploaders = set(Membership.objects.filter(
            agency_id=referral.referring_agency_id, user_id__in={d.uploaded_by_id for d in documents},
        ).values_list("user_id", flat=True))
    shown = []
    for document in documents:
        view = item_view(Part.DOCUMENT, document, overrides)
        own = document.referral_id is not None and document.uploaded_by_id in own_uploaders
        if sees(level, view.audience) or (own and not view.held):
            shown.append(document)
    return shown


def who_opened(*, referral: Referral, limit: int = 20):
    """Who opened the referral or its case, read its meetings' minutes, downloaded their PDFs or its
    documents (records.selectors.readers_of combines the logs), newest first."""
    from records.selectors import readers_of

    return readers_of(referral=referral, limit=limit)


def lado_officers(*, service_ids):
    """The people who work for these LADO services (the officers a referral or case may be given to)."""
    # A copy of the one built for these services once per process (issue 19: building it was 0.2 ms of every queue
    # page): it holds the services' ids and nothing read from the database (never evaluated itself).
    return _lado_officers(tuple(sorted(service_ids))).all()


@functools.lru_cache(maxsize=256)
def _lado_officers(service_ids: tuple[int, ...]):
    from django.contrib.auth import get_user_model

    from agencies.models import LADO_ROLES

    return (
        get_user_model()
        .objects.filter(memberships__agency_id__in=service_ids, memberships__role__in=LADO_ROLES,
                 memberships__system=False, is_active=True)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def lado_officer_rows(*, service_ids) -> list[tuple]:
    """lado_officers(service_ids) as (id, first name, last name, username) rows, in its order, read afresh on each
    call; the SQL compiled once per process for each set of services (config.prepared: compiling it was half of what
    the queue's officer filter cost)."""
    return _lado_officer_rows(tuple(sorted(service_ids))).rows()


@functools.lru_cache(maxsize=256)
def _lado_officer_rows(service_ids: tuple[int, ...]):
    from config.prepared import Prepared

    return Prepared(lambda: _lado_officers(service_ids).values_list("pk", "first_name", "last_name", "username"))



def restriction_of(referral: Referral):
    """The referral's restriction (fetched with it by referral_get and case_get), or None."""
    from .models import Restriction

    try:
        return referral.restriction
    except Restriction.DoesNotExist:
        return None


def service_people(*, service_id: int):
    """Everyone of a LADO service and of the agencies it serves (who a restricted case may be about)."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    return (
        get_user_model().objects.filter(Q(memberships__agency_id=service_id)
                                        | Q(memberships__agency__lado_service_id=service_id),
                                        memberships__system=False, is_active=True)
        .distinct().order_by("first_name", "last_name", "username")
    )
