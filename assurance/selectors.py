"""Reads of assurance rounds: each goes through who the user is, and returns 404 material as None."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404

from .models import Answer, AssuranceRound, Request
from .permissions import answering_agency_ids, is_business_unit


def round_for(user, pk: int) -> AssuranceRound:
    """A round, for the business unit only; anyone else gets 404 whether it exists or not."""
    if not is_business_unit(user):
        raise Http404
    try:
        return AssuranceRound.objects.select_related("created_by").get(pk=pk)
    except AssuranceRound.DoesNotExist:
        raise Http404 from None


def rounds_for(user):
    if not is_business_unit(user):
        raise Http404
    return AssuranceRound.objects.select_related("created_by")


def requests_for(user):
    """The requests sent to the agencies the user answers for, newest first."""
    return (Request.objects.filter(agency_id__in=answering_agency_ids(user), sent_at__isnull=False)
            .select_related("round", "agency", "answered_by").order_by("-sent_at", "-pk"))


def request_for(user, pk: int) -> Request:
    """A request the user may answer (a senior manager of its agency), once it has been sent; else 404."""
    try:
        return requests_for(user).get(pk=pk)
    except Request.DoesNotExist:
        raise Http404 from None


def open_requests_count(user) -> int:
    ids = answering_agency_ids(user)
    if not ids:
        return 0
    return Request.objects.filter(agency_id__in=ids, sent_at__isnull=False, answered_at__isnull=True,
                                  round__status="sent").count()


@dataclass
class Composite:
    """Questions as rows, agencies as columns: cells[i][j] is question i's answer from agency j."""

    round: AssuranceRound
    questions: list
    requests: list
    cells: list[list[Answer | None]]

    def headers(self) -> list[str]:
        return ["Question"] + [r.agency.name for r in self.requests]

    def status_row(self) -> list[str]:
        return ["Status"] + [request_status(r) for r in self.requests]

    def totals(self) -> list[tuple]:
        """For each numbers question: (its number, the question, {referrals, cases, outcomes} summed over the
        agencies' submitted answers, how many agencies gave numbers)."""
        out = []
        for n, (q, row) in enumerate(zip(self.questions, self.cells), start=1):
            if not q.is_numbers:
                continue
            given = [a for a in row if a is not None and a.has_numbers]
            sums = {name: sum(getattr(a, name) or 0 for a in given) for name, _ in Answer.NUMBER_FIELDS}
            out.append((n, q, sums, len(given)))
        return out

    def total_rows(self) -> list[list]:
        """For downloads: one row per number of each numbers question, totalled over the agencies."""
        return [[f"Total of question {n}: {label.lower()}", sums[name]]
                for n, _q, sums, _given in self.totals() for name, label in Answer.NUMBER_FIELDS]

    def text_rows(self) -> list[list[str]]:
        """For downloads: the question, then each agency's answer in words ('' when unanswered)."""
        return [[q.text] + [a.display if a else "" for a in row] for q, row in zip(self.questions, self.cells)]


def request_status(request: Request) -> str:
    if request.answered_at:
        return "Submitted"
    if request.sent_at is None:
        return "Not sent"
    return "Not submitted yet"


def composite(round_: AssuranceRound) -> Composite:
    """Three queries whatever the size of the round."""
    questions = list(round_.questions.all())
    requests = list(round_.requests.select_related("agency").order_by("agency__name"))
    answers = {(a.request_id, a.question_id): a
               for a in Answer.objects.filter(request__round=round_, request__answered_at__isnull=False)}
    cells = [[answers.get((r.pk, q.pk)) for r in requests] for q in questions]
    return Composite(round=round_, questions=questions, requests=requests, cells=cells)
