"""Checking each row against interchange.md and turning it into typed values.

Every problem of a row is reported (not only the first), each naming its column.
Rules that need more than one row (a duplicate reference, a meeting's case) and the
product's own records are checked in importing.py.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from allegations.models import ContactType

from . import values
from .columns import (
    BOOLEAN,
    CASE_COLUMNS,
    COUNT,
    DATE,
    DATE_OR_DATETIME,
    DATETIME,
    ENUM,
    MEETING_COLUMNS,
    PEOPLE_LISTS,
    TRANSFER_COLUMNS,
    TRANSFER_REQUIRED,
    Column,
)
from .reading import Problem, RawRow


@dataclass
class CaseRow:
    file: str
    line: int
    reference: str
    workforce: str
    contact_type: str
    timing: str
    received_at: dt.datetime
    allegation_arose_at: dt.datetime | None
    arose_date_only: bool
    subject_given_name: str
    subject_family_name: str
    subject_date_of_birth: dt.date | None
    subject_role: str
    employer_name: str
    sector: str
    category: str
    referrer_agency: str
    children_count: int | None
    initial_discussion_at: dt.datetime | None
    route: str
    outcome: str
    police_outcome: str
    employer_outcome: str
    dbs_referral_at: dt.date | None
    regulator_referral_at: dt.date | None
    regulator: str
    closed_at: dt.datetime | None
    # From the export's `disagreements` (interchange.disagreements.validate); a CSV row has none.
    disagreements: list = field(default_factory=list)
    # The people lists of a line of the export, typed: {"children": [{column: value}], ...} (columns.PEOPLE_LISTS).
    people: dict[str, list[dict]] = field(default_factory=dict)
    # What followed the outcome, typed (after_outcome.validate): JSON Lines only.
    after: dict = field(default_factory=dict)
    # Cross-border transfers (columns.TRANSFER_COLUMNS): absent from older files.
    transferred_from: str = ""
    transfer_to_authority: str = ""
    transfer_contact_name: str = ""
    transfer_contact_email: str = ""
    transfer_contact_phone: str = ""
    transfer_sent_at: dt.datetime | None = None
    transfer_lead_authority: str = ""
    transfer_lead_agreed_with: str = ""
    transfer_lead_agreed_on: dt.date | None = None
    transfer_acknowledged_at: dt.datetime | None = None
    transfer_acknowledged_by: str = ""
    subject_described_as: str = ""

    @property
    def is_referral(self) -> bool:
        return self.contact_type == ContactType.REFERRAL

    @property
    def has_transfer(self) -> bool:
        return bool(self.transfer_to_authority)


@dataclass
class MeetingRow:
    file: str
    line: int
    prefix: str
    case_reference: str
    kind: str
    held_at: dt.datetime
    chaired_by_service: bool
    minutes_circulated_at: dt.datetime | None

    @property
    def key(self) -> tuple[str, str, dt.datetime]:
        return (self.case_reference, self.kind, self.held_at)

    def problem(self, column: str, reason: str) -> Problem:
        return Problem(self.file, self.line, f"{self.prefix}{column}", reason)


TIMES = frozenset({DATETIME, DATE, DATE_OR_DATETIME})  # the kinds of column that can be in the future


@functools.lru_cache(maxsize=8)
def _today(now: dt.datetime, tz: ZoneInfo) -> dt.date:
    """The local date of `now`: the same for every row of an import, so worked out once, not once a row."""
    return values.local_date(now, tz)


def _values(row: RawRow, columns: tuple[Column, ...], tz: ZoneInfo, now: dt.datetime,
            problems: list[Problem]) -> dict | None:
    """Each column's typed value ('' or None when empty), or None if any cell is bad."""
    out: dict = {}
    bad = False
    today = _today(now, tz)
    cells = row.cells
    for column in columns:
        name, kind = column.name, column.kind
        text = cells.get(name, "")
        if text == "":
            if column.required:
                problems.append(row.problem(name, "required, but empty"))
                bad = True
            out[name] = None if kind not in ("text", ENUM) else ""
            continue
        # Text and choices, most of a row's cells, checked here: the same rules as _parse, without a call per cell.
        if kind == "text":
            if (column.max_length is None or len(text) <= column.max_length) and "\x00" not in text:
                out[name] = text
                continue
        elif kind == ENUM and text in column.choices:
            out[name] = text
            continue
        value, reason = _parse(column, text, tz)
        if reason is None and kind in TIMES:
            reason = _in_future(value, now, today)
        if reason is not None:
            problems.append(row.problem(column.name, reason))
            bad = True
            continue
        out[column.name] = value
    return None if bad else out


def _parse(column: Column, text: str, tz: ZoneInfo):
    if column.kind == ENUM:
        if text not in column.choices:
            return None, f"‘{values._clip(text)}’ is not allowed: use one of {', '.join(column.choices)}"
        return text, None
    if column.kind == DATETIME:
        return values.parse_datetime(text, tz)
    if column.kind == DATE:
        return values.parse_date(text)
    if column.kind == DATE_OR_DATETIME:
        return values.parse_date_or_datetime(text, tz)
    if column.kind == COUNT:
        return values.parse_count(text)
    if column.kind == BOOLEAN:
        return values.parse_boolean(text)
    if column.max_length and len(text) > column.max_length:
        return None, f"is {len(text)} characters long: at most {column.max_length} can be kept"
    if "\x00" in text:
        return None, "contains a NUL character"
    return text, None


def _in_future(value, now: dt.datetime, today: dt.date) -> str | None:
    if isinstance(value, tuple):  # date or date-time
        value = value[0]
    if isinstance(value, dt.datetime):
        return "is in the future" if value > now else None
    if isinstance(value, dt.date):
        return "is in the future" if value > today else None
    return None


# Fields the product keeps on a case: a contact that is not a referral has none.
CASE_ONLY = ("route", "dbs_referral_at", "regulator_referral_at", "regulator")
OUTCOMES = ("outcome", "police_outcome", "employer_outcome")


def validate_case(row: RawRow, tz: ZoneInfo, now: dt.datetime, problems: list[Problem]) -> CaseRow | None:
    found: list[Problem] = []
    v = _values(row, CASE_COLUMNS, tz, now, found)
    if v is not None:
        _case_rules(row, v, found)
    people = _people(row, tz, now, found)
    problems.extend(found)
    if found:
        return None
    arose = v["allegation_arose_at"]
    return CaseRow(
        file=row.file, line=row.line,
        reference=v["reference"], workforce=v["workforce"], contact_type=v["contact_type"], timing=v["timing"],
        received_at=v["received_at"],
        allegation_arose_at=arose[0] if arose else None, arose_date_only=bool(arose and arose[1]),
        subject_given_name=v["subject_given_name"], subject_family_name=v["subject_family_name"],
        subject_date_of_birth=v["subject_date_of_birth"], subject_role=v["subject_role"],
        employer_name=v["employer_name"], sector=v["sector"], category=v["category"],
        referrer_agency=v["referrer_agency"], children_count=v["children_count"],
        initial_discussion_at=v["initial_discussion_at"], route=v["route"], outcome=v["outcome"],
        police_outcome=v["police_outcome"], employer_outcome=v["employer_outcome"],
        dbs_referral_at=v["dbs_referral_at"], regulator_referral_at=v["regulator_referral_at"],
        regulator=v["regulator"], closed_at=v["closed_at"], people=people, subject_described_as=v["subject_described_as"],
        **{column.name: v[column.name] for column in TRANSFER_COLUMNS},
    )


def _people(row: RawRow, tz: ZoneInfo, now: dt.datetime, found: list[Problem]) -> dict[str, list[dict]]:
    """The typed people lists of a line of the export; a child told needs when, one not told why not."""
    people: dict[str, list[dict]] = {}
    for key, columns in PEOPLE_LISTS.items():
        typed = []
        for nested in row.people.get(key, []):
            v = _values(nested, columns, tz, now, found)
            if v is None:
                continue
            if key == "children" and v["parents_told"] is True and not v["parents_told_on"]:
                found.append(nested.problem("parents_told_on", "required when parents_told is true"))
            if key == "children" and v["parents_told"] is False and not v["parents_not_told_reason"]:
                found.append(nested.problem("parents_not_told_reason", "required when parents_told is false"))
            typed.append(v)
        people[key] = typed
    return people


def _case_rules(row: RawRow, v: dict, found: list[Problem]) -> None:
    referral = v["contact_type"] == ContactType.REFERRAL
    closed = v["closed_at"] is not None
    received = v["received_at"]
    if closed and v["closed_at"] < received:
        found.append(row.problem("closed_at", "is before received_at: a contact cannot close before it was received"))
    arose = v["allegation_arose_at"]
    if arose and arose[0] > received and not (arose[1] and arose[0].date() <= received.astimezone(arose[0].tzinfo).date()):
        found.append(row.problem("allegation_arose_at", "is after received_at: the concern arose before it was referred"))
    if v["initial_discussion_at"] and v["initial_discussion_at"] < received:
        found.append(row.problem("initial_discussion_at", "is before received_at"))
    if not referral:
        for name in CASE_ONLY:
            if v[name]:
                found.append(row.problem(
                    name, f"only a referral (contact_type referral) can have this: the product keeps it on the case, "
                          f"and a contact of type {v['contact_type']} has no case"))
    for name in OUTCOMES:
        if v[name] and not (referral and closed):
            why = f"contact_type is {v['contact_type']}" if not referral else "closed_at is empty"
            found.append(row.problem(name, f"only a closed referral has an outcome ({why})"))
    if v["contact_type"] != ContactType.ADVICE:
        # Only an advice contact (a consultation) may leave the person unnamed.
        for name in ("subject_given_name", "subject_family_name"):
            if not v[name]:
                found.append(row.problem(name, "required, but empty"))
    if referral and not v["category"]:
        found.append(row.problem("category", "required on a referral (contact_type referral): use one of "
                                 + ", ".join(next(c for c in CASE_COLUMNS if c.name == "category").choices)))
    if referral and closed and not v["outcome"]:
        found.append(row.problem("outcome", "a closed referral needs an outcome (use no_outcome where there was none)"))
    if v["regulator_referral_at"] and not v["regulator"]:
        found.append(row.problem("regulator", "required with regulator_referral_at (e.g. TRA, Ofsted, HCPC, SWE, NMC, GMC, CQC)"))
    if v["regulator"] and not v["regulator_referral_at"] and referral:
        found.append(row.problem("regulator_referral_at", "required with regulator: the date of the referral to the regulator"))
    _transfer_rules(row, v, found)


def _transfer_rules(row: RawRow, v: dict, found: list[Problem]) -> None:
    """A transfer out is kept whole or not at all; an incoming transfer awaiting triage is open."""
    given = [c.name for c in TRANSFER_COLUMNS if c.name != "transferred_from" and v[c.name] not in ("", None)]
    if v["contact_type"] == ContactType.TRANSFER_IN and v["closed_at"] is not None:
        found.append(row.problem("closed_at", "a transfer in (contact_type transfer_in) is awaiting triage, so it is "
                                              "open: import what triage decided, with transferred_from"))
    if v["contact_type"] == ContactType.TRANSFER_IN and not v["transferred_from"]:
        found.append(row.problem("transferred_from", "required on a transfer in (contact_type transfer_in): "
                                                     "the authority it came from"))
    if not given:
        return
    if v["contact_type"] != ContactType.TRANSFER:
        for name in given:
            found.append(row.problem(name, f"only a contact sent to another authority (contact_type transfer) has "
                                           f"this, not one of type {v['contact_type']}"))
        return
    for name in TRANSFER_REQUIRED:
        if v[name] in ("", None):
            found.append(row.problem(name, "required with the other transfer_ columns"))
    if not v["transfer_contact_email"] and not v["transfer_contact_phone"]:
        found.append(row.problem("transfer_contact_email", "the contact's e-mail address or phone number is required"))
    sent, acknowledged = v["transfer_sent_at"], v["transfer_acknowledged_at"]
    if sent and sent < v["received_at"]:
        found.append(row.problem("transfer_sent_at", "is before received_at"))
    if acknowledged and sent and acknowledged < sent:
        found.append(row.problem("transfer_acknowledged_at", "is before transfer_sent_at"))
    if bool(acknowledged) != bool(v["transfer_acknowledged_by"]):
        missing = "transfer_acknowledged_by" if acknowledged else "transfer_acknowledged_at"
        found.append(row.problem(missing, "transfer_acknowledged_at and transfer_acknowledged_by go together"))


def validate_meeting(row: RawRow, tz: ZoneInfo, now: dt.datetime, problems: list[Problem]) -> MeetingRow | None:
    found: list[Problem] = []
    v = _values(row, MEETING_COLUMNS, tz, now, found)
    if v is not None and v["minutes_circulated_at"] and v["minutes_circulated_at"] < v["held_at"]:
        found.append(row.problem("minutes_circulated_at", "is before held_at: minutes are circulated after the meeting"))
    problems.extend(found)
    if found:
        return None
    return MeetingRow(
        file=row.file, line=row.line, prefix=row.prefix, case_reference=v["case_reference"], kind=v["kind"],
        held_at=v["held_at"], chaired_by_service=v["chaired_by_service"],
        minutes_circulated_at=v["minutes_circulated_at"],
    )
