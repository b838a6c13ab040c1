"""import_cases (interchange.md): validate everything first, then write all or nothing.

1. Read both files (CSV, or the export's JSON Lines) and check every row; rules across
   rows (duplicate references and meetings, a meeting's case) and against the product
   (a reference already there with different content) come next. Any problem: nothing
   is written, and every problem is returned.
2. A reference already in the product with the same content (compared through the
   export's spelling of both) is "already imported"; so is a meeting with the same
   (case_reference, kind, held_at) and content.
3. The rest is written in one transaction (writing.py), chunk by chunk.
"""

from __future__ import annotations

import datetime as dt
import getpass
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from agencies.models import Agency, AgencyKind, Partnership, Sector
from allegations.models import Case

from . import after_outcome, copying, disagreements, exporting, writing
from . import concerns as low_level
from .columns import CASE_COLUMNS, MEETING_COLUMNS
from .reading import Problem, ReadResult, read_file
from .validating import CaseRow, MeetingRow, validate_case, validate_meeting

CHUNK = 5000


@dataclass
class ImportResult:
    problems: list[Problem] = field(default_factory=list)
    referrals_new: int = 0
    referrals_existing: int = 0
    meetings_new: int = 0
    meetings_existing: int = 0
    dry_run: bool = False
    concerns_new: int | None = None  # None: no --concerns file (low-level concerns, interchange/concerns.py)
    concerns_existing: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        text = (f"Referrals: {self.referrals_new} new, {self.referrals_existing} already imported. "
                f"Meetings: {self.meetings_new} new, {self.meetings_existing} already imported.")
        if self.concerns_new is not None:
            text += f" Low-level concerns: {self.concerns_new} new, {self.concerns_existing} already imported."
        if self.dry_run:
            return f"Dry run, nothing written. {text}"
        if not (self.referrals_new or self.meetings_new or self.concerns_new):
            return f"Nothing to import: everything is already in the product. {text}"
        return f"Imported. {text}"


def _progress(iterable, *, show: bool, desc: str, total: int | None = None):
    if not show:
        return iterable
    from tqdm import tqdm

    return tqdm(iterable, desc=desc, total=total, unit="rows", file=sys.stderr, leave=False)


def import_cases(*, cases: str | Path, meetings: str | Path | None = None, dry_run: bool = False,
                 service: str | None = None, by: str | None = None, progress: bool = False,
                 now: dt.datetime | None = None, concerns: str | Path | None = None) -> ImportResult:
    now = now or timezone.now()
    result = ImportResult(dry_run=dry_run)
    partnership = Partnership.objects.order_by("pk").first() or Partnership(name="Safeguarding partnership")
    tz = ZoneInfo(partnership.time_zone)

    user = None
    if by:
        user = get_user_model().objects.filter(username=by).first()
        if user is None:
            result.problems.append(Problem("--by", 0, "-", f"there is no user with the username ‘{by}’"))
    _, service_problem = _lado_service(service)
    if service_problem:
        result.problems.append(Problem("--service", 0, "-", service_problem))

    read = ReadResult()
    read_file(cases, CASE_COLUMNS, read, meetings=False)
    if meetings:
        read_file(meetings, MEETING_COLUMNS, read, meetings=True)
    problems = result.problems
    problems.extend(read.problems)

    rows: list[CaseRow] = []
    file_rows_by_ref: dict[str, CaseRow] = {}
    seen: dict[str, int] = {}
    raw_references: set[str] = set()
    for raw in _progress(read.cases, show=progress, desc="Checking cases"):
        reference = raw.cells.get("reference", "")
        raw_references.add(reference)
        row = validate_case(raw, tz, now, problems)
        if row is not None and (raw.file, raw.line) in read.disagreements:
            row.disagreements = disagreements.validate(
                read.disagreements[(raw.file, raw.line)], is_referral=row.is_referral, contact_type=row.contact_type,
                tz=tz, now=now, problems=problems)
        if row is not None and raw.nested:
            row.after = after_outcome.validate(raw, is_referral=row.is_referral, closed=row.closed_at is not None,
                                               tz=tz, now=now, problems=problems)
        if reference and reference in seen:
            problems.append(raw.problem("reference", f"{reference} appears twice in the file (first on line {seen[reference]})"))
            continue
        if reference:
            seen[reference] = raw.line
        if row is not None:
            rows.append(row)
            file_rows_by_ref[row.reference] = row

    # References already in the product: the same content is "already imported", other content an error.
    existing = _existing_records({r.reference for r in rows} | _meeting_refs(read), tz, now)
    new_rows = []
    for row in rows:
        known = existing.get(row.reference)
        if known is None:
            new_rows.append(row)
            continue
        differing = [k for k, v in exporting.row_record(row, tz).items() if known["record"][k] != v]
        if differing:
            problems.append(Problem(row.file, row.line, "reference",
                                    f"{row.reference} is already in the product with different content "
                                    f"(in {', '.join(differing)}): an import never overwrites it"))
        else:
            result.referrals_existing += 1
    result.referrals_new = len(new_rows)
    for reference, (raw, _) in read.records.items():  # the arrangements and the person's records belong to a case
        row = file_rows_by_ref.get(reference)
        if row is not None and not row.is_referral:
            problems.append(raw.problem("suspensions", "only a referral (a case) has arrangements and the person's records"))

    file_rows = {r.reference: r for r in rows}
    new_meetings, existing_case_meetings = _check_meetings(read, tz, now, file_rows, raw_references, existing,
                                                           result, problems)

    checked_concerns = None
    if concerns:
        checked_concerns = low_level.check_concerns(concerns, tz=tz, now=now, file_references=set(file_rows))
        problems.extend(checked_concerns.problems)
        result.concerns_new, result.concerns_existing = checked_concerns.new, checked_concerns.existing

    result.problems = problems
    if problems or dry_run:
        if problems:
            result.referrals_new = result.referrals_existing = result.meetings_new = result.meetings_existing = 0
            if concerns:
                result.concerns_new = result.concerns_existing = 0
        return result

    _write(new_rows, new_meetings, existing_case_meetings, existing, service_name=service, user=user,
           file=Path(cases).name, now=now, progress=progress,
           records_by_ref={ref: found for ref, (_, found) in read.records.items()}, concerns=checked_concerns)
    return result


def _meeting_refs(read: ReadResult) -> set[str]:
    # Only references that can be one (a NUL or an over-long text is reported with its meeting).
    return {ref for m in read.meetings if (ref := m.cells.get("case_reference", "")) and "\x00" not in ref and len(ref) <= 32}


def _lado_service(name: str | None) -> tuple[Agency | None, str | None]:
    services = Agency.objects.filter(kind=AgencyKind.LADO_SERVICE)
    if name:
        found = services.filter(name__iexact=name).first()
        if found is None:
            known = ", ".join(services.order_by("name").values_list("name", flat=True)) or "none yet"
            return None, f"there is no LADO service named ‘{name}’ (the LADO services are: {known})"
        return found, None
    count = services.count()
    if count > 1:
        known = ", ".join(services.order_by("name").values_list("name", flat=True))
        return None, f"the product has {count} LADO services ({known}): choose one with --service"
    return services.first(), None  # None: an empty product, where one is created named after the partnership


def _existing_records(references: set[str], tz: ZoneInfo, now: dt.datetime) -> dict[str, dict]:
    """For each reference already in the product: its export record and its held meetings (by key)."""
    found: dict[str, dict] = {}
    references = sorted(r for r in references if r)
    for start in range(0, len(references), CHUNK):
        chunk = references[start:start + CHUNK]
        for referral in exporting.referrals_for_comparison().filter(reference__in=chunk):
            case = referral.case if exporting._has_case(referral) else None
            meetings = {}
            if case is not None:
                for m in case.held_meetings:
                    meetings[(m.kind, m.held_at)] = exporting.meeting_record(m, tz)
            found[referral.reference] = {"record": exporting.referral_record(referral, tz), "case": case,
                                         "meetings": meetings}
    return found


def _check_meetings(read, tz, now, file_rows, raw_references, existing, result, problems):
    new_meetings: dict[str, list[MeetingRow]] = defaultdict(list)
    existing_case_meetings: list[MeetingRow] = []
    seen: dict[tuple, int] = {}
    for raw in read.meetings:
        meeting = validate_meeting(raw, tz, now, problems)
        if meeting is None:
            continue
        reference = meeting.case_reference
        row = file_rows.get(reference)
        known = existing.get(reference)
        if known is not None:
            if known["case"] is None:
                problems.append(meeting.problem("case_reference", f"{reference} is not a referral with a case "
                                                f"(contact_type {known['record']['contact_type']}): only a referral has meetings"))
                continue
        elif row is not None:
            if not row.is_referral:
                problems.append(meeting.problem("case_reference", f"{reference} is not a referral "
                                                f"(contact_type {row.contact_type}): only a referral has meetings"))
                continue
        elif reference in raw_references:
            continue  # the referral's own row has problems, reported with it
        else:
            problems.append(meeting.problem("case_reference", f"{reference} is neither in the cases file nor in the product"))
            continue
        if meeting.key in seen:
            problems.append(meeting.problem("held_at", f"the same meeting ({reference}, {meeting.kind}, this held_at) "
                                            f"appears twice (first on line {seen[meeting.key]})"))
            continue
        seen[meeting.key] = meeting.line
        if known is not None:
            there = known["meetings"].get((meeting.kind, meeting.held_at))
            if there is not None:
                mine = {"kind": meeting.kind, "held_at": there["held_at"], "chaired_by_service": meeting.chaired_by_service,
                        "minutes_circulated_at": exporting.format_datetime(meeting.minutes_circulated_at, tz)}
                if mine != there:
                    differing = [k for k in mine if mine[k] != there[k]]
                    problems.append(meeting.problem("held_at", f"this meeting of {reference} is already in the product "
                                                    f"with different content (in {', '.join(differing)}): "
                                                    "an import never overwrites it"))
                else:
                    result.meetings_existing += 1
                continue
            existing_case_meetings.append(meeting)
        else:
            new_meetings[reference].append(meeting)
        result.meetings_new += 1
    return new_meetings, existing_case_meetings


@transaction.atomic
def _write(rows, meetings_by_ref, existing_case_meetings, existing, *, service_name, user, file, now, progress,
           records_by_ref=None, concerns=None) -> None:
    partnership = Partnership.current()
    lado_service, _ = _lado_service(service_name)
    if lado_service is None:
        # An empty product: its one LADO service, named after the partnership, so a round trip works.
        lado_service = Agency(name=f"{partnership.name} LADO service", kind=AgencyKind.LADO_SERVICE,
                              sector=Sector.SOCIAL_CARE)
        lado_service._history_user = user
        lado_service._change_reason = f"LADO service created for an import of {file}"
        lado_service.save()
    who = user.username if user is not None else _os_user()
    ctx = writing.Context(partnership=partnership, lado_service=lado_service, user=user, who=who, file_name=file, now=now)
    subjects = writing.existing_subjects(rows)
    agencies = writing.employers(rows, ctx)
    chunks = range(0, len(rows), CHUNK)
    bar = _progress(chunks, show=progress, desc="Writing", total=len(chunks))
    # PostgreSQL writes one table's rows while Python spells the next (copying.streaming).
    with copying.streaming() as stream:
        for start in bar:
            writing.write_chunk(rows[start:start + CHUNK], meetings_by_ref, ctx=ctx, subjects=subjects,
                                agencies=agencies, records_by_ref=records_by_ref or {})
            if stream is not None:
                stream.check_constraints()
    if existing_case_meetings:
        case_by_ref = {ref: Case.objects.select_related("referral").get(pk=known["case"].pk)
                       for ref, known in existing.items() if known["case"] is not None}
        writing.write_meetings_of_existing_cases(existing_case_meetings, case_by_ref, ctx)
    if concerns is not None:
        low_level.write_concerns(concerns, ctx=ctx)


def _os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name in the environment (a container): still say who we can
        return "an unknown system user"


__all__ = ["ImportResult", "import_cases"]
