"""The columns of interchange.md: cases.csv, meetings.csv and the export's JSON Lines.

One table per file says, for each column, whether it is required, what kind of value it
holds and (for enumerations) which values are allowed. The reader, the validator and the
exporter all read these tables, so a column added here is read, checked and written.
"""

from __future__ import annotations

from dataclasses import dataclass

from agencies.models import Sector
from allegations.models import (
    Category,
    Child,
    ContactType,
    EmployerOutcome,
    EmploymentType,
    Outcome,
    PoliceOutcome,
    Route,
    Timing,
    Workforce,
    YesNoNotKnown,
)
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


TRANSFER_COLUMNS: tuple[Column, ...] = (
    Column("transferred_from", max_length=200),
    Column("transfer_to_authority", max_length=200),
    Column("transfer_contact_name", max_length=150),
    Column("transfer_contact_email", max_length=254),
    Column("transfer_contact_phone", max_length=40),
    Column("transfer_sent_at", DATETIME),
    Column("transfer_lead_authority", max_length=200),
    Column("transfer_lead_agreed_with", max_length=150),
    Column("transfer_lead_agreed_on", DATE),
    Column("transfer_acknowledged_at", DATETIME),
    Column("transfer_acknowledged_by", max_length=150),
)
# A transfer's columns without which it cannot be kept (allegations.Transfer's required fields).
TRANSFER_REQUIRED = ("transfer_to_authority", "transfer_contact_name", "transfer_sent_at", "transfer_lead_authority",
                     "transfer_lead_agreed_with", "transfer_lead_agreed_on")

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
    # Cross-border transfers (issue 16 part 7; 003 §4, §69–72). Optional: files without them still import.
    # transferred_from: the authority an incoming transfer came from (kept after triage);
    # transfer_*: a contact sent to another authority (contact_type transfer), its contact, the lead agreed and
    # the receiving service's acknowledgement.
    *TRANSFER_COLUMNS,
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
# The people of a referral beyond its subject (issue 16 §1, §3), lists in a line of the export (JSON Lines only:
# a CSV row holds one referral's columns). A file without them still imports (it names none).
CHILD_COLUMNS: tuple[Column, ...] = (
    Column("given_name", required=True, max_length=100),
    Column("family_name", max_length=100),
    Column("date_of_birth", DATE),
    Column("relationship", ENUM, choices=tuple(Child.Relationship.values)),
    Column("social_worker", ENUM, choices=tuple(YesNoNotKnown.values)),
    Column("looked_after", ENUM, choices=tuple(YesNoNotKnown.values)),
    # Whether the parents or carers were told: true (with by whom and when), false (with why not), or null.
    Column("parents_told", BOOLEAN, choices=("true", "false")),
    Column("parents_told_on", DATE),
    Column("parents_told_by", max_length=150),
    Column("parents_told_what"),
    Column("parents_not_told_reason"),
    Column("child_views"),
)
ASSOCIATED_PERSON_COLUMNS: tuple[Column, ...] = (
    Column("name", required=True, max_length=150),
    Column("relationship", required=True, max_length=150),
    Column("notes"),
)
OTHER_SUBJECT_COLUMNS: tuple[Column, ...] = (
    Column("given_name", required=True, max_length=100),
    Column("family_name", required=True, max_length=100),
    Column("date_of_birth", DATE),
    Column("role", max_length=150),
    Column("employment_type", ENUM, choices=tuple(EmploymentType.values)),
)
PEOPLE_LISTS: dict[str, tuple[Column, ...]] = {
    "children": CHILD_COLUMNS, "associated_people": ASSOCIATED_PERSON_COLUMNS, "other_subjects": OTHER_SUBJECT_COLUMNS,
}

# The export adds these to each referral; an import of the export reads `meetings` and the people lists and
# recomputes `deadlines` (they are derived, never imported).
# `disagreements` (interchange.disagreements): each with its escalation steps; their deadlines are derived too.
# `suspensions` and `person` (case_records.py) are read back on the new cases an import writes.
EXPORT_EXTRA_KEYS = ("meetings", "deadlines", "disagreements", *PEOPLE_LISTS, "suspensions", "person", "letters",
                     # What followed the outcome (after_outcome.py): imported with the case, when it is new.
                     "outcome_checklist", "complaints", "amendments")

# The largest children_count the model can hold (PositiveSmallIntegerField).
MAX_CHILDREN_COUNT = 32767
