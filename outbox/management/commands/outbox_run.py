from django.core.management.base import BaseCommand

from outbox.services import messages_drain


class Command(BaseCommand):
    help = "Run every side effect not yet done (notices, e-mails, PDFs) here, without a worker."

    def handle(self, *args, **options):
        counts = messages_drain()
        self.stdout.write(", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items())) or "Nothing to run.")
