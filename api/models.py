"""API clients: an agency's own system acting for the agency (issue 20 §1).

A client is an OAuth 2 application (django-oauth-toolkit, client credentials, its secret stored hashed) and a
service account: a person-shaped account with one membership (the client's agency and role) that can never sign
in. Requests run as that account, so the same selectors as the pages decide what the client sees, and every read
is in the access log under the client's name.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from agencies.models import Agency, Role


class Scope(models.TextChoices):
    REFER = "refer", "Submit referrals"
    CASES = "cases", "Read the agency's referrals and cases"
    ACTIONS = "actions", "Read the agency's actions, record progress and mark them done"
    MEETINGS = "meetings", "Read the meetings the agency is invited to and the minutes sent to it"
    FIGURES = "figures", "Read the figures and the annual report"
    EXPORT = "export", "Export cases and meetings (JSON Lines)"


class ApiClient(models.Model):
    name = models.CharField(max_length=120, unique=True)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="api_clients")
    role = models.CharField(max_length=32, choices=Role.choices)
    scopes = ArrayField(models.CharField(max_length=16, choices=Scope.choices), default=list)
    # The account requests run as (one membership: agency and role); it has no usable password.
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_client")
    # The OAuth 2 application (client id, hashed secret). Kept after revoking, with no grant left.
    application = models.OneToOneField(settings.OAUTH2_PROVIDER_APPLICATION_MODEL, on_delete=models.PROTECT,
                                       related_name="api_client")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @property
    def scope_labels(self) -> list[str]:
        return [Scope(s).label for s in self.scopes if s in Scope.values]

    def allows(self, scope: str) -> bool:
        return self.is_active and scope in self.scopes


class IdempotentRequest(models.Model):
    """A referral submitted with an Idempotency-Key: a retry with the same key gets the same referral."""

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="idempotent_requests")
    key = models.CharField(max_length=255)
    # SHA-256 of the request body: the same key with another body is refused (422), never a second referral.
    fingerprint = models.CharField(max_length=64)
    referral = models.ForeignKey("allegations.Referral", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client", "key"], name="api_idempotency_key_once")]
