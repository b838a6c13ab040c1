from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from demo.authenticator import DEMO_TOTP_SECRET, demo_code_allowed, totp_code


class Command(BaseCommand):
    help = "Print the current two-factor code of a demo account (only with DEBUG or DEMO_DATA on, never on https)."

    def add_arguments(self, parser):
        parser.add_argument("username", nargs="?", default="", help="a demo username (all share one secret)")

    def handle(self, *args, username="", **options):
        if not demo_code_allowed():
            raise CommandError("Refused: demo codes are only for development (set DEMO_DATA=true; never on an https SITE_URL).")
        if username:
            from allauth.mfa.models import Authenticator
            from allauth.mfa.utils import decrypt

            user = get_user_model().objects.filter(username=username).first()
            device = user and Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
            if device is None or decrypt(device.data["secret"]) != DEMO_TOTP_SECRET:
                raise CommandError(f"{username!r} has no demo authenticator (run `manage.py seed_demo`).")
        self.stdout.write(totp_code(DEMO_TOTP_SECRET))
