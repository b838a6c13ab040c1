"""python manage.py annual_report --year 2022 --format json|pdf|xlsx|csv [--workforce children|adults|both] [--output PATH]

The annual report of financial year YEAR/YEAR+1 (annual-report.md). JSON and CSV go to standard
output without --output; the PDF and the spreadsheet need --output (they are binary). --workforce counts the
children's workforce (LADO), the adults' (PiPoT) or both (the default), as the page's choice does.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from agencies.models import Partnership
from reporting import exports
from reporting.annual import WORKFORCES, annual_report, report_history

FORMATS = ("json", "pdf", "xlsx", "csv")


class Command(BaseCommand):
    help = "The annual report of a financial year (April to March) as JSON, PDF, XLSX or CSV."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, help="2022 for the financial year 2022/23")
        parser.add_argument("--format", choices=FORMATS, default="json")
        parser.add_argument("--workforce", choices=list(WORKFORCES), default="both",
                            help="the children's workforce (LADO), the adults' (PiPoT), or both (the default)")
        parser.add_argument("--output", help="write to this file (standard output for json and csv without it)")

    def handle(self, *args, year, format, output, workforce="both", **options):
        if not 1900 <= year <= 2999:
            raise CommandError("--year must be a year such as 2022 (for 2022/23).")
        if format in ("pdf", "xlsx") and not output:
            raise CommandError(f"--format {format} is binary: give --output PATH.")
        partnership = Partnership.current()
        report = annual_report(year, partnership=partnership, workforce=workforce)
        if format == "json":
            data = json.dumps(report, indent=1) + "\n"
        elif format == "csv":
            data = exports.to_csv(report)
        else:
            name = partnership.name
            history = report_history(year, partnership=partnership, workforce=workforce)
            if format == "xlsx":
                data = exports.to_xlsx(report, history, partnership_name=name)
            else:
                from reporting.pdf import render_report  # WeasyPrint only when a PDF is asked for

                data = render_report(report=report, history=history, partnership_name=name).data
        if output is None:
            self.stdout.write(data, ending="")
            return
        path = Path(output)
        if isinstance(data, str):
            path.write_text(data, encoding="utf-8")
        else:
            path.write_bytes(data)
        self.stderr.write(f"Wrote the {report['year']} report ({format}, {WORKFORCES[workforce]}) to {path}")
