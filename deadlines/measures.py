"""Measures stored on a record when it is written, so reports count them in the database.

annual-report.md: referral timeliness (deadlines.md: within 1 working day of the concern
arising) and the duration of a closed referral in whole calendar months. Both are pure
functions of the record's instants and the partnership's nation and time zone.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

from agencies.models import Partnership

from . import timescales
from .models import Timeliness


def referral_timeliness(received_at: dt.datetime, concern_arose_at: dt.datetime | None, partnership: Partnership) -> str:
    """Within 1 working day: received by the end of the first working day after the day the concern arose."""
    if concern_arose_at is None:
        return Timeliness.UNKNOWN
    due = timescales.add_working_days(concern_arose_at, 1, nation=partnership.nation, tz=partnership.time_zone)
    return Timeliness.WITHIN_1_WORKING_DAY if received_at <= due else Timeliness.LATER


def closed_months(received_at: dt.datetime, closed_at: dt.datetime | None, partnership: Partnership) -> int | None:
    """Whole calendar months between the local dates (dateutil's relativedelta: years × 12 + months)."""
    if closed_at is None:
        return None
    tz = ZoneInfo(partnership.time_zone)
    span = relativedelta(closed_at.astimezone(tz).date(), received_at.astimezone(tz).date())
    return max(0, span.years * 12 + span.months)
