"""Every sign-in, failure, lockout, sign-out and change of two-factor authentication goes
into the sign-in record. Connected in AccountsConfig.ready(); these are the authentication
frameworks' own signals (Django's, django-axes', allauth's), not domain signals."""

from __future__ import annotations

import time

from allauth.mfa import signals as mfa_signals
from allauth.mfa.models import Authenticator
from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete, post_save

from agencies.models import Agency, Membership

from .models import SignInEventKind
from .policy import mfa_ok
from .services import sessions_end, sessions_end_if_no_role, sign_in_event_record

SIGNED_IN_AT = "accounts.signed_in_at"
LAST_SEEN_AT = "accounts.last_seen_at"
MFA_OK = "accounts.mfa_ok"


def mark_session(request, user) -> None:
    """A fresh session's clocks, and whether its person may go on without setting up
    two-factor authentication (so the middleware need not ask on every request)."""
    now = int(time.time())
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_SEEN_AT] = now
    request.session[MFA_OK] = mfa_ok(user)


def on_logged_in(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    mark_session(request, user)
    sign_in_event_record(kind=SignInEventKind.SIGNED_IN, request=request, user=user)


def on_logged_out(sender, request, user, **kwargs):
    if request is None or user is None:
        return
    kind = getattr(request, "_accounts_logout_kind", SignInEventKind.SIGNED_OUT)
    sign_in_event_record(kind=kind, request=request, user=user)


def on_login_failed(sender, credentials, request=None, **kwargs):
    if request is None:
        return
    username = (credentials or {}).get("username") or ""
    sign_in_event_record(kind=SignInEventKind.PASSWORD_FAILED, request=request, username=username)


def on_locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    if request is None:
        return
    sign_in_event_record(kind=SignInEventKind.LOCKED_OUT, request=request, username=username or "")


def on_mfa_failed(sender, request, user, authenticator=None, **kwargs):
    sign_in_event_record(kind=SignInEventKind.CODE_FAILED, request=request, user=user)


def on_authenticator_added(sender, request, user, authenticator, **kwargs):
    if authenticator.type == Authenticator.Type.TOTP:
        sign_in_event_record(kind=SignInEventKind.MFA_ADDED, request=request, user=user)
        if request is not None and hasattr(request, "session"):
            request.session[MFA_OK] = True


def on_authenticator_removed(sender, request, user, authenticator, **kwargs):
    if authenticator.type == Authenticator.Type.TOTP:
        sign_in_event_record(kind=SignInEventKind.MFA_REMOVED, request=request, user=user)
        if request is not None and hasattr(request, "session"):
            request.session[MFA_OK] = mfa_ok(user)


def on_authenticator_reset(sender, request, user, authenticator, **kwargs):
    if authenticator.type == Authenticator.Type.RECOVERY_CODES:
        sign_in_event_record(kind=SignInEventKind.RECOVERY_CODES, request=request, user=user)


# Access that ends when it should (issue 12 §3): these fire however the change is made (the
# administration, a service, the shell), inside the change's own transaction.

def on_user_saved(sender, instance, created=False, **kwargs):
    if not created and not instance.is_active:
        sessions_end(user_id=instance.pk)


def on_membership_deleted(sender, instance, **kwargs):
    sessions_end_if_no_role(user_id=instance.user_id)


def on_agency_saved(sender, instance, created=False, **kwargs):
    if not created and not instance.is_active:
        for user_id in instance.memberships.values_list("user_id", flat=True).distinct():
            sessions_end_if_no_role(user_id=user_id)


def connect() -> None:
    uid = "accounts.receivers."
    user_logged_in.connect(on_logged_in, dispatch_uid=uid + "in")
    user_logged_out.connect(on_logged_out, dispatch_uid=uid + "out")
    user_login_failed.connect(on_login_failed, dispatch_uid=uid + "failed")
    user_locked_out.connect(on_locked_out, dispatch_uid=uid + "locked")
    mfa_signals.authentication_failed.connect(on_mfa_failed, dispatch_uid=uid + "mfa_failed")
    mfa_signals.authenticator_added.connect(on_authenticator_added, dispatch_uid=uid + "added")
    mfa_signals.authenticator_removed.connect(on_authenticator_removed, dispatch_uid=uid + "removed")
    mfa_signals.authenticator_reset.connect(on_authenticator_reset, dispatch_uid=uid + "reset")
    post_save.connect(on_user_saved, sender=get_user_model(), dispatch_uid=uid + "user_saved")
    post_delete.connect(on_membership_deleted, sender=Membership, dispatch_uid=uid + "membership_deleted")
    post_save.connect(on_agency_saved, sender=Agency, dispatch_uid=uid + "agency_saved")
