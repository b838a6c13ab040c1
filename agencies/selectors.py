"""Reads about the partnership (its settings and their history)."""

from __future__ import annotations

from dataclasses import dataclass

from .models import PROMPT_SETTINGS, SPAN_SETTINGS, Nation, Partnership, SpanUnit

SPAN_LABELS = {
    "strategy_meeting": "Strategy meeting",
    "minutes_initial": "Minutes of an initial meeting",
    "minutes_review": "Minutes of a review meeting",
    "case_review": "Case review",
    "disagreement_step": "Disagreement step",
    "person_update": "Update to the person",
}


def span_words(number: int, unit: str) -> str:
    label = SpanUnit(unit).label.lower()
    return f"{number} {label[:-1] if number == 1 else label}"


@dataclass(frozen=True)
class SettingsChange:
    at: object
    by: str
    reason: str
    changes: list[str]  # "Strategy meeting: 7 working days → 72 hours"


def hour_words(hour: int | None) -> str:
    return "not set" if hour is None else f"{hour % 12 or 12}{'am' if hour < 12 else 'pm'}"


def settings_history(partnership: Partnership, *, limit: int = 50) -> list[SettingsChange]:
    """Who changed which setting, when and why: newest first (two queries)."""
    records = list(
        partnership.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1]
    )
    result = []
    for index, record in enumerate(records[:limit]):
        previous = records[index + 1] if index + 1 < len(records) else None
        result.append(SettingsChange(
            at=record.history_date,
            by=(record.history_user.get_full_name() or record.history_user.username) if record.history_user else "the system",
            reason=record.history_change_reason or "",
            changes=_describe(previous, record),
        ))
    return result


def _describe(before, after) -> list[str]:
    if before is None:
        return ["Settings first recorded: " + _summary(after)]
    changes = []
    if before.nation != after.nation:
        changes.append(f"UK nation: {Nation(before.nation).label} → {Nation(after.nation).label}")
    for kind in SPAN_SETTINGS:
        old = (getattr(before, f"{kind}_span"), getattr(before, f"{kind}_unit"))
        new = (getattr(after, f"{kind}_span"), getattr(after, f"{kind}_unit"))
        if old != new:
            changes.append(f"{SPAN_LABELS[kind]}: {span_words(*old)} → {span_words(*new)}")
    for name, label in PROMPT_SETTINGS.items():
        old, new = getattr(before, name, None), getattr(after, name, None)
        if old != new:
            changes.append(f"{label}: {old} → {new}")
    old_hour, new_hour = getattr(before, "digest_hour", None), getattr(after, "digest_hour", None)
    if old_hour != new_hour:
        changes.append(f"Hour of the daily e-mail: {hour_words(old_hour)} → {hour_words(new_hour)}")
    if before.name != after.name:
        changes.append(f"Name: {before.name} → {after.name}")
    return changes or ["No change to the settings"]


def _summary(record) -> str:
    parts = [Nation(record.nation).label]
    parts += [f"{SPAN_LABELS[kind].lower()} {span_words(getattr(record, f'{kind}_span'), getattr(record, f'{kind}_unit'))}"
              for kind in SPAN_SETTINGS]
    return ", ".join(parts)
