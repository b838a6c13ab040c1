"""Disagreements that climb a ladder (issue 16 §9; seed 004 §3.5, §3.13, §5.4).

A disagreement or professional challenge is raised with the manager first; if that does not settle it, it is
escalated to the LADO manager, then the head of service, then the partnership's escalation protocol. Each step
records who raised it with whom and when, and a date to answer by: a `disagreement_step` deadline, chased by the
deadlines sweep like the others, met when the step is answered. The answer either resolves the disagreement (the
resolution is recorded on it) or escalates it to the next step, which opens that step's deadline. Closing the case
closes the deadlines (deadlines.deadlines_close), like every other.

Seed 004 §3.5 found a protocol whose "specified timescales are unclear": the product gives each step one clear
default (the partnership setting `disagreement_step`, 5 working days), which the person recording a step may
change for that step.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils import timezone

from agencies.models import Partnership
from deadlines import services as deadlines
from deadlines import timescales
from deadlines.models import Deadline

from .models import Disagreement, DisagreementStep, Part

Level = DisagreementStep.Level
Result = DisagreementStep.Result

# The steps, in the order a disagreement climbs them.
LADDER: tuple[str, ...] = (Level.MANAGER, Level.LADO_MANAGER, Level.HEAD_OF_SERVICE, Level.PROTOCOL)


def next_level(level: str) -> str | None:
    index = LADDER.index(level)
    return LADDER[index + 1] if index + 1 < len(LADDER) else None


def answered_instant(day: dt.date, tz: str) -> dt.datetime:
    """When an answer recorded by its date was given: now if today, else the end of that local day (so an answer
    on or before the date to answer by meets the deadline on time, one after it late)."""
    if day == timezone.localdate():
        return timezone.now()
    return timescales.end_of_day(day, tz)


def default_answer_by(raised_on: dt.date, partnership: Partnership | None = None) -> dt.date:
    """The date to answer by when none is given: the partnership's span per step from the day it was raised."""
    partnership = partnership or Partnership.current()
    anchor = timescales.end_of_day(raised_on, partnership.time_zone)
    due = deadlines.add_span(anchor, *partnership.span(Deadline.Kind.DISAGREEMENT_STEP), partnership)
    return timezone.localtime(due, ZoneInfo(partnership.time_zone)).date()


def _words(level: str, raised_to: str) -> str:
    label = Level(level).label
    return f"{label[0].lower()}{label[1:]} ({raised_to})" if raised_to else f"{label[0].lower()}{label[1:]}"


def _event(actor, case, disagreement: Disagreement, verb: str, summary: str, reason: str = "") -> None:
    from .services import event_record

    event_record(actor=actor, referral=case.referral, case=case, verb=verb, summary=summary[:300], reason=reason,
                 part=Part.DISAGREEMENT, part_id=disagreement.pk)


def _current_step(disagreement: Disagreement) -> DisagreementStep | None:
    """The step waiting for an answer (row-locked), or None."""
    return (DisagreementStep.objects.select_for_update().filter(disagreement=disagreement, answered_at__isnull=True)
            .order_by("-pk").first())


def step_open(*, actor, case, disagreement: Disagreement, level: str, raised_on: dt.date, raised_by: str,
              raised_to: str = "", answer_by: dt.date | None = None) -> DisagreementStep:
    """Raise the disagreement at this step and open the step's deadline. The caller holds the case's lock and its
    transaction (services.disagreement_record, step_answer)."""
    from .services import save_with_history

    if level not in LADDER:
        raise ValidationError({"level": "Choose a step of the escalation."})
    if DisagreementStep.objects.filter(disagreement=disagreement, level=level).exists():
        raise ValidationError({"raised_to": f"It has already been raised with {Level(level).label.lower()}."})
    partnership = Partnership.current()
    if answer_by is None:
        answer_by = default_answer_by(raised_on, partnership)
    if answer_by < raised_on:
        raise ValidationError({"answer_by": "The date to answer by must be on or after the day it was raised."})
    step = DisagreementStep(disagreement=disagreement, level=level, raised_on=raised_on, raised_by=raised_by.strip(),
                            raised_to=raised_to.strip(), answer_by=answer_by, recorded_by=actor)
    summary = (f"{disagreement.get_kind_display()} raised with {_words(level, step.raised_to)}, "
               f"to answer by {answer_by:%-d %B %Y}")
    step.deadline = deadlines.deadline_open_on_date(
        actor=actor, referral=case.referral, case=case, kind=Deadline.Kind.DISAGREEMENT_STEP, due_on=answer_by,
        anchor=answered_instant(raised_on, partnership.time_zone), reason=summary,
    )
    save_with_history(step, actor=actor, reason=summary)
    _event(actor, case, disagreement, "disagreement_step", summary)
    return step


def step_answer(*, actor, case, disagreement: Disagreement, answered_on: dt.date, answer: str, result: str,
                raised_by: str = "", raised_to: str = "", answer_by: dt.date | None = None) -> DisagreementStep:
    """Record the answer of the step waiting for one: its deadline is met; resolved ends the disagreement with the
    answer as its resolution, escalated raises it at the next step (opening that step's deadline). The caller holds
    the case's lock and its transaction."""
    from .services import save_with_history

    step = _current_step(disagreement)
    if step is None:
        raise ValidationError("This disagreement is not waiting for an answer.")
    errors: dict[str, str] = {}
    if result not in Result.values:
        errors["status"] = "Say whether it was resolved or escalated."
    if not answer.strip():
        errors["resolution"] = "Say what the answer was: how it was resolved, or why it was escalated."
    if answered_on < step.raised_on:
        errors["resolved_on"] = f"The date must be on or after the day it was raised ({step.raised_on:%-d %B %Y})."
    if answered_on > timezone.localdate():
        errors["resolved_on"] = "The date cannot be in the future."
    following = next_level(step.level)
    if result == Result.ESCALATED and following is None:
        errors["status"] = ("This is the last step: the partnership's escalation protocol. Record how it was "
                            "resolved.")
    elif result == Result.ESCALATED and not raised_to.strip():
        errors["escalated_to"] = f"Say who it was escalated to at {Level(following).label.lower()}."
    if errors:
        raise ValidationError(errors)
    tz = Partnership.current().time_zone
    step.answered_at = answered_instant(answered_on, tz)
    step.answer, step.result = answer.strip(), result
    summary = f"{Level(step.level).label} answered: {Result(result).label.lower()}"
    save_with_history(step, actor=actor, reason=summary)
    if step.deadline_id:
        deadlines.deadline_meet_one(actor=actor, deadline=step.deadline, met_at=step.answered_at, reason=summary)
    _event(actor, case, disagreement, "disagreement_answered", summary, reason=step.answer)
    if result == Result.RESOLVED:
        disagreement.status = Disagreement.Status.RESOLVED
        disagreement.resolution, disagreement.resolved_on = step.answer, answered_on
        save_with_history(disagreement, actor=actor, reason=f"Resolved at: {Level(step.level).label.lower()}")
        _close_other_steps(actor, disagreement, reason="The disagreement was resolved")
        _event(actor, case, disagreement, "disagreement_resolved",
               f"{disagreement.get_kind_display()} resolved ({Level(step.level).label.lower()})", reason=step.answer)
    else:
        disagreement.status = Disagreement.Status.ESCALATED
        disagreement.escalated_to = _words(following, raised_to.strip())[:150]
        save_with_history(disagreement, actor=actor, reason=f"Escalated to {Level(following).label.lower()}")
        step_open(actor=actor, case=case, disagreement=disagreement, level=following, raised_on=answered_on,
                  raised_by=raised_by.strip() or disagreement.raised_by, raised_to=raised_to, answer_by=answer_by)
    return step


def _close_other_steps(actor, disagreement: Disagreement, *, reason: str) -> None:
    """Any other step still unanswered no longer needs an answer: its deadline is waived (or, if it already fell
    due, stays missed and is no longer chased)."""
    for other in DisagreementStep.objects.filter(disagreement=disagreement, answered_at__isnull=True,
                                                  deadline__isnull=False).select_related("deadline"):
        deadlines.deadline_waive_one(actor=actor, deadline=other.deadline, reason=reason)


def ladder_of(disagreements) -> None:
    """Attach each disagreement's steps (`ladder`, in order) and the one waiting for an answer (`current_step`):
    one query for them all. Call it only with the disagreements the person may see (selectors.case_parts_for)."""
    now = timezone.now()
    by_id = {d.pk: d for d in disagreements}
    for d in disagreements:
        d.ladder, d.current_step = [], None
    if not by_id:
        return
    for step in DisagreementStep.objects.filter(disagreement_id__in=by_id).select_related("deadline").order_by("pk"):
        d = by_id[step.disagreement_id]
        d.ladder.append(step)
        step.overdue = bool(not step.is_answered and step.deadline
                            and deadlines.current_status(step.deadline, now) == Deadline.Status.OVERDUE)
        if not step.is_answered:
            d.current_step = step
