"""The retention schedule and which records are past it (issue 7 §5).

Defaults (a partnership can change them on /governance/retention/rules/), decided from seed 003 and the
statutory guidance it cites:

- Closed cases — 10 years from closure, or until the subject reaches normal retirement age if that is
  later. 003 §44–47: the LADO "will retain a record to show how the allegation had been investigated,
  and the rationale for the recorded outcome" so that "patterns of behaviour which may pose a risk to
  children" can be identified, "irrespective of sector requirements", with regard to the statutory
  guidance (Keeping Children Safe in Education, Part 4: keep until normal retirement age or 10 years
  from the date of the allegation, whichever is longer).
- Cases found false, unfounded or malicious — 6 years from closure. KCSIE Part 4 has them removed from
  personnel records and not referred to in references; the LADO keeps the record only to show how it
  was investigated and to prevent re-investigation if it resurfaces (003 §46), so not to retirement age.
- Advice and not-an-allegation contacts — 6 years from closure: nothing met the harm threshold; the
  record answers a later DBS disclosure or a recurrence (003 §46).
- Transferred contacts — 2 years from closure: the receiving authority's LADO holds the record.

Retirement age: the State Pension age for people born after 1960 (67).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from agencies.models import Partnership
from agencies.permissions import standing
from allegations.models import CaseStatus, Outcome, Referral, ReferralStatus

from .models import DeletionRequest, RecordType, RetentionFrom, RetentionRule

RETIREMENT_AGE = 67
UNFOUNDED_OUTCOMES = (Outcome.FALSE, Outcome.UNFOUNDED, Outcome.MALICIOUS)
LIST_LIMIT = 200

# The bases, in the users' words; their sources: closed case 003 §44–47 and KCSIE Part 4; unfounded
# case KCSIE Part 4 and 003 §46; advice and not an allegation 003 §46. Rules written before the
# sources moved into this comment are reworded by the migration retention_basis_plain_words.
DEFAULTS: dict[str, dict] = {
    RecordType.CLOSED_CASE: dict(
        years=10, counted_from=RetentionFrom.CLOSURE, until_retirement_age=True,
        basis="Keeping children safe in education, Part 4: the LADO keeps how the allegation was investigated and why, to "
              "identify patterns; until normal retirement age or 10 years, whichever is longer."),
    RecordType.UNFOUNDED_CASE: dict(
        years=6, counted_from=RetentionFrom.CLOSURE, until_retirement_age=False,
        basis="Keeping children safe in education, Part 4: false, unfounded and malicious allegations are removed "
              "from personnel records; the LADO keeps the record to prevent re-investigation if it resurfaces."),
    RecordType.ADVICE: dict(
        years=6, counted_from=RetentionFrom.CLOSURE, until_retirement_age=False,
        basis="Below the harm threshold; kept to answer a later DBS disclosure or a recurrence."),
    RecordType.NOT_ALLEGATION: dict(
        years=6, counted_from=RetentionFrom.CLOSURE, until_retirement_age=False,
        basis="Not an allegation (complaint or conduct matter); kept to answer a recurrence."),
    RecordType.TRANSFERRED: dict(
        years=2, counted_from=RetentionFrom.CLOSURE, until_retirement_age=False,
        basis="The receiving authority's LADO holds the record; ours shows only that it was passed on."),
}

# Which referrals each record type is, as a filter.
TYPE_FILTERS: dict[str, Q] = {
    RecordType.CLOSED_CASE: Q(status=ReferralStatus.CASE_OPENED, case__status=CaseStatus.CLOSED)
    & ~Q(case__outcome__in=UNFOUNDED_OUTCOMES),
    RecordType.UNFOUNDED_CASE: Q(status=ReferralStatus.CASE_OPENED, case__status=CaseStatus.CLOSED,
                                 case__outcome__in=UNFOUNDED_OUTCOMES),
    RecordType.ADVICE: Q(status=ReferralStatus.ADVICE),
    RecordType.NOT_ALLEGATION: Q(status=ReferralStatus.NOT_ALLEGATION),
    RecordType.TRANSFERRED: Q(status=ReferralStatus.TRANSFERRED),
}


def rules(partnership: Partnership | None = None) -> dict[str, RetentionRule]:
    """The partnership's rule for every record type (the defaults are written the first time)."""
    partnership = partnership or Partnership.current()
    found = {r.record_type: r for r in RetentionRule.objects.filter(partnership=partnership)}
    for record_type, values in DEFAULTS.items():
        if record_type not in found:
            found[record_type], _ = RetentionRule.objects.get_or_create(
                partnership=partnership, record_type=record_type, defaults=values)
    return {t: found[t] for t in RecordType.values}


def record_type_of(referral: Referral) -> str | None:
    """The record type of a closed referral or case; None while it is open."""
    if referral.status == ReferralStatus.CASE_OPENED:
        case = getattr(referral, "case", None)
        if case is None or case.status != CaseStatus.CLOSED:
            return None
        return RecordType.UNFOUNDED_CASE if case.outcome in UNFOUNDED_OUTCOMES else RecordType.CLOSED_CASE
    return {ReferralStatus.ADVICE: RecordType.ADVICE, ReferralStatus.NOT_ALLEGATION: RecordType.NOT_ALLEGATION,
            ReferralStatus.TRANSFERRED: RecordType.TRANSFERRED}.get(referral.status)


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _start_date(referral: Referral, rule: RetentionRule) -> dt.date:
    if rule.counted_from == RetentionFrom.RECEIPT:
        at = referral.received_at
    else:
        case = getattr(referral, "case", None) if referral.status == ReferralStatus.CASE_OPENED else None
        at = (case.closed_at if case else referral.closed_at) or referral.received_at
    return timezone.localdate(at)


def due_on(referral: Referral, rule: RetentionRule) -> dt.date:
    """The date the record falls due for review."""
    due = _add_years(_start_date(referral, rule), rule.years)
    if rule.until_retirement_age and referral.subject.date_of_birth:
        due = max(due, _add_years(referral.subject.date_of_birth, RETIREMENT_AGE))
    return due


@dataclass(frozen=True)
class PastRetention:
    referral: Referral
    record_type: str
    due_on: dt.date

    @property
    def record_type_label(self) -> str:
        return RecordType(self.record_type).label


def past_retention(*, user, today: dt.date | None = None) -> list[PastRetention]:
    """Records of the services the user manages that are past their retention period and not already
    waiting for a decision, oldest due first (at most LIST_LIMIT)."""
    s = standing(user)
    if not s.managed_service_ids:
        return []
    today = today or timezone.localdate()
    pending = DeletionRequest.objects.filter(status=DeletionRequest.Status.PENDING, referral__isnull=False)
    found: list[PastRetention] = []
    for record_type, rule in rules().items():
        # The period counts from a date no later than the closure: a record received within the period
        # cannot be past it, which keeps the candidates to a small indexed range.
        cutoff = _add_years(today, -rule.years) + dt.timedelta(days=1)
        received_before = timezone.make_aware(dt.datetime.combine(cutoff, dt.time.min))  # the index on received_at
        candidates = (
            Referral.objects.filter(lado_service_id__in=s.managed_service_ids, received_at__lt=received_before)
            .open_to(user)  # a restricted referral: only for the managers named on it
            .filter(TYPE_FILTERS[record_type])
            .exclude(pk__in=pending.values("referral_id"))
            .select_related("case", "subject")
            .order_by("received_at", "pk")
        )
        for referral in candidates.iterator(chunk_size=500):
            due = due_on(referral, rule)
            if due <= today:
                found.append(PastRetention(referral=referral, record_type=record_type, due_on=due))
    found.sort(key=lambda item: (item.due_on, item.referral.pk))
    return found[:LIST_LIMIT]


def retention_of(referral: Referral) -> tuple[str, dt.date] | None:
    """What kind of record a closed referral or case is, and the date it falls due for review; None while it is
    open. Follows the recorded outcome: allegations.outcomes asks it (registered in apps.py) before and after an
    outcome is amended, and writes both into the case's history."""
    record_type = record_type_of(referral)
    if record_type is None:
        return None
    return RecordType(record_type).label, due_on(referral, rules()[record_type])
