"""The case's outcome page and what follows the outcome: its checklist, complaints, reopening and amending
(outcomes.py). Thin, as views.py: 404 for what the person may not see, 403 for what they may not do."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from config.forms import apply_service_errors

from . import outcome_forms, outcomes, selectors
from .models import Case, Complaint, EmployerOutcome, Part
from .views import _case_page, _managed_case, case_page_url


def case_conclusion(request, reference):
    """The outcome, with each outcome's meaning, the checklist it set off, the referrals made, complaints and
    any reopening or amended outcome. The LADO service also sees the retention date it leads to."""
    case, context = _case_page(request, reference, "conclusion")
    parts = context["parts"]
    may_amend = context["manage"] and outcomes.may_amend(request.user, case)
    context.update(
        definition=outcomes.OUTCOME_DEFINITIONS.get(case.outcome, ""),
        checklist=[(item, outcomes.item_label(item)) for item in parts.outcome_checklist],
        regulator_referrals=parts.regulator_referrals,
        complaints=parts.complaints,
        amendments=parts.amendments,
        resigned=case.employer_outcome == EmployerOutcome.RESIGNED,
        compromise_agreement=outcomes.COMPROMISE_AGREEMENT,
        retention=outcomes.retention_of(case.referral) if parts.sees_rationale else None,
        may_amend=may_amend,
        may_reopen=may_amend and not case.is_open,
        may_amend_outcome=may_amend and bool(case.outcome),
    )
    return render(request, "allegations/case_conclusion.html", context)


def _form_page(request, case: Case, form, *, title: str, submit: str, perform, done: str):
    back = case_page_url(case.reference, "conclusion")
    if request.method == "POST" and form.is_valid():
        try:
            perform(form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, done)
            return redirect(back)
    return render(request, "allegations/form_page.html", {
        "form": form, "title": title, "caption": f"Case {case.reference}", "submit": submit, "back": back,
    })


@require_http_methods(["GET", "POST"])
def checklist_item(request, reference, pk):
    """Tick one item of the outcome's checklist: done or not applicable, by whom and when."""
    case = _managed_case(request, reference)
    item = next((i for i in outcomes.current_checklist(case) if i.pk == pk), None)
    if item is None:
        raise Http404
    form = outcome_forms.ChecklistItemForm(request.POST if request.method == "POST" else None,
                                           initial={"state": item.state if item.state != "pending" else None,
                                                    "note": item.note})
    return _form_page(
        request, case, form, title=outcomes.item_label(item), submit="Save", done="Checklist updated.",
        perform=lambda data: outcomes.checklist_item_mark(actor=request.user, case=case, item=item, **data),
    )


@require_http_methods(["GET", "POST"])
def complaint_add(request, reference):
    """Record a complaint, on an open or a closed case."""
    case = _managed_case(request, reference)
    form = outcome_forms.ComplaintForm(request.POST if request.method == "POST" else None,
                                       initial={"stage": Complaint.Stage.STAGE_1})
    return _form_page(
        request, case, form, title="Record a complaint", submit="Save", done="Complaint recorded.",
        perform=lambda data: outcomes.complaint_record(actor=request.user, case=case, **data),
    )


@require_http_methods(["GET", "POST"])
def complaint_update(request, reference, pk):
    """A complaint moves to another stage, or is answered."""
    case = _managed_case(request, reference)
    parts = selectors.case_parts_for(request.user, case, load=frozenset({Part.COMPLAINT}))
    complaint = next((c for c in parts.complaints if c.pk == pk), None)
    if complaint is None:
        raise Http404
    form = outcome_forms.ComplaintUpdateForm(
        request.POST if request.method == "POST" else None,
        initial={"stage": complaint.stage, "stage_started_on": complaint.stage_started_on,
                 "result": complaint.result, "answered_on": complaint.answered_on, "answer": complaint.answer})
    return _form_page(
        request, case, form, title="Update the complaint", submit="Save", done="Complaint updated.",
        perform=lambda data: outcomes.complaint_update(actor=request.user, complaint=complaint, **data),
    )


def _amending_case(request, reference) -> Case:
    case = selectors.case_get(user=request.user, reference=reference)
    if not (selectors.can_manage(request.user, case.referral) and outcomes.may_amend(request.user, case)):
        raise PermissionDenied
    return case


@require_http_methods(["GET", "POST"])
def case_reopen(request, reference):
    """A LADO service manager reopens a closed case, with a reason."""
    case = _amending_case(request, reference)
    form = outcome_forms.ReopenForm(request.POST if request.method == "POST" else None,
                                    complaints=case.complaints.all())
    return _form_page(
        request, case, form, title="Reopen the case", submit="Reopen the case", done="Case reopened.",
        perform=lambda data: outcomes.case_reopen(actor=request.user, case=case, **data),
    )


@require_http_methods(["GET", "POST"])
def case_amend_outcome(request, reference):
    """A LADO service manager amends the recorded outcome, with a reason."""
    case = _amending_case(request, reference)
    form = outcome_forms.AmendOutcomeForm(request.POST if request.method == "POST" else None,
                                          complaints=case.complaints.all(), current=case.outcome)
    return _form_page(
        request, case, form, title="Amend the outcome", submit="Amend the outcome", done="Outcome amended.",
        perform=lambda data: outcomes.case_amend_outcome(actor=request.user, case=case, **data),
    )

