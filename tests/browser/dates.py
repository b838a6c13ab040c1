"""Typing a date into the GOV.UK date input as a person does: the Day, Month and Year boxes (and Hour and
Minute) inside the group named by its legend."""

from __future__ import annotations

import datetime as dt

from playwright.sync_api import Locator, Page


def date_group(scope: Page | Locator, legend: str) -> Locator:
    """The fieldset (role group) of one date, found by its legend; `.first` where a legend repeats."""
    return scope.get_by_role("group", name=legend, exact=True)


def fill_date(scope: Page | Locator, legend: str | None, value: dt.date | dt.datetime | str) -> None:
    """Type `value` day-first into the date input whose legend is `legend` (or into `scope` itself, a group)."""
    group = date_group(scope, legend) if legend is not None else scope
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value) if "T" in value or " " in value else dt.date.fromisoformat(value)
    group.get_by_label("Day", exact=True).fill(str(value.day))
    group.get_by_label("Month", exact=True).fill(str(value.month))
    group.get_by_label("Year", exact=True).fill(str(value.year))
    if isinstance(value, dt.datetime):
        group.get_by_label("Hour", exact=True).fill(f"{value.hour:02d}")
        group.get_by_label("Minute", exact=True).fill(f"{value.minute:02d}")
