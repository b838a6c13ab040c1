"""A referral's disagreements and their escalation steps in the export's JSON Lines (issue 16 §9).

Each exported referral has `disagreements`: a list of objects with the disagreement's fields and its `steps` (the
escalation ladder of allegations.ladder). Reading it back creates the disagreements and their steps, and each step's
`disagreement_step` deadline (derived, like the others: due at the end of `answer_by`, met at `answered_at`).

Old files still import: a line without `disagreements` has none, and a disagreement without `steps` imports as a
plain disagreement (no ladder, no deadline).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from allegations.ladder import LADDER
from allegations.models import Disagreement, DisagreementStep
from deadlines import timescales
from deadlines.models import Deadline

from .columns import DATE, DATETIME, ENUM, TEXT, Column
from .reading import Problem, RawRow, ReadResult
from .values import format_date, format_datetime

DISAGREEMENT_COLUMNS: tuple[Column, ...] = (
    Column("kind", ENUM, required=True, choices=tuple(Disagreement.Kind.values)),
    Column("raised_on", DATE, required=True),
    Column("raised_by", TEXT, required=True, max_length=150),
    Column("about", TEXT, required=True),
    Column("status", ENUM, required=True, choices=tuple(Disagreement.Status.values)),
    Column("resolution", TEXT),
    Column("escalated_to", TEXT, max_length=150),
    Column("resolved_on", DATE),
)
STEP_COLUMNS: tuple[Column, ...] = (
    Column("level", ENUM, required=True, choices=tuple(DisagreementStep.Level.values)),
    Column("raised_on", DATE, required=True),
    Column("raised_by", TEXT, required=True, max_length=150),
    Column("raised_to", TEXT, max_length=150),
    Column("answer_by", DATE, required=True),
    Column("answered_at", DATETIME),
    Column("answer", TEXT),
    Column("result", ENUM, choices=tuple(DisagreementStep.Result.values)),
)
MAY_BE_FUTURE = {"answer_by"}  # a step may be waiting for an answer due later


# --- Export ----------------------------------------------------------------------------------

def disagreement_record(d: Disagreement, tz: ZoneInfo) -> dict:
    return {
        "kind": d.kind, "raised_on": format_date(d.raised_on), "raised_by": d.raised_by, "about": d.about,
        "status": d.status, "resolution": d.resolution or None, "escalated_to": d.escalated_to or None,
        "resolved_on": format_date(d.resolved_on),
        "steps": [step_record(s, tz) for s in sorted(d.steps.all(), key=lambda s: LADDER.index(s.level))],
    }


def step_record(s: DisagreementStep, tz: ZoneInfo) -> dict:
    return {
        "level": s.level, "raised_on": format_date(s.raised_on), "raised_by": s.raised_by,
        "raised_to": s.raised_to or None, "answer_by": format_date(s.answer_by),
        "answered_at": format_datetime(s.answered_at, tz), "answer": s.answer or None, "result": s.result or None,
    }


def records_of(case, tz: ZoneInfo) -> list[dict]:
    if case is None:
        return []
    items = sorted(case.disagreements.all(), key=lambda d: (d.raised_on, d.pk))
    return [disagreement_record(d, tz) for d in items]


# --- Reading ---------------------------------------------------------------------------------

@dataclass
class RawDisagreement:
    row: RawRow
    steps: list[RawRow] = field(default_factory=list)


def read(obj: dict, row: RawRow, result: ReadResult, cell) -> None:
    """The `disagreements` of one line of the export, kept by the line they came from."""
    items = obj.get("disagreements")
    if items is None:
        return
    if not isinstance(items, list):
        result.problems.append(row.problem("disagreements", "must be a list of disagreements"))
        return
    found = []
    for index, item in enumerate(items):
        prefix = f"disagreements[{index}]."
        nested = RawRow(row.file, row.line, {}, prefix=prefix)
        if not isinstance(item, dict):
            result.problems.append(nested.problem("-", "each disagreement must be a JSON object"))
            continue
        raw = RawDisagreement(nested)
        nested.cells = _cells(item, DISAGREEMENT_COLUMNS, nested, result.problems, cell, extra=("steps",))
        steps = item.get("steps") or []
        if not isinstance(steps, list):
            result.problems.append(nested.problem("steps", "must be a list of steps"))
            steps = []
        for number, step in enumerate(steps):
            step_row = RawRow(row.file, row.line, {}, prefix=f"{prefix}steps[{number}].")
            if not isinstance(step, dict):
                result.problems.append(step_row.problem("-", "each step must be a JSON object"))
                continue
            step_row.cells = _cells(step, STEP_COLUMNS, step_row, result.problems, cell)
            raw.steps.append(step_row)
        found.append(raw)
    result.disagreements[(row.file, row.line)] = found


def _cells(obj: dict, columns, row: RawRow, problems: list[Problem], cell, extra=()) -> dict[str, str]:
    known = {c.name for c in columns}
    cells = {}
    for key, value in obj.items():
        if key in extra:
            continue
        if key not in known:
            problems.append(row.problem(str(key), f"unknown field (the fields are {', '.join(c.name for c in columns)})"))
            continue
        text = cell(value)
        if text is None:
            problems.append(row.problem(key, f"expected text or null, not {type(value).__name__}"))
            continue
        cells[key] = text
    return cells


# --- Validating ------------------------------------------------------------------------------

@dataclass
class StepRow:
    level: str
    raised_on: dt.date
    raised_by: str
    raised_to: str
    answer_by: dt.date
    answered_at: dt.datetime | None
    answer: str
    result: str


@dataclass
class DisagreementRow:
    kind: str
    raised_on: dt.date
    raised_by: str
    about: str
    status: str
    resolution: str
    escalated_to: str
    resolved_on: dt.date | None
    steps: list[StepRow]


def _typed(row: RawRow, columns, tz: ZoneInfo, now: dt.datetime, problems: list[Problem]) -> dict | None:
    from .validating import _in_future, _parse
    from .values import local_date

    out, bad, today = {}, False, local_date(now, tz)
    for column in columns:
        text = row.cells.get(column.name, "")
        if text == "":
            if column.required:
                problems.append(row.problem(column.name, "required, but empty"))
                bad = True
            out[column.name] = "" if column.kind in (TEXT, ENUM) else None
            continue
        value, reason = _parse(column, text, tz)
        if reason is None and column.name not in MAY_BE_FUTURE:
            reason = _in_future(value, now, today)
        if reason is not None:
            problems.append(row.problem(column.name, reason))
            bad = True
            continue
        out[column.name] = value
    return None if bad else out


def validate(raws: list[RawDisagreement], *, is_referral: bool, contact_type: str, tz: ZoneInfo, now: dt.datetime,
             problems: list[Problem]) -> list[DisagreementRow]:
    """Each disagreement with its steps, typed; every problem reported. Only a referral (a case) has them."""
    rows = []
    for raw in raws:
        if not is_referral:
            problems.append(raw.row.problem("-", f"only a referral has disagreements (this is contact_type {contact_type})"))
            continue
        values = _typed(raw.row, DISAGREEMENT_COLUMNS, tz, now, problems)
        steps = [_typed(s, STEP_COLUMNS, tz, now, problems) for s in raw.steps]
        if values is None or any(s is None for s in steps):
            continue
        found = len(problems)
        _ladder_rules(raw, values, steps, problems)
        if len(problems) == found:
            rows.append(DisagreementRow(**values, steps=[StepRow(**s) for s in steps]))
    return rows


def _ladder_rules(raw: RawDisagreement, values: dict, steps: list[dict], problems: list[Problem]) -> None:
    """The steps climb the ladder in order from the manager; each but the last was escalated; the last is waiting,
    or resolved the disagreement."""
    for index, (step, step_row) in enumerate(zip(steps, raw.steps)):
        if step["level"] != LADDER[min(index, len(LADDER) - 1)] or index >= len(LADDER):
            problems.append(step_row.problem("level", f"the steps climb in order: {', '.join(LADDER)}"))
        if step["answer_by"] < step["raised_on"]:
            problems.append(step_row.problem("answer_by", "is before raised_on"))
        answered = step["answered_at"] is not None
        if answered != bool(step["result"]):
            problems.append(step_row.problem("result", "an answered step has a result, and only an answered one"))
        last = index == len(steps) - 1
        if not last and step["result"] != DisagreementStep.Result.ESCALATED:
            problems.append(step_row.problem("result", "every step but the last was escalated to the next"))
        if last and step["result"] == DisagreementStep.Result.ESCALATED:
            problems.append(step_row.problem("result", "the last step was escalated, but the next step is missing"))
    if steps:
        resolved = steps[-1]["result"] == DisagreementStep.Result.RESOLVED
        if resolved != (values["status"] == Disagreement.Status.RESOLVED):
            problems.append(raw.row.problem("status", "is resolved exactly when its last step resolved it"))


# --- Writing ---------------------------------------------------------------------------------

def write(pairs, *, ctx, bulk) -> None:
    """The disagreements of new cases, their steps and the steps' deadlines. `pairs`: (CaseRow, referral id,
    Case) for each new case; `bulk` writes a list of historied rows with the import's history."""
    from .writing import PlannedDeadline, _deadline, deadline_status

    items: list[tuple[Disagreement, DisagreementRow, object, object]] = []
    for row, referral_id, case in pairs:
        for d in getattr(row, "disagreements", None) or []:
            item = Disagreement(case_id=case.pk, kind=d.kind, raised_on=d.raised_on, raised_by=d.raised_by,
                                about=d.about, status=d.status, resolution=d.resolution, escalated_to=d.escalated_to,
                                resolved_on=d.resolved_on, recorded_by=ctx.user)  # None: imported without --by
            item._change_reason = ctx.reason(row.file, row.line)
            items.append((item, d, row, (referral_id, case)))
    if not items:
        return
    bulk([i for i, *_ in items], Disagreement)
    tz = ctx.partnership.time_zone
    planned = []
    for item, d, row, (referral_id, case) in items:
        for s in d.steps:
            due = timescales.end_of_day(s.answer_by, tz)
            anchor = timescales.end_of_day(s.raised_on, tz)
            plan = PlannedDeadline(Deadline.Kind.DISAGREEMENT_STEP, anchor, due, s.answered_at,
                                   deadline_status(due, s.answered_at, row.closed_at))
            deadline = _deadline(plan, referral_id=referral_id, case_id=case.pk, ctx=ctx,
                                 reason=ctx.reason(row.file, row.line))
            if row.closed_at is not None and s.answered_at is None:
                deadline.chase_ended_at = row.closed_at  # closed work is never chased
            step = DisagreementStep(disagreement_id=item.pk, level=s.level, raised_on=s.raised_on,
                                    raised_by=s.raised_by, raised_to=s.raised_to, answer_by=s.answer_by,
                                    answered_at=s.answered_at, answer=s.answer, result=s.result,
                                    recorded_by=item.recorded_by)
            step._change_reason = ctx.reason(row.file, row.line)
            planned.append((deadline, step))
    bulk([d for d, _ in planned], Deadline)
    for deadline, step in planned:
        step.deadline_id = deadline.pk
    bulk([s for _, s in planned], DisagreementStep)


__all__ = ["DISAGREEMENT_COLUMNS", "STEP_COLUMNS", "records_of", "read", "validate", "write"]
