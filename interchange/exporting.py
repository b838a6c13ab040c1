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
from allegations.models import Child, OtherSubject, Referral, RegulatorReferral
from deadlines import services as deadline_rules
from deadlines.models import Deadline
from meetings.models import Meeting, MeetingStatus

from . import after_outcome, case_records, disagreements
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
        **_transfer_record(referral, tz),
        "subject_described_as": _or_none(subject.described_as),
    }
    assert tuple(record) == CASE_COLUMN_NAMES
    return record


def _transfer_record(referral: Referral, tz: ZoneInfo) -> dict:
    """The transfer columns (columns.TRANSFER_COLUMNS) of a referral."""
    transfer = getattr(referral, "transfer_out", None)  # a reverse one-to-one: None when there is none
    return {
        "transferred_from": _or_none(referral.transferred_from),
        "transfer_to_authority": transfer.authority_name if transfer else None,
        "transfer_contact_name": transfer.contact_name if transfer else None,
        "transfer_contact_email": _or_none(transfer.contact_email) if transfer else None,
        "transfer_contact_phone": _or_none(transfer.contact_phone) if transfer else None,
        "transfer_sent_at": format_datetime(transfer.sent_at, tz) if transfer else None,
        "transfer_lead_authority": transfer.lead_authority if transfer else None,
        "transfer_lead_agreed_with": transfer.lead_agreed_with if transfer else None,
        "transfer_lead_agreed_on": format_date(transfer.lead_agreed_on) if transfer else None,
        "transfer_acknowledged_at": format_datetime(transfer.acknowledged_at, tz) if transfer else None,
        "transfer_acknowledged_by": _or_none(transfer.acknowledged_by) if transfer else None,
    }


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
        "transferred_from": _or_none(row.transferred_from),
        "transfer_to_authority": _or_none(row.transfer_to_authority),
        "transfer_contact_name": _or_none(row.transfer_contact_name),
        "transfer_contact_email": _or_none(row.transfer_contact_email),
        "transfer_contact_phone": _or_none(row.transfer_contact_phone),
        "transfer_sent_at": format_datetime(row.transfer_sent_at, tz),
        "transfer_lead_authority": _or_none(row.transfer_lead_authority),
        "transfer_lead_agreed_with": _or_none(row.transfer_lead_agreed_with),
        "transfer_lead_agreed_on": format_date(row.transfer_lead_agreed_on),
        "transfer_acknowledged_at": format_datetime(row.transfer_acknowledged_at, tz),
        "transfer_acknowledged_by": _or_none(row.transfer_acknowledged_by),
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


def referrals_for_comparison():
    """Referrals with what `referral_record` and their held meetings' `meeting_record` read, and nothing more: the
    import compares a row with a reference already in the product through them (a re-import reads every one)."""
    return Referral.objects.select_related("subject", "referring_agency", "case", "transfer_out").prefetch_related(
        Prefetch("case__regulator_referrals", queryset=RegulatorReferral.objects.order_by("made_on", "pk")),
        Prefetch("case__meetings", queryset=Meeting.objects.filter(status=MeetingStatus.HELD).order_by("held_at", "pk"),
                 to_attr="held_meetings"),
    )


def referrals_for_export():
    """Every referral with what its record needs, in export order (prefetched per chunk by iterator())."""
    return (
        Referral.objects.select_related("subject", "referring_agency", "case", "transfer_out")
        .prefetch_related(
            Prefetch("case__regulator_referrals", queryset=RegulatorReferral.objects.order_by("made_on", "pk")),
            Prefetch("case__meetings", queryset=Meeting.objects.filter(status=MeetingStatus.HELD).order_by("held_at", "pk"),
                     to_attr="held_meetings"),
            Prefetch("deadlines", queryset=Deadline.objects.order_by("due_at", "kind", "pk")),
            "case__disagreements__steps",
            Prefetch("children", queryset=Child.objects.select_related("parents_told").order_by("pk")),
            Prefetch("other_subjects", queryset=OtherSubject.objects.select_related("subject").order_by("pk")),
            "associated_people",
            "case__suspensions", "case__person_told", "case__person_contacts", "case__person_support", "case__letters",
            "case__person_updates",
            *after_outcome.PREFETCH,
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
    record["disagreements"] = disagreements.records_of(case, tz)
    record.update(people_records(referral))
    record.update(case_records.export_records(case))  # the arrangements and the person's records (issue 16)
    record.update(after_outcome.records(case, tz))
    return record


def _told(child: Child):
    try:
        return child.parents_told
    except Child.parents_told.RelatedObjectDoesNotExist:
        return None


def child_record(child: Child) -> dict:
    told = _told(child)
    return {
        "given_name": child.given_name, "family_name": _or_none(child.family_name),
        "date_of_birth": format_date(child.date_of_birth), "relationship": child.relationship,
        "social_worker": child.social_worker, "looked_after": child.looked_after,
        "parents_told": told.told if told else None,
        "parents_told_on": format_date(told.told_on) if told else None,
        "parents_told_by": _or_none(told.told_by) if told else None,
        "parents_told_what": _or_none(told.what_told) if told else None,
        "parents_not_told_reason": _or_none(told.not_told_reason) if told else None,
        "child_views": _or_none(told.child_views) if told else None,
    }


def people_records(referral: Referral) -> dict:
    """The people of a referral beyond its subject (columns.PEOPLE_LISTS), in the order they were recorded."""
    return {
        "children": [child_record(c) for c in referral.children.all()],
        "associated_people": [{"name": p.name, "relationship": p.relationship, "notes": _or_none(p.notes)}
                              for p in sorted(referral.associated_people.all(), key=lambda p: p.pk)],
        "other_subjects": [{"given_name": o.subject.given_name, "family_name": o.subject.family_name,
                            "date_of_birth": format_date(o.subject.date_of_birth), "role": _or_none(o.subject_role),
                            "employment_type": _or_none(o.employment_type)} for o in referral.other_subjects.all()],
    }


def _instant(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def export_lines(*, chunk_size: int = 2000, now: dt.datetime | None = None, within=None) -> Iterator[str]:
    """The export, one line of JSON per referral (streamed: memory does not grow with the rows). `within`, a
    queryset of referrals, limits it (the partner API: one LADO service's, without restricted ones)."""
    partnership = Partnership.objects.order_by("pk").first() or Partnership()
    tz = ZoneInfo(partnership.time_zone)
    now = now or timezone.now()
    referrals = referrals_for_export()
    if within is not None:
        referrals = referrals.filter(pk__in=within.values("pk"))
    for referral in referrals.iterator(chunk_size=chunk_size):
        yield json.dumps(full_record(referral, tz, now), ensure_ascii=False) + "\n"
