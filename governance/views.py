"""Retention review, deletion approval and subject access requests: the LADO service manager's pages.

Anyone else is told which roles use the lists (a 403), and gets 404 for a record (a deletion request,
a subject access request), as for a record they cannot see; administrators may open the deletion
requests to approve or reject them."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from agencies.access import role_required
from agencies.models import Role
from agencies.permissions import standing
from allegations import matching
from allegations.querysets import hidden_referral_ids
from allegations.models import Referral, Subject
from config.forms import apply_service_errors as _form_errors

from . import forms, retention, sar, services
from .models import DeletionAudit, DeletionRequest, RecordType, SubjectAccessRequest


def _manager_or_404(request):
    if not services.may_govern(request.user):
        raise Http404



@require_http_methods(["GET"])
@role_required(services.may_approve, Role.LADO_MANAGER, Role.ADMINISTRATOR)
def retention_list(request):
    s = standing(request.user)
    pending = DeletionRequest.objects.filter(status=DeletionRequest.Status.PENDING).select_related("requested_by")
    if not s.is_administrator:
        pending = pending.filter(lado_service_id__in=s.managed_service_ids).exclude(
            referral_id__in=hidden_referral_ids(request.user))
    return render(request, "governance/retention.html", {
        "past": retention.past_retention(user=request.user),
        "limit": retention.LIST_LIMIT,
        "pending": list(pending),
        "audits": (DeletionAudit.objects.select_related("requested_by", "approved_by") if s.is_administrator else
                   DeletionAudit.objects.filter(request__lado_service_id__in=s.managed_service_ids)
                   .select_related("requested_by", "approved_by"))[:50],
        "rules": retention.rules().values() if s.is_lado_manager else [],
        "user_id": request.user.pk,
    })


@require_http_methods(["GET", "POST"])
@role_required(services.may_govern, Role.LADO_MANAGER)
def retention_rules(request):
    rules = retention.rules()
    record_type = request.GET.get("type") or request.POST.get("type") or RecordType.CLOSED_CASE
    rule = rules.get(record_type)
    if rule is None:
        raise Http404
    initial = {"years": rule.years, "counted_from": rule.counted_from,
               "until_retirement_age": rule.until_retirement_age, "basis": rule.basis}
    form = forms.RetentionRuleForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.retention_rule_update(actor=request.user, rule=rule, **form.cleaned_data)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, f"Retention of “{rule.get_record_type_display()}” saved.")
            return redirect("governance:retention")
    return render(request, "governance/retention_rule.html", {"form": form, "rule": rule, "rules": rules.values()})


def _referral_or_404(user, reference: str) -> Referral:
    referral = (Referral.objects.filter(reference=reference, lado_service_id__in=standing(user).managed_service_ids)
                .open_to(user).select_related("case", "subject").first())
    if referral is None:
        raise Http404
    return referral


@require_http_methods(["GET", "POST"])
def deletion_request(request, reference: str):
    _manager_or_404(request)
    referral = _referral_or_404(request.user, reference)
    record_type = retention.record_type_of(referral)
    due = retention.due_on(referral, retention.rules()[record_type]) if record_type else None
    form = forms.ReasonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.deletion_request(actor=request.user, referral=referral, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, f"Deletion of {referral.reference} asked for. Another manager must approve it.")
            return redirect("governance:retention")
    return render(request, "governance/deletion_request.html", {
        "form": form, "referral": referral, "record_type": RecordType(record_type).label if record_type else None,
        "due": due, "today": timezone.localdate(),
    })


@require_http_methods(["GET", "POST"])
def deletion_decide(request, pk: int):
    if not services.may_approve(request.user):
        raise Http404
    s = standing(request.user)
    item = get_object_or_404(DeletionRequest.objects.select_related("requested_by", "referral"), pk=pk)
    if not s.is_administrator and (item.lado_service_id not in s.managed_service_ids or Referral.objects.filter(
            pk=item.referral_id, pk__in=hidden_referral_ids(request.user)).exists()):
        raise Http404
    own = item.requested_by_id == request.user.pk
    form = forms.DecisionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if own or item.status != DeletionRequest.Status.PENDING:
            raise PermissionDenied
        if form.is_valid():
            try:
                if form.cleaned_data["decision"] == "approve":
                    audit = services.deletion_approve(actor=request.user, request=item, reason=form.cleaned_data["reason"])
                    messages.success(request, f"{audit.reference} and everything under it were deleted.")
                else:
                    services.deletion_reject(actor=request.user, request=item, reason=form.cleaned_data["reason"])
                    messages.success(request, f"Deletion of {item.reference} rejected: the record is kept.")
            except ValidationError as error:
                _form_errors(form, error)
            else:
                return redirect("governance:retention")
    return render(request, "governance/deletion_decide.html", {"item": item, "form": form, "own": own})


# --- Subject access ----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@role_required(services.may_govern, Role.LADO_MANAGER)
def sar_list(request):
    s = standing(request.user)
    if request.method == "POST":
        subject = Subject.objects.filter(
            pk=request.POST.get("subject") if str(request.POST.get("subject", "")).isdigit() else None,
            referrals__lado_service_id__in=s.managed_service_ids,
        ).exclude(pk__in=services.hidden_subject_ids(request.user)).distinct().first()
        if subject is None:
            raise Http404
        item = services.sar_start(actor=request.user, subject=subject)
        return redirect("governance:sar_detail", item.pk)
    form = forms.SubjectSearchForm(request.GET if "family_name" in request.GET else None)
    found = []
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        mine = Subject.objects.live().filter(referrals__lado_service_id__in=s.managed_service_ids).exclude(
            pk__in=services.hidden_subject_ids(request.user))
        exact = list(mine.filter(family_name__iexact=d["family_name"]).filter(
            **({"given_name__iexact": d["given_name"]} if d["given_name"] else {})).distinct().order_by("pk")[:20])
        ids = {x.pk for x in exact}
        matched = [m.subject for m in matching.candidates(given=d["given_name"], family=d["family_name"],
                                                           date_of_birth=d["date_of_birth"], limit=20)]
        allowed = set(mine.filter(pk__in=[m.pk for m in matched]).values_list("pk", flat=True))
        found = exact + [m for m in matched if m.pk in allowed and m.pk not in ids]
    requests_ = SubjectAccessRequest.objects.filter(lado_service_id__in=s.managed_service_ids).select_related(
        "requested_by")[:50]
    return render(request, "governance/sar_list.html", {"form": form, "found": found, "requests": requests_})


def _sar_or_404(user, pk: int) -> SubjectAccessRequest:
    item = SubjectAccessRequest.objects.filter(pk=pk, lado_service_id__in=standing(user).managed_service_ids).exclude(
        subject_id__in=services.hidden_subject_ids(user)).first()
    if item is None:
        raise Http404
    return item


@require_http_methods(["GET", "POST"])
def sar_detail(request, pk: int):
    _manager_or_404(request)
    item = _sar_or_404(request.user, pk)
    draft = sar.assemble(item)
    if request.method == "POST":
        services.sar_set_revealed(actor=request.user, sar=item, revealed=request.POST.getlist("reveal"),
                                  known=set(draft.redactions))
        messages.success(request, "Redactions saved.")
        return redirect("governance:sar_detail", item.pk)
    return render(request, "governance/sar_detail.html", {
        "item": item, "draft": draft, "revealed": set(item.revealed), "releases": item.releases.select_related("released_by"),
    })


def _release_html(item, draft, revealed) -> str:
    return render_to_string("governance/sar_release.html", {
        "item": item, "draft": draft, "revealed": set(revealed), "now": timezone.now(),
    })


@require_POST
def sar_release(request, pk: int, fmt: str):
    _manager_or_404(request)
    item = _sar_or_404(request.user, pk)
    if fmt not in ("html", "pdf"):
        raise Http404
    draft = sar.assemble(item)
    html = _release_html(item, draft, item.revealed)
    if fmt == "pdf":
        from weasyprint import HTML

        from meetings.pdf import StaticFilesOnlyFetcher, static_dir

        content = HTML(string=html, base_url=static_dir().as_uri() + "/", url_fetcher=StaticFilesOnlyFetcher()).write_pdf()
        content_type = "application/pdf"
    else:
        content = html.encode()
        content_type = "text/html; charset=utf-8"
    services.sar_release(actor=request.user, sar=item, format=fmt, content=content,
                         kept=draft.kept(item.revealed), lifted=draft.lifted(item.revealed))
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="subject-access-{item.pk}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response
