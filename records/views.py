"""Thin views: documents (upload, download, withdraw) and the access log for an audit.

Every record is fetched through its own app's selector first, so an outsider gets 404 for a referral,
case, meeting or document they may not see, whether it exists or not."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from agencies.access import role_required
from agencies.models import Role
from config.forms import apply_service_errors as _apply_service_errors
from config.spreadsheets import csv_lines
from outbox.submissions import AlreadySubmitted

from . import conf, forms, selectors, services
from .models import ViewLog
from .parents import rule



def _upload(request, *, back: str, caption: str, referral=None, case=None, meeting=None):
    if not selectors.may_upload(request.user, referral=referral, case=case, meeting=meeting):
        raise PermissionDenied
    form = forms.DocumentForm(request.POST if request.method == "POST" else None,
                              request.FILES if request.method == "POST" else None,
                              meeting=meeting is not None, max_size=conf.document_max_size(),
                              file_too_big=request.method == "POST" and getattr(request, "upload_too_big", False))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.document_add(actor=request.user, upload=data["file"], title=data["title"], kind=data["kind"],
                                  referral=referral, case=case, meeting=meeting,
                                  shared_with_invitees=data.get("shared_with_invitees", False),
                                  form_token=data["form_token"], url=back + "#documents")
        except AlreadySubmitted as already:
            messages.info(request, "This document was already attached: it was saved once.")
            return redirect(already.url or back + "#documents")
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, "Document attached.")
            return redirect(back + "#documents")
    return render(request, "records/document_form.html", {"form": form, "back": back, "caption": caption})


@require_http_methods(["GET", "POST"])
def referral_document_upload(request, reference):
    referral = rule("referral_get")(user=request.user, reference=reference)
    return _upload(request, referral=referral, caption=f"Referral {referral.reference}",
                   back=reverse("allegations:referral_detail", args=[referral.reference]))


@require_http_methods(["GET", "POST"])
def case_document_upload(request, reference):
    case = rule("case_get")(user=request.user, reference=reference)
    return _upload(request, case=case, caption=f"Case {case.referral.reference}",
                   back=reverse("allegations:case_documents", args=[case.referral.reference]))


@require_http_methods(["GET", "POST"])
def meeting_document_upload(request, pk):
    meeting = rule("meeting_get")(user=request.user, pk=pk)
    reference = f"Case {meeting.case.referral.reference} · " if meeting.case_id else ""
    return _upload(request, meeting=meeting, caption=f"{reference}{meeting}",
                   back=reverse("meetings:meeting_detail", args=[meeting.pk]))


def document_download(request, pk):
    """The file, after the same checks as its record's page; every download logged."""
    document = selectors.document_get(user=request.user, pk=pk)
    if document.is_withdrawn:
        raise Http404("This document has been withdrawn")
    try:
        handle = services.document_open(user=request.user, document=document)
    except FileNotFoundError:
        raise Http404("The file is missing") from None
    response = FileResponse(handle, as_attachment=True, filename=document.original_name,
                            content_type=document.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store, private"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _parent_url(document) -> str:
    if document.referral_id:
        return reverse("allegations:referral_detail", args=[document.referral.reference])
    if document.case_id:
        return reverse("allegations:case_documents", args=[document.case.referral.reference])
    return reverse("meetings:meeting_detail", args=[document.meeting_id])


@require_http_methods(["GET", "POST"])
def document_withdraw(request, pk):
    document = selectors.document_get(user=request.user, pk=pk)
    if not selectors.may_withdraw(request.user, document):
        raise PermissionDenied
    back = _parent_url(document) + "#documents"
    if document.is_withdrawn:
        return redirect(back)
    form = forms.WithdrawForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.document_withdraw(actor=request.user, document=document, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, "Document withdrawn.")
            return redirect(back)
    return render(request, "allegations/form_page.html", {
        "form": form, "title": "Withdraw a document", "caption": f"{document.title} ({document.original_name})",
        "back": back, "submit": "Withdraw the document",
    })


# --- The access log for an audit -----------------------------------------------------------------------

def _audit_query(request):
    form = forms.AccessLogFilter(request.GET or None)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
    else:
        data = {}
    rows = selectors.access_log(user=request.user, date_from=data.get("date_from"), date_to=data.get("date_to"),
                                person=data.get("person", ""), reference=data.get("reference", ""))
    return form, rows


def _row(values) -> dict:
    row = dict(zip(selectors._COLUMNS, values))
    row["name"] = f"{row['first_name']} {row['last_name']}".strip() or row["username"]
    row["label"] = selectors.ACCESS_LABELS.get(row["what"], row["what"])
    return row


_auditors_only = role_required(selectors.may_audit, Role.LADO_MANAGER, Role.ADMINISTRATOR)


@_auditors_only
def access_log(request):
    form, rows = _audit_query(request)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "records/access_log.html", {
        "form": form, "page": page, "rows": [_row(r) for r in page.object_list],
        "csv_query": request.GET.urlencode(),
    })


@_auditors_only
def access_log_csv(request):
    form, rows = _audit_query(request)
    if form.is_bound and not form.is_valid():
        return redirect(reverse("records:access_log") + "?" + request.GET.urlencode())
    services.view_record(user=request.user, what=ViewLog.What.EXPORT)

    def lines():
        yield ["When", "User name", "Name", "What", "Reference", "Meeting", "Document", "Detail"]
        for values in rows.iterator(chunk_size=2000):
            row = _row(values)
            yield [timezone.localtime(row["at"]).isoformat(timespec="seconds"), row["username"], row["name"],
                   row["label"], row["reference"], row["meeting_number"], row["document_number"], row["detail"]]

    response = StreamingHttpResponse(csv_lines(lines()), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="access-log-{timezone.localdate():%Y-%m-%d}.csv"'
    response["Cache-Control"] = "no-store, private"
    return response
