"""The export (interchange.md): one JSON object per referral, in received_at order.

`referral_record()` gives a referral's columns exactly as the export writes them; the
importer compares a row with an existing reference through the same function
(`row_record()` spells a row the same way), so product-created and imported records
are treated alike.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from zoneinfo import ZoneInfo

from django.db.models import Prefetch
from django.utils import timezone

from agencies.models import Partnership
from allegations.models import Referral, RegulatorReferral
from deadlines import services as deadline_rules
from deadlines.models import Deadline
from meetings.models import Meeting, MeetingStatus

from .columns import CASE_COLUMN_NAMES
from .values import format_date, format_datetime


def _or_none(text: str) -> str | None:
    return text if text else None


def _arose(value: dt.datetime | None, date_only: bool, tz: ZoneInfo) -> str | None:
    if value is None:
        return None
    if date_only:
        return value.astimezone(tz).date().isoformat()
    return format_datetime(value, tz)


def referral_record(referral: Referral, tz: ZoneInfo) -> dict:
    """The cases.csv columns of a referral (its case, outcome and first regulator referral included)."""
    case = getattr(referral, "case", None) if _has_case(referral) else None
    regulator = None
    if case is not None:
        regulators = sorted(case.regulator_referrals.all(), key=lambda r: (r.made_on, r.pk))
        regulator = regulators[0] if regulators else None
    subject = referral.subject
    referrer = referral.referring_agency.name if referral.referring_agency_id else referral.referrer_agency_name
    closed_at = case.closed_at if case is not None else referral.closed_at
    record = {
        "reference": referral.reference,
        "workforce": referral.workforce,
        "contact_type": referral.contact_type,
        "timing": referral.timing,
        "received_at": format_datetime(referral.received_at, tz),
        "allegation_arose_at": _arose(referral.concern_arose_at, referral.concern_arose_date_only, tz),
        "subject_given_name": subject.given_name,
        "subject_family_name": subject.family_name,
        "subject_date_of_birth": format_date(subject.date_of_birth),
        "subject_role": _or_none(referral.subject_role),
        "employer_name": referral.employer_name,
        "sector": referral.sector,
        "category": _or_none(referral.category),
        "referrer_agency": _or_none(referrer),
        "children_count": referral.children_count,
        "initial_discussion_at": format_datetime(referral.initial_discussion_at, tz),
        "route": _or_none(case.route) if case else None,
        "outcome": _or_none(case.outcome) if case else None,
        "police_outcome": _or_none(case.police_outcome) if case else None,
        "employer_outcome": _or_none(case.employer_outcome) if case else None,
        "dbs_referral_at": format_date(case.dbs_referral_on) if case else None,
        "regulator_referral_at": format_date(regulator.made_on) if regulator else None,
        "regulator": regulator.regulator if regulator else None,
        "closed_at": format_datetime(closed_at, tz),
        "subject_described_as": _or_none(subject.described_as),
    }
    assert tuple(record) == CASE_COLUMN_NAMES
    return record


def _has_case(referral: Referral) -> bool:
    try:
        return referral.case is not None
    except Referral.case.RelatedObjectDoesNotExist:
        return False


def row_record(row, tz: ZoneInfo) -> dict:
    """A validated cases.csv row (validating.CaseRow), spelled as the export spells a referral."""
    return {
        "reference": row.reference,
        "workforce": row.workforce,
        "contact_type": row.contact_type,
        "timing": row.timing,
        "received_at": format_datetime(row.received_at, tz),
        "allegation_arose_at": _arose(row.allegation_arose_at, row.arose_date_only, tz),
        "subject_given_name": row.subject_given_name,
        "subject_family_name": row.subject_family_name,
        "subject_date_of_birth": format_date(row.subject_date_of_birth),
        "subject_role": _or_none(row.subject_role),
        "employer_name": row.employer_name,
        "sector": row.sector,
        "category": _or_none(row.category),
        "referrer_agency": _or_none(row.referrer_agency),
        "children_count": row.children_count,
        "initial_discussion_at": format_datetime(row.initial_discussion_at, tz),
        "route": _or_none(row.route),
        "outcome": _or_none(row.outcome),
        "police_outcome": _or_none(row.police_outcome),
        "employer_outcome": _or_none(row.employer_outcome),
        "dbs_referral_at": format_date(row.dbs_referral_at),
        "regulator_referral_at": format_date(row.regulator_referral_at),
        "regulator": _or_none(row.regulator),
        "closed_at": format_datetime(row.closed_at, tz),
        "subject_described_as": _or_none(row.subject_described_as),
    }


def meeting_record(meeting: Meeting, tz: ZoneInfo) -> dict:
    return {
        "kind": meeting.kind,
        "held_at": format_datetime(meeting.held_at, tz),
        "chaired_by_service": meeting.chaired_by_service,
        "minutes_circulated_at": format_datetime(meeting.minutes_circulated_at, tz),
    }


def deadline_record(deadline: Deadline, tz: ZoneInfo, now: dt.datetime) -> dict:
    return {
        "kind": deadline.kind,
        "due_at": format_datetime(deadline.due_at, tz),
        "met_at": format_datetime(deadline.met_at, tz),
        "status": deadline_rules.current_status(deadline, now),
    }


def referrals_for_export():
    """Every referral with what its record needs, in export order (prefetched per chunk by iterator())."""
    return (
        Referral.objects.select_related("subject", "referring_agency", "case")
        .prefetch_related(
            Prefetch("case__regulator_referrals", queryset=RegulatorReferral.objects.order_by("made_on", "pk")),
            Prefetch("case__meetings", queryset=Meeting.objects.filter(status=MeetingStatus.HELD).order_by("held_at", "pk"),
                     to_attr="held_meetings"),
            Prefetch("deadlines", queryset=Deadline.objects.order_by("due_at", "kind", "pk")),
        )
        .order_by("received_at", "reference")
    )


def full_record(referral: Referral, tz: ZoneInfo, now: dt.datetime) -> dict:
    record = referral_record(referral, tz)
    case = referral.case if _has_case(referral) else None
    meetings = [meeting_record(m, tz) for m in (case.held_meetings if case is not None else [])]
    meetings.sort(key=lambda m: (_instant(m["held_at"]), m["kind"], m["chaired_by_service"], m["minutes_circulated_at"] or ""))
    record["meetings"] = meetings
    deadlines = [deadline_record(d, tz, now) for d in referral.deadlines.all()]
    deadlines.sort(key=lambda d: (_instant(d["due_at"]), d["kind"], _instant(d["met_at"]) if d["met_at"] else dt.datetime.max.replace(tzinfo=dt.UTC), d["status"]))
    record["deadlines"] = deadlines
    return record


def _instant(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def export_lines(*, chunk_size: int = 2000, now: dt.datetime | None = None) -> Iterator[str]:
    """The export, one line of JSON per referral (streamed: memory does not grow with the rows)."""
    partnership = Partnership.objects.order_by("pk").first() or Partnership()
    tz = ZoneInfo(partnership.time_zone)
    now = now or timezone.now()
    for referral in referrals_for_export().iterator(chunk_size=chunk_size):
        yield json.dumps(full_record(referral, tz, now), ensure_ascii=False) + "\n"
