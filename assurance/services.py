"""Every write of an assurance round, with who and why on its history (STYLE.md)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency, Membership, Role
from agencies.notifications import notice_once
from allegations.services import save_with_history
from config.jinja2 import govuk_date

from .models import DEFAULT_QUESTIONS, Answer, AssuranceRound, Question, Request, RoundStatus
from .permissions import is_business_unit, may_answer

# A round's allowed status changes.
ROUND_TRANSITIONS = {
    RoundStatus.DRAFT: frozenset({RoundStatus.SENT}),
    RoundStatus.SENT: frozenset({RoundStatus.CLOSED}),
    RoundStatus.CLOSED: frozenset(),
}


def _require_business_unit(actor) -> None:
    if not is_business_unit(actor):
        raise PermissionDenied("Only the partnership business unit runs assurance rounds.")


def _require_draft(round_: AssuranceRound) -> None:
    if round_.status != RoundStatus.DRAFT:
        raise ValidationError("The questions can be changed only before the round is sent.")


@transaction.atomic
def round_create(*, actor, title: str, period: str, due_on: dt.date, introduction: str = "") -> AssuranceRound:
    """A draft round with seed 000's six questions, ready to edit."""
    _require_business_unit(actor)
    round_ = AssuranceRound(title=title.strip(), period=period.strip(), due_on=due_on,
                            introduction=introduction.strip(), created_by=actor)
    save_with_history(round_, actor=actor, reason="Assurance round created")
    for order, (text, kind) in enumerate(DEFAULT_QUESTIONS, start=1):
        save_with_history(Question(round=round_, order=order, text=text, kind=kind), actor=actor,
                          reason="Default question")  # seed 000's audit
    return round_


@transaction.atomic
def round_update(*, actor, round_: AssuranceRound, reason: str, **fields) -> AssuranceRound:
    _require_business_unit(actor)
    round_ = AssuranceRound.objects.select_for_update().get(pk=round_.pk)
    if round_.status == RoundStatus.CLOSED:
        raise ValidationError("A closed round cannot be changed.")
    for name in ("title", "period", "due_on", "introduction"):
        if name in fields:
            setattr(round_, name, fields[name].strip() if isinstance(fields[name], str) else fields[name])
    save_with_history(round_, actor=actor, reason=reason or "Round details changed")
    return round_


@transaction.atomic
def question_save(*, actor, round_: AssuranceRound, question: Question | None, text: str, kind: str,
                  order: int | None, reason: str = "") -> Question:
    """Add a question to a draft round, or change one."""
    _require_business_unit(actor)
    round_ = AssuranceRound.objects.select_for_update().get(pk=round_.pk)
    _require_draft(round_)
    if question is None:
        last = round_.questions.order_by("-order").values_list("order", flat=True).first() or 0
        question = Question(round=round_, order=order or last + 1)
        why = reason or "Question added"
    else:
        if question.round_id != round_.pk:
            raise ValidationError("That question belongs to another round.")
        if order:
            question.order = order
        why = reason or "Question changed"
    question.text = text.strip()
    question.kind = kind
    save_with_history(question, actor=actor, reason=why)
    return question


@transaction.atomic
def question_remove(*, actor, question: Question, reason: str = "") -> None:
    _require_business_unit(actor)
    round_ = AssuranceRound.objects.select_for_update().get(pk=question.round_id)
    _require_draft(round_)
    if round_.questions.count() <= 1:
        raise ValidationError("A round needs at least one question.")
    question._history_user = actor
    question._change_reason = reason or "Question removed"
    question.delete()


@transaction.atomic
def round_set_agencies(*, actor, round_: AssuranceRound, agencies: list[Agency]) -> list[Request]:
    """Choose the agencies asked. Before sending, the choice can change freely; once sent, an agency
    can be added (it is sent at once) but not taken away (its answers are part of the record)."""
    _require_business_unit(actor)
    round_ = AssuranceRound.objects.select_for_update().get(pk=round_.pk)
    if round_.status == RoundStatus.CLOSED:
        raise ValidationError("A closed round cannot be changed.")
    wanted = {a.pk: a for a in agencies}
    existing = {r.agency_id: r for r in round_.requests.all()}
    if round_.status == RoundStatus.DRAFT:
        for agency_id, request in existing.items():
            if agency_id not in wanted:
                request._history_user = actor
                request._change_reason = "Agency taken off the round before sending"
                request.delete()
    added = []
    for agency_id, agency in wanted.items():
        if agency_id not in existing:
            request = Request(round=round_, agency=agency)
            save_with_history(request, actor=actor, reason="Agency added to the round")
            added.append(request)
    if round_.status == RoundStatus.SENT:
        for request in added:
            _send_request(actor=actor, round_=round_, request=request)
    return added


def _senior_managers(agency_id: int):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(
        memberships__agency_id=agency_id, memberships__role=Role.SENIOR_MANAGER, memberships__system=False,
        is_active=True
    ).distinct()


def _send_request(*, actor, round_: AssuranceRound, request: Request) -> None:
    request.sent_at = timezone.now()
    save_with_history(request, actor=actor, reason="Questionnaire sent to the agency")
    link = reverse("assurance:request_answer", args=[request.pk])
    for user in _senior_managers(request.agency_id):
        # A link only: the notice names the round and the agency, never a person of a case.
        notice_once(user=user, title=f"Assurance questionnaire to answer for {request.agency.name} "
                                     f"by {round_.due_on:%-d %B %Y}",
                    link=link, key=f"assurance-request:{request.pk}", email_template="assurance/email/request",
                    kind="assurance_request",
                    context={"due_on": govuk_date(round_.due_on), "agency": request.agency.name})


@transaction.atomic
def round_send(*, actor, round_: AssuranceRound) -> AssuranceRound:
    _require_business_unit(actor)
    round_ = AssuranceRound.objects.select_for_update().get(pk=round_.pk)
    if RoundStatus.SENT not in ROUND_TRANSITIONS[round_.status]:
        raise ValidationError("This round has already been sent.")
    requests = list(round_.requests.select_related("agency"))
    if not requests:
        raise ValidationError("Choose at least one agency to send the questionnaire to.")
    if not round_.questions.exists():
        raise ValidationError("Add at least one question.")
    round_.status = RoundStatus.SENT
    round_.sent_at = timezone.now()
    save_with_history(round_, actor=actor, reason=f"Sent to {len(requests)} agencies")
    for request in requests:
        _send_request(actor=actor, round_=round_, request=request)
    return round_


@transaction.atomic
def round_close(*, actor, round_: AssuranceRound, reason: str = "") -> AssuranceRound:
    _require_business_unit(actor)
    round_ = AssuranceRound.objects.select_for_update().get(pk=round_.pk)
    if RoundStatus.CLOSED not in ROUND_TRANSITIONS[round_.status]:
        raise ValidationError("Only a round that has been sent can be closed.")
    round_.status = RoundStatus.CLOSED
    round_.closed_at = timezone.now()
    save_with_history(round_, actor=actor, reason=reason or "Round closed: no more answers")
    return round_


@transaction.atomic
def request_answer(*, actor, request: Request, answers: dict[int, dict], submit: bool) -> Request:
    """Save the agency's answers (a draft), or submit them (every question answered; then final).

    `answers` maps question id to {"yes_no": "yes"|"no"|"", "text": "..."}."""
    request = Request.objects.select_for_update().select_related("round").get(pk=request.pk)
    if not may_answer(actor, request):
        raise PermissionDenied("Only a senior manager of the agency can answer for it.")
    if request.round.status != RoundStatus.SENT or request.sent_at is None:
        raise ValidationError("This questionnaire is not open for answers.")
    if request.is_answered:
        raise ValidationError("Your agency's answers have already been submitted.")
    questions = {q.pk: q for q in request.round.questions.all()}
    stored = {a.question_id: a for a in request.answers.all()}
    missing = []
    for question_id, question in questions.items():
        given = answers.get(question_id, {})
        yes_no, text = given.get("yes_no", ""), given.get("text", "").strip()
        numbers = {name: (given.get(name) if question.is_numbers else None) for name, _ in Answer.NUMBER_FIELDS}
        has_numbers = any(v is not None for v in numbers.values())
        if submit and ((question.is_yes_no and not yes_no) or (question.is_numbers and not has_numbers)
                       or (question.kind == Question.Kind.TEXT and not text)):
            missing.append(question)
        answer = stored.get(question_id)
        if answer is None:
            if not yes_no and not text and not has_numbers:
                continue
            answer = Answer(request=request, question=question, answered_by=actor)
        elif (answer.yes_no == yes_no and answer.text == text
              and all(getattr(answer, name) == value for name, value in numbers.items())):
            continue
        for name, value in numbers.items():
            setattr(answer, name, value)
        answer.yes_no, answer.text, answer.answered_by = (yes_no if question.is_yes_no else ""), text, actor
        answer.updated_at = timezone.now()
        save_with_history(answer, actor=actor, reason="Answers submitted" if submit else "Answer saved as a draft")
    if missing:
        raise ValidationError({_answer_field(q): ("Enter at least one of the numbers before you submit."
                                                  if q.is_numbers else "Answer this question before you submit.")
                               for q in missing})
    if submit:
        request.answered_at = timezone.now()
        request.answered_by = actor
        save_with_history(request, actor=actor, reason="Answers submitted for the agency")
    return request


def _answer_field(question: Question) -> str:
    if question.is_yes_no:
        return f"q{question.pk}"
    if question.is_numbers:
        return f"q{question.pk}_referrals"
    return f"q{question.pk}_text"


def agencies_to_ask():
    """Agencies that can be asked: active ones with at least one senior manager to answer."""
    return Agency.objects.filter(
        is_active=True,
        pk__in=Membership.objects.people().filter(role=Role.SENIOR_MANAGER).values("agency_id"),
    ).order_by("name")
