"""The daily digest in the demo (issue 17 §2): Riverside Primary's designated safeguarding lead chose, when they
joined, one e-mail a day for case updates (a case closed, an assurance questionnaire) and for meetings and
minutes. The story's notices still reach their inbox at once; the e-mail about them goes in the next morning's
digest, sent at the partnership's digest hour (agencies.digests). (Minutes' notices are made by the worker, so
they reach the inbox, and the next digest, once `make run` runs it.)
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from agencies.digests import digests_send
from agencies.models import NoticeDelivery, Notification, Partnership
from agencies.notices import notice_preferences_update
from demo import clock

DIGEST_PERSON = "school.dsl"


def digest_choices(*, users) -> None:
    """Before the story: the person's choice, made when the partnership was set up."""
    with clock.at(clock.beginning()):
        notice_preferences_update(actor=users[DIGEST_PERSON], choices={"updates": NoticeDelivery.DIGEST,
                                                                       "meetings": NoticeDelivery.DIGEST})


def _digest_moment(created: dt.datetime, partnership: Partnership) -> dt.datetime:
    """The first digest after a notice: that day's digest hour if the notice came before it, else the next day's."""
    zone = zoneinfo.ZoneInfo(partnership.time_zone)
    local = created.astimezone(zone)
    moment = dt.datetime.combine(local.date(), dt.time(partnership.digest_hour, 5), tzinfo=zone)
    return moment if moment > local else moment + dt.timedelta(days=1)


def digest_story() -> str:
    """Send, at their story times, the digests due before now: each (person, day) once, so running it again adds
    nothing. Returns what it did."""
    partnership = Partnership.current()
    moments = sorted({_digest_moment(created, partnership)
                      for created in Notification.objects.filter(digest_pending=True).values_list("created_at", flat=True)})
    sent = 0
    for moment in moments:
        if moment > clock.latest():
            break  # the rest wait for tomorrow's digest, as they would
        with clock.at(moment):
            sent += digests_send()
    return f"Sent {sent} daily digest{'' if sent == 1 else 's'}." if sent else "No daily digest due."
