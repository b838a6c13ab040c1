"""The API's reads. Who sees what is decided by the pages' own selectors (allegations.selectors, whose
visible_to and need-to-know levels the client's service account goes through); this module only shapes rows."""

from __future__ import annotations

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from agencies.models import AccessLevel
from agencies.permissions import standing
from allegations import selectors as case_selectors
from allegations.models import DEADLINE_AUDIENCE, AccessLog, Part, Referral
from deadlines.models import Deadline

UNMET = (Deadline.Status.OPEN, Deadline.Status.OVERDUE)


def list_deadline_kinds(user) -> list[str] | None:
    """Deadline kinds a list may show: all for the LADO service; outside it, those every viewer of a case may
    see (the employer's), as the pages' case list counts them (allegations.selectors.case_list)."""
    if standing(user).is_lado:
        return None
    return [kind for kind, audience in DEADLINE_AUDIENCE.items() if case_selectors.sees(AccessLevel.EMPLOYER, audience)]


def _with_next_deadline(queryset, user, *, referral_path: str):
    kinds = list_deadline_kinds(user)
    soonest = Deadline.objects.filter(referral=OuterRef(referral_path), met_at__isnull=True, status__in=UNMET)
    if kinds is not None:
        soonest = soonest.filter(kind__in=kinds)
    soonest = soonest.order_by("due_at", "pk")
    return queryset.annotate(next_deadline_kind=Subquery(soonest.values("kind")[:1]),
                             next_deadline_due=Subquery(soonest.values("due_at")[:1]))


def next_deadline_of(row) -> dict | None:
    if not getattr(row, "next_deadline_kind", None):
        return None
    return deadline_dict(row.next_deadline_kind, row.next_deadline_due)


def deadline_dict(kind: str, due_at, status: str = "") -> dict:
    return {"kind": kind, "description": Deadline.Kind(kind).label, "due_at": due_at,
            "overdue": status == Deadline.Status.OVERDUE or due_at < timezone.now()}


def referrals(*, user):
    """The referrals the client's agency may see (visible_to: what it sent, and those of cases shared with it)."""
    queryset = Referral.objects.visible_to(user).select_related("referring_agency", "case")
    return _with_next_deadline(queryset, user, referral_path="pk")


def cases(*, user):
    """The pages' case list (allegations.selectors.case_list): the cases the client's agency may see."""
    return _with_next_deadline(case_selectors.case_list(user=user), user, referral_path="referral_id")


def case_detail(*, user, reference: str) -> dict:
    """One case at the client's level (case_parts_for: the same parts the case page shows it)."""
    case = case_selectors.case_get(user=user, reference=reference)
    parts = case_selectors.case_parts_for(user, case, load=frozenset({Part.STRAND}))
    deadlines = [
        deadline_dict(d.kind, d.due_at, d.status)
        for d in Deadline.objects.filter(referral=case.referral, met_at__isnull=True, status__in=UNMET,
                                         kind__in=parts.deadline_kinds).order_by("due_at", "pk")
    ]
    return {"case": case, "parts": parts, "deadlines": deadlines}


def log_reads(*, user, referral_rows=(), case_rows=()) -> None:
    """Every record a client read, in the access log under its name (one insert for a page of a list)."""
    rows = [AccessLog(user=user, referral=r, what="referral") for r in referral_rows]
    rows += [AccessLog(user=user, referral=c.referral, case=c, what="case") for c in case_rows]
    if rows:
        AccessLog.objects.bulk_create(rows)


EXPORTED = "case_export"  # AccessLog.what of a referral sent in the export (records.selectors.ACCESS_LABELS)


def log_export(*, user, within) -> int:
    """Every referral (with its case) the export sends, in the access log under the client's name: written before
    the file is streamed, in batches, so a large export is one insert per 5,000 referrals."""
    rows = [AccessLog(user=user, referral_id=referral_id, case_id=case_id, what=EXPORTED)
            for referral_id, case_id in within.values_list("pk", "case__pk").order_by()]
    AccessLog.objects.bulk_create(rows, batch_size=5000)
    return len(rows)
