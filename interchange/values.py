"""Reading and writing the values of interchange.md, in the partnership's time zone.

Parsing returns (value, None) or (None, reason); formatting gives the export's spelling.
Both directions live together so that a value read and written again is the same text
(the round trip of interchange.md).
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from .columns import MAX_CHILDREN_COUNT

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?")

DATETIME_EXAMPLE = "2025-04-17T16:30, 2025-04-17T16:30:00+01:00 or 2025-04-17T15:30:00Z"


def parse_date(text: str) -> tuple[dt.date | None, str | None]:
    if not _DATE.fullmatch(text):
        return None, f"‘{_clip(text)}’ is not a date: use YYYY-MM-DD"
    try:
        return dt.date.fromisoformat(text), None
    except ValueError:
        return None, f"‘{_clip(text)}’ is not a real date"


def parse_datetime(text: str, tz: ZoneInfo) -> tuple[dt.datetime | None, str | None]:
    """ISO 8601; without an offset, local time in `tz` (a time skipped by the clocks going forward is refused)."""
    if not _DATETIME.fullmatch(text):
        return None, f"‘{_clip(text)}’ is not an ISO 8601 date-time (e.g. {DATETIME_EXAMPLE})"
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        return None, f"‘{_clip(text)}’ is not a real date and time"
    if value.tzinfo is None:
        local = value.replace(tzinfo=tz)
        # A wall-clock time that does not exist (the hour the clocks go forward) does not round-trip. The instant
        # worked out here also shows the value is in range: an import parses hundreds of thousands of these.
        if local.astimezone(dt.timezone.utc).astimezone(tz).replace(tzinfo=None) != value:
            return None, f"‘{_clip(text)}’ does not exist in {tz.key} (the clocks went forward): give the UTC offset"
        return local, None
    try:
        value.astimezone(dt.timezone.utc)
    except (OverflowError, ValueError):
        return None, f"‘{_clip(text)}’ is out of range"
    return value, None


def parse_date_or_datetime(text: str, tz: ZoneInfo) -> tuple[tuple[dt.datetime, bool] | None, str | None]:
    """A date (kept as the start of that local day, flagged date-only) or a date-time."""
    if _DATE.fullmatch(text):
        day, problem = parse_date(text)
        if problem:
            return None, problem
        return (dt.datetime.combine(day, dt.time(0), tzinfo=tz), True), None
    value, problem = parse_datetime(text, tz)
    if problem:
        if _DATETIME.fullmatch(text):
            return None, problem  # a date-time, but not a real one: say why
        return None, f"‘{_clip(text)}’ is neither a date (YYYY-MM-DD) nor an ISO 8601 date-time"
    return (value, False), None


def parse_count(text: str) -> tuple[int | None, str | None]:
    if not re.fullmatch(r"\d+", text):
        return None, f"‘{_clip(text)}’ is not a whole number ≥ 0"
    number = int(text)
    if number > MAX_CHILDREN_COUNT:
        return None, f"{number} is more than {MAX_CHILDREN_COUNT}"
    return number, None


def parse_boolean(text: str) -> tuple[bool | None, str | None]:
    if text == "true":
        return True, None
    if text == "false":
        return False, None
    return None, f"‘{_clip(text)}’ is not allowed: use true or false"


def format_datetime(value: dt.datetime | None, tz: ZoneInfo) -> str | None:
    """Local time with its UTC offset and seconds: 2025-04-17T16:30:00+01:00."""
    if value is None:
        return None
    return value.astimezone(tz).replace(microsecond=0).isoformat(timespec="seconds")


def format_date(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def local_date(value: dt.datetime, tz: ZoneInfo) -> dt.date:
    return value.astimezone(tz).date()


def _clip(text: str, length: int = 40) -> str:
    text = text.replace("\n", " ").replace("\r", " ")
    return text if len(text) <= length else text[: length - 1] + "…"
