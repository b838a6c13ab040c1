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
from .models import AdmissionsSuspension, ConcernLetter, ConcernStatus, PlanItem


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
                    crime_suspected=form.cleaned_data["crime_suspected"],
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
        "missing": services.conclusion_missing(concern) if active else [],
        "first_meeting_held": any(m.kind == "serious_concerns_initial" and m.status == "held" for m in detail.meetings),
    })


def concern_decide(request, reference):
    concern = _concern(request, reference)
    if not selectors.can_decide(request.user, concern):
        raise PermissionDenied
    if concern.is_decided:
        raise PermissionDenied
    form = forms.DecisionForm(_data(request), agencies=selectors.partner_agencies())
    return _run_form(
        request, form,
        lambda data: services.concern_decide(actor=request.user, concern=concern, **data),
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
    return _plan_item_form(request, item, back=_detail_url(concern, "plan"))


def plan_item_progress(request, pk):
    """The agency responsible updates its own item ("Our actions"), without seeing the concern itself."""
    item = selectors.plan_item_get(user=request.user, pk=pk)
    return _plan_item_form(request, item, back=reverse("meetings:action_list"))


def _plan_item_form(request, item, *, back):
    if not services.may_update_item(request.user, item):
        raise PermissionDenied
    if not item.is_open or item.concern.status != ConcernStatus.INVOKED:
        raise PermissionDenied
    staff = item.concern.lado_service_id in provider_service_ids(request.user)
    form = forms.PlanItemUpdateForm(_data(request), staff=staff, initial={"status": item.status, "evidence": item.evidence})
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_item_update(actor=request.user, item=item, **form.cleaned_data)
        except ValidationError as error:
            _apply(form, error)
        else:
            messages.success(request, "Progress recorded")
            return redirect(back)
    return _form_page(request, form, title=f"Progress: {item.description[:60]}",
                      caption=f"{item.concern.reference} · {item.concern.provider.name} · {item.agency.name}",
                      back=back, submit="Save progress")


def plan_item_carry(request, reference, pk):
    concern = _concern(request, reference)
    item = PlanItem.objects.filter(concern=concern, pk=pk).select_related("concern", "agency").first()
    if item is None:
        raise Http404
    if not concern.is_active or not item.is_open:
        raise PermissionDenied
    form = forms.PlanItemCarryForm(_data(request))
    return _run_form(
        request, form, lambda data: services.plan_item_carry(actor=request.user, item=item, **data),
        concern=concern, title=f"Carry into commissioning: {item.description[:60]}", back=_detail_url(concern, "plan"),
        anchor="plan", submit="Carry into commissioning", message="Carried into commissioning",
    )


def review_schedule(request, reference):
    concern = _concern(request, reference)
    if not concern.is_active:
        raise PermissionDenied
    initial = {"every_weeks": (concern.review_every_days or 28) // 7}
    form = forms.ReviewScheduleForm(_data(request), initial=initial)
    return _run_form(
        request, form,
        lambda data: services.review_schedule_set(actor=request.user, concern=concern, every_days=data["every_weeks"] * 7,
                                                  first_review_on=data["first_review_on"]),
        concern=concern, title="Schedule of review meetings", back=_detail_url(concern, "meetings"), anchor="meetings",
        submit="Set the schedule", message="Schedule set: the next review meeting is chased.",
    )


# --- Letters to the provider after each meeting ------------------------------------------------------------

def letter_draft(request, reference, meeting_pk):
    concern = _concern(request, reference)
    meeting = concern.meetings.filter(pk=meeting_pk).first()
    if meeting is None:
        raise Http404
    existing = ConcernLetter.objects.filter(meeting=meeting).first()
    if existing is not None:
        return redirect(reverse("providers:letter_detail", args=[concern.reference, existing.pk]))
    if meeting.status != "held":
        raise PermissionDenied
    form = forms.LetterDraftForm(_data(request), initial={"recipient": f"The registered manager, {concern.provider.name}"})
    if request.method == "POST" and form.is_valid():
        try:
            letter = services.concern_letter_draft(actor=request.user, concern=concern, meeting=meeting, **form.cleaned_data)
        except ValidationError as error:
            _apply(form, error)
        else:
            messages.success(request, "Letter drafted from the template: check and edit it, then record when it is sent.")
            return redirect(reverse("providers:letter_detail", args=[concern.reference, letter.pk]))
    return _form_page(request, form, title=f"Write to the provider after the {meeting.get_kind_display().lower()}",
                      caption=_caption(concern), back=_detail_url(concern, "meetings"), submit="Draft the letter")


def _letter(concern, pk) -> ConcernLetter:
    letter = ConcernLetter.objects.filter(concern=concern, pk=pk).select_related("meeting", "concern").first()
    if letter is None:
        raise Http404
    return letter


def letter_detail(request, reference, pk):
    concern = _concern(request, reference)
    letter = _letter(concern, pk)
    if letter.status != ConcernLetter.Status.DRAFT:
        return render(request, "providers/letter_detail.html", {"concern": concern, "letter": letter})
    form = forms.LetterEditForm(_data(request), initial={"recipient": letter.recipient, "subject": letter.subject,
                                                         "body": letter.body})
    if request.method == "POST" and form.is_valid():
        try:
            services.concern_letter_edit(actor=request.user, letter=letter, **form.cleaned_data)
        except ValidationError as error:
            _apply(form, error)
        else:
            messages.success(request, "Letter saved")
            return redirect(reverse("providers:letter_detail", args=[concern.reference, letter.pk]))
    return render(request, "providers/letter_detail.html", {"concern": concern, "letter": letter, "form": form})


def letter_sent(request, reference, pk):
    concern = _concern(request, reference)
    letter = _letter(concern, pk)
    if letter.status != ConcernLetter.Status.DRAFT:
        raise PermissionDenied
    form = forms.LetterSentForm(_data(request), initial={"sent_on": timezone.localdate()})
    return _run_form(
        request, form, lambda data: services.concern_letter_mark_sent(actor=request.user, letter=letter, **data),
        concern=concern, title="Record that the letter was sent", back=reverse("providers:letter_detail",
                                                                                 args=[concern.reference, letter.pk]),
        anchor="meetings", submit="Record as sent", message="The letter to the provider is recorded as sent.",
    )


def letter_pdf(request, reference, pk):
    """The letter as a PDF to print or attach (rendered from its words, as allegations' letters are)."""
    concern = _concern(request, reference)
    letter = _letter(concern, pk)
    from allegations.letters import letter_pdf_bytes

    body = letter_pdf_bytes(sender=concern.lado_service.name, subject=letter.subject, body=letter.body)
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{concern.reference}-provider-letter-{letter.pk}.pdf"'
    return response


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
    """Refused, with what is missing listed, until the plan is done, the outcome meeting held and the provider
    written to; a suspension still in force is lifted or continued here."""
    concern = _concern(request, reference)
    if not concern.is_active:
        raise PermissionDenied
    suspension = concern.suspensions.filter(ended_on__isnull=True).first()
    form = forms.ConcludeForm(_data(request), suspension=suspension)
    if request.method == "POST" and form.is_valid():
        try:
            services.concern_conclude(actor=request.user, concern=concern, **form.cleaned_data)
        except ValidationError as error:
            _apply(form, error)
        else:
            messages.success(request, "Process concluded. The outcome and lessons learned were sent to the business unit.")
            return redirect(_detail_url(concern))
    elif request.method == "POST":  # the answers are not all there, and neither may the work be: say both at once
        missing = services.conclusion_missing(concern)
        if missing:
            _apply(form, services.ConclusionRefused(missing))
    return render(request, "providers/concern_conclude.html", {
        "form": form, "concern": concern, "missing": services.conclusion_missing(concern), "back": _detail_url(concern),
        "title": "Conclude the process: outcome and lessons learned", "caption": _caption(concern),
        "submit": "Conclude and send to the business unit",
    })


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
