"""Writes about signing in: the sign-in record, unlocking."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest

from .models import SignInEvent, SignInEventKind
from .policy import client_ip


def sign_in_event_record(
    *, kind: SignInEventKind, request: HttpRequest | None, user=None, username: str = "", actor=None
) -> SignInEvent:
    """One row of the sign-in record. The username is what was typed, cut to the column's
    length; never the password."""
    meta = request.META if request is not None else {}
    if user is not None and not username:
        username = user.get_username()
    return SignInEvent.objects.create(
        kind=kind,
        username=(username or "")[:150],
        user=user if user is not None and user.pk else None,
        ip_address=client_ip(request) if request is not None else None,
        user_agent=meta.get("HTTP_USER_AGENT", "")[:300],
        actor=actor,
    )


def lockout_release(*, actor, request: HttpRequest, attempt_id: int) -> str | None:
    """Unlock one locked username-and-address pair (a django-axes AccessAttempt) and record who
    did it. Returns the username unlocked, or None when there was nothing to unlock."""
    from axes.models import AccessAttempt

    with transaction.atomic(durable=True):
        attempt = AccessAttempt.objects.select_for_update().filter(pk=attempt_id).first()
        if attempt is None:
            return None
        username = attempt.username or ""
        attempt.delete()
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.filter(username=username).first()
        sign_in_event_record(kind=SignInEventKind.UNLOCKED, request=request, user=user, username=username, actor=actor)
    return username
