"""The daily digest: one e-mail a day listing the notices a person chose to get that way (agencies.notices).

Beat runs `digests_send` every few minutes (agencies.tasks.send_digests). From the partnership's digest hour (in
its time zone) it sends each person with notices waiting one digest: a Delivery of kind "digest" whose once-key
is the person and the day, written in the same transaction that marks those notices as sent in it. Two runs at
once, or a run again later that day, find the key taken or the notices no longer waiting: one digest per person
per day. A notice that arrives after today's digest waits for tomorrow's.

A digest lists a reference and a link per notice: never a name.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from outbox.delivery import delivery_add

from .models import Notification, Partnership
from .notices import DIGEST_KIND, KIND_LABELS

DIGEST_TEMPLATE = "agencies/email/digest"


def digest_day(partnership: Partnership, now: dt.datetime) -> dt.date | None:
    """The partnership's day whose digest is due at `now`, or None before the digest hour."""
    local = now.astimezone(zoneinfo.ZoneInfo(partnership.time_zone))
    return local.date() if local.hour >= partnership.digest_hour else None


def digests_send(*, now: dt.datetime | None = None) -> int:
    """Send the digests due now; returns how many were asked for."""
    now = now or timezone.now()
    day = digest_day(Partnership.current(), now)
    if day is None:
        return 0
    waiting = (Notification.objects.filter(digest_pending=True, created_at__lte=now, user__is_active=True)
               .values_list("user_id", flat=True).distinct())
    return sum(digest_send(user_id=user_id, day=day, now=now) for user_id in sorted(set(waiting)))


def digest_send(*, user_id: int, day: dt.date, now: dt.datetime) -> bool:
    """One person's digest for `day`, once: the notices waiting are locked, listed and marked with it."""
    with transaction.atomic():
        notices = list(Notification.objects.select_for_update().select_related("user")
                       .filter(user_id=user_id, digest_pending=True, created_at__lte=now).order_by("created_at", "pk"))
        if not notices:
            return False  # another run sent them
        user = notices[0].user
        items = [{"label": KIND_LABELS.get(n.kind, "Update"), "reference": n.reference,
                  "url": settings.SITE_URL + n.link} for n in notices]
        delivery = delivery_add(
            key=f"digest:{user_id}:{day.isoformat()}", kind=DIGEST_KIND, address=user.email, template=DIGEST_TEMPLATE,
            context={"day": f"{day.day} {day:%B %Y}", "count": len(items), "items": items,
                     "inbox_url": settings.SITE_URL + reverse("inbox"),
                     "preferences_url": settings.SITE_URL + reverse("notice_preferences")},
            user=user, recipient=user.get_full_name() or user.get_username(),
        )
        if delivery is None:
            return False  # today's digest has gone: these wait for tomorrow's
        Notification.objects.filter(pk__in=[n.pk for n in notices]).update(digest_pending=False, digest=delivery)
    return True
