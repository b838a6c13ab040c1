"""The outbox: every side effect a service asks for, recorded with the change that caused it.

A `Message` row is written in the same transaction as the change (a referral, circulated minutes, a PDF
asked for); after commit it is handed to Celery, and a beat job (`outbox.tasks.relay`, outbox.services.messages_relay) hands over again
whatever is not done. A worker runs it under a row lock and marks it done in the same transaction, so each
runs once whatever fails in between (outbox/services.py says how).

`FormSubmission` makes a form that creates a record usable once: its hidden one-time token is a unique row,
written in the record's transaction (outbox/submissions.py).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Message(models.Model):
    """One side effect to run: a registered handler's name and its arguments (ids, never names)."""

    # The once-key: asking twice for the same effect (a task run again) records it once.
    key = models.CharField(max_length=200, unique=True)
    handler = models.CharField(max_length=100)
    arguments = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    # When the relay hands it to Celery (again) if it is not done by then.
    relay_at = models.DateTimeField(default=timezone.now)
    relayed = models.PositiveIntegerField(default=0)  # hand-overs by the relay
    failures = models.PositiveIntegerField(default=0)  # runs that raised an error
    last_error = models.CharField(max_length=200, blank=True)  # the error's kind only: never names
    done_at = models.DateTimeField(null=True, blank=True)
    gave_up_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # outbox.services.messages_relay: only the rows still to run, in the order they fall due.
            models.Index(fields=["relay_at", "id"], name="outbox_message_pending",
                         condition=Q(done_at__isnull=True, gave_up_at__isnull=True)),
        ]

    def __str__(self):
        return f"{self.handler} #{self.pk}"

    @property
    def is_pending(self) -> bool:
        return self.done_at is None and self.gave_up_at is None


class FormSubmission(models.Model):
    """A form's one-time token, used: a second post of the same form finds the record already made."""

    token = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    url = models.CharField(max_length=300, blank=True)  # where the record made is shown

    def __str__(self):
        return f"Form submission {self.pk}"


class DeliveryChannel(models.TextChoices):
    EMAIL = "email", "E-mail"
    POST = "post", "Post"
    BY_HAND = "by-hand", "By hand or in person"


class DeliveryStatus(models.TextChoices):
    """Where a delivery stands. SMTP can say only that the mail server accepted a message ("sent"); GOV.UK
    Notify's receipts go on to say whether it reached the mailbox ("delivered") or why it did not."""

    QUEUED = "queued", "Waiting to send"
    SENDING = "sending", "Sent, waiting for a receipt"
    SENT = "sent", "Sent"
    DELIVERED = "delivered", "Delivered"
    TEMPORARY_FAILURE = "temporary-failure", "Not delivered: the mailbox was full or unavailable"
    PERMANENT_FAILURE = "permanent-failure", "Not delivered: the address does not exist"
    TECHNICAL_FAILURE = "technical-failure", "Not delivered: a fault in sending"


# A delivery that reached a person or an address, as far as the channel can tell.
REACHED = (DeliveryStatus.SENT, DeliveryStatus.DELIVERED)
FAILED = (DeliveryStatus.TEMPORARY_FAILURE, DeliveryStatus.PERMANENT_FAILURE, DeliveryStatus.TECHNICAL_FAILURE)


class Delivery(models.Model):
    """One message to one recipient by one channel, and what became of it: "sent" means it left us, and
    a receipt (where the channel gives one) says whether it arrived.

    What it is about is any record (an invitation, a circulation, a letter, a notice): `about_type` and
    `about_id`. Written with the change that asks for it (outbox.delivery.delivery_add), sent by the worker.
    The address is kept as it was when sent; the message's text is not kept (it is rendered from the
    record, and an e-mail carries no names of children or subjects anyway).
    """

    key = models.CharField(max_length=200)  # the once-key: asking twice delivers once (Meta's delivery_once)
    kind = models.CharField(max_length=60)  # the message kind (a template per kind: e-mail, Notify)
    about_type = models.ForeignKey("contenttypes.ContentType", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", db_index=False)  # Meta's outbox_delivery_about
    about_id = models.PositiveBigIntegerField(null=True, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="deliveries")
    recipient = models.CharField(max_length=250, blank=True)  # a name or a role, for the record
    address = models.CharField(max_length=320, blank=True)  # an e-mail address (or a postal one)
    channel = models.CharField(max_length=16, choices=DeliveryChannel.choices, default=DeliveryChannel.EMAIL)
    status = models.CharField(max_length=24, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED)
    # The e-mail's template and its plain values (a reference, a link, a date): never names.
    template = models.CharField(max_length=200, blank=True)
    context = models.JSONField(default=dict, blank=True)
    provider_reference = models.CharField(max_length=100, blank=True)  # e.g. Notify's id
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", db_index=False)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    failure = models.CharField(max_length=200, blank=True)  # the kind of failure only: never names

    class Meta:
        # Every delivery a sweep writes updates each index (issue 19: 10,000 a pass), so each index holds only the
        # rows its reads look for: no pattern-ops copy of the once-key (unique=True would add one; nothing reads the
        # key by LIKE), and the rows about something, with a provider's reference, or recorded by a person, only.
        constraints = [models.UniqueConstraint(fields=["key"], name="delivery_once")]
        indexes = [
            # deliveries_about(); a content type's PROTECT check
            models.Index(fields=["about_type", "about_id"], name="outbox_delivery_about",
                         condition=models.Q(about_type__isnull=False)),
            # receipts (delivery_receipt) and Notify's poll (outbox.notify): never the empty reference of SMTP's
            models.Index(fields=["provider_reference"], name="delivery_provider_reference",
                         condition=~models.Q(provider_reference="")),
            models.Index(fields=["created_by"], name="delivery_created_by", condition=models.Q(created_by__isnull=False)),
        ]
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.kind} to {self.recipient or 'a recipient'} ({self.get_status_display()})"

    @property
    def reached(self) -> bool:
        return self.status in REACHED

    @property
    def failed(self) -> bool:
        return self.status in FAILED

    @property
    def reached_at(self):
        """When it reached the person or address (delivered, or sent where no receipt comes), else None."""
        if not self.reached:
            return None
        return self.delivered_at or self.sent_at
