"""Low-level concerns in and out (issue 16 part 8): a file of their own beside cases.csv.

A low-level concern is mostly not about a referral, so it cannot ride inside a referral's line of the export:
`export_cases --concerns concerns.jsonl` writes one JSON object per concern (CONCERN_COLUMNS, in
occurred_on order), and `import_cases --concerns concerns.csv|concerns.jsonl` reads them back, checked like
cases.csv (every problem as FILE:LINE: column: reason, nothing written if any) and in the same transaction as
the cases. Without --concerns nothing changes: older files and commands import as before.

- `employer_name` is the agency that recorded it (matched by name, any case; created under the LADO service
  if absent, as an employer of cases.csv is). `referral_reference`, when given, is the referral it was linked
  to (in the cases file or already in the product).
- Idempotent: a concern with the same employer, person, date and text is "already imported".
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from simple_history.utils import bulk_create_with_history

from agencies.models import Agency, Partnership, Sector
from allegations import matching
from allegations.models import Referral
from lowlevel.models import LowLevelConcern

from . import writing
from .columns import DATE, DATETIME, Column
from .reading import Problem, RawRow, _decode, _json_cells, looks_like_json_lines, read_csv
from .validating import _values
from .values import format_date, format_datetime

CONCERN_COLUMNS: tuple[Column, ...] = (
    Column("employer_name", required=True, max_length=200),
    Column("given_name", required=True, max_length=100),
    Column("family_name", required=True, max_length=100),
    Column("date_of_birth", DATE),
    Column("role", required=True, max_length=150),
    Column("occurred_on", DATE, required=True),
    Column("what_happened", required=True),
    Column("employer_action", required=True),
    Column("recorded_at", DATETIME),
    Column("referral_reference", max_length=32),
)
CONCERN_COLUMN_NAMES = tuple(c.name for c in CONCERN_COLUMNS)


def concern_record(concern: LowLevelConcern, tz: ZoneInfo) -> dict:
    record = {
        "employer_name": concern.agency.name,
        "given_name": concern.given_name,
        "family_name": concern.family_name,
        "date_of_birth": format_date(concern.date_of_birth),
        "role": concern.role,
        "occurred_on": format_date(concern.occurred_on),
        "what_happened": concern.what_happened,
        "employer_action": concern.employer_action,
        "recorded_at": format_datetime(concern.recorded_at, tz),
        "referral_reference": concern.referral.reference if concern.referral_id else None,
    }
    assert tuple(record) == CONCERN_COLUMN_NAMES
    return record


def export_concern_lines():
    partnership = Partnership.objects.order_by("pk").first() or Partnership()
    tz = ZoneInfo(partnership.time_zone)
    for concern in (LowLevelConcern.objects.select_related("agency", "referral")
                    .order_by("occurred_on", "recorded_at", "pk").iterator(chunk_size=2000)):
        yield json.dumps(concern_record(concern, tz), ensure_ascii=False) + "\n"


def _key(employer: str, given: str, family: str, occurred_on: dt.date, what: str) -> tuple:
    return (employer.strip().lower(), given.strip().lower(), family.strip().lower(), occurred_on, what.strip())


@dataclass
class ConcernImport:
    problems: list[Problem] = field(default_factory=list)
    rows: list[tuple[RawRow, dict]] = field(default_factory=list)
    existing: int = 0

    @property
    def new(self) -> int:
        return len(self.rows)


def _read(path: str | Path, problems: list[Problem]) -> list[RawRow]:
    name = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        problems.append(Problem(name, 0, "-", f"cannot be read: {error.strerror or error}"))
        return []
    text = _decode(data, name, problems)
    if text is None:
        return []
    if not looks_like_json_lines(text):
        return read_csv(text, name, CONCERN_COLUMNS, problems)
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError as error:
            problems.append(Problem(name, number, "-", f"not a line of JSON: {error}"))
            continue
        if not isinstance(obj, dict):
            problems.append(Problem(name, number, "-", "each line must be a JSON object (one concern)"))
            continue
        row = RawRow(name, number, {})
        row.cells = _json_cells(obj, CONCERN_COLUMNS, row, problems)
        rows.append(row)
    return rows


def check_concerns(path: str | Path, *, tz: ZoneInfo, now: dt.datetime, file_references: set[str]) -> ConcernImport:
    """Read and check every concern; those already in the product are counted, not written."""
    result = ConcernImport()
    existing_keys = {
        _key(employer, given, family, occurred, what)
        for employer, given, family, occurred, what in LowLevelConcern.objects.values_list(
            "agency__name", "given_name", "family_name", "occurred_on", "what_happened")
    }
    wanted = set()
    checked = []
    for raw in _read(path, result.problems):
        values = _values(raw, CONCERN_COLUMNS, tz, now, result.problems)
        if values is None:
            continue
        if values["recorded_at"] and values["recorded_at"].date() < values["occurred_on"] - dt.timedelta(days=1):
            result.problems.append(raw.problem("recorded_at", "is before occurred_on: a concern is recorded after it happened"))
            continue
        checked.append((raw, values))
        if values["referral_reference"]:
            wanted.add(values["referral_reference"])
    known = set(Referral.objects.filter(reference__in=wanted).values_list("reference", flat=True))
    seen = {}
    for raw, values in checked:
        reference = values["referral_reference"]
        if reference and reference not in known and reference not in file_references:
            result.problems.append(raw.problem("referral_reference", f"{reference} is neither in the cases file nor in the product"))
            continue
        key = _key(values["employer_name"], values["given_name"], values["family_name"], values["occurred_on"],
                   values["what_happened"])
        if key in existing_keys:
            result.existing += 1
            continue
        if key in seen:
            result.problems.append(raw.problem("what_happened", f"the same concern appears twice (first on line {seen[key]})"))
            continue
        seen[key] = raw.line
        result.rows.append((raw, values))
    return result


@dataclass
class _Named:
    """What writing.employers reads of a row: an employer named in the concerns file."""

    employer_name: str
    file: str
    line: int
    sector: str = Sector.OTHER


def write_concerns(checked: ConcernImport, *, ctx: writing.Context) -> None:
    """Write the checked concerns (in the caller's transaction), each with its imported history."""
    if not checked.rows:
        return
    by_name = writing.employers([_Named(v["employer_name"], raw.file, raw.line) for raw, v in checked.rows], ctx)
    service_of = dict(Agency.objects.filter(pk__in=by_name.values()).values_list("pk", "lado_service_id"))
    references = dict(Referral.objects.filter(
        reference__in=[v["referral_reference"] for _, v in checked.rows if v["referral_reference"]]
    ).values_list("reference", "pk"))
    concerns = []
    for raw, v in checked.rows:
        agency_id = by_name[v["employer_name"].lower()]
        concern = LowLevelConcern(
            agency_id=agency_id, lado_service_id=service_of.get(agency_id) or ctx.lado_service.pk,
            given_name=v["given_name"], family_name=v["family_name"], date_of_birth=v["date_of_birth"],
            given_key=matching.phonetic_key(v["given_name"]), family_key=matching.phonetic_key(v["family_name"]),
            role=v["role"], occurred_on=v["occurred_on"], what_happened=v["what_happened"],
            employer_action=v["employer_action"], recorded_at=v["recorded_at"] or ctx.now,
            referral_id=references.get(v["referral_reference"]) if v["referral_reference"] else None,
            linked_at=ctx.now if v["referral_reference"] else None, imported_from=Path(raw.file).name[:255],
        )
        concern._change_reason = ctx.reason(raw.file, raw.line)
        concerns.append(concern)
    bulk_create_with_history(concerns, LowLevelConcern, batch_size=writing.BATCH, default_user=ctx.user,
                             default_date=ctx.now)
