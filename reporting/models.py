"""The annual report's PDF: a row (who asked, for which year, its state) and a file rendered by a task.

Like the minutes' PDFs (meetings.models.MinutesPdf): stored under MEDIA_ROOT/reports, outside the
static files and with no URL; it leaves only through the download view, which checks the reader
and records the download (ReportPdfDownload).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from config.storage import PrivateStorage
from meetings.models import PdfStatus

# The same states as the minutes' PDFs.
ReportPdfStatus = PdfStatus

_STORAGE = PrivateStorage("reports", "Report PDFs")


def report_storage():
    return _STORAGE


class ReportPdf(models.Model):
    """The annual report of one financial year as a PDF, as the figures stood when it was rendered."""

    year = models.PositiveSmallIntegerField(help_text="2022 for the financial year 2022/23")
    # Which workforce it counts: children, adults or both (reporting.annual.WORKFORCES).
    workforce = models.CharField(max_length=16, default="both")
    status = models.CharField(max_length=16, choices=ReportPdfStatus.choices, default=ReportPdfStatus.QUEUED)
    file = models.FileField(storage=report_storage, upload_to="", max_length=200, blank=True)
    pages = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        indexes = [
            # views.annual(): the latest PDFs of a year.
            models.Index(fields=["year", "-requested_at"], name="reportpdf_year_when"),
        ]

    def __str__(self):
        return f"Annual report {self.year}/{(self.year + 1) % 100:02d} (PDF)"

    @property
    def workforce_label(self) -> str:
        from .annual import WORKFORCES

        return WORKFORCES.get(self.workforce, self.workforce)

    @property
    def is_done(self) -> bool:
        return self.status == ReportPdfStatus.DONE and bool(self.file)

    @property
    def year_label(self) -> str:
        return f"{self.year}/{(self.year + 1) % 100:02d}"


class ReportPdfDownload(models.Model):
    """Who downloaded which report PDF, when."""

    pdf = models.ForeignKey(ReportPdf, on_delete=models.PROTECT, related_name="downloads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["pdf", "-at"], name="reportpdfdownload_pdf_at")]  # views.pdf_detail()
