"""The partnership administrator's pages for API clients: list, make one (its secret shown once), revoke."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from agencies.access import role_required
from agencies.models import Role
from config.forms import apply_service_errors

from . import forms, services
from .models import ApiClient

ADMINISTRATORS = (services.may_manage_clients, Role.ADMINISTRATOR)


@role_required(*ADMINISTRATORS)
def client_list(request):
    clients = ApiClient.objects.select_related("agency", "application").order_by("revoked_at", "name")
    return render(request, "api/client_list.html", {"clients": clients})


@require_http_methods(["GET", "POST"])
@role_required(*ADMINISTRATORS)
def client_new(request):
    form = forms.ApiClientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            made = services.api_client_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            # Shown on this response only: the secret is kept hashed and can never be shown again.
            return render(request, "api/client_made.html", {
                "made": made, "token_minutes": settings.API_ACCESS_TOKEN_SECONDS // 60})
    return render(request, "api/client_new.html", {"form": form})


@require_http_methods(["GET", "POST"])
def client_revoke(request, pk):
    if not services.may_manage_clients(request.user):  # a page about a record: 404, never a 403 that confirms it
        raise Http404("No such API client")
    client = get_object_or_404(ApiClient.objects.select_related("agency", "application"), pk=pk, revoked_at__isnull=True)
    form = forms.RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.api_client_revoke(actor=request.user, client=client, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, f"{client.name} is revoked: its tokens no longer work.")
            return redirect("api_clients:list")
    return render(request, "api/client_revoke.html", {"client": client, "form": form})
