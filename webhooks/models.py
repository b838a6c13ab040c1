"""Webhooks: an agency's own system told when something happens to its records (issue 20 part 2).

* `Endpoint`: an HTTPS address an agency's administrator registered, the events it wants, and its signing
  secret (Standard Webhooks, "whsec_..."). The secret is shown once when made; it is kept to sign with, and
  left out of the endpoint's history.
* `Event`: one thing that happened, for one agency: its type, the record's reference, a link and when. Written
  by `webhooks.events.event_add` in the transaction of the change. Never names of people or children.
* `Delivery`: one event to one endpoint, and where it stands; `Attempt`: each try, with its status code, time
  and the kind of error (never a body: a receiver's answer may quote anything).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

# The events an endpoint can ask for, in the words an administrator reads.
EVENTS = {
    "referral.acknowledged": "A referral your agency made is received by the LADO service and given its reference",
    "case.shared": "A case is shared with your agency",
    "action.assigned": "An action is agreed for your agency",
    "action.overdue": "One of your agency's actions is overdue",
    "meeting.invited": "Your agency is invited to a meeting",
    "minutes.delivered": "Minutes of a meeting are sent to your agency",
    "case.closed": "A case your agency took part in is closed",
}


class EndpointStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"


class Endpoint(models.Model):
    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(max_length=500)
    description = models.CharField(max_length=200, blank=True)
    events = ArrayField(models.CharField(max_length=40))
    # Standard Webhooks' secret: "whsec_" and base64 of 32 random bytes. Shown once; kept to sign deliveries.
    secret = models.CharField(max_length=100)
    status = models.CharField(max_length=10, choices=EndpointStatus.choices, default=EndpointStatus.ACTIVE)
    paused_at = models.DateTimeField(null=True, blank=True)
    pause_reason = models.CharField(max_length=200, blank=True)
    # The first failed attempt since the last one that succeeded: failing for WEBHOOK_PAUSE_AFTER_HOURS pauses it.
    failing_since = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    history = HistoricalRecords(excluded_fields=["secret"])

    class Meta:
        ordering = ["created_at", "pk"]
        # webhooks.events.event_add: an agency's endpoints, on every event of that agency.
        indexes = [models.Index(fields=["agency"], name="webhook_endpoint_agency")]

    def __str__(self):
        return f"Webhook endpoint {self.pk} of {self.agency}"

    @property
    def is_paused(self) -> bool:
        return self.status == EndpointStatus.PAUSED

    def event_labels(self) -> list[str]:
        return [name for name in EVENTS if name in self.events]


class Event(models.Model):
    # The webhook-id header: the same for every attempt and replay, so a receiver processes an event once.
    message_id = models.CharField(max_length=40, unique=True)
    # A once-key from the caller (a sweep that runs twice records one event); unique when given.
    key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="webhook_events")
    type = models.CharField(max_length=40)
    reference = models.CharField(max_length=40)
    link = models.CharField(max_length=300)  # a path of this product: the payload adds SITE_URL
    occurred_at = models.DateTimeField()
    data = models.JSONField(default=dict, blank=True)  # plain values (a level, a date): never names
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-occurred_at", "-pk"]

    def __str__(self):
        return f"{self.type} {self.reference}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Sending"
    RETRYING = "retrying", "Failed, will try again"
    DELIVERED = "delivered", "Delivered"
    HELD = "held", "Held while the endpoint is paused"
    GIVEN_UP = "given_up", "Not delivered: gave up after 24 hours"


WAITING = (DeliveryStatus.PENDING, DeliveryStatus.RETRYING)


class Delivery(models.Model):
    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    # The back-off window starts when the delivery is first asked for (or replayed, or released from a pause).
    window_start = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    replayed_at = models.DateTimeField(null=True, blank=True)
    replayed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["endpoint", "event"], name="webhook_delivery_once")]
        indexes = [
            # webhooks.services.deliveries_retry_due: only the deliveries waiting for their next attempt.
            models.Index(fields=["next_attempt_at"], name="webhook_delivery_retry",
                         condition=Q(status="retrying", next_attempt_at__isnull=False)),
            # The endpoint's page: its latest deliveries.
            models.Index(fields=["endpoint", "-created_at"], name="webhook_delivery_endpoint"),
        ]

    def __str__(self):
        return f"Delivery {self.pk} ({self.get_status_display()})"

    def window_end(self) -> dt.datetime:
        return self.window_start + dt.timedelta(hours=settings.WEBHOOK_RETRY_HOURS)


class Attempt(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_rows")
    number = models.PositiveSmallIntegerField()
    at = models.DateTimeField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    ok = models.BooleanField(default=False)
    error = models.CharField(max_length=80, blank=True)  # the kind of error only: never a body
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["delivery", "number", "pk"]

    def __str__(self):
        return f"Attempt {self.number} of delivery {self.delivery_id}"
