"""The three kinds of span of deadlines.md, in the partnership's local time.

Pure functions of an instant and the partnership's nation and time zone: the same
inputs give the same due time everywhere (screen, export, reminders, reports).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

END_OF_DAY = dt.time(23, 59, 59)


@lru_cache(maxsize=8)
def _calendar(nation: str) -> holidays.HolidayBase:
    # The `holidays` package is maintained and knows one-off days (19 Sep 2022, 8 May 2023).
    return holidays.country_holidays("GB", subdiv=nation)


def is_working_day(day: dt.date, nation: str = "ENG") -> bool:
    return day.weekday() < 5 and day not in _calendar(nation)


def end_of_day(day: dt.date, tz: str) -> dt.datetime:
    return dt.datetime.combine(day, END_OF_DAY, tzinfo=ZoneInfo(tz))


def add_hours(anchor: dt.datetime, hours: int) -> dt.datetime:
    """Elapsed time: across a clock change the wall-clock hour shifts (deadlines.md, `N hours`).

    Added in UTC: Python adds a timedelta to an aware Europe/London time in wall-clock time, so
    24 hours from the Saturday before the spring change would be 23 elapsed hours. The result is
    given back in the anchor's own time zone."""
    return (anchor.astimezone(dt.UTC) + dt.timedelta(hours=hours)).astimezone(anchor.tzinfo)


def add_working_days(anchor: dt.datetime, days: int, *, nation: str = "ENG", tz: str = "Europe/London") -> dt.datetime:
    """End of day of the N-th working day strictly after the anchor's local date."""
    return _working_days_after(anchor.astimezone(ZoneInfo(tz)).date(), days, nation, tz)


@lru_cache(maxsize=16384)
def _working_days_after(day: dt.date, days: int, nation: str, tz: str) -> dt.datetime:
    # A pure function of the local date: an import works it out for hundreds of thousands of rows over a few
    # thousand distinct dates, and looking up bank holidays day by day was a good part of its time.
    counted = 0
    while counted < days:
        day += dt.timedelta(days=1)
        if is_working_day(day, nation):
            counted += 1
    return end_of_day(day, tz)


def add_days(anchor: dt.datetime, days: int, *, tz: str = "Europe/London") -> dt.datetime:
    """End of day of the N-th calendar day after the anchor's local date."""
    day = anchor.astimezone(ZoneInfo(tz)).date() + dt.timedelta(days=days)
    return end_of_day(day, tz)


def __getattr__(name: str):
    """The clock in words moved to deadlines.wording (issue 13); the old name still answers."""
    if name == "time_left_in_words":
        from .wording import time_left_in_words

        return time_left_in_words
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
