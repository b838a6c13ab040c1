"""Registering endpoints, and delivering events to them with back-off, pausing, resuming and replaying.

Delivery
--------
* `event_add` (webhooks.events) writes a `Delivery` and an outbox message for its first attempt, in the change's
  transaction: a Redis outage delays a webhook, never loses it (the outbox's relay hands it over later).
* The worker runs `delivery_attempt` (handler "webhooks.deliver") under the outbox's row lock: one HTTPS POST,
  recorded as an `Attempt` (status code, time, kind of error). It never raises for a receiver's failure, so the
  attempt is recorded with its message marked done.
* A failed attempt sets `next_attempt_at` by exponential back-off (WEBHOOK_RETRY_BASE_SECONDS, doubling, at most
  six hours apart) within WEBHOOK_RETRY_HOURS (24) of the delivery being asked for; the last attempt falls at the
  end of that window, after which the delivery is given up. `deliveries_retry_due` (beat, every minute) claims
  the deliveries whose time has come (SKIP LOCKED) and writes the outbox message for each one's next attempt, so
  no long countdown sits in Redis.
* Every attempt of a delivery carries the same webhook-id, so a receiver that got an earlier one processes the
  event once (Standard Webhooks' idempotency).

Pausing
-------
An endpoint whose attempts have all failed for WEBHOOK_PAUSE_AFTER_HOURS (24) since its last success is paused:
its waiting deliveries are held, and the agency's administrators are told (an inbox notice and an e-mail with the
link only). Resuming sends what was held. An administrator can pause it too, and replay any delivery.
"""

from __future__ import annotations

import base64
import datetime as dt
import secrets
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from agencies.notifications import notice_once
from outbox.registry import handler

from . import sending
from .events import deliver_message
from .models import EVENTS, WAITING, Attempt, Delivery, DeliveryStatus, Endpoint, EndpointStatus
from .selectors import administered_agency_ids, administrators_of

MAX_GAP = dt.timedelta(hours=6)


def _history(instance, *, actor, reason: str) -> None:
    instance._history_user = actor
    instance._change_reason = reason[:100]
    instance.save()


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def _is_url(url: str) -> bool:
    try:
        URLValidator(schemes=["https"])(url)
    except ValidationError:
        return False
    return True


def _validate(*, url: str, events: list[str]) -> tuple[str, list[str]]:
    errors = {}
    url = (url or "").strip()
    parts = urlsplit(url)
    if not url:
        errors["url"] = "Enter the address of your system's endpoint, like https://example.org/webhooks."
    elif parts.scheme != "https":
        errors["url"] = "The address must start with https://: events are only sent over an encrypted connection."
    elif not _is_url(url):
        errors["url"] = "Enter a full address, like https://example.org/webhooks."
    elif parts.username or parts.password:
        errors["url"] = "The address must not contain a user name or password."
    elif len(url) > 500:
        errors["url"] = "The address must be 500 characters or fewer."
    events = [e for e in EVENTS if e in set(events or [])]
    if not events:
        errors["events"] = "Choose at least one event to be told about."
    if errors:
        raise ValidationError(errors)
    return url, events


def _require_admin(actor, agency_id: int) -> None:
    if agency_id not in administered_agency_ids(actor):
        raise PermissionDenied("Only the agency's administrator can manage its webhooks.")


@transaction.atomic
def endpoint_create(*, actor, agency, url: str, events: list[str], description: str = "") -> tuple[Endpoint, str]:
    """Register an endpoint; returns it and its secret (shown once)."""
    _require_admin(actor, agency.pk)
    url, events = _validate(url=url, events=events)
    secret = new_secret()
    endpoint = Endpoint(agency=agency, url=url, events=events, description=description.strip()[:200], secret=secret,
                        created_by=actor)
    _history(endpoint, actor=actor, reason="Endpoint registered")
    return endpoint, secret


@transaction.atomic
def endpoint_update(*, actor, endpoint: Endpoint, url: str, events: list[str], description: str = "") -> Endpoint:
    _require_admin(actor, endpoint.agency_id)
    url, events = _validate(url=url, events=events)
    endpoint = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
    endpoint.url, endpoint.events, endpoint.description = url, events, description.strip()[:200]
    _history(endpoint, actor=actor, reason="Endpoint changed")
    return endpoint


@transaction.atomic
def endpoint_pause(*, actor, endpoint: Endpoint, reason: str = "Paused by an administrator") -> Endpoint:
    _require_admin(actor, endpoint.agency_id)
    endpoint = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
    if endpoint.is_paused:
        raise ValidationError("This endpoint is already paused.")
    _pause(endpoint, actor=actor, reason=reason, now=timezone.now())
    return endpoint


def _pause(endpoint: Endpoint, *, actor, reason: str, now: dt.datetime) -> None:
    endpoint.status, endpoint.paused_at, endpoint.pause_reason = EndpointStatus.PAUSED, now, reason[:200]
    _history(endpoint, actor=actor, reason=reason)
    for delivery in endpoint.deliveries.select_for_update().filter(status__in=WAITING):
        delivery.status, delivery.next_attempt_at = DeliveryStatus.HELD, None
        delivery.save(update_fields=["status", "next_attempt_at"])


@transaction.atomic
def endpoint_resume(*, actor, endpoint: Endpoint) -> int:
    """Start sending again, and send what was held while it was paused (a fresh 24 hours each). Returns how many."""
    _require_admin(actor, endpoint.agency_id)
    endpoint = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
    if not endpoint.is_paused:
        raise ValidationError("This endpoint is not paused.")
    endpoint.status, endpoint.paused_at, endpoint.pause_reason, endpoint.failing_since = (
        EndpointStatus.ACTIVE, None, "", None)
    _history(endpoint, actor=actor, reason="Endpoint resumed")
    held = list(endpoint.deliveries.select_for_update().filter(status=DeliveryStatus.HELD).order_by("pk"))
    now = timezone.now()
    for delivery in held:
        delivery.status, delivery.window_start, delivery.next_attempt_at = DeliveryStatus.PENDING, now, None
        delivery.save(update_fields=["status", "window_start", "next_attempt_at"])
        deliver_message(delivery)
    return len(held)


@transaction.atomic
def endpoint_remove(*, actor, endpoint: Endpoint) -> None:
    _require_admin(actor, endpoint.agency_id)
    endpoint = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
    endpoint._history_user = actor
    endpoint._change_reason = "Endpoint removed"
    endpoint.delete()


@transaction.atomic
def delivery_replay(*, actor, delivery: Delivery) -> Delivery:
    """Send the event again, with the same webhook-id (a receiver that has it already can tell)."""
    _require_admin(actor, delivery.endpoint.agency_id)
    delivery = Delivery.objects.select_for_update(of=("self",)).select_related("endpoint").get(pk=delivery.pk)
    if delivery.endpoint.is_paused:
        raise ValidationError("Resume the endpoint before replaying: nothing is sent to it while it is paused.")
    if delivery.status == DeliveryStatus.PENDING:
        raise ValidationError("This delivery is being sent now.")
    now = timezone.now()
    delivery.status, delivery.window_start, delivery.next_attempt_at = DeliveryStatus.PENDING, now, None
    delivery.replayed_at, delivery.replayed_by = now, actor
    delivery.save(update_fields=["status", "window_start", "next_attempt_at", "replayed_at", "replayed_by"])
    deliver_message(delivery)
    return delivery


def next_attempt_at(delivery: Delivery, now: dt.datetime) -> dt.datetime | None:
    """When to try again after `delivery.attempts` failures: doubling gaps, at most MAX_GAP, the last at the end of
    the window; None when the window is over."""
    end = delivery.window_end()
    if now >= end:
        return None
    base = dt.timedelta(seconds=settings.WEBHOOK_RETRY_BASE_SECONDS)
    gap = min(base * 2 ** max(delivery.attempts - 1, 0), MAX_GAP)
    return min(now + gap, end)


@handler("webhooks.deliver", retry_for=())
def delivery_attempt(*, delivery_id: int, attempt: int) -> str:
    """One attempt of one delivery (the worker, inside the outbox's transaction). Safe to run again."""
    delivery = (Delivery.objects.select_for_update(of=("self",)).select_related("endpoint", "event")
                .filter(pk=delivery_id).first())
    if delivery is None or delivery.status not in WAITING or delivery.attempts >= attempt:
        return "skipped"
    endpoint = Endpoint.objects.select_for_update().get(pk=delivery.endpoint_id)
    if endpoint.is_paused:
        delivery.status, delivery.next_attempt_at = DeliveryStatus.HELD, None
        delivery.save(update_fields=["status", "next_attempt_at"])
        return "held"
    now = timezone.now()
    outcome = sending.send(url=endpoint.url, secret=endpoint.secret, event=delivery.event, now=now)
    delivery.attempts += 1
    Attempt.objects.create(delivery=delivery, number=delivery.attempts, at=now, status_code=outcome.status_code,
                           ok=outcome.ok, error=outcome.error[:80], duration_ms=outcome.duration_ms)
    if outcome.ok:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = DeliveryStatus.DELIVERED, now, None
        delivery.save(update_fields=["attempts", "status", "delivered_at", "next_attempt_at"])
        if endpoint.failing_since is not None:
            endpoint.failing_since = None
            endpoint.save(update_fields=["failing_since"])
        return "delivered"
    delivery.next_attempt_at = next_attempt_at(delivery, now)
    delivery.status = DeliveryStatus.RETRYING if delivery.next_attempt_at else DeliveryStatus.GIVEN_UP
    delivery.save(update_fields=["attempts", "status", "next_attempt_at"])
    if endpoint.failing_since is None:
        endpoint.failing_since = now
        endpoint.save(update_fields=["failing_since"])
    elif endpoint.failing_since <= now - dt.timedelta(hours=settings.WEBHOOK_PAUSE_AFTER_HOURS):
        _pause_and_tell(endpoint, now=now)
    return "failed"


def _pause_and_tell(endpoint: Endpoint, *, now: dt.datetime) -> None:
    hours = settings.WEBHOOK_PAUSE_AFTER_HOURS
    _pause(endpoint, actor=None, reason=f"Every attempt failed for {hours} hours", now=now)
    host = urlsplit(endpoint.url).hostname or "your endpoint"
    link = reverse("webhooks:endpoint_detail", args=[endpoint.pk])
    people = administrators_of(endpoint.agency_id)
    if not people and endpoint.created_by is not None and endpoint.created_by.is_active:
        people = [endpoint.created_by]
    for user in people:
        notice_once(user=user, title=f"Webhooks to {host} paused: it has not answered for {hours} hours",
                    link=link, key=f"webhook-paused:{endpoint.pk}:{int(now.timestamp())}",
                    email_template="webhooks/email/endpoint_paused", context={"host": host, "hours": hours})


def deliveries_retry_due(*, now: dt.datetime | None = None, batch: int = 500) -> int:
    """Ask for the next attempt of each delivery whose time has come (beat, every minute). Safe to run twice."""
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        due = list(Delivery.objects.filter(status=DeliveryStatus.RETRYING, next_attempt_at__lte=now)
                   .select_for_update(skip_locked=True).order_by("next_attempt_at", "pk")[:batch])
        for delivery in due:
            delivery.next_attempt_at = None
            delivery.save(update_fields=["next_attempt_at"])
            deliver_message(delivery)
    return len(due)
