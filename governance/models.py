"""Retention of records and subject access requests (issue 7 §5–6).

- RetentionRule: how long each type of record is kept, a partnership setting (one row per type).
- DeletionRequest: a LADO manager asks for a record past retention to be deleted; a *different* LADO
  manager (or an administrator) approves or rejects it.
- DeletionAudit: what an approved deletion removed — table names and counts, the reference, who asked,
  who approved, why and when. Never a name, a description or any other content of the record.
- SubjectAccessRequest / SarRelease: everything held about one person, assembled for review with third
  parties redacted by default, and each release (who, when, which format, a digest of what was sent).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords


class RecordType(models.TextChoices):
    CLOSED_CASE = "closed_case", "Closed case (substantiated, unsubstantiated or no outcome)"
    UNFOUNDED_CASE = "unfounded_case", "Closed case found false, unfounded or malicious"
    ADVICE = "advice", "Advice contact"
    NOT_ALLEGATION = "not_allegation", "Not-an-allegation contact"
    TRANSFERRED = "transferred", "Contact transferred to another authority"


class RetentionFrom(models.TextChoices):
    CLOSURE = "closure", "The date the case or contact was closed"
    RECEIPT = "receipt", "The date the referral was received"


class RetentionRule(models.Model):
    """How long one type of record is kept. Meetings, minutes, documents and deadlines of a case are part
    of the case's record (003 §37: the LADO service retains the minutes) and go with it."""

    partnership = models.ForeignKey("agencies.Partnership", on_delete=models.CASCADE, related_name="retention_rules")
    record_type = models.CharField(max_length=24, choices=RecordType.choices)
    years = models.PositiveSmallIntegerField()
    counted_from = models.CharField(max_length=16, choices=RetentionFrom.choices, default=RetentionFrom.CLOSURE)
    # "Until the subject's normal retirement age or the period, whichever is longer" (KCSIE, Part 4).
    until_retirement_age = models.BooleanField(default=False)
    basis = models.TextField(blank=True, help_text="Why this period: the guidance it follows")

    history = HistoricalRecords()

    class Meta:
        ordering = ["record_type"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "record_type"], name="retentionrule_once"),
            models.CheckConstraint(condition=models.Q(years__gte=1), name="retentionrule_years_positive"),
        ]

    def __str__(self):
        return self.get_record_type_display()


class DeletionRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for approval"
        APPROVED = "approved", "Approved — deleted"
        REJECTED = "rejected", "Rejected — kept"

    # SET_NULL: the request outlives the record it deleted (its audit entry says what went).
    referral = models.ForeignKey("allegations.Referral", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    lado_service = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    reference = models.CharField(max_length=32)
    record_type = models.CharField(max_length=24, choices=RecordType.choices)
    due_on = models.DateField(help_text="The date the record fell due for review")
    reason = models.TextField()
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            # One open request per record: selectors.past_retention() leaves pending ones out of the list.
            models.UniqueConstraint(fields=["referral"], condition=models.Q(status="pending"),
                                    name="deletionrequest_one_pending"),
            models.CheckConstraint(
                condition=models.Q(status="pending") | models.Q(decided_by__isnull=False, decided_at__isnull=False),
                name="deletionrequest_decided_with_who",
            ),
        ]

    def __str__(self):
        return f"Deletion request {self.pk} ({self.reference})"


class DeletionAudit(models.Model):
    """What a deletion removed. Only the reference, table names and counts: never the content."""

    request = models.OneToOneField(DeletionRequest, on_delete=models.PROTECT, related_name="audit")
    record_type = models.CharField(max_length=24, choices=RecordType.choices)
    reference = models.CharField(max_length=32)
    counts = models.JSONField(help_text="Rows deleted per table, history tables included")
    files_deleted = models.PositiveIntegerField(default=0)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    deleted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-deleted_at", "-pk"]

    def __str__(self):
        return f"Deletion of {self.reference}"


class SubjectAccessRequest(models.Model):
    """A subject access request about one person, reviewed before release.

    `revealed` holds the keys (e.g. "child:12") of redactions the reviewer chose to lift; everything
    else a third party wrote or is named by stays redacted. The content itself is not copied here:
    the draft is assembled from the records each time it is shown (governance.sar)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "In review"
        RELEASED = "released", "Released"

    subject = models.ForeignKey("allegations.Subject", null=True, on_delete=models.SET_NULL, related_name="+")
    lado_service = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    received_on = models.DateField(default=timezone.localdate, help_text="When the request was received")
    revealed = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_at", "-pk"]

    def __str__(self):
        return f"Subject access request {self.pk}"


class SarRelease(models.Model):
    class Format(models.TextChoices):
        HTML = "html", "Web page (HTML)"
        PDF = "pdf", "PDF"

    sar = models.ForeignKey(SubjectAccessRequest, on_delete=models.PROTECT, related_name="releases")
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    released_at = models.DateTimeField(default=timezone.now)
    format = models.CharField(max_length=4, choices=Format.choices)
    redactions_kept = models.PositiveIntegerField()
    redactions_lifted = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["-released_at", "-pk"]
