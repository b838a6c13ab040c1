"""The business unit's annual report: the page, its CSV and XLSX downloads, and its PDF.

Analysts (the business unit) and LADO service managers only: anyone else is told so (a 403 naming the
roles), and gets 404 for a report's PDF, as for a record they cannot see. The page and the downloads
count the figures on request (a handful of queries); the PDF is rendered by a Celery task and
downloaded through a view that checks and records.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Min
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from agencies.access import role_required
from agencies.models import Partnership, Role
from allegations.models import Referral
from config.replica import reads_from_replica

from . import exports, services
from .annual import BOTH, WORKFORCES, annual_report, report_history, time_zone, year_label
from .charts import bar_chart
from .forms import ReportForm
from .models import ReportPdf, ReportPdfDownload
from .permissions import may_see_reports
from .tables import report_sections, report_tables

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# The pages without a record: anyone else is told which roles can use them. A report's PDF (a record)
# is a 404 for anyone else instead (_pdf).
_reporters_only = role_required(may_see_reports, Role.ANALYST, Role.LADO_MANAGER)


def financial_year_of(day: dt.date) -> int:
    return day.year if day.month >= 4 else day.year - 1


def _years(partnership: Partnership) -> list[int]:
    """From the year of the first contact (or ten years back) to this financial year."""
    this_year = financial_year_of(timezone.localdate())
    first = Referral.objects.aggregate(first=Min("received_at"))["first"]
    earliest = this_year - 9
    if first is not None:
        earliest = min(earliest, financial_year_of(first.astimezone(time_zone(partnership)).date()))
    return list(range(max(earliest, services.FIRST_YEAR), this_year + 1))


def _chosen(request, years: list[int]) -> tuple[ReportForm, int | None, str]:
    """The year (?year=2022) and workforce (?workforce=adults) asked for; by default the last year that has
    ended, both workforces."""
    default = years[-2] if len(years) > 1 else years[-1]
    if "year" in request.GET or "workforce" in request.GET:
        data = {"year": default, "workforce": BOTH, **request.GET.dict()}
        form = ReportForm(data, years=years)
        if form.is_valid():
            return form, form.cleaned_data["year"], form.cleaned_data["workforce"]
        return form, None, BOTH
    return ReportForm(initial={"year": default, "workforce": BOTH}, years=years), default, BOTH


def _download_year(request) -> int:
    """?year=2022; without it, the last year that has ended (as the page)."""
    if "year" not in request.GET:
        return financial_year_of(timezone.localdate()) - 1
    try:
        return services.check_year(int(request.GET["year"]))
    except (ValueError, ValidationError):
        raise Http404("No such year") from None


def _download_workforce(request) -> str:
    workforce = request.GET.get("workforce", BOTH)
    if workforce not in WORKFORCES:
        raise Http404("No such workforce")
    return workforce


def _download_name(year: int, workforce: str, ext: str) -> str:
    suffix = "" if workforce == BOTH else f"-{workforce}"
    return f"annual-report-{year}-{(year + 1) % 100:02d}{suffix}.{ext}"


@require_GET
@_reporters_only
@reads_from_replica  # reads only: from the replica when there is one (config.replica)
def annual(request):
    partnership = Partnership.current()
    years = _years(partnership)
    form, year, workforce = _chosen(request, years)
    context = {"form": form, "year": year, "partnership_name": partnership.name, "workforce": workforce,
               "workforce_label": WORKFORCES[workforce]}
    if year is not None:
        report = annual_report(year, partnership=partnership, workforce=workforce)
        tables = report_tables(report, report_history(year, partnership=partnership, workforce=workforce))
        context.update({
            "report": report,
            "tables": tables,
            "year_label": year_label(year),
            "sections": report_sections(tables),
            "charts": {t.key: bar_chart(t.chart, chart_id=f"chart-{t.key}") for t in tables if t.chart},
            "pdfs": list(ReportPdf.objects.filter(year=year, workforce=workforce).select_related("requested_by")[:3]),
        })
    return render(request, "reporting/annual.html", context)


@require_GET
@_reporters_only
@reads_from_replica  # reads only: from the replica when there is one (config.replica)
def annual_csv(request):
    year, workforce = _download_year(request), _download_workforce(request)
    response = HttpResponse(exports.to_csv(annual_report(year, workforce=workforce)),
                            content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_download_name(year, workforce, "csv")}"'
    response["Cache-Control"] = "no-store, private"
    return response


@require_GET
@_reporters_only
@reads_from_replica  # reads only: from the replica when there is one (config.replica)
def annual_xlsx(request):
    year, workforce = _download_year(request), _download_workforce(request)
    partnership = Partnership.current()
    data = exports.to_xlsx(annual_report(year, partnership=partnership, workforce=workforce),
                           report_history(year, partnership=partnership, workforce=workforce),
                           partnership_name=partnership.name)
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{_download_name(year, workforce, "xlsx")}"'
    response["Cache-Control"] = "no-store, private"
    return response


@require_POST
@_reporters_only
def annual_pdf_request(request):
    try:
        year = services.check_year(int(request.POST.get("year", "")))
        pdf = services.report_pdf_request(actor=request.user, year=year,
                                          workforce=request.POST.get("workforce", BOTH))
    except (ValueError, ValidationError):
        messages.error(request, "Choose a financial year and a workforce, then ask for the PDF.")
        return redirect("reporting:annual")
    messages.success(request, "The PDF is being prepared. It takes a few seconds.")
    return redirect("reporting:annual_pdf", pdf.pk)


def _pdf(request, pk) -> ReportPdf:
    if not may_see_reports(request.user):
        raise Http404
    return get_object_or_404(ReportPdf.objects.select_related("requested_by"), pk=pk)


@require_GET
def annual_pdf(request, pk):
    """Whether the PDF is ready, and the link when it is. Works without JavaScript: a link to look again."""
    pdf = _pdf(request, pk)
    return render(request, "reporting/annual_pdf.html", {
        "pdf": pdf, "downloads": list(pdf.downloads.select_related("user")[:50]),
        "back": f"{reverse('reporting:annual')}?year={pdf.year}&workforce={pdf.workforce}",
    })


@require_GET
def annual_pdf_download(request, pk):
    """The file, through the same check as the page; every download recorded (who, when, which PDF)."""
    pdf = _pdf(request, pk)
    if not pdf.is_done:
        return redirect("reporting:annual_pdf", pdf.pk)
    try:
        handle = pdf.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is missing") from None
    ReportPdfDownload.objects.create(pdf=pdf, user=request.user)
    response = FileResponse(handle, as_attachment=True, content_type="application/pdf",
                            filename=_download_name(pdf.year, pdf.workforce, "pdf"))
    response["Cache-Control"] = "no-store, private"
    return response
