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
