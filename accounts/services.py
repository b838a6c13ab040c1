"""Writes about signing in: the sign-in record, unlocking."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest

from .models import SignInEvent, SignInEventKind
from .policy import client_ip


def sign_in_event_record(
    *, kind: SignInEventKind, request: HttpRequest | None, user=None, username: str = "", actor=None
) -> SignInEvent:
    """One row of the sign-in record. The username is the account's: a typed username that
    matches no account is not kept (it may be a password typed in the wrong box)."""
    meta = request.META if request is not None else {}
    if user is not None:
        username = user.get_username()
    else:
        account = account_named(username) if username else None
        username = account.get_username() if account is not None else ""
    return SignInEvent.objects.create(
        kind=kind,
        username=(username or "")[:150],
        user=user if user is not None and user.pk else None,
        ip_address=client_ip(request) if request is not None else None,
        user_agent=meta.get("HTTP_USER_AGENT", "")[:300],
        actor=actor,
    )


def account_named(username: str):
    """The account a typed username names (as sign-in matches it: case aside), or None."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(username__iexact=username.strip()[:150]).first()


def lockout_release(*, actor, request: HttpRequest, attempt_id: int) -> str | None:
    """Unlock one locked username-and-address pair (a django-axes AccessAttempt) of a person the
    actor may unlock (accounts.policy.unlockable_attempts) and record who did it. Returns the
    username unlocked, or None when there was nothing the actor may unlock."""
    from .policy import unlockable_attempts

    with transaction.atomic(durable=True):
        attempt = unlockable_attempts(actor).select_for_update().filter(pk=attempt_id).first()
        if attempt is None:
            return None
        user = account_named(attempt.username or "")
        attempt.delete()
        sign_in_event_record(kind=SignInEventKind.UNLOCKED, request=request, user=user, actor=actor)
    return user.get_username()


def sessions_end(*, user_id: int) -> int:
    """End every session of one person (deactivated, or left with no role), in the caller's
    transaction. Returns how many there were."""
    from .models import UserSession

    deleted, _ = UserSession.objects.filter(user_id=user_id).delete()
    return deleted


def sessions_end_if_no_role(*, user_id: int) -> int:
    """End a person's sessions when they hold no role in any active agency any more."""
    from agencies.models import Membership

    if Membership.objects.filter(user_id=user_id, agency__is_active=True).exists():
        return 0
    return sessions_end(user_id=user_id)
