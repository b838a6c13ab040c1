"""A letter in the demo (issue 17 §3): after the most recent closed case of the LADO service with an employer, the
duty officer drafts the outcome letter to the employer from the service's template, the LADO manager approves it (it is kept
on the case as PDF and Word), and the officer records that it went by e-mail, which records its delivery. The
letter names the employer, not the person: the demo's letters are to organisations."""

from __future__ import annotations

import datetime as dt

from allegations.letters import letter_approve, letter_draft, letter_mark_sent
from allegations.models import Case, CaseStatus, Letter, LetterKind
from demo import clock


def letter_story(*, officer, manager) -> str:
    if Letter.objects.filter(case__referral__lado_service_id__in=officer.memberships.values("agency_id")).exists():
        return "The outcome letter is there already."
    case = (Case.objects.filter(status=CaseStatus.CLOSED, closed_at__isnull=False, referral__employer__isnull=False,
                                referral__lado_service_id__in=officer.memberships.values("agency_id"))
            .select_related("referral__employer").order_by("-closed_at").first())
    if case is None:
        return "No closed case to write an outcome letter for."
    employer = case.referral.employer
    recipient = f"The headteacher or manager, {employer.name}"
    drafted_at = min(case.closed_at + dt.timedelta(hours=2), clock.latest())
    with clock.at(drafted_at):
        letter = letter_draft(actor=officer, case=case, kind=LetterKind.OUTCOME_EMPLOYER, recipient=recipient)
    with clock.at(min(drafted_at + dt.timedelta(hours=1), clock.latest())):
        letter = letter_approve(actor=manager, letter=letter)
    with clock.at(min(drafted_at + dt.timedelta(hours=2), clock.latest())):
        letter_mark_sent(actor=officer, letter=letter, sent_by=Letter.SentBy.EMAIL)
    return f"Outcome letter to the employer on case {case.reference}: drafted, approved and sent by e-mail."
