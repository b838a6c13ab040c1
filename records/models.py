"""Documents attached to referrals, cases and meetings, and the log of who read what (issue 7 §3–4).

Reading a referral or a case is logged in allegations.AccessLog, a PDF download in meetings.PdfDownload;
ViewLog holds the rest (minutes opened for editing, minutes of a meeting without a case, every document
download, exports of the log itself). records.selectors.access_log combines the three for the audit.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords


class DocumentKind(models.TextChoices):
    EVIDENCE = "evidence", "Evidence"
    CORRESPONDENCE = "correspondence", "Correspondence"
    REPORT = "report", "Report"
    OTHER = "other", "Other"


class Document(models.Model):
    """One uploaded file, attached to exactly one referral, case or meeting.

    The file lives under settings.DOCUMENT_ROOT with a random name (`stored_name`), outside the static
    files and behind no URL of its own: records.views.document_download serves it after the checks.
    `original_name` is shown to people, never used as a path."""

    referral = models.ForeignKey("allegations.Referral", null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="documents")
    case = models.ForeignKey("allegations.Case", null=True, blank=True, on_delete=models.CASCADE,
                             related_name="documents")
    meeting = models.ForeignKey("meetings.Meeting", null=True, blank=True, on_delete=models.CASCADE,
                                related_name="documents")
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=DocumentKind.choices)
    # Meetings only: invitees see the document too (otherwise the LADO service, the chair and the minute taker).
    shared_with_invitees = models.BooleanField(default=False)
    original_name = models.CharField(max_length=255)
    stored_name = models.CharField(max_length=64, unique=True)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    content_type = models.CharField(max_length=100)  # detected from the content, sent with the download
    file_type = models.CharField(max_length=8)  # what it was found to be: "pdf", "docx", "png"…
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    withdrawn_reason = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="document_one_parent",
                condition=(
                    Q(referral__isnull=False, case__isnull=True, meeting__isnull=True)
                    | Q(referral__isnull=True, case__isnull=False, meeting__isnull=True)
                    | Q(referral__isnull=True, case__isnull=True, meeting__isnull=False)
                ),
            ),
            models.CheckConstraint(name="document_withdrawn_with_reason",
                                   condition=Q(withdrawn_at__isnull=True) | ~Q(withdrawn_reason="")),
        ]
        # The referral, case and meeting pages list their documents (selectors.documents_of); the foreign keys'
        # own indexes serve them.

    def __str__(self):
        return f"Document {self.pk}"

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def size_in_words(self) -> str:
        if self.size < 1024:
            return f"{self.size} bytes"
        if self.size < 1024 * 1024:
            return f"{self.size / 1024:.0f} KB"
        return f"{self.size / (1024 * 1024):.1f} MB"


class ViewLog(models.Model):
    """Who read what, when, besides allegations.AccessLog (referrals, cases) and meetings.PdfDownload."""

    class What(models.TextChoices):
        MINUTES = "minutes", "Read the minutes"
        MEETING = "meeting", "Opened the meeting"
        MINUTES_EDIT = "minutes_edit", "Opened the minutes to edit"
        DOCUMENT = "document", "Downloaded a document"
        EXPORT = "export", "Exported the access log"

    at = models.DateTimeField(default=timezone.now)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    what = models.CharField(max_length=16, choices=What.choices)
    # The referral the thing read belongs to (a document of its case or of one of its meetings too), so that
    # "who has opened this case" and the audit by reference read one column.
    referral = models.ForeignKey("allegations.Referral", null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="+")
    meeting = models.ForeignKey("meetings.Meeting", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    document = models.ForeignKey(Document, null=True, blank=True, on_delete=models.CASCADE, related_name="views")

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            # allegations.selectors.who_opened: a referral's readers, newest first.
            models.Index(fields=["referral", "-at"], name="viewlog_referral_at"),
            # selectors.access_log: the audit by date range.
            models.Index(fields=["-at"], name="viewlog_at"),
        ]
