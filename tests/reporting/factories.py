"""Contacts, closed cases and meetings at chosen instants, for the annual report's counts.

Rows are written with the ORM (the report reads columns, and the services stamp "now"), with the
stored measures (timeliness, closed months) computed by deadlines.measures as the services do.
"""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

from agencies.models import Partnership
from allegations.models import Case, CaseStatus, ContactType, Referral, RegulatorReferral, Subject
from deadlines import measures
from meetings.models import Meeting, MeetingStatus

LONDON = ZoneInfo("Europe/London")
_numbers = itertools.count(1)


def local(*args, fold: int = 0) -> dt.datetime:
    """A Europe/London wall-clock time (fold=1: the second of a repeated hour)."""
    return dt.datetime(*args, tzinfo=LONDON, fold=fold)


def contact(*, lado_service, received_at, contact_type=ContactType.REFERRAL, timing="contemporaneous",
            sector="education", category="physical", concern_arose_at=None, workforce="children") -> Referral:
    partnership = Partnership.current()
    subject = Subject.objects.create(given_name="Report", family_name=f"Subject{next(_numbers)}")
    referral = Referral.objects.create(
        reference=f"MAS-TEST-{next(_numbers):05d}", lado_service=lado_service, received_at=received_at,
        concern_arose_at=concern_arose_at, contact_type=contact_type, timing=timing, sector=sector,
        category=category if contact_type == ContactType.REFERRAL else "", workforce=workforce, subject=subject,
        employer_name="Riverside Primary",
        timeliness=measures.referral_timeliness(received_at, concern_arose_at, partnership),
    )
    return referral


def closed_case(*, lado_service, received_at, closed_at=None, timing="contemporaneous", outcome="substantiated",
                police_outcome="", employer_outcome="", dbs_referral_on=None, **fields) -> Case:
    referral = contact(lado_service=lado_service, received_at=received_at, timing=timing, **fields)
    partnership = Partnership.current()
    return Case.objects.create(
        referral=referral, opened_at=received_at, status=CaseStatus.CLOSED if closed_at else CaseStatus.OPEN,
        outcome=outcome if closed_at else "", police_outcome=police_outcome, employer_outcome=employer_outcome,
        closed_at=closed_at, closed_months=measures.closed_months(received_at, closed_at, partnership),
        dbs_referral_on=dbs_referral_on,
    )


def regulator_referral(case, made_on) -> RegulatorReferral:
    return RegulatorReferral.objects.create(case=case, regulator="TRA", made_on=made_on, made_by="The employer")


def held_meeting(case, *, kind, held_at, chaired_by_service=True, status=MeetingStatus.HELD) -> Meeting:
    return Meeting.objects.create(case=case, kind=kind, scheduled_at=held_at, held_at=held_at,
                                  status=status, chaired_by_service=chaired_by_service)
