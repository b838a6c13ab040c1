"""Reads that take the user: which documents they may see (404 otherwise), and the access log for an audit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import CharField, F, IntegerField, Q, Value
from django.db.models.functions import Cast, Coalesce, Concat
from django.http import Http404

from agencies.permissions import standing

from .models import Document, ViewLog
from .parents import model, rule

if TYPE_CHECKING:  # names for the annotations only: records imports no app above it (parents.py)
    from allegations.models import Case, Referral
    from meetings.models import Meeting


def _referrals():
    return model("allegations", "Referral").objects


def _cases():
    return model("allegations", "Case").objects


def _meetings():
    return model("meetings", "Meeting").objects


def _visible_documents(user, referral, documents):
    return rule("visible_documents")(user, referral, documents)


def _is_case_lado(user, case) -> bool:
    return rule("case_lado")(user, case)

# --- Documents ------------------------------------------------------------------------------------------


def _meeting_insider(user, meeting: Meeting) -> bool:
    """The LADO service, the chair and the minute taker see every document of a meeting; invitees only
    those shared with them."""
    return rule("meeting_insider")(user, meeting)


def may_see(user, document: Document) -> bool:
    """The record it belongs to, and for a referral's or a case's document its audience (need to know:
    allegations.selectors.visible_documents, the rule the case page lists by)."""
    if document.referral_id or document.case_id:
        visible = (_referrals().visible_to(user).filter(pk=document.referral_id) if document.referral_id
                   else _cases().visible_to(user).filter(pk=document.case_id))
        if not visible.exists():
            return False
        referral = document.referral if document.referral_id else document.case.referral
        return bool(_visible_documents(user, referral, [document]))
    meeting = _meetings().visible_to(user).filter(pk=document.meeting_id).select_related("case__referral").first()
    return meeting is not None and (document.shared_with_invitees or _meeting_insider(user, meeting))


def document_get(*, user, pk: int) -> Document:
    """A document the user may see (its parent, and for a meeting's, its audience): otherwise 404, whether
    it exists or not."""
    document = (
        Document.objects.select_related("referral", "case__referral", "meeting__case__referral", "uploaded_by")
        .filter(pk=pk).first()
    )
    if document is None or not may_see(user, document):
        raise Http404("No document with that number")
    return document


def lado_service_id_of(document: Document) -> int | None:
    if document.referral_id:
        return document.referral.lado_service_id
    if document.case_id:
        return document.case.referral.lado_service_id
    return document.meeting.case.referral.lado_service_id if document.meeting.case_id else None


def referral_of(document: Document) -> Referral | None:
    if document.referral_id:
        return document.referral
    if document.case_id:
        return document.case.referral
    return document.meeting.case.referral if document.meeting.case_id else None


def may_withdraw(user, document: Document) -> bool:
    """Only the LADO service holding the record withdraws a document."""
    return lado_service_id_of(document) in standing(user).lado_service_ids


def may_upload(user, *, referral: Referral | None = None, case: Case | None = None,
               meeting: Meeting | None = None) -> bool:
    """The LADO service, to any of its records; the referring agency's referrers, to their referral; the
    chair, to their meeting. (The record itself has been fetched through visible_to already.)"""
    s = standing(user)
    if referral is not None:
        return referral.lado_service_id in s.lado_service_ids or referral.referring_agency_id in s.referrer_agency_ids
    if case is not None:
        return case.referral.lado_service_id in s.lado_service_ids
    return meeting is not None and rule("meeting_manager")(user, meeting) and not meeting.is_cancelled


@dataclass
class DocumentList:
    documents: list[Document]
    upload_url: str | None
    withdraw: bool


def documents_of(*, user, referral: Referral | None = None, case: Case | None = None,
                 meeting: Meeting | None = None) -> list[Document]:
    """The documents of a record the user already sees. A case's page lists its referral's too (when the
    user may see the referral). Withdrawn documents only for the LADO service, which may see why."""
    if case is not None:
        condition = Q(case=case)
        lado = case.referral.lado_service_id in standing(user).lado_service_ids
        if lado or _referrals().visible_to(user).filter(pk=case.referral_id).exists():
            condition |= Q(referral_id=case.referral_id)
    elif referral is not None:
        condition = Q(referral=referral)
        lado = referral.lado_service_id in standing(user).lado_service_ids
    else:
        condition = Q(meeting=meeting)
        if not _meeting_insider(user, meeting):
            condition &= Q(shared_with_invitees=True)
        lado = _is_case_lado(user, meeting.case)
    documents = Document.objects.filter(condition).select_related("uploaded_by", "withdrawn_by")
    if not lado:
        documents = documents.filter(withdrawn_at__isnull=True)
    documents = list(documents.order_by("-uploaded_at", "-pk"))
    if meeting is None:  # a meeting's documents go to its invitees by the chair's choice (shared_with_invitees)
        documents = _visible_documents(user, case.referral if case is not None else referral, documents)
    return documents


# --- The access log -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Reader:
    """One line of "who has opened this": one person's reads of one kind, `count` of them from `first_at`
    to `at` (the newest)."""

    name: str
    username: str
    at: dt.datetime
    label: str
    count: int = 1
    first_at: dt.datetime | None = None


ACCESS_LABELS = {"referral": "Opened the referral", "case": "Opened the case", "minutes": "Read the minutes",
                 "meeting": "Opened a meeting", "pdf": "Downloaded a PDF of the minutes",
                 "case_export": "Exported with the service's cases",
                 **{k: v for k, v in ViewLog.What.choices}}

# How many of each log's newest reads of one referral are grouped (each an index read of that log): older
# reads beyond these are left to the audit page.
READS_SCANNED = 500

# Reads by one person, of one kind, each within this time of the one before, show as one line with a count.
READS_RUN_GAP = dt.timedelta(hours=1)


def _readers(queryset, what):
    return queryset.annotate(
        r_at=F("at"), r_what=what, r_username=F("user__username"), r_first=F("user__first_name"),
        r_last=F("user__last_name"),
    ).values_list("r_at", "r_what", "r_username", "r_first", "r_last")


# The runs are found in SQL: a read starts a new run unless the same person's previous read of the same kind
# was at most READS_RUN_GAP before it (LAG); the running count of starts numbers the runs; one row per run.
_RUNS_SQL = """
WITH reads AS ({reads}),
marked AS (
    SELECT r_at, r_what, r_username, r_first, r_last,
           CASE WHEN r_at - LAG(r_at) OVER (PARTITION BY r_username, r_what ORDER BY r_at) <= %s
                THEN 0 ELSE 1 END AS starts
    FROM reads
),
numbered AS (
    SELECT r_at, r_what, r_username, r_first, r_last,
           SUM(starts) OVER (PARTITION BY r_username, r_what ORDER BY r_at
                             ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS run
    FROM marked
)
SELECT MIN(r_at), MAX(r_at), COUNT(*), r_what, r_username, MAX(r_first), MAX(r_last)
FROM numbered
GROUP BY r_username, r_what, run
ORDER BY MAX(r_at) DESC, r_username
LIMIT %s
"""


def readers_of(*, referral: Referral, limit: int = 20) -> list[Reader]:
    """Who has opened the referral, its case, its meetings' minutes and its documents, newest first: one query
    over the three logs (each read through its referral index). Repeated reads by one person (the same kind of
    read, each within an hour of the one before) come back as one Reader with a count: grouped in the query."""
    from django.db import connection

    AccessLog, PdfDownload = model("allegations", "AccessLog"), model("meetings", "PdfDownload")

    # Each branch newest first and limited on its own (PostgreSQL reads just READS_SCANNED rows of each index).
    reads = _readers(AccessLog.objects.filter(referral=referral), F("what")).order_by("-at")[:READS_SCANNED].union(
        _readers(ViewLog.objects.filter(referral=referral), F("what")).order_by("-at")[:READS_SCANNED],
        _readers(PdfDownload.objects.filter(pdf__version__minutes__meeting__case__referral=referral),
                 Value("pdf", output_field=CharField())).order_by("-at")[:READS_SCANNED],
        all=True,
    )
    sql, params = reads.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(_RUNS_SQL.format(reads=sql), [*params, READS_RUN_GAP, limit])
        rows = cursor.fetchall()
    return [Reader(name=f"{first} {last}".strip() or username, username=username, at=last_at,
                   label=ACCESS_LABELS.get(what, what), count=count, first_at=first_at)
            for first_at, last_at, count, what, username, first, last in rows]


def may_audit(user) -> bool:
    """The LADO service manager (their service's records) and the partnership administrator (all)."""
    s = standing(user)
    return s.is_lado_manager or s.is_administrator


_COLUMNS = ("at", "user_id", "username", "first_name", "last_name", "what", "reference", "meeting_number",
            "document_number", "detail")


def _shape(queryset, *, what, reference, meeting, document, detail):
    return queryset.annotate(
        a_username=F("user__username"), a_first_name=F("user__first_name"), a_last_name=F("user__last_name"),
        a_what=what, a_reference=reference, a_meeting=meeting, a_document=document, a_detail=detail,
    ).values_list("at", "user_id", "a_username", "a_first_name", "a_last_name", "a_what", "a_reference",
                  "a_meeting", "a_document", "a_detail")


NO_NUMBER = Value(None, output_field=IntegerField())
NO_TEXT = Value("", output_field=CharField())


def access_log(*, user, date_from: dt.date | None = None, date_to: dt.date | None = None, person: str = "",
               reference: str = ""):
    """Every logged read the auditor may see, from the three logs, newest first (a UNION ALL, so it pages and
    streams in the database). Each row: the _COLUMNS in order. No names of children or subjects: a document
    is shown by its number and kind, not its title."""
    from django.utils import timezone

    s = standing(user)
    sources = {
        "access": model("allegations", "AccessLog").objects.all(),
        "view": ViewLog.objects.all(),
        "pdf": model("meetings", "PdfDownload").objects.all(),
    }
    service = {"access": "referral__lado_service_id", "view": "referral__lado_service_id",
               "pdf": "pdf__version__minutes__meeting__case__referral__lado_service_id"}
    ref_field = {"access": "referral__reference", "view": "referral__reference",
                 "pdf": "pdf__version__minutes__meeting__case__referral__reference"}
    tz = timezone.get_current_timezone()
    for key, queryset in sources.items():
        if not s.is_administrator:
            queryset = queryset.filter(**{f"{service[key]}__in": s.managed_service_ids})
            # A restricted referral's reads: only for the managers named on it.
            queryset = queryset.exclude(**{f"{service[key].removesuffix('__lado_service_id')}_id__in":
                                           rule("hidden_referral_ids")(user)})
        if date_from:
            queryset = queryset.filter(at__gte=dt.datetime.combine(date_from, dt.time.min, tzinfo=tz))
        if date_to:
            queryset = queryset.filter(at__lt=dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz))
        if person:
            queryset = queryset.annotate(a_name=Concat("user__first_name", Value(" "), "user__last_name")).filter(
                Q(user__username__iexact=person) | Q(a_name__icontains=person))
        if reference:
            queryset = queryset.filter(**{ref_field[key]: reference.strip()})
        sources[key] = queryset.order_by()
    access = _shape(sources["access"], what=F("what"), reference=F("referral__reference"), meeting=NO_NUMBER,
                    document=NO_NUMBER, detail=NO_TEXT)
    views = _shape(sources["view"], what=F("what"), reference=F("referral__reference"), meeting=F("meeting_id"),
                   document=F("document_id"),
                   detail=Coalesce(F("document__kind"), NO_TEXT))
    pdfs = _shape(sources["pdf"], what=Value("pdf", output_field=CharField()),
                  reference=F("pdf__version__minutes__meeting__case__referral__reference"),
                  meeting=F("pdf__version__minutes__meeting_id"), document=NO_NUMBER,
                  detail=Concat(Value("version "), Cast(F("pdf__version__number"), CharField()), Value(", "),
                                F("pdf__variant"), output_field=CharField()))
    return access.union(views, pdfs, all=True).order_by("-at")


def documents_context(user, *, referral: Referral | None = None, case: Case | None = None,
                      meeting: Meeting | None = None) -> dict:
    """What templates/records/_documents.html needs, for a record the user already sees."""
    from django.urls import reverse

    if case is not None:
        upload = reverse("records:case_document_upload", args=[case.referral.reference])
        withdraw = case.referral.lado_service_id in standing(user).lado_service_ids
    elif referral is not None:
        upload = reverse("records:referral_document_upload", args=[referral.reference])
        withdraw = referral.lado_service_id in standing(user).lado_service_ids
    else:
        upload = reverse("records:meeting_document_upload", args=[meeting.pk])
        withdraw = _is_case_lado(user, meeting.case)
    may = may_upload(user, referral=referral, case=case, meeting=meeting)
    return {
        "documents": documents_of(user=user, referral=referral, case=case, meeting=meeting),
        "documents_upload_url": upload if may else None,
        "documents_withdraw": withdraw,
    }
