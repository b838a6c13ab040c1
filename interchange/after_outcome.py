"""What follows a case's outcome, in the export's JSON Lines and back (issue 16 §4, §6): the outcome's checklist,
complaints, and reopenings or amended outcomes, as three lists on each referral's line.

    "outcome_checklist": [{"item", "suggested", "state", "note", "done_at"}],
    "complaints": [{"received_on", "made_by", "complainant", "about", "summary", "stage", "stage_started_on",
                    "result", "answered_on", "answer"}],
    "amendments": [{"kind", "at", "reason", "outcome_before", "outcome_after"}]

Values as the models' (allegations.models): enumerations by value, dates YYYY-MM-DD, date-times with their UTC
offset, absent values null. Who ticked, recorded or decided is not exported (a username means nothing in another
product); an import says in each row's history who imported it. A file without these lists (every file written
before them, and cases.csv) imports as before; a reference already in the product keeps what it has.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from allegations.models import CaseAmendment, Complaint, Outcome, OutcomeChecklistItem
from allegations.outcomes import CHECKLIST_ITEMS

from .columns import BOOLEAN, DATE, DATETIME, ENUM, Column
from .reading import Problem, RawRow
from .values import format_date, format_datetime

CHECKLIST_COLUMNS: tuple[Column, ...] = (
    Column("item", ENUM, required=True, choices=tuple(CHECKLIST_ITEMS)),
    Column("suggested", BOOLEAN, choices=("true", "false")),
    Column("state", ENUM, required=True, choices=tuple(OutcomeChecklistItem.State.values)),
    Column("note"),
    Column("done_at", DATETIME),
)
COMPLAINT_COLUMNS: tuple[Column, ...] = (
    Column("received_on", DATE, required=True),
    Column("made_by", ENUM, required=True, choices=tuple(Complaint.From.values)),
    Column("complainant", max_length=150),
    Column("about", ENUM, required=True, choices=tuple(Complaint.About.values)),
    Column("summary", required=True),
    Column("stage", ENUM, required=True, choices=tuple(Complaint.Stage.values)),
    Column("stage_started_on", DATE, required=True),
    Column("result", ENUM, choices=tuple(Complaint.Result.values)),
    Column("answered_on", DATE),
    Column("answer"),
)
AMENDMENT_COLUMNS: tuple[Column, ...] = (
    Column("kind", ENUM, required=True, choices=tuple(CaseAmendment.Kind.values)),
    Column("at", DATETIME, required=True),
    Column("reason", required=True),
    Column("outcome_before", ENUM, choices=tuple(Outcome.values)),
    Column("outcome_after", ENUM, choices=tuple(Outcome.values)),
)
NESTED: dict[str, tuple[Column, ...]] = {
    "outcome_checklist": CHECKLIST_COLUMNS, "complaints": COMPLAINT_COLUMNS, "amendments": AMENDMENT_COLUMNS,
}
KEYS = tuple(NESTED)


# --- Export -------------------------------------------------------------------------------------------------


def _or_none(text: str) -> str | None:
    return text if text else None


def records(case, tz: ZoneInfo) -> dict:
    """The three lists of a referral's line (empty without a case). Reads the case's prefetched rows."""
    if case is None:
        return {key: [] for key in KEYS}
    return {
        "outcome_checklist": [
            {"item": i.item, "suggested": i.suggested, "state": i.state, "note": _or_none(i.note),
             "done_at": format_datetime(i.done_at, tz)}
            for i in sorted(case.outcome_checklist.all(), key=lambda i: i.pk)
        ],
        "complaints": [
            {"received_on": format_date(c.received_on), "made_by": c.made_by, "complainant": _or_none(c.complainant),
             "about": c.about, "summary": c.summary, "stage": c.stage,
             "stage_started_on": format_date(c.stage_started_on), "result": _or_none(c.result),
             "answered_on": format_date(c.answered_on), "answer": _or_none(c.answer)}
            for c in sorted(case.complaints.all(), key=lambda c: (c.received_on, c.pk))
        ],
        "amendments": [
            {"kind": a.kind, "at": format_datetime(a.at, tz), "reason": a.reason,
             "outcome_before": _or_none(a.outcome_before), "outcome_after": _or_none(a.outcome_after)}
            for a in sorted(case.amendments.all(), key=lambda a: (a.at, a.pk))
        ],
    }


PREFETCH = ("case__outcome_checklist", "case__complaints", "case__amendments")


# --- Import -------------------------------------------------------------------------------------------------


def read(obj: dict, row: RawRow, problems: list[Problem]) -> None:
    """The lists of one line of JSON, as raw rows kept on the referral's row (reading.read_json_lines)."""
    from .reading import _json_cells

    for key, columns in NESTED.items():
        items = obj.get(key) or []
        if not isinstance(items, list):
            problems.append(row.problem(key, "must be a list"))
            continue
        for index, item in enumerate(items):
            nested = RawRow(row.file, row.line, {}, prefix=f"{key}[{index}].")
            if not isinstance(item, dict):
                problems.append(nested.problem("-", "each item must be a JSON object"))
                continue
            nested.cells = _json_cells(item, columns, nested, problems)
            row.nested.setdefault(key, []).append(nested)


def validate(raw: RawRow, *, is_referral: bool, closed: bool, tz: ZoneInfo, now: dt.datetime,
             problems: list[Problem]) -> dict[str, list[dict]]:
    """Each list's typed values; only a referral (which has a case) holds them."""
    from .validating import _values

    out: dict[str, list[dict]] = {}
    for key, columns in NESTED.items():
        for nested in raw.nested.get(key, []):
            if not is_referral:
                problems.append(nested.problem("-", "only a referral (contact_type referral) has a case to hold this"))
                continue
            found: list[Problem] = []
            values = _values(nested, columns, tz, now, found)
            if values is not None:
                _rules(key, nested, values, closed, found)
            problems.extend(found)
            if not found:
                out.setdefault(key, []).append(values)
    return out


def _rules(key: str, nested: RawRow, v: dict, closed: bool, found: list[Problem]) -> None:
    if key == "complaints":
        if v["stage_started_on"] < v["received_on"]:
            found.append(nested.problem("stage_started_on", "is before received_on"))
        if bool(v["result"]) != bool(v["answered_on"]):
            found.append(nested.problem("result" if not v["result"] else "answered_on",
                                        "result and answered_on go together"))
    elif key == "outcome_checklist":
        pending = v["state"] == OutcomeChecklistItem.State.PENDING
        if pending == bool(v["done_at"]):
            found.append(nested.problem("done_at", "required when the item is done or not applicable, and only then"))


def write(case_rows: list[tuple], ctx, bulk) -> None:
    """The lists of newly imported cases: `case_rows` holds (Case, CaseRow); `bulk(objs, model)` writes them with
    history saying they were imported (writing._bulk)."""
    checklist, complaints, amendments = [], [], []
    for case, row in case_rows:
        after = getattr(row, "after", None) or {}
        reason = ctx.reason(row.file, row.line)
        for v in after.get("outcome_checklist", []):
            item = OutcomeChecklistItem(case_id=case.pk, item=v["item"], suggested=bool(v["suggested"]),
                                        state=v["state"], note=v["note"], done_at=v["done_at"])
            item._change_reason = reason
            checklist.append(item)
        for v in after.get("complaints", []):
            complaint = Complaint(case_id=case.pk, recorded_by=ctx.user, recorded_at=ctx.now, **v)
            complaint._change_reason = reason
            complaints.append(complaint)
        for v in after.get("amendments", []):
            amendment = CaseAmendment(case_id=case.pk, decided_by=None, **v)
            amendment._change_reason = reason
            amendments.append(amendment)
    bulk(checklist, OutcomeChecklistItem)
    bulk(complaints, Complaint)
    bulk(amendments, CaseAmendment)
