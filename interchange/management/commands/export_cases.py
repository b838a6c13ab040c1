"""python manage.py export_cases --output cases.jsonl (or - for standard output)"""

import sys

from django.core.management.base import BaseCommand

from interchange.concerns import export_concern_lines
from interchange.exporting import export_lines


class Command(BaseCommand):
    # The format is interchange.md's.
    help = "Export every referral as JSON Lines (the interchange format), in received_at order, streamed."

    def add_arguments(self, parser):
        parser.add_argument("--output", default="-", help="the file to write, or - for standard output")
        parser.add_argument("--concerns", help="also write the low-level concerns, as JSON Lines, to this file")

    def handle(self, *args, output="-", concerns=None, **options):
        if concerns:
            written = 0
            with open(concerns, "w", encoding="utf-8", newline="\n") as stream:
                for line in export_concern_lines():
                    stream.write(line)
                    written += 1
            self.stderr.write(f"Exported {written} low-level concern{'s' if written != 1 else ''} to {concerns}.")
        count = 0
        if output == "-":
            stream = self.stdout._out if hasattr(self.stdout, "_out") else sys.stdout
            for line in export_lines():
                stream.write(line)
                count += 1
            stream.flush()
        else:
            with open(output, "w", encoding="utf-8", newline="\n") as stream:
                for line in export_lines():
                    stream.write(line)
                    count += 1
            self.stderr.write(f"Exported {count} referral{'s' if count != 1 else ''} to {output}.")
