"""The annual report as a PDF, with WeasyPrint, like seed 002's data section.

The HTML comes from templates/reporting/pdf/annual.html (styles: static/pdf/annual-report.css); the
renderer and its restricted URL fetcher (files under static/ only: no network, no file:// elsewhere,
no redirects) are the minutes' (meetings.pdf). A pure function of the figures, so the task
(services.report_pdf_render), the command and the benchmark all call it.
"""

from __future__ import annotations

import datetime as dt

from django.template.loader import render_to_string
from django.utils import timezone

from meetings.pdf import Rendered, render_pdf

from .annual import BOTH, WORKFORCES
from .charts import bar_chart
from .tables import report_sections, report_tables

TEMPLATE = "reporting/pdf/annual.html"


def period_text(report: dict) -> str:
    start = dt.date.fromisoformat(report["period"]["start"])
    end = dt.date.fromisoformat(report["period"]["end"])
    return f"Financial year {report['year']}: {start.day} {start:%B %Y} to {end.day} {end:%B %Y}"


def render_html(*, report: dict, history: dict, partnership_name: str, generated_at=None) -> str:
    tables = report_tables(report, history)
    return render_to_string(TEMPLATE, {
        "title": f"{partnership_name}: managing allegations annual report {report['year']}",
        "partnership_name": partnership_name,
        "period_text": period_text(report),
        "workforce_text": WORKFORCES[report.get("workforce", BOTH)],
        "report": report,
        "sections": report_sections(tables),
        "charts": {t.key: bar_chart(t.chart, chart_id=f"pdf-chart-{t.key}") for t in tables if t.chart},
        "generated_at": generated_at or timezone.now(),
    })


def render_report(*, report: dict, history: dict, partnership_name: str, generated_at=None) -> Rendered:
    return render_pdf(render_html(report=report, history=history, partnership_name=partnership_name,
                                  generated_at=generated_at))
