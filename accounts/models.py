"""The sign-in record (issue 7 §1): every sign-in, failure, lockout, change of two-factor
authentication and sign-out, with when, the username tried, the address and the browser."""

from django.conf import settings
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models


class SignInEventKind(models.TextChoices):
    SIGNED_IN = "signed_in", "Signed in"
    PASSWORD_FAILED = "password_failed", "Sign-in failed (username or password)"
    CODE_FAILED = "code_failed", "Wrong authenticator code"
    LOCKED_OUT = "locked_out", "Locked out after repeated failures"
    UNLOCKED = "unlocked", "Unlocked"
    SIGNED_OUT = "signed_out", "Signed out"
    TIMED_OUT = "timed_out", "Signed out for inactivity"
    SESSION_ENDED = "session_ended", "Signed out at the end of the working session"
    MFA_ADDED = "mfa_added", "Two-factor authentication set up"
    MFA_REMOVED = "mfa_removed", "Two-factor authentication removed"
    RECOVERY_CODES = "recovery_codes", "New recovery codes made"


class SignInEvent(models.Model):
    """One row per event. ``username`` is what was typed (it may name no account);
    ``user`` is set when the event is about a known account."""

    kind = models.CharField(max_length=20, choices=SignInEventKind.choices)
    at = models.DateTimeField(auto_now_add=True)
    username = models.CharField(max_length=150, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="sign_in_events"
    )
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    # Who acted, when it is not the person themselves (a manager unlocking an account).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            # accounts.views.sign_in_events: the newest first, filtered by kind.
            models.Index(fields=["-at"], name="signin_at"),
            # accounts.views.account_home: a person's own recent sign-ins.
            models.Index(fields=["user", "-at"], name="signin_user_at"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.username} {self.at:%Y-%m-%d %H:%M}"


class UserSession(AbstractBaseSession):
    """A signed-in session with its person's id (accounts/sessions.py)."""

    # accounts.services.sessions_end: every session of one person.
    user_id = models.IntegerField(null=True, db_index=True)

    @classmethod
    def get_session_store_class(cls):
        from .sessions import SessionStore

        return SessionStore
