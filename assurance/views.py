"""Assurance rounds: the business unit's pages (analysts) and the agency's answering pages (senior managers).

Anyone else gets 404 for a round or a request, whether it exists or not, and is told which role uses the
pages without a record (a 403)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from agencies.access import REFERRERS, role_required
from agencies.models import Partnership, Role
from config.forms import apply_service_errors as _apply

from . import exports, selectors, services
from .forms import AgenciesForm, AnswersForm, QuestionForm, RoundEditForm, RoundForm
from .models import Answer, Question, RoundStatus
from .permissions import answering_agency_ids, is_business_unit

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"



# --- The business unit ----------------------------------------------------------

@require_GET
@role_required(is_business_unit, Role.ANALYST)
def round_list(request):
    rounds = selectors.rounds_for(request.user)
    return render(request, "assurance/round_list.html", {"rounds": rounds})


@require_http_methods(["GET", "POST"])
@role_required(is_business_unit, Role.ANALYST)
def round_create(request):
    form = RoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        round_ = services.round_create(actor=request.user, **form.cleaned_data)
        messages.success(request, "Round created with the six questions of the partnership's audit. "
                                  "Check the questions and choose the agencies, then send it.")
        return redirect("assurance:round_detail", round_.pk)
    return render(request, "assurance/form_page.html", {
        "form": form, "title": "Start an assurance round", "button": "Create the round",
        "back": reverse("assurance:round_list"),
    })


@require_GET
def round_detail(request, pk):
    round_ = selectors.round_for(request.user, pk)
    requests = list(round_.requests.select_related("agency", "answered_by").order_by("agency__name"))
    history = round_.history.select_related("history_user").order_by("-history_date")[:20]
    return render(request, "assurance/round_detail.html", {
        "round": round_, "questions": list(round_.questions.all()), "requests": requests,
        "answered": sum(1 for r in requests if r.is_answered), "history": history,
        "status_of": selectors.request_status,
    })


@require_http_methods(["GET", "POST"])
def round_edit(request, pk):
    round_ = selectors.round_for(request.user, pk)
    if round_.status == RoundStatus.CLOSED:
        raise Http404
    initial = {"title": round_.title, "period": round_.period, "due_on": round_.due_on,
               "introduction": round_.introduction}
    form = RoundEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        reason = data.pop("reason")
        services.round_update(actor=request.user, round_=round_, reason=reason, **data)
        messages.success(request, "Round details saved.")
        return redirect("assurance:round_detail", round_.pk)
    return render(request, "assurance/form_page.html", {
        "form": form, "title": "Change the round's details", "button": "Save", "round": round_,
        "back": reverse("assurance:round_detail", args=[round_.pk]),
    })


def _question(round_, question_pk) -> Question:
    try:
        return round_.questions.get(pk=question_pk)
    except Question.DoesNotExist:
        raise Http404 from None


@require_http_methods(["GET", "POST"])
def question_edit(request, pk, question_pk=None):
    """Add a question (no question_pk) or change one, while the round is a draft."""
    round_ = selectors.round_for(request.user, pk)
    question = _question(round_, question_pk) if question_pk else None
    if not round_.is_draft:
        raise Http404
    initial = {"text": question.text, "kind": question.kind, "order": question.order} if question else \
        {"kind": Question.Kind.YES_NO}
    form = QuestionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.question_save(actor=request.user, round_=round_, question=question, **form.cleaned_data)
        except ValidationError as error:
            _apply(form, error)
        else:
            messages.success(request, "Question saved." if question else "Question added.")
            return redirect("assurance:round_detail", round_.pk)
    return render(request, "assurance/form_page.html", {
        "form": form, "title": "Change a question" if question else "Add a question",
        "button": "Save the question", "round": round_, "back": reverse("assurance:round_detail", args=[round_.pk]),
    })


@require_POST
def question_remove(request, pk, question_pk):
    round_ = selectors.round_for(request.user, pk)
    question = _question(round_, question_pk)
    try:
        services.question_remove(actor=request.user, question=question)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Question removed.")
    return redirect("assurance:round_detail", round_.pk)


@require_http_methods(["GET", "POST"])
def round_agencies(request, pk):
    round_ = selectors.round_for(request.user, pk)
    if round_.status == RoundStatus.CLOSED:
        raise Http404
    current = list(round_.requests.values_list("agency_id", flat=True))
    locked = current if round_.status == RoundStatus.SENT else []
    form = AgenciesForm(request.POST or None, agencies=services.agencies_to_ask(), locked=locked,
                        initial={"agencies": current})
    if request.method == "POST" and form.is_valid():
        chosen = list(form.cleaned_data["agencies"])
        if locked:
            from agencies.models import Agency

            chosen += [a for a in Agency.objects.filter(pk__in=locked) if a not in chosen]
        added = services.round_set_agencies(actor=request.user, round_=round_, agencies=chosen)
        if round_.status == RoundStatus.SENT and added:
            messages.success(request, f"Sent to {len(added)} more {'agency' if len(added) == 1 else 'agencies'}.")
        else:
            messages.success(request, "Agencies saved.")
        return redirect("assurance:round_detail", round_.pk)
    return render(request, "assurance/round_agencies.html", {"form": form, "round": round_, "locked": set(locked)})


@require_POST
def round_send(request, pk):
    round_ = selectors.round_for(request.user, pk)
    try:
        services.round_send(actor=request.user, round_=round_)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Questionnaire sent. Each agency's senior managers have a notice with a link.")
    return redirect("assurance:round_detail", round_.pk)


@require_POST
def round_close(request, pk):
    round_ = selectors.round_for(request.user, pk)
    try:
        services.round_close(actor=request.user, round_=round_)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Round closed: agencies can no longer answer.")
    return redirect("assurance:round_detail", round_.pk)


@require_GET
def composite(request, pk):
    round_ = selectors.round_for(request.user, pk)
    return render(request, "assurance/composite.html", {
        "round": round_, "c": selectors.composite(round_), "by_agency": request.GET.get("by") == "agency",
    })


def _filename(round_, ext: str) -> str:
    return f"assurance-{slugify(round_.title)[:60] or round_.pk}.{ext}"


@require_GET
def composite_csv(request, pk):
    round_ = selectors.round_for(request.user, pk)
    response = HttpResponse(exports.to_csv(selectors.composite(round_)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(round_, "csv")}"'
    return response


@require_GET
def composite_xlsx(request, pk):
    round_ = selectors.round_for(request.user, pk)
    body = exports.to_xlsx(selectors.composite(round_), partnership_name=Partnership.current().name)
    response = HttpResponse(body, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{_filename(round_, "xlsx")}"'
    return response


# --- The agency -------------------------------------------------------------------

@require_GET
@role_required(lambda user: bool(answering_agency_ids(user)), *REFERRERS)
def request_list(request):
    return render(request, "assurance/request_list.html", {
        "requests": list(selectors.requests_for(request.user)), "status_of": selectors.request_status,
    })


@require_http_methods(["GET", "POST"])
def request_answer(request, pk):
    req = selectors.request_for(request.user, pk)
    round_ = req.round
    questions = list(round_.questions.all())
    stored = {a.question_id: a for a in req.answers.select_related("answered_by")}
    editable = round_.status == RoundStatus.SENT and not req.is_answered
    initial = {}
    for q in questions:
        a = stored.get(q.pk)
        if a:
            initial[f"q{q.pk}"] = a.yes_no
            initial[f"q{q.pk}_text"] = a.text
            for name, _ in Answer.NUMBER_FIELDS:
                initial[f"q{q.pk}_{name}"] = getattr(a, name)
    form = AnswersForm(request.POST if request.method == "POST" else None, questions=questions, initial=initial)
    if request.method == "POST":
        if not editable:
            messages.error(request, "This questionnaire can no longer be changed.")
            return redirect("assurance:request_answer", req.pk)
        submit = request.POST.get("action") == "submit"
        if form.is_valid():
            try:
                services.request_answer(actor=request.user, request=req, answers=form.answers(), submit=submit)
            except ValidationError as error:
                _apply(form, error)
            else:
                if submit:
                    messages.success(request, f"Answers submitted for {req.agency.name}. Thank you.")
                    return redirect("assurance:request_list")
                messages.success(request, "Draft saved. Only your agency sees it until you submit.")
                return redirect("assurance:request_answer", req.pk)
    return render(request, "assurance/request_answer.html", {
        "req": req, "round": round_, "form": form, "questions": questions, "stored": stored, "editable": editable,
    })
