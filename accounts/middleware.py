"""Sessions you can trust (issue 7 §1).

- Signed out after SESSION_IDLE_SECONDS without a request, and SESSION_COOKIE_AGE after
  signing in whatever happens: the sign-in page then says why.
- Whoever must use two-factor authentication (accounts.policy.mfa_required) and has no
  authenticator is sent to set one up before anything else.

The session holds when it was signed in, when it was last seen (rewritten at most once a
minute, so an ordinary request writes nothing) and whether its person may go on without
setting up an authenticator (worked out once, at sign-in).
"""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.middleware import AuthenticationMiddleware as DjangoAuthenticationMiddleware
from django.http import HttpResponseRedirect
from django.utils.functional import SimpleLazyObject

from .models import SignInEventKind
from .policy import MFA_SETUP_PATHS, mfa_ok
from .receivers import LAST_SEEN_AT, MFA_OK, SIGNED_IN_AT
from .sessions import get_user

TOUCH_EVERY_SECONDS = 60  # how stale "last seen" may get before it is rewritten
TOTP_SETUP_URL = "/accounts/2fa/totp/activate/"


class AuthenticationMiddleware(DjangoAuthenticationMiddleware):
    """Django's, with the person read in the session's own query (accounts/sessions.py: get_user, Django's
    own checks copied, the session hash included): one query fewer on every signed-in request."""

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _user(request))


def _user(request):
    if not hasattr(request, "_cached_user"):
        request._cached_user = get_user(request)
    return request._cached_user


class SessionGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        session = request.session
        now = int(time.time())

        signed_in_at = session.get(SIGNED_IN_AT)
        last_seen_at = session.get(LAST_SEEN_AT)
        if signed_in_at is None:  # a session from before this middleware: start its clocks now
            session[SIGNED_IN_AT] = signed_in_at = now
        if last_seen_at is not None and now - last_seen_at > settings.SESSION_IDLE_SECONDS:
            return self._sign_out(request, SignInEventKind.TIMED_OUT, "inactive")
        if now - signed_in_at > settings.SESSION_COOKIE_AGE:
            return self._sign_out(request, SignInEventKind.SESSION_ENDED, "expired")
        if last_seen_at is None or now - last_seen_at >= TOUCH_EVERY_SECONDS:
            session[LAST_SEEN_AT] = now

        if not session.get(MFA_OK):
            if mfa_ok(user):
                session[MFA_OK] = True
            elif not self._exempt(request.path):
                return HttpResponseRedirect(TOTP_SETUP_URL)
        return self.get_response(request)

    @staticmethod
    def _exempt(path: str) -> bool:
        return path.startswith(MFA_SETUP_PATHS) or path.startswith(settings.STATIC_URL)

    @staticmethod
    def _sign_out(request, kind: SignInEventKind, reason: str):
        request._accounts_logout_kind = kind
        logout(request)
        return HttpResponseRedirect(f"{settings.LOGIN_URL}?{urlencode({'signed_out': reason})}")


class NoStoreMiddleware:
    """Nothing the product sends is kept by a browser or a proxy cache (issue 12 §4): every page
    and download that comes through Django says ``Cache-Control: no-store, private``, so the back
    button on a shared computer after signing out shows nothing. Static files are answered by
    WhiteNoise before this runs and keep their long cache lifetimes (they hold no case data)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response["Cache-Control"] = "no-store, private"
        return response
