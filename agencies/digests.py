"""The daily digest: one e-mail a day listing the notices a person chose to get that way (agencies.notices).

The deadline sweep sends the digests due in the same pass as the notices (deadlines.chasing.sweep, every minute),
so a notice the sweep writes at or after the digest hour goes in that day's digest. From the partnership's digest
hour (in its time zone) `digests_send` sends each person with notices waiting one digest: a Delivery of kind
"digest" whose once-key is the person and the day, written in the same transaction that marks those notices as
sent in it. Two runs at once, or a run again later that day, find the key taken or the notices no longer waiting:
one digest per person per day. A notice that arrives after today's digest waits for tomorrow's.

A batch of people's digests is written in bulk, in one transaction: their waiting notices locked and read in one
query, the digests' deliveries and outbox messages in one insert each (outbox.delivery.deliveries_add, handed to
the worker as one task sent through one mail connection), and the notices marked. The people whose digest for the
day has gone are left out by one read of the day's once-keys, not one transaction each.

A digest lists a reference and a link per notice: never a name.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from outbox.delivery import deliveries_add
from outbox.models import Delivery

from .models import Notification, Partnership
from .notices import DIGEST_KIND, KIND_LABELS

DIGEST_TEMPLATE = "agencies/email/digest"


def digest_day(partnership: Partnership, now: dt.datetime) -> dt.date | None:
    """The partnership's day whose digest is due at `now`, or None before the digest hour."""
    local = now.astimezone(zoneinfo.ZoneInfo(partnership.time_zone))
    return local.date() if local.hour >= partnership.digest_hour else None


def digests_send(*, now: dt.datetime | None = None, batch: int = 500) -> int:
    """Send the digests due now; returns how many were asked for."""
    now = now or timezone.now()
    day = digest_day(Partnership.current(), now)
    if day is None:
        return 0
    waiting = set(Notification.objects.filter(digest_pending=True, created_at__lte=now, user__is_active=True)
                  .values_list("user_id", flat=True).distinct())
    keys = {digest_key(user_id, day): user_id for user_id in waiting}
    gone = {keys[key] for key in Delivery.objects.filter(key__in=list(keys)).values_list("key", flat=True)}
    due = sorted(waiting - gone)  # whose notices came after today's digest wait for tomorrow's
    return sum(_digests_batch(due[start:start + batch], day=day, now=now) for start in range(0, len(due), batch))


def digest_key(user_id: int, day: dt.date) -> str:
    return f"digest:{user_id}:{day.isoformat()}"


def _digests_batch(user_ids: list[int], *, day: dt.date, now: dt.datetime) -> int:
    """These people's digests for `day`, each once: the notices waiting are locked, listed and marked with it."""
    with transaction.atomic():
        notices = list(Notification.objects.select_for_update(of=("self",)).select_related("user")
                       .filter(user_id__in=user_ids, digest_pending=True, created_at__lte=now)
                       .order_by("user_id", "created_at", "pk"))
        by_user: dict[int, list[Notification]] = {}
        for notice in notices:  # another run may have sent some: they are no longer waiting, and not read
            by_user.setdefault(notice.user_id, []).append(notice)
        context = {"day": f"{day.day} {day:%B %Y}", "inbox_url": settings.SITE_URL + reverse("inbox"),
                   "preferences_url": settings.SITE_URL + reverse("notice_preferences")}
        items = []
        for user_id, waiting in by_user.items():
            user = waiting[0].user
            listed = [{"label": KIND_LABELS.get(n.kind, "Update"), "reference": n.reference,
                       "url": settings.SITE_URL + n.link} for n in waiting]
            items.append(dict(key=digest_key(user_id, day), kind=DIGEST_KIND, address=user.email,
                              template=DIGEST_TEMPLATE, context={**context, "count": len(listed), "items": listed},
                              user=user, recipient=user.get_full_name() or user.get_username()))
        made = dict(Delivery.objects.filter(pk__in=deliveries_add(items)).values_list("user_id", "pk"))
        # A person whose digest for the day was made meanwhile (its key taken) keeps their notices for tomorrow's.
        marked = [n for n in notices if n.user_id in made]
        for notice in marked:
            notice.digest_pending, notice.digest_id = False, made[notice.user_id]
        Notification.objects.bulk_update(marked, ["digest_pending", "digest"])
    return len(made)
