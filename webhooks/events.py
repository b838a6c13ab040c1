"""Recording an event for an agency's webhooks, in the transaction of the change that caused it.

The apps that act (allegations, meetings, deadlines through meetings) call `event_add` in their services; this
app sits in the bottom layer and imports nothing above it, so any app can. Need-to-know is the caller's: it
names the one agency whose record this is (the referring agency, the agency a case is shared with, the agency an
action is for or that is invited), and only that agency's endpoints hear of it.

The payload is built from the row when sent (webhooks.sending): the reference, the event's time, a link and a few
plain values, never names of the person or of children, as in e-mails.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone

from outbox.services import message_add

from .models import EVENTS, Delivery, DeliveryStatus, Endpoint, Event

# The plain values an event may carry besides its reference, link and time (validated: never free text).
DATA_KEYS = {"level", "due_on", "starts_at", "version", "meeting_kind"}
_PLAIN = re.compile(r"^[A-Za-z0-9 :_.+\-]{0,40}$")


def deliver_message(delivery: Delivery) -> None:
    """Ask the worker for the delivery's next attempt (an outbox message, in the caller's transaction)."""
    # Keyed by the attempt's number within its window: a sweep run twice asks once; a replay or a resume (a new
    # window) asks again.
    window = int(delivery.window_start.timestamp() * 1000)
    message_add(handler="webhooks.deliver", key=f"webhook:{delivery.pk}:{window}:{delivery.attempts + 1}",
                delivery_id=delivery.pk, attempt=delivery.attempts + 1)


def event_add(*, agency, event: str, reference: str, link: str, occurred_at: dt.datetime | None = None,
              data: dict | None = None, key: str | None = None) -> Event | None:
    """Record `event` about the record `reference` for `agency`, and a delivery to each of its endpoints that
    asked for it. Nothing is written when no endpoint of the agency asked for it (or `agency` is None), nor when
    `key` was recorded before. Deliveries to a paused endpoint are held until it is resumed."""
    if event not in EVENTS:
        raise ValueError(f"Not a webhook event: {event!r}")
    if agency is None:
        return None
    data = dict(data or {})
    unknown = set(data) - DATA_KEYS
    if unknown:
        raise ValueError(f"Webhook events carry plain values only; not {sorted(unknown)}")
    for name, value in data.items():
        if not (isinstance(value, int) or (isinstance(value, str) and _PLAIN.match(value))):
            raise ValueError(f"Webhook event value {name!r} is not a plain value")
    if not reference or not link.startswith("/"):
        raise ValueError("A webhook event names its record by reference, with a link within this product")
    reference = str(reference)[:40]  # a reference as the record has it (an imported one may have its own shape)
    endpoints = [e for e in Endpoint.objects.filter(agency_id=agency.pk, events__contains=[event]).order_by("pk")]
    if not endpoints:
        return None
    try:
        with transaction.atomic():
            row = Event.objects.create(
                message_id="msg_" + secrets.token_urlsafe(18), key=key, agency_id=agency.pk, type=event,
                reference=reference, link=link, occurred_at=occurred_at or timezone.now(), data=data)
    except IntegrityError:
        return None  # this once-key was recorded already
    for endpoint in endpoints:
        delivery = Delivery.objects.create(
            endpoint=endpoint, event=row, status=DeliveryStatus.HELD if endpoint.is_paused else DeliveryStatus.PENDING)
        if not endpoint.is_paused:
            deliver_message(delivery)
    return row
