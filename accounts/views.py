"""Your account (two-factor authentication, your recent sign-ins), the sign-in record and
locked accounts for LADO service managers and administrators, and the lockout page."""

from __future__ import annotations

import datetime as dt

from allauth.account import views as allauth_views
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from agencies.access import role_required
from agencies.models import Role
from config.spreadsheets import csv_lines

from . import services
from .models import SignInEvent, SignInEventKind
from .policy import may_read_sign_ins, mfa_required, unlockable_attempts

PAGE_SIZE = 50


@require_GET
def account_home(request):
    from allauth.mfa.models import Authenticator

    kinds = set(Authenticator.objects.filter(user=request.user).values_list("type", flat=True))
    recent = list(SignInEvent.objects.filter(user=request.user).exclude(kind=SignInEventKind.UNLOCKED)[:10])
    return render(request, "accounts/home.html", {
        "has_totp": Authenticator.Type.TOTP in kinds,
        "has_recovery_codes": Authenticator.Type.RECOVERY_CODES in kinds,
        "must_use_mfa": mfa_required(request.user),
        "recent": recent,
        "may_read_sign_ins": may_read_sign_ins(request.user),
    })


# The sign-in record and locked accounts: LADO service managers and partnership administrators.
_readers_only = role_required(may_read_sign_ins, Role.LADO_MANAGER, Role.ADMINISTRATOR)


def _filtered(request):
    events = SignInEvent.objects.select_related("actor")
    kind = request.GET.get("kind", "")
    if kind in SignInEventKind.values:
        events = events.filter(kind=kind)
    else:
        kind = ""
    username = request.GET.get("username", "").strip()[:150]
    if username:
        events = events.filter(username__iexact=username)
    return events, kind, username


@require_GET
@_readers_only
def sign_in_events(request):
    events, kind, username = _filtered(request)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "accounts/sign_in_events.html", {
        "page": page, "kind": kind, "username": username, "kinds": SignInEventKind.choices,
    })


@require_GET
@_readers_only
def sign_in_events_csv(request):
    events, _, _ = _filtered(request)

    def rows():
        yield ["Time (UTC)", "Event", "Username tried", "Account", "IP address", "Browser", "By"]
        labels = dict(SignInEventKind.choices)
        for e in events.values_list("at", "kind", "username", "user_id", "ip_address", "user_agent",
                                    "actor__username").iterator(chunk_size=2000):
            at, kind, typed, user_id, ip, agent, actor = e
            yield [at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S"), labels.get(kind, kind), typed,
                   "yes" if user_id else "no", ip, agent, actor]

    response = StreamingHttpResponse(csv_lines(rows()), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="sign-ins-{timezone.localdate():%Y-%m-%d}.csv"'
    return response


def _locked_attempts(user):
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return unlockable_attempts(user).filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
                                            attempt_time__gte=since).order_by("-attempt_time")


@require_http_methods(["GET", "POST"])
@_readers_only
def locked_accounts(request):
    if request.method == "POST":
        try:
            attempt_id = int(request.POST.get("attempt", ""))
        except ValueError:
            attempt_id = 0
        username = services.lockout_release(actor=request.user, request=request, attempt_id=attempt_id)
        if username is None:
            messages.error(request, "That lock had already ended.")
        else:
            messages.success(request, f"Unlocked “{username}”. They can sign in again.")
        return redirect("accounts:locked")
    attempts = list(_locked_attempts(request.user)[:200])
    for a in attempts:
        a.until = a.attempt_time + settings.AXES_COOLOFF_TIME
    return render(request, "accounts/locked.html", {"attempts": attempts})


@login_not_required
def locked_out(request, original_response=None, credentials=None):
    """django-axes' lockout response. Says the same for every username, whether or not it exists."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "accounts/locked_out.html", {"minutes": minutes}, status=429)


@require_GET
def mfa_index(request):
    """allauth's two-factor overview is this product's account page."""
    return redirect("accounts:home")




class SignInView(allauth_views.LoginView):
    """allauth's sign-in, telling the page how long sessions last (for the signed-out notice)."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["idle_minutes"] = settings.SESSION_IDLE_SECONDS // 60
        context["session_hours"] = settings.SESSION_COOKIE_AGE // 3600
        return context


sign_in = SignInView.as_view()
