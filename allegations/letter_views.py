"""Letters from templates' pages (allegations/letters.py): the LADO manager's templates, and a case's letters
(draft, edit, approve, mark as sent). Thin: fetch (404 for what the user may not see), 403 for what they may not
do, bind a form, call one service, redirect."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from config.forms import apply_service_errors

from . import letters, selectors
from .letter_forms import LetterDraftForm, LetterEditForm, LetterSentForm, LetterTemplateForm
from .models import LetterKind


def _post(request):
    return request.POST if request.method == "POST" else None


def template_list(request):
    if not letters.may_edit_templates(request.user):
        raise PermissionDenied
    return render(request, "allegations/letter_template_list.html", {"templates": letters.templates_of(request.user)})


@require_http_methods(["GET", "POST"])
def template_edit(request, kind):
    if not letters.may_edit_templates(request.user):
        raise PermissionDenied
    if kind not in LetterKind.values:
        raise Http404("No such letter")
    template = next(t for t in letters.templates_of(request.user) if t.kind == kind)
    form = LetterTemplateForm(_post(request), initial={"subject": template.subject, "body": template.body})
    if request.method == "POST" and form.is_valid():
        try:
            letters.letter_template_update(actor=request.user, kind=kind, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, f"{LetterKind(kind).label}: words saved.")
            return redirect("allegations:letter_templates")
    return render(request, "allegations/letter_template_edit.html", {
        "form": form, "kind_label": LetterKind(kind).label, "placeholders": letters.PLACEHOLDERS,
    })


def _case_for_letters(request, reference):
    case = selectors.case_get(user=request.user, reference=reference)  # 404 unless they see the case
    if not letters.may_draft(request.user, case):
        raise PermissionDenied
    return case


@require_http_methods(["GET", "POST"])
def case_letters(request, reference):
    case = _case_for_letters(request, reference)
    form = LetterDraftForm(_post(request))
    if request.method == "POST" and form.is_valid():
        try:
            letter = letters.letter_draft(actor=request.user, case=case, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Letter drafted. Check and edit its words.")
            return redirect("allegations:letter_detail", reference=reference, pk=letter.pk)
    return render(request, "allegations/case_letters.html", {
        "case": case, "form": form, "letters": letters.letters_of(request.user, case),
        "may_edit_templates": letters.may_edit_templates(request.user),
    })


def _letter(request, reference, pk):
    case = _case_for_letters(request, reference)
    letter = letters.letter_get(request.user, case, pk)
    if letter is None:
        raise Http404("No such letter")
    return case, letter


@require_http_methods(["GET", "POST"])
def letter_detail(request, reference, pk):
    case, letter = _letter(request, reference, pk)
    draft = letter.status == letter.Status.DRAFT
    edit_form = LetterEditForm(_post(request) if draft else None, initial={
        "recipient": letter.recipient, "subject": letter.subject, "body": letter.body, "audience": letter.audience})
    sent_form = LetterSentForm(_post(request) if letter.status == letter.Status.APPROVED else None)
    if request.method == "POST":
        form = edit_form if draft else sent_form
        if not draft and letter.status != letter.Status.APPROVED:
            raise Http404("This letter has been sent")
        if form.is_valid():
            try:
                if draft:
                    letters.letter_edit(actor=request.user, letter=letter, **form.cleaned_data)
                else:
                    letters.letter_mark_sent(actor=request.user, letter=letter, **form.cleaned_data)
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, "Letter saved." if draft else "Letter marked as sent.")
                return redirect("allegations:letter_detail", reference=reference, pk=pk)
    return render(request, "allegations/letter_detail.html", {
        "case": case, "letter": letter, "edit_form": edit_form if draft else None,
        "sent_form": sent_form if letter.status == letter.Status.APPROVED else None,
        "may_approve": draft and letters.may_approve(request.user, letter),
        "back": reverse("allegations:case_letters", args=[reference]),
    })


@require_POST
def letter_approve(request, reference, pk):
    case, letter = _letter(request, reference, pk)
    if not letters.may_approve(request.user, letter):
        raise PermissionDenied
    try:
        letters.letter_approve(actor=request.user, letter=letter)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Letter approved. Its PDF and Word documents are kept with the case.")
    return redirect("allegations:letter_detail", reference=reference, pk=pk)
