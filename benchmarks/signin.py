"""Signing a benchmark's user in the way a person signs in, and refusing to time anything but a 200.

Every benchmark that requests pages signs in through the real pages, as tests/accounts/test_sign_in.py
does: the user gets a password and an authenticator app (TOTP) if they have none, then the client posts
the password to the sign-in page and the app's code to the code page. Django's ``force_login`` would skip
the code page and leave the session without the two-factor mark, so every page would answer with a
redirect to set up an authenticator (accounts/middleware.py): the benchmark timed that redirect.

A response that is not a 200 ends the run with exit status 2 and says which page answered what.
"""

from __future__ import annotations

import sys
import time

PASSWORD = "bench-password-not-secret-123"
# An authenticator app's secret for the benchmark's own users (base32, as allauth stores it).
TOTP_SECRET = "BENCHBENCHBENCHBENCHBENCHBENCH23"
LOGIN = "/accounts/login/"
CODE_PAGE = "/accounts/2fa/authenticate/"


class NotOK(SystemExit):
    """A page answered something other than 200: the run stops, with a non-zero exit status."""

    def __init__(self, message: str):
        print(f"BENCHMARK FAILED: {message}", file=sys.stderr)
        super().__init__(2)


def get_ok(client, url: str):
    """GET ``url``; anything but a 200 (a redirect, a 403, a 500) stops the benchmark."""
    response = client.get(url)
    if response.status_code != 200:
        where = f" (to {response['Location']})" if response.has_header("Location") else ""
        raise NotOK(f"GET {url} answered {response.status_code}{where}, not 200: nothing would be timed")
    return response


def signed_in_client(user, *, address: str = "127.0.0.1"):
    """A test client signed in as ``user`` with the password and the authenticator's code, from ``address``
    (many users signing in at once come from addresses of their own: one address may try 30 a minute)."""
    from allauth.mfa import app_settings
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP
    from allauth.mfa.utils import decrypt
    from axes.utils import reset

    from demo.authenticator import totp_code

    # Set only when it is not the password already: a new hash (a new salt) signs out every other session of the
    # user, so a second run at the same time (another benchmark, the load test) would find itself signed out.
    if not user.check_password(PASSWORD):
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if authenticator is None:
        TOTP.activate(user, TOTP_SECRET)
    elif decrypt(authenticator.data.get("secret", "")) != TOTP_SECRET:
        raise NotOK(f"{user.username} has an authenticator with another secret: reload the benchmark database")

    # A run straight after another may have had a code refused (below): the lockout after refused
    # attempts must not stop the benchmark's own user in its own database.
    reset(username=user.username)

    # Each code is accepted once, and one step either side of now: a run straight after another (the
    # same 30 seconds) uses the next step's code, and after that waits for a fresh one, as
    # tests/browser/conftest.py does.
    for step in (0, 1, 1, 1):
        client = _password_step(user, address)
        response = client.post(CODE_PAGE, {"code": totp_code(TOTP_SECRET, step=step)})
        if response.status_code == 302 and not response["Location"].startswith((LOGIN, CODE_PAGE)):
            break
        if step:
            time.sleep(app_settings.TOTP_PERIOD)
    else:
        raise NotOK(f"the authenticator code for {user.username} was refused ({response.status_code})")
    return client


def _password_step(user, address: str):
    from django.test import Client

    client = Client(SERVER_NAME="localhost", HTTP_USER_AGENT="benchmark", REMOTE_ADDR=address)  # an allowed host
    response = client.post(LOGIN, {"login": user.username, "password": PASSWORD})
    if response.status_code != 302 or response["Location"] != CODE_PAGE:
        raise NotOK(f"signing in {user.username} with the password answered {response.status_code}, "
                    f"not a redirect to the code page")
    return client
