"""Writes of the reporting app: asking for the annual report's PDF, and rendering it (the task)."""

from __future__ import annotations

import datetime as dt
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from agencies.models import Partnership
from outbox.services import message_add
from outbox.tasks import TIME_LIMIT as OUTBOX_TIME_LIMIT

from .models import ReportPdf, ReportPdfStatus
from .permissions import may_see_reports

logger = logging.getLogger(__name__)

# A claim older than the outbox task's hard time limit was abandoned by a lost worker: another run may take it over.
PDF_STALE_AFTER = dt.timedelta(seconds=OUTBOX_TIME_LIMIT + 30)
FIRST_YEAR, LAST_YEAR = 2000, 2100


def check_year(year: int) -> int:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationError({"year": f"Enter a year from {FIRST_YEAR} to {LAST_YEAR}, such as 2022 for 2022/23."})
    return year


@transaction.atomic(durable=True)
def report_pdf_request(*, actor, year: int, workforce: str = "both") -> ReportPdf:
    """Ask for the PDF of a year's report; the task renders it after commit. Each request renders the
    figures as they stand then, so a PDF asked for after an import shows the import."""
    if not may_see_reports(actor):
        raise PermissionDenied("Only the business unit and the LADO service manager see reports.")
    from .annual import WORKFORCES

    if workforce not in WORKFORCES:
        raise ValidationError({"workforce": "Choose the children's workforce, the adults' or both."})
    pdf = ReportPdf.objects.create(year=check_year(year), workforce=workforce, requested_by=actor)
    logger.info("Annual report PDF %s (%s) requested by user %s", pdf.pk, pdf.year_label, actor.pk)

    message_add(handler="reporting.report_pdf", key=f"report-pdf:{pdf.pk}", pdf_id=pdf.pk)
    return pdf


def _claim(pdf_id: int) -> ReportPdf | None:
    with transaction.atomic():
        pdf = ReportPdf.objects.select_for_update().get(pk=pdf_id)
        now = timezone.now()
        if pdf.status == ReportPdfStatus.DONE:
            return None
        if pdf.status == ReportPdfStatus.RENDERING and pdf.started_at and now - pdf.started_at < PDF_STALE_AFTER:
            return None
        pdf.status, pdf.started_at, pdf.finished_at, pdf.error = ReportPdfStatus.RENDERING, now, None, ""
        pdf.save(update_fields=["status", "started_at", "finished_at", "error"])
        return pdf


def report_pdf_render(*, pdf_id: int) -> ReportPdf:
    """Count the year's figures and render them; store the file. Safe to run twice (a done PDF stays as it is);
    rendering happens outside any transaction, and its result is saved only if this run still holds the claim."""
    from . import pdf as renderer  # WeasyPrint is loaded by the worker only
    from .annual import annual_report, report_history

    claimed = _claim(pdf_id)
    if claimed is None:
        return ReportPdf.objects.get(pk=pdf_id)
    try:
        partnership = Partnership.current()
        rendered = renderer.render_report(
            report=annual_report(claimed.year, partnership=partnership, workforce=claimed.workforce),
            history=report_history(claimed.year, partnership=partnership, workforce=claimed.workforce),
            partnership_name=partnership.name, generated_at=claimed.started_at,
        )
    except Exception as error:  # noqa: BLE001 — recorded on the row for the person waiting
        logger.exception("Annual report PDF %s could not be rendered", pdf_id)
        with transaction.atomic():
            pdf = ReportPdf.objects.select_for_update().get(pk=pdf_id)
            if pdf.status == ReportPdfStatus.RENDERING and pdf.started_at == claimed.started_at:
                pdf.status, pdf.finished_at = ReportPdfStatus.FAILED, timezone.now()
                pdf.error = f"{type(error).__name__}: the PDF could not be made. Ask for it again."
                pdf.save(update_fields=["status", "finished_at", "error"])
        return ReportPdf.objects.get(pk=pdf_id)
    with transaction.atomic():
        pdf = ReportPdf.objects.select_for_update().get(pk=pdf_id)
        if pdf.status != ReportPdfStatus.RENDERING or pdf.started_at != claimed.started_at:
            return pdf  # another run took it over
        pdf.file.save(f"annual-report-{pdf.year}-{pdf.pk}.pdf", ContentFile(rendered.data), save=False)
        pdf.status, pdf.finished_at, pdf.pages = ReportPdfStatus.DONE, timezone.now(), rendered.pages
        pdf.save(update_fields=["file", "status", "finished_at", "pages"])
    return pdf
