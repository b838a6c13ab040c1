"""Writing validated rows: subjects, agencies, referrals, cases, meetings and deadlines, in bulk.

Everything is written with its history (copying.copy_create: COPY, or `bulk_create_with_history`
for the few models it cannot spell), so every imported row has a
history row saying it was imported, from which file (and line), by whom. Look-ups go
through dictionaries filled by a few queries, never a query per row; the caller holds
the transaction. Nothing here sends a notice.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth.models import Group

from agencies.models import Agency, AgencyKind, Partnership, Sector
from allegations import matching
from allegations.models import (
    AssociatedPerson,
    Case,
    Child,
    OtherSubject,
    ParentsTold,
    CaseStatus,
    ContactType,
    Event,
    Referral,
    ReferralStatus,
    RegulatorReferral,
    Route,
    Strand,
    Subject,
    Transfer,
)
from deadlines import measures
from deadlines import services as deadline_rules
from deadlines.models import Deadline
from meetings.models import INITIAL_KINDS, Meeting, MeetingKind, MeetingStatus

from . import case_records
from .copying import build, copy_create
from .validating import CaseRow, MeetingRow

BATCH = 2000
WAIVED_REASON = "Case closed before it fell due"

STATUS_FOR = {
    ContactType.ADVICE: ReferralStatus.ADVICE,
    ContactType.NOT_ALLEGATION: ReferralStatus.NOT_ALLEGATION,
    ContactType.TRANSFER: ReferralStatus.TRANSFERRED,
    ContactType.REFERRAL: ReferralStatus.CASE_OPENED,
    ContactType.TRANSFER_IN: ReferralStatus.NEW,  # received from another authority, awaiting triage
}

# An employer named in an import and not yet known becomes an agency of the kind its sector suggests.
KIND_FOR_SECTOR = {
    Sector.EDUCATION: AgencyKind.SCHOOL,
    Sector.EARLY_YEARS: AgencyKind.EARLY_YEARS,
    Sector.FOSTERING: AgencyKind.FOSTERING_AGENCY,
    Sector.ADOPTION: AgencyKind.FOSTERING_AGENCY,
    Sector.RESIDENTIAL: AgencyKind.RESIDENTIAL_HOME,
    Sector.SOCIAL_CARE: AgencyKind.CARE_PROVIDER,
    Sector.HEALTH: AgencyKind.NHS_TRUST,
    Sector.POLICE: AgencyKind.POLICE,
    Sector.SPORTS: AgencyKind.SPORTS_CLUB,
    Sector.FAITH: AgencyKind.FAITH_GROUP,
    Sector.TRANSPORT: AgencyKind.TRANSPORT,
    Sector.VOLUNTARY: AgencyKind.VOLUNTARY,
    Sector.CARE_HOME: AgencyKind.CARE_PROVIDER,
    Sector.HOME_CARE: AgencyKind.CARE_PROVIDER,
    Sector.SUPPORTED_LIVING: AgencyKind.CARE_PROVIDER,
    Sector.DAY_SERVICES: AgencyKind.CARE_PROVIDER,
}


@dataclass
class Context:
    partnership: Partnership
    lado_service: Agency
    user: object  # the --by user, or None
    who: str  # "by alice" in change reasons
    file_name: str  # the cases file's name, kept on each referral (imported_from)
    now: dt.datetime

    def reason(self, file: str, line: int, what: str = "Imported") -> str:
        return f"{what} from {_file_name(file)} line {line} by {self.who}"


def _pk(instance) -> int | None:
    # Rows are built with their foreign keys' ids: setting a related instance goes through Django's descriptor and
    # the database router for every row, and nothing reads the instance back from the rows written.
    return instance.pk if instance is not None else None


@functools.lru_cache(maxsize=8)
def _file_name(file: str) -> str:
    return Path(file).name


# --- Deadlines: the rules of deadlines.md for an imported record ------------------------------

@dataclass
class PlannedDeadline:
    kind: str
    anchor: dt.datetime
    due: dt.datetime
    met_at: dt.datetime | None
    status: str
    meeting: MeetingRow | None = None


def deadline_status(due: dt.datetime, met_at: dt.datetime | None, closed_at: dt.datetime | None) -> str:
    if met_at is not None:
        return Deadline.Status.MET if met_at <= due else Deadline.Status.MET_LATE
    if closed_at is not None and closed_at < due:
        return Deadline.Status.WAIVED
    return Deadline.Status.OPEN  # deadlines.current_status() reads it as overdue once due


def minutes_kind(meeting_kind: str) -> str:
    return Deadline.Kind.MINUTES_INITIAL if meeting_kind in INITIAL_KINDS else Deadline.Kind.MINUTES_REVIEW


def plan_deadlines(row: CaseRow, meetings: list[MeetingRow], partnership: Partnership) -> list[PlannedDeadline]:
    """A referral's deadlines: the initial discussion; the strategy meeting on the strategy route; each
    meeting's minutes. No case review: a legacy record says nothing of its reviews."""
    if not row.is_referral:
        return []
    K = Deadline.Kind
    closed = row.closed_at
    planned = []

    def add(kind, anchor, met_at, meeting=None):
        due = deadline_rules.due_for(kind, anchor, partnership)
        planned.append(PlannedDeadline(kind, anchor, due, met_at, deadline_status(due, met_at, closed), meeting))

    add(K.INITIAL_DISCUSSION, row.received_at, row.initial_discussion_at)
    held = sorted(meetings, key=lambda m: m.held_at)
    if row.route == Route.STRATEGY_DISCUSSION:
        strategy = [m.held_at for m in held if m.kind == MeetingKind.STRATEGY_DISCUSSION]
        add(K.STRATEGY_MEETING, row.received_at, strategy[0] if strategy else None)
    for meeting in held:
        add(minutes_kind(meeting.kind), meeting.held_at, meeting.minutes_circulated_at, meeting)
    return planned


def _deadline(plan: PlannedDeadline, *, referral_id: int, case_id: int, ctx: Context, reason: str) -> Deadline:
    remind_at, escalate_at = deadline_rules.chase_times(plan.anchor, plan.due, ctx.partnership)
    deadline = build(
        Deadline, referral_id=referral_id, case_id=case_id, kind=plan.kind, anchor_at=plan.anchor, due_at=plan.due,
        met_at=plan.met_at, status=plan.status, remind_at=remind_at, escalate_at=escalate_at,
    )
    if plan.status == Deadline.Status.WAIVED:
        deadline.waived_by_id = _pk(ctx.user)
        deadline.waived_reason = f"{WAIVED_REASON} (imported)"
    deadline._change_reason = reason
    return deadline


# --- Look-ups filled once --------------------------------------------------------------------

def subject_key(given: str, family: str, dob: dt.date | None):
    return (given.strip().lower(), family.strip().lower(), dob)


def existing_subjects(rows: list[CaseRow]) -> dict:
    """Live subjects with the same given and family name (any case) and the same date of birth as a row.

    A row without a date of birth never reuses a record: the officer sees the "possible earlier
    records" suggestions instead, as for a referral made in the product."""
    dobs = sorted({r.subject_date_of_birth for r in rows if r.subject_date_of_birth})
    found = {}
    for start in range(0, len(dobs), 1000):
        for pk, given, family, dob in (
            Subject.objects.live().filter(date_of_birth__in=dobs[start:start + 1000])
            .order_by("pk").values_list("pk", "given_name", "family_name", "date_of_birth")
        ):
            found.setdefault(subject_key(given, family, dob), pk)
    return found


def _group_name(name: str) -> str:
    group = f"agency:{name}"
    if len(group) <= 150:
        return group
    digest = hashlib.sha1(name.encode()).hexdigest()[:10]
    return f"agency:{name[:130]}-{digest}"


def employers(rows: list[CaseRow], ctx: Context) -> dict[str, int]:
    """Agency id by lower-case name: known agencies matched by name (any case); the others created."""
    by_name = {name.lower(): pk for pk, name in Agency.objects.values_list("pk", "name")}
    wanted: dict[str, CaseRow] = {}
    for row in rows:
        key = row.employer_name.lower()
        if key not in by_name and key not in wanted:
            wanted[key] = row
    if not wanted:
        return by_name
    names = {key: _group_name(row.employer_name) for key, row in wanted.items()}
    groups = dict(Group.objects.filter(name__in=names.values()).values_list("name", "pk"))
    Group.objects.bulk_create([Group(name=n) for n in names.values() if n not in groups], batch_size=BATCH)
    groups = dict(Group.objects.filter(name__in=names.values()).values_list("name", "pk"))
    agencies = []
    for key, row in wanted.items():
        agency = Agency(
            name=row.employer_name, kind=KIND_FOR_SECTOR.get(row.sector, AgencyKind.OTHER), sector=row.sector,
            lado_service=ctx.lado_service, group_id=groups[names[key]],
        )
        agency._change_reason = ctx.reason(row.file, row.line, "Employer named in an import")
        agencies.append(agency)
    _bulk(agencies, Agency, ctx)
    for agency in agencies:
        by_name[agency.name.lower()] = agency.pk
    return by_name


def _bulk(objs: list, model, ctx: Context) -> list:
    return copy_create(objs, model, default_user=ctx.user, default_date=ctx.now)


# --- The rows --------------------------------------------------------------------------------

def write_chunk(rows: list[CaseRow], meetings_by_ref: dict[str, list[MeetingRow]], *, ctx: Context,
                subjects: dict, agencies: dict[str, int], records_by_ref: dict | None = None) -> None:
    """Write one chunk of new referrals (and their meetings) with their deadlines and history."""
    tz_partnership = ctx.partnership
    # Subjects: one record per (name, date of birth) seen; rows without a date of birth get their own.
    new_subjects: list[Subject] = []
    subject_of: list[object] = []
    for row in rows:
        key = subject_key(row.subject_given_name, row.subject_family_name, row.subject_date_of_birth)
        named = bool(row.subject_given_name or row.subject_family_name)  # an advice row may leave them out
        if named and row.subject_date_of_birth and key in subjects:
            subject_of.append(subjects[key])
            continue
        subject = build(
            Subject, given_name=row.subject_given_name, family_name=row.subject_family_name,
            date_of_birth=row.subject_date_of_birth, created_at=ctx.now, described_as=row.subject_described_as,
            given_key=matching.phonetic_key(row.subject_given_name),
            family_key=matching.phonetic_key(row.subject_family_name),
        )
        subject._change_reason = ctx.reason(row.file, row.line)
        new_subjects.append(subject)
        subject_of.append(subject)
        if named and row.subject_date_of_birth:
            subjects[key] = subject
    _bulk(new_subjects, Subject, ctx)
    for key, value in list(subjects.items()):
        if isinstance(value, Subject):
            subjects[key] = value.pk

    referrals = []
    for row, subject in zip(rows, subject_of):
        referral = build(
            Referral, reference=row.reference, lado_service_id=ctx.lado_service.pk,
            referrer_agency_name=row.referrer_agency,
            received_at=row.received_at, concern_arose_at=row.allegation_arose_at,
            concern_arose_date_only=row.arose_date_only,
            timeliness=measures.referral_timeliness(row.received_at, row.allegation_arose_at, tz_partnership),
            workforce=row.workforce, contact_type=row.contact_type, timing=row.timing, category=row.category,
            subject_id=subject if isinstance(subject, int) else subject.pk, subject_role=row.subject_role,
            employer_id=agencies[row.employer_name.lower()], employer_name=row.employer_name, sector=row.sector,
            children_count=row.children_count, status=STATUS_FOR[row.contact_type],
            initial_discussion_at=row.initial_discussion_at,
            closed_at=None if row.is_referral else row.closed_at,
            imported_from=ctx.file_name[:255], created_at=ctx.now, transferred_from=row.transferred_from,
        )
        referral._change_reason = ctx.reason(row.file, row.line)
        referrals.append(referral)
    _bulk(referrals, Referral, ctx)
    write_people(rows, referrals, ctx)
    _write_transfers([(row, referral) for row, referral in zip(rows, referrals) if row.has_transfer], ctx)

    cases = []
    case_rows = []
    for row, referral in zip(rows, referrals):
        if not row.is_referral:
            continue
        closed = row.closed_at is not None
        case = build(
            Case, referral_id=referral.pk, owner_id=None, route=row.route,
            status=CaseStatus.CLOSED if closed else CaseStatus.OPEN, opened_at=row.received_at,
            outcome=row.outcome, police_outcome=row.police_outcome, employer_outcome=row.employer_outcome,
            outcome_recorded_at=row.closed_at if row.outcome else None,
            dbs_referral_on=row.dbs_referral_at, closed_at=row.closed_at,
            closed_months=measures.closed_months(row.received_at, row.closed_at, tz_partnership),
        )
        case._change_reason = ctx.reason(row.file, row.line)
        cases.append(case)
        case_rows.append((row, referral))
    _bulk(cases, Case, ctx)
    from . import after_outcome

    after_outcome.write([(case, row) for case, (row, _) in zip(cases, case_rows)], ctx,
                        lambda objs, model: _bulk(objs, model, ctx))

    strands, regulators, deadlines, events = [], [], [], []
    planned_meetings: list[tuple[MeetingRow, Case, PlannedDeadline | None]] = []
    for case, (row, referral) in zip(cases, case_rows):
        reason = ctx.reason(row.file, row.line)
        if case.status == CaseStatus.OPEN:
            # The three strands the case page and its updates expect of an open case (services.case_open).
            for kind in Strand.Kind.values:
                strand = build(Strand, case_id=case.pk, kind=kind)
                strand._change_reason = reason
                strands.append(strand)
        if row.regulator_referral_at:
            regulator = RegulatorReferral(case_id=case.pk, regulator=row.regulator, made_on=row.regulator_referral_at,
                                          made_by="Not recorded (imported)")
            regulator._change_reason = reason
            regulators.append(regulator)
        meetings = meetings_by_ref.get(row.reference, [])
        plans = plan_deadlines(row, meetings, tz_partnership)
        for plan in plans:
            deadlines.append((plan, _deadline(plan, referral_id=referral.pk, case_id=case.pk, ctx=ctx,
                                              reason=_reason_for(plan, row, ctx))))
        for meeting in meetings:
            planned_meetings.append((meeting, case, None))
    _bulk(strands, Strand, ctx)
    _bulk(regulators, RegulatorReferral, ctx)
    # The arrangements and the person's records of an exported referral (case_records.py).
    records: dict[type, list] = {}
    for case, (row, _) in zip(cases, case_rows):
        found = (records_by_ref or {}).get(row.reference)
        if found:
            for model, items in case_records.plan_records(case.pk, found, user=ctx.user,
                                                          reason=ctx.reason(row.file, row.line)).items():
                records.setdefault(model, []).extend(items)
    for model, items in records.items():
        _bulk(items, model, ctx)
    _bulk([d for _, d in deadlines], Deadline, ctx)
    minutes_deadline = {id(plan.meeting): d.pk for plan, d in deadlines if plan.meeting is not None}
    _bulk([_meeting(m, case.pk, minutes_deadline.get(id(m)), ctx) for m, case, _ in planned_meetings], Meeting, ctx)

    cases_by_referral = {case.referral_id: case.pk for case in cases}
    for row, referral in zip(rows, referrals):
        events.append(build(
            Event, at=ctx.now, actor_id=_pk(ctx.user), referral_id=referral.pk, case_id=cases_by_referral.get(referral.pk),
            verb="imported", summary=ctx.reason(row.file, row.line)[:300],
        ))
    copy_create(events, Event, history=False)
    from . import disagreements

    disagreements.write([(row, referral.pk, case) for case, (row, referral) in zip(cases, case_rows)], ctx=ctx,
                        bulk=lambda objs, model: _bulk(objs, model, ctx))


def write_people(rows: list[CaseRow], referrals: list[Referral], ctx: Context) -> None:
    """The children (with whether their parents were told), associated people and other people alleged against of
    a line of the export (columns.PEOPLE_LISTS), each with its history saying it was imported."""
    children, told_for, associated, other_subjects, subjects = [], [], [], [], []
    for row, referral in zip(rows, referrals):
        reason = ctx.reason(row.file, row.line)
        for v in row.people.get("children", []):
            child = Child(referral_id=referral.pk, given_name=v["given_name"], family_name=v["family_name"],
                          date_of_birth=v["date_of_birth"],
                          relationship=v["relationship"] or Child.Relationship.COMPLAINANT,
                          social_worker=v["social_worker"] or "not_known", looked_after=v["looked_after"] or "not_known")
            child._change_reason = reason
            children.append(child)
            told_for.append((child, v, reason))
        for v in row.people.get("associated_people", []):
            person = AssociatedPerson(referral_id=referral.pk, name=v["name"], relationship=v["relationship"],
                                      notes=v["notes"], added_at=ctx.now)
            person._change_reason = reason
            associated.append(person)
        for v in row.people.get("other_subjects", []):
            subject = Subject(given_name=v["given_name"], family_name=v["family_name"], date_of_birth=v["date_of_birth"],
                              created_at=ctx.now, given_key=matching.phonetic_key(v["given_name"]),
                              family_key=matching.phonetic_key(v["family_name"]))
            subject._change_reason = reason
            subjects.append(subject)
            other_subjects.append((referral, subject, v, reason))
    _bulk(children, Child, ctx)
    told = []
    for child, v, reason in told_for:
        if v["parents_told"] is None:
            continue
        record = ParentsTold(child_id=child.pk, told=v["parents_told"], told_on=v["parents_told_on"],
                             told_by=v["parents_told_by"], what_told=v["parents_told_what"],
                             not_told_reason=v["parents_not_told_reason"], child_views=v["child_views"],
                             recorded_by=ctx.user, recorded_at=ctx.now)
        record._change_reason = reason
        told.append(record)
    _bulk(told, ParentsTold, ctx)
    _bulk(associated, AssociatedPerson, ctx)
    _bulk(subjects, Subject, ctx)
    others = []
    for referral, subject, v, reason in other_subjects:
        other = OtherSubject(referral_id=referral.pk, subject_id=subject.pk, subject_role=v["role"],
                             employment_type=v["employment_type"], added_at=ctx.now)
        other._change_reason = reason
        others.append(other)
    _bulk(others, OtherSubject, ctx)


def _write_transfers(pairs: list[tuple[CaseRow, Referral]], ctx: Context) -> None:
    """Contacts sent to another authority: the transfer, and its acknowledgement deadline (1 working day from
    sending, met when acknowledged). An imported unmet one is not chased: it is legacy, of a closed contact."""
    transfers, deadlines = [], []
    for row, referral in pairs:
        reason = ctx.reason(row.file, row.line)
        transfer = Transfer(
            referral_id=referral.pk, authority_name=row.transfer_to_authority, contact_name=row.transfer_contact_name,
            contact_email=row.transfer_contact_email, contact_phone=row.transfer_contact_phone,
            lead_authority=row.transfer_lead_authority, lead_agreed_with=row.transfer_lead_agreed_with,
            lead_agreed_on=row.transfer_lead_agreed_on, sent_at=row.transfer_sent_at, sent_by=None,
            acknowledged_at=row.transfer_acknowledged_at, acknowledged_by=row.transfer_acknowledged_by,
        )
        transfer._change_reason = reason
        transfers.append(transfer)
        kind = Deadline.Kind.TRANSFER_ACKNOWLEDGEMENT
        due = deadline_rules.due_for(kind, row.transfer_sent_at, ctx.partnership)
        met = row.transfer_acknowledged_at
        plan = PlannedDeadline(kind, row.transfer_sent_at, due, met, deadline_status(due, met, None))
        deadline = _deadline(plan, referral_id=referral.pk, case_id=None, ctx=ctx, reason=reason)
        if met is None:
            deadline.chase_ended_at = ctx.now
        deadlines.append(deadline)
    _bulk(transfers, Transfer, ctx)
    _bulk(deadlines, Deadline, ctx)


def _reason_for(plan: PlannedDeadline, row: CaseRow, ctx: Context) -> str:
    if plan.meeting is not None:
        return ctx.reason(plan.meeting.file, plan.meeting.line)
    return ctx.reason(row.file, row.line)


def _meeting(row: MeetingRow, case_id: int, deadline_id: int | None, ctx: Context) -> Meeting:
    meeting = build(
        Meeting, case_id=case_id, kind=row.kind, scheduled_at=row.held_at, held_at=row.held_at, status=MeetingStatus.HELD,
        chair_id=None, chaired_by_service=row.chaired_by_service, minutes_circulated_at=row.minutes_circulated_at,
        minutes_deadline_id=deadline_id, created_by_id=_pk(ctx.user), created_at=ctx.now,
    )
    meeting._change_reason = ctx.reason(row.file, row.line)
    return meeting


def write_meetings_of_existing_cases(meetings: list[MeetingRow], case_by_ref: dict[str, Case], ctx: Context) -> None:
    """New meetings of cases already in the product: each opens its minutes deadline, and a strategy
    discussion meets the case's unmet strategy meeting deadline. Rare, so written one by one."""
    from allegations.services import save_with_history

    by_case: dict[str, list[MeetingRow]] = defaultdict(list)
    for meeting in meetings:
        by_case[meeting.case_reference].append(meeting)
    for reference, rows in by_case.items():
        case = case_by_ref[reference]
        referral = case.referral
        for row in sorted(rows, key=lambda m: m.held_at):
            reason = ctx.reason(row.file, row.line)
            kind = minutes_kind(row.kind)
            due = deadline_rules.due_for(kind, row.held_at, ctx.partnership)
            plan = PlannedDeadline(kind, row.held_at, due, row.minutes_circulated_at,
                                   deadline_status(due, row.minutes_circulated_at, case.closed_at), row)
            deadline = _deadline(plan, referral_id=referral.pk, case_id=case.pk, ctx=ctx, reason=reason)
            save_with_history(deadline, actor=ctx.user, reason=reason)
            meeting = _meeting(row, case.pk, deadline.pk, ctx)
            save_with_history(meeting, actor=ctx.user, reason=reason)
            if row.kind == MeetingKind.STRATEGY_DISCUSSION:
                deadline_rules.deadline_meet(actor=ctx.user, referral=referral, kind=Deadline.Kind.STRATEGY_MEETING,
                                             met_at=row.held_at, reason=reason)
            Event.objects.create(at=ctx.now, actor=ctx.user, referral=referral, case=case, verb="imported",
                                 summary=f"{meeting.get_kind_display()}: {ctx.reason(row.file, row.line)[:200]}")
