"""The annual report's figures (annual-report.md), counted by the database.

`annual_report(year)` gives the JSON of the spec, key for key and in its order. Each part is one
aggregate query (conditional counts, or a GROUP BY over a handful of groups): nothing loops over
records in Python, so the time grows with the number of groups, not of referrals.

Periods are local (the partnership's time zone): a financial year runs from 1 April 00:00 to
31 March 23:59:59 local time. Date-time columns are compared with the UTC instants of those local
midnights, so PostgreSQL can use the plain indexes on them (referral_received); quarters are found
among the UTC instants of their local starts (financial Q1 is April–June).

`report_history(year)` adds what seed 002 shows over five years but the JSON does not hold: the
duration of closed referrals and the DBS and regulator referrals, year by year (the page, the PDF
and the spreadsheet show them); and complaints and reopened cases (issue 16 §6; 002 §2.9), defined
at `_complaints_history` in annual-report.md's style. They are outside the JSON so that its keys,
and the sample's expected figures, stay as the spec gives them.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.contrib.postgres.fields import ArrayField
from django.db.models import CharField, Count, DateTimeField, Exists, F, Func, IntegerField, OuterRef, Q, Value, When
from django.db.models import Case as CaseWhen
from django.db.models.functions import Coalesce

from agencies.models import AgencyKind, Membership, Partnership, Role, Sector
from allegations.models import (
    Case,
    CaseAmendment,
    Category,
    Child,
    Complaint,
    ContactType,
    EmployerOutcome,
    Outcome,
    PoliceOutcome,
    Referral,
    RegulatorReferral,
    Timeliness,
    Timing,
    Workforce,
    YesNoNotKnown,
)
from meetings.models import Attendance, Invitation, Meeting, MeetingKind, MeetingStatus

HISTORY_YEARS = 5
# Which workforce the figures count (seed 000: the adults' workforce, PiPoT, beside the children's, LADO).
BOTH = "both"
WORKFORCES = {
    BOTH: "The children's and adults' workforces (LADO and PiPoT)",
    Workforce.CHILDREN.value: "The children's workforce (LADO)",
    Workforce.ADULTS.value: "The adults' workforce (PiPoT)",
}
TIMINGS = (Timing.CONTEMPORANEOUS.value, Timing.NON_RECENT.value)
QUARTERLY = {  # JSON key: the contacts it counts
    "advice": Q(contact_type=ContactType.ADVICE),
    "referrals_contemporaneous": Q(contact_type=ContactType.REFERRAL, timing=Timing.CONTEMPORANEOUS),
    "referrals_non_recent": Q(contact_type=ContactType.REFERRAL, timing=Timing.NON_RECENT),
}
OUTCOMES = [o.value for o in Outcome]
POLICE_OUTCOMES = [o.value for o in PoliceOutcome] + ["none"]
EMPLOYER_OUTCOMES = [o.value for o in EmployerOutcome] + ["none"]
# Whole calendar months (Case.closed_months) -> bucket: [low, high) months.
DURATIONS = {
    "under_1_month": (0, 1),
    "1_to_3_months": (1, 3),
    "3_to_6_months": (3, 6),
    "6_to_12_months": (6, 12),
    "1_year_plus": (12, None),
}
SECTORS = [s.value for s in Sector]
CATEGORIES = [c.value for c in Category]
TIMELINESS = [t.value for t in Timeliness]


def year_label(year: int) -> str:
    return f"{year}/{(year + 1) % 100:02d}"


def parse_year_label(label: str) -> int:
    return int(label.split("/")[0])


def time_zone(partnership: Partnership | None = None) -> ZoneInfo:
    return ZoneInfo((partnership or Partnership.current()).time_zone)


def year_bounds(year: int, tz: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """[1 April `year` 00:00, 1 April `year + 1` 00:00) local, as aware datetimes (compared as instants)."""
    return dt.datetime(year, 4, 1, tzinfo=tz), dt.datetime(year + 1, 4, 1, tzinfo=tz)


def check_workforce(workforce: str) -> str:
    if workforce not in WORKFORCES:
        raise ValueError(f"workforce must be one of {', '.join(WORKFORCES)}")
    return workforce


def _wf(workforce: str, path: str = "") -> Q:
    """Only the contacts of one workforce (`path` leads from the model counted to its referral), or all of them."""
    if workforce == BOTH:
        return Q()
    return Q(**{f"{path}workforce": workforce})


def _in(field: str, start, end) -> Q:
    return Q(**{f"{field}__gte": start, f"{field}__lt": end})


def _financial(local_quarter_start: dt.datetime) -> tuple[int, int]:
    """A calendar quarter's local start -> (financial year, quarter index 0..3)."""
    month = local_quarter_start.month
    if month >= 4:
        return local_quarter_start.year, (month - 4) // 3
    return local_quarter_start.year - 1, 3


# --- The parts, one query each ------------------------------------------------------------------


def _quarterly(year: int, tz: ZoneInfo, workforce: str = BOTH) -> dict:
    """advice and referrals by quarter, for this year and the four before: one GROUP BY."""
    first = year - HISTORY_YEARS + 1
    start, _ = year_bounds(first, tz)
    _, end = year_bounds(year, tz)
    series = {key: {y: [0, 0, 0, 0] for y in range(first, year + 1)} for key in QUARTERLY}
    # The quarter of each contact by the instants its quarters start at (local midnights, as UTC): PostgreSQL finds
    # each in a sorted array (width_bucket), where truncating every date-time in the local time zone took about
    # twice as long over five years of contacts. Bucket i (1..4 per year) is quarter (i - 1) % 4 of year
    # first + (i - 1) // 4; the filter keeps every contact inside the boundaries.
    starts = [dt.datetime(y + (m < 4), m, 1, tzinfo=tz) for y in range(first, year + 1) for m in (4, 7, 10, 1)] + [end]
    quarter = Func(F("received_at"), Value(starts, output_field=ArrayField(DateTimeField())), function="width_bucket",
                   output_field=IntegerField())
    rows = (
        Referral.objects.filter(_in("received_at", start, end), _wf(workforce),
                                contact_type__in=[ContactType.ADVICE, ContactType.REFERRAL])
        .annotate(quarter=quarter)
        .values("quarter", "contact_type", "timing")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        fy, index = first + (row["quarter"] - 1) // 4, (row["quarter"] - 1) % 4
        if row["contact_type"] == ContactType.ADVICE:
            key = "advice"
        else:
            key = f"referrals_{row['timing']}"
            if key not in series:
                continue
        if fy in series[key]:
            series[key][fy][index] += row["n"]
    out = {}
    for key, by_year in series.items():
        this = by_year[year]
        out[key] = {
            "by_quarter": list(this),
            "total": sum(this),
            "history": {year_label(y): list(counts) for y, counts in by_year.items()},
        }
    return out


def _referrals_in_year(start, end, workforce: str = BOTH) -> dict:
    """Referrals (both timings) received in the year by sector, category and timeliness, and the year's
    transfers in and out (docs/annual-report.md; issue 16 part 7, 003 §4, §69–72): one query."""
    counts = {}
    referral = Q(contact_type=ContactType.REFERRAL)
    for field, values in (("sector", SECTORS), ("category", CATEGORIES), ("timeliness", TIMELINESS)):
        for value in values:
            counts[f"{field}:{value}"] = Count("pk", filter=referral & Q(**{field: value}))
    # In: came from another authority's LADO service (still a transfer_in, or received as one and since triaged,
    # keeping where it came from). Out: sent to another authority.
    counts["transfers:in"] = Count("pk", filter=Q(contact_type=ContactType.TRANSFER_IN) | ~Q(transferred_from=""))
    counts["transfers:out"] = Count("pk", filter=Q(contact_type=ContactType.TRANSFER))
    row = Referral.objects.filter(_in("received_at", start, end), _wf(workforce)).aggregate(**counts)
    return {
        **{field: {value: row[f"{field}:{value}"] for value in values}
           for field, values in (("sector", SECTORS), ("category", CATEGORIES), ("timeliness", TIMELINESS))},
        "transfers": {"in": row["transfers:in"], "out": row["transfers:out"]},
    }


def _duration_q(bucket: str) -> Q:
    low, high = DURATIONS[bucket]
    q = Q(closed_months__gte=low)
    if high is not None:
        q &= Q(closed_months__lt=high)
    return q


def _closed(start, end, workforce: str = BOTH) -> dict:
    """Referrals closed in the year: how many, their outcomes and durations, by timing: one query."""
    counts = {}
    for timing in TIMINGS:
        t = Q(referral__timing=timing)
        counts[f"closed:{timing}"] = Count("pk", filter=t)
        for value in OUTCOMES:
            counts[f"outcome:{timing}:{value}"] = Count("pk", filter=t & Q(outcome=value))
        for value in POLICE_OUTCOMES:
            counts[f"police:{timing}:{value}"] = Count("pk", filter=t & Q(police_outcome="" if value == "none" else value))
        for value in EMPLOYER_OUTCOMES:
            counts[f"employer:{timing}:{value}"] = Count(
                "pk", filter=t & Q(employer_outcome="" if value == "none" else value))
        for bucket in DURATIONS:
            counts[f"duration:{timing}:{bucket}"] = Count("pk", filter=t & _duration_q(bucket))
    row = (Case.objects.filter(_in("closed_at", start, end), _wf(workforce, "referral__"),
                               referral__contact_type=ContactType.REFERRAL).aggregate(**counts))

    def part(prefix, values):
        return {timing: {value: row[f"{prefix}:{timing}:{value}"] for value in values} for timing in TIMINGS}

    return {
        "closed": {timing: row[f"closed:{timing}"] for timing in TIMINGS},
        "outcomes": part("outcome", OUTCOMES),
        "police_outcomes": part("police", POLICE_OUTCOMES),
        "employer_outcomes": part("employer", EMPLOYER_OUTCOMES),
        "duration_of_closed": part("duration", DURATIONS),
    }


def _meetings(start, end, workforce: str = BOTH) -> dict:
    """Meetings held in the year: strategy discussions the service chaired, and initial and review
    position-of-trust meetings by the timing of their case: one query."""
    counts = {"sd": Count("pk", filter=Q(kind=MeetingKind.STRATEGY_DISCUSSION, chaired_by_service=True))}
    for timing in TIMINGS:
        for kind in (MeetingKind.INITIAL, MeetingKind.REVIEW):
            counts[f"{timing}:{kind.value}"] = Count("pk", filter=Q(kind=kind, case__referral__timing=timing))
    row = (Meeting.objects.filter(_in("held_at", start, end), _wf(workforce, "case__referral__"),
                                  status=MeetingStatus.HELD).aggregate(**counts))
    return {
        "strategy_discussions_chaired": row["sd"],
        **{timing: {"initial": row[f"{timing}:initial"], "review": row[f"{timing}:review"]} for timing in TIMINGS},
    }


def _dbs_referrals(first: dt.date, last: dt.date, workforce: str = BOTH) -> int:
    return Case.objects.filter(_wf(workforce, "referral__"), dbs_referral_on__gte=first, dbs_referral_on__lte=last).count()


def _regulator_referrals(first: dt.date, last: dt.date, workforce: str = BOTH) -> int:
    """Referrals (cases) with a referral to a regulator made in the year: a case referred to two counts once."""
    return (
        RegulatorReferral.objects.filter(_wf(workforce, "case__referral__"), made_on__gte=first, made_on__lte=last)
        .aggregate(n=Count("case", distinct=True))["n"]
    )


# --- The report ------------------------------------------------------------------------------------


def annual_report(year: int, *, partnership: Partnership | None = None, workforce: str = BOTH) -> dict:
    """The data section of the annual report for financial year `year` (annual-report.md), as its JSON, for the
    children's workforce, the adults' or both (the key `workforce` says which, after the spec's keys)."""
    check_workforce(workforce)
    tz = time_zone(partnership)
    start, end = year_bounds(year, tz)
    first_day, last_day = dt.date(year, 4, 1), dt.date(year + 1, 3, 31)
    quarterly = _quarterly(year, tz, workforce)
    in_year = _referrals_in_year(start, end, workforce)
    closed = _closed(start, end, workforce)
    return {
        "year": year_label(year),
        "period": {"start": first_day.isoformat(), "end": last_day.isoformat()},
        "advice": quarterly["advice"],
        "referrals_contemporaneous": quarterly["referrals_contemporaneous"],
        "referrals_non_recent": quarterly["referrals_non_recent"],
        "referrals_by_sector": in_year["sector"],
        "referrals_by_category": in_year["category"],
        "meetings": _meetings(start, end, workforce),
        "closed": closed["closed"],
        "outcomes": closed["outcomes"],
        "police_outcomes": closed["police_outcomes"],
        "employer_outcomes": closed["employer_outcomes"],
        "duration_of_closed": closed["duration_of_closed"],
        "dbs_referrals": _dbs_referrals(first_day, last_day, workforce),
        "regulator_referrals": _regulator_referrals(first_day, last_day, workforce),
        "referral_timeliness": in_year["timeliness"],
        "transfers": in_year["transfers"],
        "workforce": workforce,
    }


def _year_case(field: str, years: list[int], tz: ZoneInfo | None):
    """A CASE expression giving the financial year of `field` (a date-time compared as instants, or a date)."""
    whens = []
    for y in years:
        if tz is None:
            whens.append(When(**{f"{field}__gte": dt.date(y, 4, 1), f"{field}__lte": dt.date(y + 1, 3, 31)}, then=y))
        else:
            start, end = year_bounds(y, tz)
            whens.append(When(_in(field, start, end), then=y))
    return CaseWhen(*whens, default=None, output_field=IntegerField())


def _per_year(queryset, field: str, years: list[int], tz: ZoneInfo | None, *, by: str | None = None,
              count: str = "pk", distinct: bool = False, values=None) -> list[int] | dict[str, list[int]]:
    """Counts per financial year of `field` (one GROUP BY): a list, or with `by` a list per value of `by`
    (every value of `values` present, 0 where nothing was counted)."""
    index = {y: i for i, y in enumerate(years)}
    group = ["fy"] + ([by] if by else [])
    rows = (queryset.annotate(fy=_year_case(field, years, tz)).values(*group)
            .annotate(n=Count(count, distinct=distinct)).order_by())
    if by is None:
        out = [0] * len(years)
        for row in rows:
            if row["fy"] in index:
                out[index[row["fy"]]] += row["n"]
        return out
    table = {value: [0] * len(years) for value in values}
    for row in rows:
        if row["fy"] in index and row[by] in table:
            table[row[by]][index[row["fy"]]] += row["n"]
    return table


def report_history(year: int, *, partnership: Partnership | None = None, workforce: str = BOTH) -> dict:
    """Five-year tables of 002 beyond the JSON (docs/annual-report.md defines each), year by year, oldest first:

    {"years": ["2018/19", ...], "duration_of_closed": {timing: {bucket: [n per year]}},
     "dbs_referrals": [...], "regulator_referrals": [...], "consultations_without_a_name": [...],
     "advice_by_sector": {sector: [...]}, "non_recent_by_sector": {sector: [...]},
     "non_recent_by_category": {category: [...]}, "civil_claims": [...],
     "strategy_discussions": {...}, "children_involved": {...}, "looked_after_allegations": [...],
     "adult_complainants": [...], "complaints": {...}, "reopened": [...], "outcome_amended": [...]}

    Each part is one GROUP BY (or one per breakdown), for the chosen workforce.
    """
    check_workforce(workforce)
    tz = time_zone(partnership)
    years = list(range(year - HISTORY_YEARS + 1, year + 1))
    start, _ = year_bounds(years[0], tz)
    _, end = year_bounds(year, tz)
    index = {y: i for i, y in enumerate(years)}
    durations = {timing: {bucket: [0] * len(years) for bucket in DURATIONS} for timing in TIMINGS}
    counts = {f"{timing}:{bucket}": Count("pk", filter=Q(referral__timing=timing) & _duration_q(bucket))
              for timing in TIMINGS for bucket in DURATIONS}
    rows = (
        Case.objects.filter(_in("closed_at", start, end), _wf(workforce, "referral__"),
                            referral__contact_type=ContactType.REFERRAL)
        .annotate(fy=_year_case("closed_at", years, tz)).values("fy").annotate(**counts).order_by()
    )
    for row in rows:
        if row["fy"] in index:
            for timing in TIMINGS:
                for bucket in DURATIONS:
                    durations[timing][bucket][index[row["fy"]]] = row[f"{timing}:{bucket}"]
    first_day, last_day = dt.date(years[0], 4, 1), dt.date(year + 1, 3, 31)
    dbs = _per_year(Case.objects.filter(_wf(workforce, "referral__"), dbs_referral_on__gte=first_day,
                                        dbs_referral_on__lte=last_day), "dbs_referral_on", years, None)
    # consultations without a name = contacts of contact type advice received in the year (local date of
    # received_at) whose person is not named (no first and no last name: the advice request described them
    # instead, e.g. "a teaching assistant"). They are counted in advice too. Five years, like advice; kept out of
    # the JSON, whose keys are fixed (the sample's expected reports).
    contacts = Referral.objects.filter(_in("received_at", start, end), _wf(workforce))
    advice = contacts.filter(contact_type=ContactType.ADVICE)
    unnamed = _per_year(advice.filter(subject__given_name="", subject__family_name=""), "received_at", years, tz)
    regulator = _per_year(
        RegulatorReferral.objects.filter(_wf(workforce, "case__referral__"), made_on__gte=first_day,
                                         made_on__lte=last_day),
        "made_on", years, None, count="case", distinct=True)
    non_recent = contacts.filter(contact_type=ContactType.REFERRAL, timing=Timing.NON_RECENT)
    return {
        "years": [year_label(y) for y in years],
        "duration_of_closed": durations,
        "dbs_referrals": dbs,
        "regulator_referrals": regulator,
        **_complaints_history(years, tz, workforce),
        "consultations_without_a_name": unnamed,
        # 002 §1.1: advice by sector; non-recent referrals by sector and by category (by received_at).
        "advice_by_sector": _per_year(advice, "received_at", years, tz, by="sector", values=SECTORS),
        "non_recent_by_sector": _per_year(non_recent, "received_at", years, tz, by="sector", values=SECTORS),
        "non_recent_by_category": _per_year(non_recent, "received_at", years, tz, by="category",
                                            values=CATEGORIES),
        "civil_claims": _per_year(
            Case.objects.filter(_wf(workforce, "referral__"), civil_claim=True, civil_claim_on__gte=first_day,
                                civil_claim_on__lte=last_day), "civil_claim_on", years, None),
        "strategy_discussions": _strategy_discussions(years, start, end, tz, workforce),
        **_people_involved(years, start, end, tz, workforce),
    }


# The agencies whose attendance at strategy discussions is counted (002 §2.1), by their kind.
SD_AGENCY_KINDS = [
    AgencyKind.POLICE, AgencyKind.CHILDRENS_SOCIAL_CARE, AgencyKind.ADULTS_SOCIAL_CARE, AgencyKind.NHS_TRUST,
    AgencyKind.ICB, AgencyKind.SCHOOL, AgencyKind.COLLEGE, AgencyKind.EARLY_YEARS, AgencyKind.FOSTERING_AGENCY,
    AgencyKind.RESIDENTIAL_HOME, AgencyKind.CARE_PROVIDER, AgencyKind.REGULATOR,
]
SD_OTHER = "other"


def _strategy_discussions(years, start, end, tz, workforce) -> dict:
    """Strategy discussions held in the year (002 §2.1). Definitions:

    - **held**: strategy discussions with status held whose `held_at` local date is in the year.
    - **chaired_by_service** of those, chaired by the LADO service (`chaired_by_service`), split by who chaired:
      **service_manager** when the chair holds the LADO service manager role in the case's LADO service, else
      **team_manager** (the service's team manager, officer or chair); **chaired_by_others** the rest.
    - **agencies**: for each kind of agency, the strategy discussions held at which someone of that kind of agency
      (an invitation with the agency, or a person of it) is recorded as having attended; a discussion counts once
      per kind; kinds not listed count under `other`.
    """
    held = Meeting.objects.filter(_in("held_at", start, end), _wf(workforce, "case__referral__"),
                                  kind=MeetingKind.STRATEGY_DISCUSSION, status=MeetingStatus.HELD)
    manager = Membership.objects.filter(user=OuterRef("chair_id"), role=Role.LADO_MANAGER,
                                        agency=OuterRef("case__referral__lado_service_id"))
    counts = _per_year(
        held.annotate(by_manager=Exists(manager)).annotate(
            who=CaseWhen(When(chaired_by_service=False, then=Value("chaired_by_others")),
                         When(by_manager=True, then=Value("service_manager")),
                         default=Value("team_manager"), output_field=CharField())),
        "held_at", years, tz, by="who", values=["team_manager", "service_manager", "chaired_by_others"])
    attended = (
        Invitation.objects.filter(meeting__in=held, attendance=Attendance.ATTENDED)
        .annotate(kind=Coalesce("agency__kind", "user__memberships__agency__kind"))
        .exclude(kind__isnull=True)
        .annotate(k=CaseWhen(When(kind__in=[k.value for k in SD_AGENCY_KINDS], then=F("kind")),
                             default=Value(SD_OTHER), output_field=CharField()))
    )
    agencies = _per_year(attended, "meeting__held_at", years, tz, by="k", count="meeting", distinct=True,
                         values=[k.value for k in SD_AGENCY_KINDS] + [SD_OTHER])
    service = [a + b for a, b in zip(counts["team_manager"], counts["service_manager"], strict=True)]
    return {
        "held": [a + b for a, b in zip(service, counts["chaired_by_others"], strict=True)],
        "chaired_by_service": service,
        "team_manager": counts["team_manager"],
        "service_manager": counts["service_manager"],
        "chaired_by_others": counts["chaired_by_others"],
        "agencies": agencies,
    }


def _people_involved(years, start, end, tz, workforce) -> dict:
    """Children involved, allegations about looked-after children, and adults as complainants (002 §2.2, §5,
    §2.3), by the local date the referral (contact type referral) was received. Definitions:

    - **children_involved**: the children (and adults at risk) recorded on those referrals: `looked_after` (looked
      after: yes), `social_worker` (not looked after, has a social worker: yes), `neither` (the rest, including
      not known), `total`.
    - **looked_after_allegations**: referrals with at least one child recorded as looked after (the allegations
      reported to elected members).
    - **adult_complainants**: the people recorded as having made the allegation or been harmed on non-recent
      referrals (the complainant is now an adult).
    """
    referrals = Referral.objects.filter(_in("received_at", start, end), _wf(workforce),
                                        contact_type=ContactType.REFERRAL)
    children = Child.objects.filter(referral__in=referrals).annotate(
        group=CaseWhen(When(looked_after=YesNoNotKnown.YES, then=Value("looked_after")),
                       When(social_worker=YesNoNotKnown.YES, then=Value("social_worker")),
                       default=Value("neither"), output_field=CharField()))
    involved = _per_year(children, "referral__received_at", years, tz, by="group",
                         values=["looked_after", "social_worker", "neither"])
    involved["total"] = [sum(values) for values in zip(*involved.values(), strict=True)]
    return {
        "children_involved": involved,
        "looked_after_allegations": _per_year(
            referrals.filter(children__looked_after=YesNoNotKnown.YES), "received_at", years, tz, distinct=True),
        "adult_complainants": _per_year(
            Child.objects.filter(referral__in=referrals.filter(timing=Timing.NON_RECENT),
                                 relationship=Child.Relationship.COMPLAINANT),
            "referral__received_at", years, tz),
    }


COMPLAINT_RESULTS = [r.value for r in Complaint.Result] + ["open"]
LATER_STAGES = (Complaint.Stage.STAGE_2, Complaint.Stage.OMBUDSMAN)


def _complaints_history(years: list[int], tz: ZoneInfo, workforce: str = BOTH) -> dict:
    """Complaints and reopened cases, year by year (two GROUP BY queries). Definitions:

    - **complaints** count complaints whose `received_on` (a local date) falls in the year, by their result at the
      stage they have reached: `upheld`, `partly_upheld`, `not_upheld`, `withdrawn`, or `open` (not yet answered);
      `received` is their total, and `later_stage` counts those at stage 2 or with the ombudsman.
    - **reopened** counts cases reopened by a LADO service manager in the year (the local date of the reopening);
      **outcome_amended** cases whose outcome was amended in the year. A case reopened (or amended) twice in one
      year counts once.

    {"complaints": {"received": [n per year], "upheld": [...], ..., "open": [...], "later_stage": [...]},
     "reopened": [n per year], "outcome_amended": [n per year]}
    """
    index = {y: i for i, y in enumerate(years)}
    first_day, last_day = dt.date(years[0], 4, 1), dt.date(years[-1] + 1, 3, 31)
    keys = ["received", *COMPLAINT_RESULTS, "later_stage"]
    complaints = {key: [0] * len(years) for key in keys}
    counts = {"received": Count("pk"), "open": Count("pk", filter=Q(result="")),
              "later_stage": Count("pk", filter=Q(stage__in=LATER_STAGES)),
              **{r: Count("pk", filter=Q(result=r)) for r in Complaint.Result.values}}
    for row in (
        Complaint.objects.filter(_wf(workforce, "case__referral__"), received_on__gte=first_day, received_on__lte=last_day)
        .annotate(fy=_year_case("received_on", years, None)).values("fy").annotate(**counts).order_by()
    ):
        if row["fy"] in index:
            for key in keys:
                complaints[key][index[row["fy"]]] = row[key]
    start, _ = year_bounds(years[0], tz)
    _, end = year_bounds(years[-1], tz)
    amended = {kind: [0] * len(years) for kind in CaseAmendment.Kind.values}
    for row in (
        CaseAmendment.objects.filter(_in("at", start, end), _wf(workforce, "case__referral__"))
        .annotate(fy=_year_case("at", years, tz)).values("fy", "kind")
        .annotate(n=Count("case", distinct=True)).order_by()
    ):
        if row["fy"] in index:
            amended[row["kind"]][index[row["fy"]]] = row["n"]
    return {"complaints": complaints, "reopened": amended[CaseAmendment.Kind.REOPENED],
            "outcome_amended": amended[CaseAmendment.Kind.OUTCOME_AMENDED]}
