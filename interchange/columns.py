"""The columns of interchange.md: cases.csv, meetings.csv and the export's JSON Lines.

One table per file says, for each column, whether it is required, what kind of value it
holds and (for enumerations) which values are allowed. The reader, the validator and the
exporter all read these tables, so a column added here is read, checked and written.
"""

from __future__ import annotations

from dataclasses import dataclass

from agencies.models import Sector
from allegations.models import Category, ContactType, EmployerOutcome, Outcome, PoliceOutcome, Route, Timing, Workforce
from meetings.models import MeetingKind


TEXT, ENUM, DATETIME, DATE, DATE_OR_DATETIME, COUNT, BOOLEAN = (
    "text", "enum", "datetime", "date", "date_or_datetime", "count", "boolean",
)


@dataclass(frozen=True)
class Column:
    name: str
    kind: str = TEXT
    required: bool = False
    choices: tuple[str, ...] = ()
    max_length: int | None = None  # the model field's length: longer text cannot be stored


CASE_COLUMNS: tuple[Column, ...] = (
    Column("reference", required=True, max_length=32),
    Column("workforce", ENUM, required=True, choices=tuple(Workforce.values)),
    Column("contact_type", ENUM, required=True, choices=tuple(ContactType.values)),
    Column("timing", ENUM, required=True, choices=tuple(Timing.values)),
    Column("received_at", DATETIME, required=True),
    Column("allegation_arose_at", DATE_OR_DATETIME),
    # Required on every contact but advice (validating._case_rules): a consultation may leave the person unnamed.
    Column("subject_given_name", max_length=100),
    Column("subject_family_name", max_length=100),
    Column("subject_date_of_birth", DATE),
    Column("subject_role", max_length=150),
    Column("employer_name", required=True, max_length=200),
    Column("sector", ENUM, required=True, choices=tuple(Sector.values)),
    Column("category", ENUM, choices=tuple(Category.values)),
    Column("referrer_agency", max_length=200),
    Column("children_count", COUNT),
    Column("initial_discussion_at", DATETIME),
    Column("route", ENUM, choices=tuple(Route.values)),
    Column("outcome", ENUM, choices=tuple(Outcome.values)),
    Column("police_outcome", ENUM, choices=tuple(PoliceOutcome.values)),
    Column("employer_outcome", ENUM, choices=tuple(EmployerOutcome.values)),
    Column("dbs_referral_at", DATE),
    Column("regulator_referral_at", DATE),
    Column("regulator", max_length=60),
    Column("closed_at", DATETIME),
    # How an unnamed person of an advice contact was described ("a teaching assistant"); optional, so older
    # files (without the column) still import.
    Column("subject_described_as", max_length=200),
)

MEETING_COLUMNS: tuple[Column, ...] = (
    Column("case_reference", required=True, max_length=32),
    Column("kind", ENUM, required=True, choices=tuple(MeetingKind.values)),
    Column("held_at", DATETIME, required=True),
    Column("chaired_by_service", BOOLEAN, required=True, choices=("true", "false")),
    Column("minutes_circulated_at", DATETIME),
)

CASE_COLUMN_NAMES = tuple(c.name for c in CASE_COLUMNS)
MEETING_COLUMN_NAMES = tuple(c.name for c in MEETING_COLUMNS)
# A meeting inside an exported referral has no case_reference: it is the referral's own.
NESTED_MEETING_COLUMNS = tuple(c for c in MEETING_COLUMNS if c.name != "case_reference")
# The export adds these to each referral; an import of the export reads `meetings` and
# recomputes `deadlines` (they are derived, never imported).
EXPORT_EXTRA_KEYS = ("meetings", "deadlines")

# The largest children_count the model can hold (PositiveSmallIntegerField).
MAX_CHILDREN_COUNT = 32767
