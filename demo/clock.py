"""The story's clock: each step of the demo story goes through the services users go through, at the moment
it happens in the story.

While a step runs, every clock the services read (django.utils.timezone.now, datetime.now, date.today) shows
the story's moment, so what they write carries it: created and updated times, history rows (simple-history),
timeline events, deadlines and their chasing times, inbox entries. The story's times are relative to the
moment of seeding (a case opened "in March" is opened in the March before it), so the demo keeps looking
current, and it never reaches the present."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.utils import timezone


def at(when: dt.datetime):
    """`with at(story_moment): service(...)`: the clock stands still at `when` while the step runs."""
    return time_machine.travel(when, tick=False)


def ago(days: int, hour: int, minute: int = 0) -> dt.datetime:
    """`days` before today (the weekday before, if that is a weekend) at that local time, but never later than
    a few minutes ago: the story never reaches the present."""
    day = timezone.localdate() - dt.timedelta(days=days)
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return min(timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute))), latest())


def latest() -> dt.datetime:
    """The last moment of the story: a few minutes before seeding."""
    return timezone.now() - dt.timedelta(minutes=5)


def beginning() -> dt.datetime:
    """When the partnership and its people were set up: before the story's first referral (18 months ago)."""
    return ago(600, 9)
