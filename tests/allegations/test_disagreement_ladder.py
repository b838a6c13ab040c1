"""Disagreements that climb a ladder (issue 16 §9): each step's deadline opened, met on answer, the next step opened
on escalation, all closed on resolution or when the case closes; chased by the sweep; shown per need to know."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from agencies.models import AccessLevel, Partnership, SpanUnit
from allegations import ladder, services
from allegations.models import Audience, Disagreement, DisagreementStep, Event, Part
from deadlines import chasing, timescales
from deadlines.models import Deadline
from tests.allegations.factories import tell_parents

pytestmark = pytest.mark.django_db

STEP = Deadline.Kind.DISAGREEMENT_STEP


def raise_it(case, officer, *, raised_on=None, **extra) -> Disagreement:
    return services.disagreement_record(
        actor=officer, case=case, kind=Disagreement.Kind.CHALLENGE, raised_on=raised_on or timezone.localdate(),
        raised_by="DS Patel, Testshire Police", about="The decision not to suspend.", **extra,
    )


def answer(officer, disagreement, status, *, on=None, to="", **extra):
    return services.disagreement_resolve(
        actor=officer, disagreement=disagreement, status=status, resolution=f"Answer: {status}.",
        escalated_to=to, resolved_on=on or timezone.localdate(), **extra,
    )


def step_deadlines(case):
    return list(Deadline.objects.filter(referral=case.referral, kind=STEP).order_by("pk"))


def test_raising_it_opens_the_managers_step_and_its_deadline_at_the_partnership_span(case, lado_officer):
    raised_on = dt.date(2026, 11, 2)  # a Monday: 5 working days -> Monday 9 November
    disagreement = raise_it(case, lado_officer, raised_on=raised_on, raised_to="Sam Jones, team manager")

    (step,) = disagreement.steps.all()
    assert (step.level, step.raised_by, step.raised_to) == ("manager", "DS Patel, Testshire Police", "Sam Jones, team manager")
    assert step.raised_on == raised_on and step.answer_by == dt.date(2026, 11, 9)
    (deadline,) = step_deadlines(case)
    assert step.deadline == deadline and deadline.case == case
    assert deadline.due_at == timescales.end_of_day(dt.date(2026, 11, 9), "Europe/London")
    assert deadline.status == Deadline.Status.OPEN and deadline.met_at is None
    assert deadline.escalate_at > deadline.due_at  # chased: reminder, overdue, then escalation
    assert Event.objects.filter(case=case, verb="disagreement_step", part=Part.DISAGREEMENT,
                                part_id=disagreement.pk).exists()


def test_the_span_per_step_is_a_partnership_setting(case, lado_officer):
    partnership = Partnership.current()
    partnership.disagreement_step_span, partnership.disagreement_step_unit = 2, SpanUnit.DAYS
    partnership.save()
    disagreement = raise_it(case, lado_officer, raised_on=dt.date(2026, 11, 2))
    assert disagreement.steps.get().answer_by == dt.date(2026, 11, 4)


def test_a_date_to_answer_by_can_be_given_for_the_step(case, lado_officer):
    today = timezone.localdate()
    disagreement = raise_it(case, lado_officer, answer_by=today + dt.timedelta(days=3))
    assert disagreement.steps.get().answer_by == today + dt.timedelta(days=3)
    assert step_deadlines(case)[0].due_at == timescales.end_of_day(today + dt.timedelta(days=3), "Europe/London")
    with pytest.raises(ValidationError) as error:
        raise_it(case, lado_officer, answer_by=today - dt.timedelta(days=1))
    assert "answer_by" in error.value.error_dict


def test_escalating_meets_the_step_and_opens_the_next_one_until_it_is_resolved(case, lado_officer):
    disagreement = raise_it(case, lado_officer)
    answer(lado_officer, disagreement, "escalated", to="Alex Reid, LADO manager")

    first, second = disagreement.steps.order_by("pk")
    assert (first.result, first.is_answered) == ("escalated", True)
    assert (second.level, second.raised_to, second.raised_by) == ("lado_manager", "Alex Reid, LADO manager",
                                                                  "DS Patel, Testshire Police")
    d1, d2 = step_deadlines(case)
    assert d1.status == Deadline.Status.MET and d1.met_at is not None
    assert d2.status == Deadline.Status.OPEN and second.deadline == d2
    disagreement.refresh_from_db()
    assert disagreement.status == Disagreement.Status.ESCALATED
    assert disagreement.escalated_to == "the LADO manager (Alex Reid, LADO manager)"

    answer(lado_officer, disagreement, "resolved")
    disagreement.refresh_from_db()
    assert disagreement.status == Disagreement.Status.RESOLVED
    assert (disagreement.resolution, disagreement.resolved_on) == ("Answer: resolved.", timezone.localdate())
    d2.refresh_from_db()
    assert d2.status == Deadline.Status.MET
    assert not Deadline.objects.filter(referral=case.referral, kind=STEP, status__in=["open", "overdue"]).exists()
    verbs = list(Event.objects.filter(case=case, part=Part.DISAGREEMENT).order_by("pk").values_list("verb", flat=True))
    assert verbs == ["disagreement", "disagreement_step", "disagreement_answered", "disagreement_step",
                     "disagreement_answered", "disagreement_resolved"]
    with pytest.raises(ValidationError):  # nothing more to answer
        answer(lado_officer, disagreement, "resolved")


def test_an_answer_after_the_date_to_answer_by_meets_the_deadline_late(case, lado_officer):
    today = timezone.localdate()
    disagreement = raise_it(case, lado_officer, raised_on=today - dt.timedelta(days=20),
                            answer_by=today - dt.timedelta(days=15))
    answer(lado_officer, disagreement, "resolved", on=today - dt.timedelta(days=10))
    (deadline,) = step_deadlines(case)
    assert deadline.status == Deadline.Status.MET_LATE


def test_the_ladder_climbs_all_four_steps_and_the_last_can_only_resolve(case, lado_officer):
    disagreement = raise_it(case, lado_officer)
    for to in ("LADO manager", "Head of service", "Partnership board chair"):
        answer(lado_officer, disagreement, "escalated", to=to)
    assert [s.level for s in disagreement.steps.order_by("pk")] == list(ladder.LADDER)
    with pytest.raises(ValidationError) as error:
        answer(lado_officer, disagreement, "escalated", to="Someone")
    assert "status" in error.value.error_dict
    answer(lado_officer, disagreement, "resolved")
    assert [d.status for d in step_deadlines(case)] == ["met"] * 4


def test_escalating_says_to_whom_and_not_before_it_was_raised(case, lado_officer):
    today = timezone.localdate()
    disagreement = raise_it(case, lado_officer)
    with pytest.raises(ValidationError) as error:
        answer(lado_officer, disagreement, "escalated", to="")
    assert "escalated_to" in error.value.error_dict
    with pytest.raises(ValidationError) as error:
        answer(lado_officer, disagreement, "resolved", on=today - dt.timedelta(days=1))
    assert "resolved_on" in error.value.error_dict
    assert disagreement.steps.get().is_answered is False


def test_closing_the_case_closes_the_open_steps_deadline(case, lado_officer):
    disagreement = raise_it(case, lado_officer)
    answer(lado_officer, disagreement, "escalated", to="LADO manager")
    services.case_record_outcome(actor=lado_officer, case=case, outcome="unfounded", police_outcome="no_police_action", police_outcome_detail="",
                                 employer_outcome="no_sanction")
    tell_parents(case, lado_officer)
    services.case_close(actor=lado_officer, case=case, closed_at=timezone.now(), summary="Closed.")
    first, second = step_deadlines(case)
    assert first.status == Deadline.Status.MET
    assert second.status == Deadline.Status.WAIVED  # it was not due yet: it no longer applies


def test_an_unanswered_step_is_chased_by_the_sweep_to_the_owner_then_the_lado_managers(
    case, lado_officer, lado_manager, django_capture_on_commit_callbacks
):
    raise_it(case, lado_officer)
    (deadline,) = step_deadlines(case)
    with django_capture_on_commit_callbacks(execute=False):
        assert chasing.sweep(now=deadline.remind_at)["reminder"] == 1
        assert chasing.sweep(now=deadline.due_at)["overdue"] == 1
        assert chasing.sweep(now=deadline.escalate_at)["escalation"] == 1
    deadline.refresh_from_db()
    assert deadline.reminder_sent_at and deadline.overdue_sent_at and deadline.escalation_sent_at


def test_an_old_disagreement_without_steps_ends_as_it_always_did(case, lado_officer):
    disagreement = Disagreement.objects.create(case=case, kind="disagreement", raised_on=timezone.localdate(),
                                               raised_by="Police", about="Old", recorded_by=lado_officer)
    answer(lado_officer, disagreement, "escalated", to="Head of service")
    disagreement.refresh_from_db()
    assert (disagreement.status, disagreement.escalated_to) == ("escalated", "Head of service")
    assert not disagreement.steps.exists() and not step_deadlines(case)


def test_steps_keep_their_history(case, lado_officer):
    disagreement = raise_it(case, lado_officer)
    answer(lado_officer, disagreement, "resolved")
    step = disagreement.steps.get()
    history = list(step.history.order_by("history_id"))
    assert [h.history_user for h in history] == [lado_officer, lado_officer]
    assert history[0].answered_at is None and history[1].result == "resolved"
    assert history[0].history_change_reason.startswith("Professional challenge raised with the manager")


# --- The page ------------------------------------------------------------------------------------


def test_the_case_page_shows_the_ladder_in_plain_words(login, case, lado_officer):
    disagreement = raise_it(case, lado_officer, raised_to="Sam Jones")
    answer(lado_officer, disagreement, "escalated", to="Alex Reid")
    html = login(lado_officer).get(reverse("allegations:case_decisions", args=[case.reference])).content.decode()
    assert "waiting for an answer from the LADO manager" in html
    assert "The manager: Sam Jones" in html and "The LADO manager: Alex Reid" in html
    assert "escalated to the next step" in html and "Waiting for the answer." in html
    assert "Record the answer" in html


def test_the_answer_page_names_the_step(login, case, lado_officer):
    disagreement = raise_it(case, lado_officer)
    url = reverse("allegations:disagreement_resolve", args=[case.reference])
    html = login(lado_officer).get(f"{url}?id={disagreement.pk}").content.decode()
    assert "Record the answer of the manager" in html


def test_the_ladder_follows_its_disagreements_audience(login, case, lado_officer, police_user, police_agency):
    services.case_share_with(actor=lado_officer, case=case, agency=police_agency, level=AccessLevel.SAFEGUARDING,
                             reason="Police enquiry")
    disagreement = raise_it(case, lado_officer, raised_to="CANARY-LADDER-MANAGER")
    page = reverse("allegations:case_timeline", args=[case.reference])
    police = login(police_user)
    assert b"CANARY-LADDER-MANAGER" not in police.get(page).content
    assert b"CANARY-LADDER-MANAGER" not in police.get(reverse("allegations:case_decisions", args=[case.reference])).content
    overview = police.get(reverse("allegations:case_detail", args=[case.reference])).content.decode()
    assert "Answer to a disagreement" not in overview  # its deadline is the LADO service's

    services.case_part_set_audience(actor=lado_officer, case=case, part=Part.DISAGREEMENT, part_id=disagreement.pk,
                               audience=Audience.SAFEGUARDING, reason="The police raised it")
    html = police.get(reverse("allegations:case_decisions", args=[case.reference])).content.decode()
    assert "The manager: CANARY-LADDER-MANAGER" in html and "Record the answer" not in html
    assert "raised with the manager (CANARY-LADDER-MANAGER)" in police.get(page).content.decode()
