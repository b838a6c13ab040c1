"""Thin views: fetch through a selector (404 for what the user may not see), bind a form, call one
service, redirect. 403 only for an action on something they can see."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from agencies.access import LADO, RoleRefused, role_required
from agencies.models import Role
from agencies.permissions import provider_service_ids
from allegations.models import Referral
from config.forms import apply_service_errors as _apply
from config.spreadsheets import SafeWorkbook, csv_text
from deadlines.wording import deadline_list
from meetings import services as meeting_services

from . import forms, selectors, services
from .models import AdmissionsSuspension, ConcernStatus, PlanItem


def _data(request):
    return request.POST if request.method == "POST" else None



def _form_page(request, form, *, title, caption, back, submit="Save"):
    """A form page; shown again with its errors (and the error summary) when they are not fixed, with a 200 as elsewhere."""
    return render(request, "allegations/form_page.html", {
        "form": form, "title": title, "caption": caption, "back": back, "submit": submit,
    })


def _detail_url(concern, anchor: str = "") -> str:
    return reverse("providers:concern_detail", args=[concern.reference]) + (f"#{anchor}" if anchor else "")


def _require_worker(request) -> frozenset[int]:
    """The LADO service and adult services' directors and safeguarding managers (permissions.PROVIDER_ROLES
    in agencies)."""
    services_ = provider_service_ids(request.user)
    if not services_:
        raise RoleRefused((*LADO, Role.DIRECTOR, Role.ADULT_SAFEGUARDING_MANAGER))
    return services_


def _concern(request, reference):
    return selectors.concern_get(user=request.user, reference=reference)


def _caption(concern) -> str:
    return f"{concern.reference} · {concern.provider.name}"


def _run_form(request, form, call, *, concern, title, back, submit="Save", anchor="", message=""):
    """Bind, validate, call the service, redirect to the concern; or show the form again with its errors."""
    if request.method == "POST" and form.is_valid():
        try:
            call(form.cleaned_data)
        except ValidationError as error:
            _apply(form, error)
        else:
            if message:
                messages.success(request, message)
            return redirect(_detail_url(concern, anchor))
    return _form_page(request, form, title=title, caption=_caption(concern), back=back, submit=submit)


def _references(request, text_refs: list[str], service_id: int) -> tuple[list[Referral], list[str]]:
    """Referrals of the concern's service by reference: its adults' safeguarding managers link them without
    seeing them (the concern's page shows references, dates and categories only: no names)."""
    if service_id not in provider_service_ids(request.user):
        return [], sorted(set(text_refs))
    found = list(Referral.objects.filter(reference__in=text_refs, lado_service_id=service_id))
    missing = sorted(set(text_refs) - {r.reference for r in found})
    return found, missing


# --- List, record, detail -------------------------------------------------------------------------

def concern_list(request):
    _require_worker(request)
    concerns = list(selectors.concern_list(user=request.user)[:200])
    return render(request, "providers/concern_list.html", {
        "concerns": concerns, "prompts": selectors.prompts_for(request.user),
        "can_record": services.can_record(request.user),
    })


def concern_create(request):
    service_ids = _require_worker(request)
    service_id = min(service_ids)
    form = forms.ConcernForm(_data(request), providers=selectors.providers_for(service_ids),
                             initial={"provider": request.GET.get("provider")})
    if request.method == "POST" and form.is_valid():
        refs = forms.LinkForm({"references": form.cleaned_data["references"]})
        refs.is_valid()
        provider = form.cleaned_data["provider"]
        service_id = provider.lado_service_id or service_id
        found, missing = _references(request, refs.reference_list(), service_id)
        if missing:
            form.add_error("references", f"No referral of this service has the reference {', '.join(missing)}.")
        else:
            try:
                concern = services.concern_record(
                    actor=request.user, lado_service=provider.lado_service, provider=provider,
                    indicators=form.cleaned_data["indicators"], summary=form.cleaned_data["summary"], referrals=found,
                )
            except ValidationError as error:
                _apply(form, error)
            else:
                messages.success(request, f"Serious concerns recorded: {concern.reference}. A director or assistant director decides whether to invoke the process.")
                return redirect(_detail_url(concern))
    return _form_page(request, form, title="Record serious concerns about a provider", caption="Provider concerns",
                      back=reverse("providers:concern_list"), submit="Record concerns")


def concern_detail(request, reference):
    concern = _concern(request, reference)
    detail = selectors.concern_detail(concern, request.user)
    active = concern.status == ConcernStatus.INVOKED
    now = timezone.now()
    return render(request, "providers/concern_detail.html", {
        "concern": concern, "d": detail, "active": active, "can_decide": selectors.can_decide(request.user, concern),
        "deadline_rows": deadline_list(detail.deadlines, now=now),
        "now": now,
    })


def concern_decide(request, reference):
    concern = _concern(request, reference)
    if not selectors.can_decide(request.user, concern):
        raise PermissionDenied
    if concern.is_decided:
        raise PermissionDenied
    form = forms.DecisionForm(_data(request))
    return _run_form(
        request, form,
        lambda data: services.concern_decide(actor=request.user, concern=concern, invoke=data["invoke"], rationale=data["rationale"]),
        concern=concern, title="Decide whether to invoke the serious concerns process", back=_detail_url(concern),
        submit="Record the decision", message="Decision recorded",
    )


def concern_link(request, reference):
    concern = _concern(request, reference)
    form = forms.LinkForm(_data(request), initial={"enquiries_note": concern.enquiries_note})
    if request.method == "POST" and form.is_valid():
        found, missing = _references(request, form.reference_list(), concern.lado_service_id)
        if missing:
            form.add_error("references", f"No referral of this service has the reference {', '.join(missing)}.")
        else:
            try:
                services.concern_link_referrals(actor=request.user, concern=concern, referrals=found,
                                                enquiries_note=form.cleaned_data["enquiries_note"])
            except ValidationError as error:
                _apply(form, error)
            else:
                return redirect(_detail_url(concern, "linked"))
    return _form_page(request, form, title="Link referrals, cases and enquiries", caption=_caption(concern),
                      back=_detail_url(concern, "linked"))


# --- Meetings ----------------------------------------------------------------------------------------

def concern_meeting_schedule(request, reference):
    concern = _concern(request, reference)
    if not concern.is_active:
        raise PermissionDenied
    form = forms.ConcernMeetingForm(_data(request), people=selectors.people_for(concern))
    if request.method == "POST" and form.is_valid():
        try:
            meeting = meeting_services.meeting_schedule_for_concern(actor=request.user, concern=concern, **form.cleaned_data)
        except ValidationError as error:
            _apply(form, error)
        else:
            messages.success(request, "Meeting scheduled. Invite the agencies from the meeting's page.")
            return redirect(reverse("meetings:meeting_detail", args=[meeting.pk]))
    return _form_page(request, form, title="Schedule a serious concerns meeting", caption=_caption(concern),
                      back=_detail_url(concern, "meetings"), submit="Schedule meeting")


# --- Suspension of admissions ---------------------------------------------------------------------------

def suspension_create(request, reference):
    concern = _concern(request, reference)
    if not concern.is_active:
        raise PermissionDenied
    form = forms.SuspensionForm(_data(request), agencies=selectors.partner_agencies())
    return _run_form(
        request, form, lambda data: services.suspension_record(actor=request.user, concern=concern, **data),
        concern=concern, title="Record a suspension of new admissions", back=_detail_url(concern, "admissions"),
        anchor="admissions", message="Suspension of new admissions recorded; its review date is chased.",
    )


def _suspension(concern, pk) -> AdmissionsSuspension:
    suspension = AdmissionsSuspension.objects.filter(concern=concern, pk=pk).select_related("concern").first()
    if suspension is None:
        raise Http404
    return suspension


def suspension_review(request, reference, pk):
    concern = _concern(request, reference)
    suspension = _suspension(concern, pk)
    if not suspension.is_active:
        raise PermissionDenied
    form = forms.SuspensionReviewForm(_data(request))
    return _run_form(
        request, form, lambda data: services.suspension_review(actor=request.user, suspension=suspension, **data),
        concern=concern, title="Review the suspension of new admissions", back=_detail_url(concern, "admissions"),
        anchor="admissions", submit="Record the review", message="Review recorded",
    )


def suspension_end(request, reference, pk):
    concern = _concern(request, reference)
    suspension = _suspension(concern, pk)
    if not suspension.is_active:
        raise PermissionDenied
    form = forms.SuspensionEndForm(_data(request), initial={"ended_on": timezone.localdate()})
    return _run_form(
        request, form, lambda data: services.suspension_end(actor=request.user, suspension=suspension, **data),
        concern=concern, title="Lift the suspension of new admissions", back=_detail_url(concern, "admissions"),
        anchor="admissions", submit="Lift the suspension", message="Suspension lifted",
    )


# --- Action plan, contacts, communication, escalation -----------------------------------------------------

def plan_item_create(request, reference):
    concern = _concern(request, reference)
    if not concern.is_active:
        raise PermissionDenied
    form = forms.PlanItemForm(_data(request), agencies=selectors.partner_agencies())
    return _run_form(
        request, form, lambda data: services.plan_item_add(actor=request.user, concern=concern, **data),
        concern=concern, title="Add to the action and improvement plan", back=_detail_url(concern, "plan"),
        anchor="plan", message="Added to the action plan",
    )


def plan_item_update(request, reference, pk):
    concern = _concern(request, reference)
    item = PlanItem.objects.filter(concern=concern, pk=pk).select_related("concern", "agency").first()
    if item is None:
        raise Http404
    form = forms.PlanItemUpdateForm(_data(request), initial={"status": item.status, "evidence": item.evidence})
    return _run_form(
        request, form, lambda data: services.plan_item_update(actor=request.user, item=item, **data),
        concern=concern, title=f"Progress: {item.description[:60]}", back=_detail_url(concern, "plan"), anchor="plan",
        message="Progress recorded",
    )


def contact_create(request, reference):
    concern = _concern(request, reference)
    form = forms.ContactForm(_data(request), agencies=selectors.partner_agencies())
    return _run_form(
        request, form, lambda data: services.contact_add(actor=request.user, concern=concern, **data),
        concern=concern, title="Add a named contact", back=_detail_url(concern, "communication"), anchor="communication",
    )


def communication_plan(request, reference):
    concern = _concern(request, reference)
    form = forms.CommunicationPlanForm(_data(request), initial={"plan": concern.communication_plan})
    return _run_form(
        request, form, lambda data: services.communication_plan_save(actor=request.user, concern=concern, **data),
        concern=concern, title="Communication plan", back=_detail_url(concern, "communication"), anchor="communication",
    )


def escalation_create(request, reference):
    concern = _concern(request, reference)
    form = forms.EscalationForm(_data(request), initial={"informed_on": timezone.localdate()})
    return _run_form(
        request, form, lambda data: services.escalation_record(actor=request.user, concern=concern, **data),
        concern=concern, title="Record an escalation to directors or elected members", back=_detail_url(concern, "escalations"),
        anchor="escalations", message="Escalation recorded",
    )


def concern_conclude(request, reference):
    concern = _concern(request, reference)
    if not concern.is_active:
        raise PermissionDenied
    form = forms.ConcludeForm(_data(request))
    return _run_form(
        request, form, lambda data: services.concern_conclude(actor=request.user, concern=concern, **data),
        concern=concern, title="Conclude the process: outcome and lessons learned", back=_detail_url(concern),
        submit="Conclude and send to the business unit",
        message="Process concluded. The outcome and lessons learned were sent to the business unit.",
    )


# --- The register (business unit) -----------------------------------------------------------------------

_register_readers_only = role_required(selectors.can_see_register, Role.ANALYST)


@_register_readers_only
def register(request):
    return render(request, "providers/register.html", {"headers": selectors.REGISTER_HEADERS,
                                                       "rows": selectors.register_rows()})


def _plain(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


@_register_readers_only
def register_csv(request):
    body = csv_text([selectors.REGISTER_HEADERS, *([_plain(v) for v in row] for row in selectors.register_rows())])
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="provider-register.csv"'
    return response


@_register_readers_only
def register_xlsx(request):
    workbook = SafeWorkbook(write_only=True)
    sheet = workbook.create_sheet("Register")
    sheet.append(["Providers subject to the serious concerns process. No names of adults at risk, staff or subjects."])  # 001
    sheet.append(selectors.REGISTER_HEADERS)
    for row in selectors.register_rows():
        sheet.append(row)
    response = HttpResponse(workbook.to_bytes(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="provider-register.xlsx"'
    return response
