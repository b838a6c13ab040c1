"""What a browser posts for the product's forms, for tests that post them."""

from __future__ import annotations

import datetime as dt
import re

from config.forms_dates import date_parts

_ISO = re.compile(r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?")


def with_dates(data: dict) -> dict:
    """`data` with each date or date-time (a date, a datetime or an ISO string like "2026-03-27" or
    "2026-03-27T14:30") split into the boxes a person types it in: field_day, field_month, field_year
    (and field_hour, field_minute). Anything else is posted as it is."""
    posted = {}
    for key, value in data.items():
        if isinstance(value, (dt.date, dt.datetime)) or (isinstance(value, str) and _ISO.fullmatch(value)):
            posted.update(date_parts(key, value))
        else:
            posted[key] = value
    return posted


def typed(name: str, day="", month="", year="", hour=None, minute=None) -> dict:
    """The boxes exactly as typed, for dates that are wrong: typed("date_of_birth", "31", "2", "2026")."""
    boxes = {f"{name}_day": day, f"{name}_month": month, f"{name}_year": year}
    if hour is not None or minute is not None:
        boxes.update({f"{name}_hour": hour or "", f"{name}_minute": minute or ""})
    return boxes


def referral_send(client, data: dict, *, url: str = "/referrals/new/"):
    """Fill in the referral form, check the answers, and send it: the response to "Send referral"."""
    checked = client.post(url, with_dates(data))
    assert checked.status_code == 302, checked.content.decode()[:3000]
    assert "/referrals/new/check/" in checked.url
    draft = checked.url.split("draft=", 1)[1]
    return client.post("/referrals/new/check/", {"draft": draft})
