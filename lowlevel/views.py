"""Thin views: fetch through a selector (404 for what the user may not see), bind a form, call one service,
redirect. 403 only for an action on something they can see, or a page their role cannot use."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from agencies.access import CASE_ROLES, LADO, REFERRERS, RoleRefused, role_required
from agencies.permissions import standing
from config.forms import apply_service_errors as _apply
from outbox.submissions import AlreadySubmitted

from . import forms, selectors, services

_sees_concerns = role_required(lambda user: standing(user).is_lado or bool(standing(user).agency_ids), *CASE_ROLES)


@require_GET
@_sees_concerns
def concern_list(request):
    """An agency's own concerns; for the LADO service, every concern of its agencies and the prompt."""
    s = standing(request.user)
    concerns = list(selectors.concern_list(user=request.user)[:200])
    return render(request, "lowlevel/concern_list.html", {
        "concerns": concerns, "can_record": selectors.can_record(request.user), "lado": s.is_lado,
        "low_level_prompts": selectors.prompts_for(request.user) if s.is_lado else [],
    })


@require_http_methods(["GET", "POST"])
@role_required(selectors.can_record, *REFERRERS)
def concern_create(request):
    agencies = selectors.recording_agencies(request.user)
    form = forms.ConcernForm(request.POST if request.method == "POST" else None, agencies=agencies)
    if request.method == "POST" and form.is_valid():
        try:
            concern = services.concern_record(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _apply(form, error)
        else:
            messages.success(request, "Low-level concern recorded. The LADO service can see it.")
            return redirect("lowlevel:concern_detail", pk=concern.pk)
    return render(request, "allegations/form_page.html", {
        "form": form, "title": "Record a low-level concern", "caption": "Low-level concerns",
        "back": reverse("lowlevel:concern_list"), "submit": "Record the concern",
    })


@require_GET
def concern_detail(request, pk):
    concern = selectors.concern_get(user=request.user, pk=pk)
    s = standing(request.user)
    return render(request, "lowlevel/concern_detail.html", {
        "concern": concern, "history": selectors.history_of(concern),
        # The referral's page is the LADO service's (the employer sees it once the service shares the case).
        "opens_referral": concern.referral_id is not None and concern.lado_service_id in s.lado_service_ids,
    })


def _prompt_ids(key: str) -> list[int]:
    """The prompt's concerns, as its link names them: "12-15-31"."""
    try:
        return sorted({int(part) for part in key.split("-") if part})
    except ValueError:
        raise Http404("No such concerns") from None


@require_http_methods(["GET", "POST"])
def referral_open(request, key):
    """Open a referral from a prompt's concerns: prefilled from them; they are linked to it. The LADO service
    alone opens one; the agency that recorded the concerns is refused (403), anyone else finds nothing (404)."""
    ids = _prompt_ids(key)
    if not standing(request.user).is_lado:
        if selectors.concern_list(user=request.user).filter(pk__in=ids).exists():
            raise RoleRefused(LADO)
        raise Http404("No such concerns")
    concerns = selectors.prompt_concerns(user=request.user, ids=ids)
    if not concerns:
        raise Http404("No such concerns, or they are already linked to a referral")
    latest = concerns[-1]
    initial = {
        "given_name": latest.given_name, "family_name": latest.family_name, "subject_role": latest.role,
        "date_of_birth": next((c.date_of_birth for c in reversed(concerns) if c.date_of_birth), None),
        "description": services.referral_description(concerns),
    }
    form = forms.OpenReferralForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            referral = services.referral_open_from_concerns(actor=request.user, concerns=concerns, **form.cleaned_data)
        except AlreadySubmitted as already:
            messages.info(request, "This referral was already opened: it was saved once, and here it is.")
            return redirect(already.url or "allegations:triage_queue")
        except ValidationError as error:
            _apply(form, error)
        else:
            messages.success(request, f"Referral {referral.reference} opened from {len(concerns)} low-level concerns.")
            return redirect("allegations:referral_detail", reference=referral.reference)
    return render(request, "lowlevel/referral_open.html", {
        "form": form, "concerns": concerns,
        "back": reverse("allegations:triage_queue"),
    })
