"""Who must use two-factor authentication, and where a request comes from."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from agencies.permissions import standing

# Requests to these paths are let through while a person who must set up two-factor
# authentication has not: the set-up itself (and the password check allauth may ask for
# first), the recovery codes shown straight after, signing out, and static files.
MFA_SETUP_PATHS = (
    "/accounts/2fa/totp/activate/",
    "/accounts/2fa/recovery-codes/",
    "/accounts/reauthenticate/",
    "/accounts/logout/",
    "/accounts/login/",
)


def client_ip(request: HttpRequest) -> str | None:
    """The address a request came from, for lockout and the sign-in record.

    REMOTE_ADDR, unless we run behind our own TLS proxy (BEHIND_TLS_PROXY), which appends the
    address it saw to X-Forwarded-For: then the LAST entry, the one the proxy wrote. Anything
    earlier in the header was sent by the client and is never trusted."""
    if getattr(settings, "BEHIND_TLS_PROXY", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = forwarded.split(",")[-1].strip()
        if last:
            return last
    return request.META.get("REMOTE_ADDR") or None


def mfa_required(user) -> bool:
    """Whether this person must use two-factor authentication (MFA_REQUIRED_ROLES).
    People with no role (meeting guests) count as "*" only."""
    required = set(settings.MFA_REQUIRED_ROLES)
    if "*" in required:
        return True
    if user.is_superuser:
        return True  # an administrator of the whole system is never exempt
    return bool(set(standing(user).roles) & required)


def has_authenticator(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def mfa_ok(user) -> bool:
    """Whether this person may use the product now, as far as two-factor authentication goes."""
    return has_authenticator(user) or not mfa_required(user)


def may_read_sign_ins(user) -> bool:
    """LADO service managers and partnership administrators read the sign-in record and unlock accounts."""
    s = standing(user)
    return s.is_lado_manager or s.is_administrator


def unlockable_attempts(user):
    """The django-axes attempts (locked or not) of the people this user may unlock: everyone's for a
    partnership administrator; for a LADO service manager, the people of their own service (its
    staff, and the people of the agencies it serves). A typed username that names no account is
    nobody's to unlock, and is never shown."""
    from axes.models import AccessAttempt
    from django.contrib.auth import get_user_model
    from django.db.models import Q
    from django.db.models.functions import Lower

    s = standing(user)
    people = get_user_model().objects.all()
    if not s.is_administrator:
        if not s.managed_service_ids:
            return AccessAttempt.objects.none()
        people = people.filter(Q(memberships__agency_id__in=s.managed_service_ids)
                               | Q(memberships__agency__lado_service_id__in=s.managed_service_ids))
    return AccessAttempt.objects.alias(lowered=Lower("username")).filter(
        lowered__in=people.annotate(lowered=Lower("username")).values("lowered"))
