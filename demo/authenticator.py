"""The demo authenticator (README: "Signing in to the demo").

Every demo account made by `manage.py seed_demo` gets a TOTP authenticator with this one
published secret, so anyone trying the product can sign in: `make demo-code USER=lado` (or
`manage.py demo_code lado`) prints the current code, or add the secret to an authenticator app.

It must never protect a real account: seed_demo refuses to run on an https SITE_URL (as in
production), and demo_code refuses unless DEBUG or DEMO_DATA is on (both off by default)."""

from __future__ import annotations

import time

from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.conf import settings
from django.core.management.base import CommandError

DEMO_TOTP_SECRET = "DEMODEMODEMODEMODEMODEMODEMODEMO"  # base32, published in README.md


def refuse_in_production() -> None:
    if settings.SITE_URL.startswith("https://"):
        raise CommandError(
            "SITE_URL is https (production): demo accounts and the demo authenticator are never made there."
        )


def demo_code_allowed() -> bool:
    return (settings.DEBUG or settings.DEMO_DATA) and not settings.SITE_URL.startswith("https://")


def totp_code(secret: str, at: float | None = None, step: int = 0) -> str:
    """The code an authenticator app shows for this secret (allauth's own algorithm)."""
    from allauth.mfa import app_settings

    counter = int(at if at is not None else time.time()) // app_settings.TOTP_PERIOD + step
    return format_hotp_value(hotp_value(secret, counter))


def demo_authenticators_give(users) -> int:
    """A TOTP authenticator with the demo secret, and recovery codes, for each user without one."""
    refuse_in_production()
    made = 0
    for user in users:
        if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            TOTP.activate(user, DEMO_TOTP_SECRET)
            if not Authenticator.objects.filter(user=user, type=Authenticator.Type.RECOVERY_CODES).exists():
                RecoveryCodes.activate(user)
            made += 1
    return made
