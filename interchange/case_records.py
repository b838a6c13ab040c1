"""A case's arrangements and the records of the person the allegation is about, in the export and back (issue 16 §2,
§5; interchange.md: JSON fields added to each referral's line).

The export adds to each referral:

- `suspensions`: a list of objects with SUSPENSION_FIELDS;
- `person`: {"told": [...], "contacts": [...], "support": [...], "updates": [...]}, each a list of objects with the
  fields of PERSON_FIELDS;
- `letters`: the case's letters (issue 17 §3), a list of objects with LETTER_FIELDS (date-times with their offset).

Dates are `YYYY-MM-DD`, absent values `null`. An import of the export writes them on the new cases it creates
(history: "Imported from FILE line N by USERNAME"); a reference already in the product keeps what it has (an import
never overwrites); a file without them (an older export, a cases.csv) imports as before. They open no deadline: an imported case's deadlines are those of deadlines.md (writing.plan_deadlines).
"""

from __future__ import annotations

from django.utils import timezone

from allegations.models import (
    Audience,
    Letter,
    LetterKind,
    PersonContact,
    PersonSupport,
    PersonTold,
    PersonUpdate,
    Suspension,
)

from .values import format_date, format_datetime, parse_date, parse_datetime

EXTRA_KEYS = ("suspensions", "person", "letters")

DATE, TEXT, TEXT_LIST, DATETIME = "date", "text", "text_list", "datetime"
# Dates that may be ahead: when an arrangement is to be reviewed, until when something is held back from the person.
FUTURE_DATES = frozenset({"review_on", "held_back_until"})

# Field -> (kind, required, choices or None). Free text has no choices.
SUSPENSION_FIELDS: dict[str, tuple[str, bool, tuple | None]] = {
    "arrangement": (TEXT, True, tuple(Suspension.Arrangement.values)),
    "decided_on": (DATE, True, None),
    "decided_by": (TEXT, True, None),
    "alternatives_considered": (TEXT_LIST, False, tuple(Suspension.Alternative.values)),
    "alternatives_notes": (TEXT, False, None),
    "risk": (TEXT, False, None),
    "police_views": (TEXT, False, None),
    "social_care_views": (TEXT, False, None),
    "lado_advice_sought": (TEXT, False, tuple(Suspension.Answer.values)),
    "lado_advice_on": (DATE, False, None),
    "person_informed": (TEXT, False, tuple(Suspension.Informed.values)),
    "person_informed_on": (DATE, False, None),
    "lado_informed_on": (DATE, False, None),
    "review_on": (DATE, False, None),
    "ended_on": (DATE, False, None),
    "notes": (TEXT, False, None),
}

PERSON_FIELDS: dict[str, tuple[type, dict[str, tuple[str, bool, tuple | None]]]] = {
    "told": (PersonTold, {
        "told_on": (DATE, False, None), "told_by": (TEXT, False, None), "what_told": (TEXT, False, None),
        "held_back": (TEXT, False, None), "held_back_advised_by": (TEXT, False, None),
        "held_back_until": (DATE, False, None), "held_back_why": (TEXT, False, None),
    }),
    "contacts": (PersonContact, {
        "name": (TEXT, True, None), "role": (TEXT, False, None), "agency": (TEXT, True, None),
        "contact_details": (TEXT, False, None), "from_on": (DATE, True, None),
    }),
    "support": (PersonSupport, {
        "kind": (TEXT, True, tuple(PersonSupport.Kind.values)), "detail": (TEXT, False, None),
        "offered_on": (DATE, True, None), "offered_by": (TEXT, True, None),
        "taken_up": (TEXT, True, tuple(PersonSupport.TakenUp.values)),
    }),
    "updates": (PersonUpdate, {
        "given_on": (DATE, True, None), "given_by": (TEXT, True, None), "summary": (TEXT, True, None),
        "views": (TEXT, False, None),
    }),
}


# A case's letters (issue 17 §3; allegations/letters.py): `letters`, a list of objects with these fields. Their PDF
# and Word documents are not in the export (documents never are); an imported letter keeps its words and states,
# drafted (and, if it was, approved) by the person importing, as the history's reason says.
LETTER_FIELDS: dict[str, tuple[str, bool, tuple | None]] = {
    "kind": (TEXT, True, tuple(LetterKind.values)), "recipient": (TEXT, True, None), "subject": (TEXT, True, None),
    "body": (TEXT, True, None), "audience": (TEXT, True, tuple(Audience.values)),
    "status": (TEXT, True, tuple(Letter.Status.values)), "drafted_at": (DATETIME, True, None),
    "approved_at": (DATETIME, False, None), "sent_at": (DATETIME, False, None),
    "sent_by": (TEXT, False, tuple(Letter.SentBy.values)),
}


def _out(item, fields) -> dict:
    record = {}
    for name, (kind, _, _) in fields.items():
        value = getattr(item, name)
        if kind == DATETIME:
            record[name] = format_datetime(value, timezone.get_current_timezone())
        elif kind == DATE:
            record[name] = format_date(value)
        elif kind == TEXT_LIST:
            record[name] = list(value)
        else:
            record[name] = value if value else None
    return record


def _order(item) -> tuple:
    return (item.pk,)


def export_records(case) -> dict:
    """The case's `suspensions` and `person` (empty for a contact without a case), oldest first."""
    if case is None:
        return {"suspensions": [], "person": {key: [] for key in PERSON_FIELDS}, "letters": []}
    suspensions = sorted(case.suspensions.all(), key=_order)
    person = {}
    for key, (model, fields) in PERSON_FIELDS.items():
        related = {"told": "person_told", "contacts": "person_contacts", "support": "person_support",
                   "updates": "person_updates"}[key]
        person[key] = [_out(item, fields) for item in sorted(getattr(case, related).all(), key=_order)]
    return {"suspensions": [_out(s, SUSPENSION_FIELDS) for s in suspensions], "person": person,
            "letters": [_out(letter, LETTER_FIELDS) for letter in sorted(case.letters.all(), key=_order)]}


def _read_one(obj, fields, where: str, problems: list) -> dict | None:
    """(column, reason) problems for one object; its values as model fields, or None."""
    if not isinstance(obj, dict):
        problems.append((where, "must be a JSON object"))
        return None
    unknown = set(obj) - set(fields)
    for key in sorted(unknown):
        problems.append((f"{where}.{key}", f"unknown field (the fields are {', '.join(fields)})"))
    values = {}
    for name, (kind, required, choices) in fields.items():
        raw = obj.get(name)
        column = f"{where}.{name}"
        if raw in (None, "", []):
            if required:
                problems.append((column, "required"))
            values[name] = [] if kind == TEXT_LIST else (None if kind in (DATE, DATETIME) else "")
            continue
        if kind == TEXT_LIST:
            if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
                problems.append((column, "must be a list of text"))
                continue
            bad = [v for v in raw if choices and v not in choices]
            if bad:
                problems.append((column, f"{', '.join(bad)}: not one of {', '.join(choices)}"))
            values[name] = list(raw)
            continue
        if not isinstance(raw, str):
            problems.append((column, f"expected text, not {type(raw).__name__}"))
            continue
        if kind == DATETIME:
            at, error = parse_datetime(raw.strip(), timezone.get_current_timezone())
            if error:
                problems.append((column, error))
            elif at > timezone.now():
                problems.append((column, "in the future"))
            values[name] = at
            continue
        if kind == DATE:
            day, error = parse_date(raw.strip())
            if error:
                problems.append((column, error))
            elif day > timezone.localdate() and name not in FUTURE_DATES:
                problems.append((column, "in the future"))
            values[name] = day
        else:
            if choices and raw.strip() not in choices:
                problems.append((column, f"not one of {', '.join(choices)}"))
            values[name] = raw.strip()
    return values


def read_records(obj: dict) -> tuple[dict, list[tuple[str, str]]]:
    """The `suspensions` and `person` of one exported referral, as model fields, and (column, reason) problems."""
    problems: list[tuple[str, str]] = []
    found: dict = {"suspensions": [], "person": {key: [] for key in PERSON_FIELDS}, "letters": []}
    letters = obj.get("letters") or []
    if not isinstance(letters, list):
        problems.append(("letters", "must be a list"))
    else:
        for index, item in enumerate(letters):
            where = f"letters[{index}]"
            values = _read_one(item, LETTER_FIELDS, where, problems)
            if values is None:
                continue
            if values["status"] in ("approved", "sent") and values["approved_at"] is None:
                problems.append((f"{where}.approved_at", "required for an approved or sent letter"))
            if values["status"] == "sent" and not (values["sent_at"] and values["sent_by"]):
                problems.append((f"{where}.sent_at", "a sent letter needs sent_at and sent_by"))
            found["letters"].append(values)
    suspensions = obj.get("suspensions") or []
    if not isinstance(suspensions, list):
        problems.append(("suspensions", "must be a list"))
    else:
        for index, item in enumerate(suspensions):
            values = _read_one(item, SUSPENSION_FIELDS, f"suspensions[{index}]", problems)
            if values is not None:
                found["suspensions"].append(values)
    person = obj.get("person") or {}
    if not isinstance(person, dict):
        problems.append(("person", "must be an object"))
        return found, problems
    for key in sorted(set(person) - set(PERSON_FIELDS)):
        problems.append((f"person.{key}", f"unknown field (the fields are {', '.join(PERSON_FIELDS)})"))
    for key, (_, fields) in PERSON_FIELDS.items():
        items = person.get(key) or []
        if not isinstance(items, list):
            problems.append((f"person.{key}", "must be a list"))
            continue
        for index, item in enumerate(items):
            values = _read_one(item, fields, f"person.{key}[{index}]", problems)
            if values is not None:
                found["person"][key].append(values)
    return found, problems


def has_records(found: dict | None) -> bool:
    return bool(found) and bool(found["suspensions"] or any(found["person"].values()) or found.get("letters"))


def plan_records(case_id: int, found: dict, *, user, reason: str) -> dict[type, list]:
    """The rows to write for one new case, by model (writing.write_chunk writes them in bulk with history)."""
    rows: dict[type, list] = {}
    for values in found["suspensions"]:
        item = Suspension(case_id=case_id, recorded_by=user, **values)
        item._change_reason = reason
        rows.setdefault(Suspension, []).append(item)
    for key, (model, _) in PERSON_FIELDS.items():
        for values in found["person"][key]:
            item = model(case_id=case_id, recorded_by=user, **values)
            item._change_reason = reason
            rows.setdefault(model, []).append(item)
    for values in found.get("letters", []):
        item = Letter(case_id=case_id, drafted_by=user, approved_by=user if values["approved_at"] else None,
                      sent_recorded_by=user if values["sent_at"] else None, **values)
        item._change_reason = reason
        rows.setdefault(Letter, []).append(item)
    return rows
