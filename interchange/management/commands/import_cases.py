"""python manage.py import_cases --cases cases.csv [--meetings meetings.csv] [--dry-run] [--service NAME] [--by USERNAME]"""

import sys

from django.core.management.base import BaseCommand, CommandError

from interchange.importing import import_cases


class Command(BaseCommand):
    # The format is interchange.md's.
    help = ("Import a history of referrals and meetings (the interchange format): all or nothing, idempotent. "
            "Every problem is printed as FILE:LINE: column: reason.")

    def add_arguments(self, parser):
        parser.add_argument("--cases", required=True, help="cases.csv, or an export_cases JSON Lines file")
        parser.add_argument("--meetings", help="meetings.csv")
        parser.add_argument("--concerns", help="low-level concerns: a CSV, or an export_cases --concerns JSON Lines file")
        parser.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
        parser.add_argument("--service", help="the LADO service the records belong to (needed when there are several)")
        parser.add_argument("--by", help="the username the history records the import under (default: the system user)")

    def handle(self, *args, cases, meetings=None, dry_run=False, service=None, by=None, concerns=None, **options):
        result = import_cases(
            cases=cases, meetings=meetings, dry_run=dry_run, service=service, by=by, concerns=concerns,
            progress=sys.stderr.isatty() and options.get("verbosity", 1) > 0,
        )
        if result.problems:
            for problem in result.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"{len(result.problems)} problem{'s' if len(result.problems) != 1 else ''} found: nothing was imported."
            )
        self.stdout.write(result.summary())
