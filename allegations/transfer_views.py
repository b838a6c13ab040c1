"""A cross-border transfer's pages (allegations/transfers.py): sending a referral decided as a transfer to
another authority's LADO service, and recording the receiving service's acknowledgement. Thin: fetch (404 for
what the user may not see), 403 for what they may not do, bind a form, call one service, redirect."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from config.forms import apply_service_errors

from . import selectors, transfers
from .transfer_forms import AcknowledgementForm, TransferForm


def _in_their_words(form, workforce: str) -> None:
    """The adults' workforce calls the receiving service its PiPoT service (allegations/wording.py)."""
    if workforce == "adults":
        for field in form.fields.values():
            field.label = str(field.label).replace("LADO service", "PiPoT service")
            field.help_text = str(field.help_text).replace("LADO service", "PiPoT service")


def _managed(request, reference):
    referral = selectors.referral_get(user=request.user, reference=reference)
    if not selectors.can_manage(request.user, referral):
        raise PermissionDenied
    return referral


@require_http_methods(["GET", "POST"])
def transfer_send(request, reference):
    referral = _managed(request, reference)
    if not transfers.may_send(request.user, referral):
        raise Http404("This referral is not waiting to be sent to another authority")
    services = transfers.receiving_services(referral)
    triage = getattr(referral, "triage", None)
    form = TransferForm(request.POST if request.method == "POST" else None, services=services,
                        initial={"authority_name": triage.transfer_to if triage else "",
                                 "lead_authority": triage.transfer_to if triage else ""})
    _in_their_words(form, referral.workforce)
    if request.method == "POST" and form.is_valid():
        try:
            transfers.transfer_send(actor=request.user, referral=referral, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Referral sent. The handover bundle is kept with it, and the acknowledgement "
                                      "is due by the end of the next working day.")
            return redirect("allegations:referral_detail", reference=reference)
    return render(request, "allegations/form_page.html", {
        "form": form, "title": "Send the referral to another authority", "caption": referral.reference,
        "back": reverse("allegations:referral_detail", args=[reference]), "submit": "Send and keep the handover",
    })


@require_http_methods(["GET", "POST"])
def transfer_acknowledge(request, reference):
    referral = _managed(request, reference)
    transfer = transfers.transfer_for(request.user, referral)
    if transfer is None or transfer.is_acknowledged:
        raise Http404("No transfer waiting for its acknowledgement")
    form = AcknowledgementForm(request.POST if request.method == "POST" else None,
                               initial={"acknowledged_by": transfer.contact_name})
    _in_their_words(form, referral.workforce)
    if request.method == "POST" and form.is_valid():
        try:
            transfers.transfer_acknowledge(actor=request.user, transfer=transfer, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Acknowledgement recorded.")
            return redirect("allegations:referral_detail", reference=reference)
    return render(request, "allegations/form_page.html", {
        "form": form, "title": f"Record {transfer.authority_name}'s acknowledgement", "caption": referral.reference,
        "back": reverse("allegations:referral_detail", args=[reference]), "submit": "Save acknowledgement",
    })
