"""Each deadline kind is opened and met by the events deadlines.md names, and closing work
waives or keeps its deadlines as of the closure time (deadlines.md "The deadlines", "Status")."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from agencies.models import Notification, Partnership
from allegations import services
from allegations.models import Event, Review, Route, Strand
from allegations.services import save_with_history
from deadlines import chasing, timescales
from deadlines import services as deadlines
from deadlines.models import Deadline
from tests.allegations.factories import discuss, make_case, make_referral, tell_parents
from tests.meetings.factories import hold, make_strategy_case, schedule
from tests.forms import with_dates

K, S = Deadline.Kind, Deadline.Status
TZ = "Europe/London"


def today():
    return timezone.localdate()


def days_ago(n):
    return today() - dt.timedelta(days=n)


def start_of(day):
    return dt.datetime.combine(day, dt.time.min, tzinfo=ZoneInfo(TZ))


def only(case, kind, **filters):
    return Deadline.objects.get(referral=case.referral, kind=kind, **filters)


def reasons(deadline):
    return list(deadline.history.order_by("history_id").values_list("history_change_reason", flat=True))


@pytest.fixture
def old_case(agency_a_manager, lado_service, agency_a, lado_officer):
    """A case whose referral arrived 60 days ago, so past dates can be recorded on it."""
    referral = make_referral(actor=agency_a_manager, lado_service=lado_service, agency=agency_a,
                             received_at=timezone.now() - dt.timedelta(days=60))
    return make_case(officer=lado_officer, referral=referral, route=Route.EMPLOYER)


def employer(case, actor, **fields):
    return services.strand_update(actor=actor, case=case, kind=Strand.Kind.EMPLOYER, reason="Employer update", **fields)


# --- employer_action (003 §40) ------------------------------------------------------------------


@pytest.mark.django_db
def test_no_formal_action_opens_3_working_days_met_when_the_employers_action_is_recorded(old_case, lado_officer):
    decided = days_ago(2)
    employer(old_case, lado_officer, employer_decision="no_formal_action", employer_decision_on=decided)

    deadline = only(old_case, K.EMPLOYER_ACTION)
    assert deadline.anchor_at == start_of(decided)
    assert deadline.due_at == timescales.add_working_days(start_of(decided), 3, nation="ENG", tz=TZ)
    assert deadline.case == old_case and deadline.status == S.OPEN
    assert not Deadline.objects.filter(referral=old_case.referral, kind=K.DISCIPLINARY_HEARING).exists()
    assert Event.objects.filter(case=old_case, verb="employer_decision", actor=lado_officer).exists()

    employer(old_case, lado_officer, employer_action="Expectations meeting held.", employer_action_on=days_ago(1))

    deadline.refresh_from_db()
    assert deadline.status == S.MET
    assert deadline.met_at == timescales.end_of_day(days_ago(1), TZ)
    assert reasons(deadline)[-1] == "Employer's action recorded"
    assert deadline.history.latest().history_user == lado_officer
    assert Event.objects.filter(case=old_case, verb="employer_action", actor=lado_officer).exists()


@pytest.mark.django_db
def test_an_employers_action_after_3_working_days_meets_it_late(old_case, lado_officer):
    employer(old_case, lado_officer, employer_decision="no_formal_action", employer_decision_on=days_ago(30))
    employer(old_case, lado_officer, employer_action="Training arranged.", employer_action_on=days_ago(1))

    deadline = only(old_case, K.EMPLOYER_ACTION)
    assert deadline.status == S.MET_LATE
    assert deadline.met_at > deadline.due_at


# --- disciplinary_hearing (003 §41) ---------------------------------------------------------------


@pytest.mark.django_db
def test_a_hearing_without_investigation_opens_15_working_days_met_when_the_hearing_date_is_recorded(old_case, lado_officer):
    employer(old_case, lado_officer, employer_decision="hearing", employer_decision_on=today())

    deadline = only(old_case, K.DISCIPLINARY_HEARING)
    assert deadline.due_at == timescales.add_working_days(deadline.anchor_at, 15, nation="ENG", tz=TZ)
    assert timezone.now() - deadline.anchor_at < dt.timedelta(minutes=1)  # decided today: anchored now

    employer(old_case, lado_officer, hearing_on=today() + dt.timedelta(days=10))

    deadline.refresh_from_db()
    assert deadline.status == S.MET
    assert reasons(deadline)[-1] == "Hearing date recorded"


@pytest.mark.django_db
def test_a_changed_employer_decision_waives_the_earlier_deadline_with_who_and_why(old_case, lado_officer):
    employer(old_case, lado_officer, employer_decision="no_formal_action", employer_decision_on=today())
    employer(old_case, lado_officer, employer_decision="hearing", employer_decision_on=today())

    first = only(old_case, K.EMPLOYER_ACTION)
    assert (first.status, first.waived_by, first.waived_reason) == (S.WAIVED, lado_officer, "The employer's decision changed")
    assert only(old_case, K.DISCIPLINARY_HEARING).status == S.OPEN


@pytest.mark.django_db
def test_an_investigation_first_opens_no_deadline(old_case, lado_officer):
    employer(old_case, lado_officer, employer_decision="investigation", employer_decision_on=today())

    assert not Deadline.objects.filter(referral=old_case.referral, kind__in=[K.EMPLOYER_ACTION, K.DISCIPLINARY_HEARING]).exists()


@pytest.mark.django_db
def test_the_employer_strand_refuses_half_told_facts(old_case, lado_officer):
    with pytest.raises(ValidationError) as error:
        employer(old_case, lado_officer, employer_decision="hearing", employer_action="Training.")
    assert set(error.value.error_dict) == {"employer_decision_on", "employer_action_on"}
    with pytest.raises(ValidationError) as error:
        employer(old_case, lado_officer, employer_decision="hearing", employer_decision_on=today() + dt.timedelta(days=1))
    assert set(error.value.error_dict) == {"employer_decision_on"}
    assert not Deadline.objects.filter(referral=old_case.referral, kind=K.DISCIPLINARY_HEARING).exists()


# --- police_review (003 §43) -------------------------------------------------------------------------


def police(case, actor, **fields):
    return services.strand_update(actor=actor, case=case, kind=Strand.Kind.POLICE, reason="Police update", **fields)


@pytest.mark.django_db
def test_a_police_review_date_opens_a_deadline_met_by_the_review_which_sets_the_next(case, lado_officer):
    first_date = today() + dt.timedelta(days=14)
    police(case, lado_officer, status="active", review_on=first_date)

    first = only(case, K.POLICE_REVIEW)
    assert first.due_at == timescales.end_of_day(first_date, TZ)
    assert Event.objects.filter(case=case, verb="police_review_date").exists()

    next_date = today() + dt.timedelta(days=42)
    review = services.review_record(actor=lado_officer, case=case, kind=Review.Kind.POLICE, held_on=today(),
                                    summary="Continue to investigate; CPS to be consulted.", next_review_on=next_date)

    first.refresh_from_db()
    assert first.status == S.MET
    assert review.recorded_by == lado_officer
    second = only(case, K.POLICE_REVIEW, status=S.OPEN)
    assert second.due_at == timescales.end_of_day(next_date, TZ)
    assert case.strands.get(kind=Strand.Kind.POLICE).review_on == next_date
    assert Event.objects.filter(case=case, verb="police_review", actor=lado_officer).exists()


@pytest.mark.django_db
def test_moving_the_police_review_date_waives_the_old_deadline(case, lado_officer):
    police(case, lado_officer, review_on=today() + dt.timedelta(days=14))
    police(case, lado_officer, review_on=today() + dt.timedelta(days=21))

    old, new = Deadline.objects.filter(referral=case.referral, kind=K.POLICE_REVIEW).order_by("pk")
    assert old.status == S.WAIVED and old.waived_by == lado_officer
    assert new.status == S.OPEN and new.due_at == timescales.end_of_day(today() + dt.timedelta(days=21), TZ)


@pytest.mark.django_db
def test_another_strands_review_date_opens_no_police_review(case, lado_officer):
    services.strand_update(actor=lado_officer, case=case, kind=Strand.Kind.SOCIAL_CARE, review_on=today() + dt.timedelta(days=5))

    assert not Deadline.objects.filter(referral=case.referral, kind=K.POLICE_REVIEW).exists()


# --- case_review (003 §42) ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_recorded_case_review_meets_the_review_and_opens_the_next_28_days_on(case, lado_officer):
    first = only(case, K.CASE_REVIEW)

    services.review_record(actor=lado_officer, case=case, kind=Review.Kind.CASE, held_on=today(), summary="Reviewed.")

    first.refresh_from_db()
    assert first.status == S.MET
    second = only(case, K.CASE_REVIEW, status=S.OPEN)
    assert second.anchor_at == first.met_at
    assert second.due_at == timescales.add_days(second.anchor_at, 28, tz=TZ)
    assert reasons(second)[-1] == "Case review recorded: next review due"
    assert Event.objects.filter(case=case, verb="case_review", reason="Reviewed.").exists()


@pytest.mark.django_db
def test_a_late_case_review_is_met_late_and_the_next_follows_the_setting(case, lado_officer):
    Partnership.objects.update(case_review_span=14)  # local procedure: fortnightly
    first = only(case, K.CASE_REVIEW)
    Deadline.objects.filter(pk=first.pk).update(due_at=timezone.now() - dt.timedelta(days=2))  # it fell due

    services.review_record(actor=lado_officer, case=case, kind=Review.Kind.CASE, held_on=today(), summary="Late.")

    first.refresh_from_db()
    assert first.status == S.MET_LATE
    second = only(case, K.CASE_REVIEW, status=S.OPEN)
    assert second.due_at == timescales.add_days(second.anchor_at, 14, tz=TZ)


@pytest.mark.django_db
def test_a_held_review_meeting_counts_as_a_case_review(case, lado_officer, chair):
    first = only(case, K.CASE_REVIEW)
    meeting = schedule(case, actor=lado_officer, chair=chair, kind="review", when=timezone.now() + dt.timedelta(hours=1))
    held_at = timezone.now()

    hold(meeting, actor=lado_officer, held_at=held_at)

    first.refresh_from_db()
    assert (first.status, first.met_at) == (S.MET, held_at)
    assert only(case, K.CASE_REVIEW, status=S.OPEN).anchor_at == held_at


@pytest.mark.django_db
def test_a_review_cannot_be_in_the_future_or_empty(case, lado_officer):
    with pytest.raises(ValidationError) as error:
        services.review_record(actor=lado_officer, case=case, kind=Review.Kind.CASE, held_on=today() + dt.timedelta(days=1),
                               summary=" ", next_review_on=today() + dt.timedelta(days=3))
    assert set(error.value.error_dict) == {"held_on", "summary", "next_review_on"}
    assert only(case, K.CASE_REVIEW).status == S.OPEN


# --- strategy_meeting when the route changes (003 §27) -------------------------------------------------


@pytest.mark.django_db
def test_leaving_the_strategy_route_waives_its_meeting_with_who_and_why(referral, lado_officer):
    case = make_strategy_case(officer=lado_officer, referral=referral)
    assert only(case, K.STRATEGY_MEETING).status == S.OPEN

    services.case_change_route(actor=lado_officer, case=case, route=Route.POSITION_OF_TRUST, reason="Police: no crime.")

    deadline = only(case, K.STRATEGY_MEETING)
    assert deadline.status == S.WAIVED
    assert deadline.waived_by == lado_officer
    assert "Police: no crime." in deadline.waived_reason
    assert Event.objects.filter(case=case, verb="route_changed", reason="Police: no crime.").exists()


@pytest.mark.django_db
def test_joining_the_strategy_route_opens_its_meeting_from_the_referral(case, lado_officer):
    services.case_change_route(actor=lado_officer, case=case, route=Route.STRATEGY_DISCUSSION, reason="Police interest.")

    deadline = only(case, K.STRATEGY_MEETING)
    assert deadline.anchor_at == case.referral.received_at
    assert deadline.due_at == timescales.add_working_days(case.referral.received_at, 7, nation="ENG", tz=TZ)
    case.refresh_from_db()
    assert case.route == Route.STRATEGY_DISCUSSION


@pytest.mark.django_db
def test_leaving_the_strategy_route_after_the_meeting_fell_due_keeps_it_missed_and_unchased(referral, lado_officer):
    case = make_strategy_case(officer=lado_officer, referral=referral)
    Deadline.objects.filter(referral=referral, kind=K.STRATEGY_MEETING).update(due_at=timezone.now() - dt.timedelta(hours=1))

    services.case_change_route(actor=lado_officer, case=case, route=Route.EMPLOYER, reason="Employer to deal with it.")

    deadline = only(case, K.STRATEGY_MEETING)
    assert deadline.status == S.OVERDUE and deadline.chase_ended_at is not None
    assert chasing.sweep(now=deadline.escalate_at + dt.timedelta(days=1))["escalation"] == 0  # the case review only


# --- Status at closure (deadlines.md "Status") ----------------------------------------------------------


@pytest.mark.django_db
def test_closure_is_judged_at_the_closure_time_not_now(old_case, lado_officer):
    """A back-dated closure: what was not yet due at closure is waived, what fell due before is missed."""
    review = only(old_case, K.CASE_REVIEW)
    employer(old_case, lado_officer, employer_decision="no_formal_action", employer_decision_on=days_ago(30))
    action = only(old_case, K.EMPLOYER_ACTION)  # fell due about 25 days ago
    # The case review fell due yesterday, unmet, and the sweep marked it overdue.
    Deadline.objects.filter(pk=review.pk).update(due_at=timezone.now() - dt.timedelta(days=1), status=S.OVERDUE)
    services.case_record_outcome(actor=lado_officer, case=old_case, outcome="unfounded", police_outcome="no_police_action",
                                 police_outcome_detail="", employer_outcome="no_sanction")
    closed_at = timezone.now() - dt.timedelta(days=5)  # closed five days ago: before the review fell due

    tell_parents(old_case, lado_officer)
    services.case_close(actor=lado_officer, case=old_case, closed_at=closed_at, summary="Unfounded.")

    review.refresh_from_db()
    action.refresh_from_db()
    assert (review.status, review.waived_by) == (S.WAIVED, lado_officer)  # not yet due at the closure time
    assert review.waived_reason == "Case closed before it fell due"
    assert action.status == S.OVERDUE  # due before the closure, unmet: it was missed
    assert action.chase_ended_at is not None
    assert chasing.sweep(now=timezone.now() + dt.timedelta(days=40)) == {"reminder": 0, "overdue": 0, "escalation": 0, "digests": 0}


@pytest.mark.django_db
def test_a_met_deadline_is_left_as_it_is_at_closure(old_case, lado_officer):
    services.review_record(actor=lado_officer, case=old_case, kind=Review.Kind.CASE, held_on=today(), summary="Fine.")
    services.case_record_outcome(actor=lado_officer, case=old_case, outcome="unfounded", police_outcome="no_police_action",
                                 police_outcome_detail="", employer_outcome="no_sanction")
    tell_parents(old_case, lado_officer)
    services.case_close(actor=lado_officer, case=old_case, closed_at=timezone.now(), summary="Unfounded.")

    statuses = dict(Deadline.objects.filter(referral=old_case.referral, kind=K.CASE_REVIEW).values_list("status", "kind"))
    assert set(statuses) == {S.MET, S.WAIVED}


@pytest.mark.django_db
def test_a_contact_closed_without_a_case_waives_what_was_not_yet_due(referral, lado_officer):
    extra = deadlines.deadline_open_on_date(actor=lado_officer, referral=referral, kind=K.POLICE_REVIEW,
                                            due_on=today() + dt.timedelta(days=3), reason="test")
    discuss(referral, lado_officer)

    services.referral_triage(actor=lado_officer, referral=referral, decision="advice", rationale="Conduct matter.")

    extra.refresh_from_db()
    referral.refresh_from_db()
    assert referral.closed_at is not None
    assert (extra.status, extra.waived_by) == (S.WAIVED, lado_officer)
    assert only_initial(referral).status == S.MET


def only_initial(referral):
    return Deadline.objects.get(referral=referral, kind=K.INITIAL_DISCUSSION)


@pytest.mark.django_db
def test_deadlines_opened_on_closed_work_are_never_chased(referral, lado_officer):
    """An import writes a contact already closed: its deadlines are born unchased."""
    referral.closed_at = timezone.now() - dt.timedelta(days=3)
    save_with_history(referral, actor=None, reason="Imported as closed")

    deadline = deadlines.deadline_open_on_date(actor=None, referral=referral, kind=K.ACTION, due_on=days_ago(10),
                                               anchor=timezone.now() - dt.timedelta(days=20), reason="Imported")

    assert deadline.chase_ended_at == referral.closed_at


# --- Chasing: contacts closed without a case, actions, the partial indexes ------------------------------


@pytest.mark.django_db
def test_a_contact_closed_without_a_case_is_not_chased(referral, lado_officer, lado_manager):
    # Written as an import would (no service): the referral is closed, its deadline still unmet.
    deadline = only_initial(referral)
    referral.status, referral.closed_at = "advice", timezone.now()
    save_with_history(referral, actor=None, reason="Imported as closed")

    assert chasing.sweep(now=deadline.escalate_at + dt.timedelta(days=1)) == {"reminder": 0, "overdue": 0, "escalation": 0, "digests": 0}
    assert not Notification.objects.exists()
    deadline.refresh_from_db()
    assert deadline.chase_ended_at is not None  # out of the partial indexes: never read again
    assert (deadline.status, deadline.reminder_sent_at) == (S.OPEN, None)
    assert reasons(deadline)[-1] == "Not chased: its case or contact is closed"


@pytest.fixture
def agency_action(case, lado_officer, chair, agency_a, agency_a_manager, agency_a_viewer, agency_b_outsider):
    from meetings import services as meeting_services

    meeting = schedule(case, actor=lado_officer, chair=chair, kind="initial", when=timezone.now() + dt.timedelta(hours=1))
    hold(meeting, actor=lado_officer, held_at=timezone.now())
    return meeting_services.action_create(actor=lado_officer, case=case, meeting=meeting, agency=agency_a,
                                          description="Supervision plan for the teacher", due_on=today())


@pytest.mark.django_db
def test_an_overdue_action_escalates_to_the_lado_manager_the_agencys_senior_manager_and_the_chair(
    agency_action, lado_officer, lado_manager, chair, agency_a_manager, case
):
    deadline = agency_action.deadline

    chasing.sweep(now=deadline.due_at)  # the overdue notice when it falls due, then the escalation
    counts = chasing.sweep(now=deadline.escalate_at)

    assert counts["escalation"] >= 1
    escalated = Notification.objects.filter(key=f"deadline-{deadline.pk}-escalation").select_related("user")
    assert sorted(n.user.username for n in escalated) == ["a.manager", "chair", "manager"]  # not the viewer nor agency B
    links = {n.user.username: n.link for n in escalated}
    assert links["a.manager"] == reverse("meetings:action_list")  # the agency sees its actions, not the LADO case
    assert links["manager"] == links["chair"] == reverse("allegations:case_detail", args=[case.reference])
    for notice in escalated:
        assert "Supervision plan" not in notice.title
    # The owner's notices still go to the case owner only.
    assert [n.user.username for n in Notification.objects.filter(key=f"deadline-{deadline.pk}-overdue")] == ["officer"]


@pytest.mark.django_db
def test_other_deadlines_do_not_escalate_to_agencies(case, lado_manager, agency_a_manager, chair):
    review = only(case, K.CASE_REVIEW)

    chasing.sweep(now=review.due_at)
    chasing.sweep(now=review.escalate_at)

    assert [n.user.username for n in Notification.objects.filter(key=f"deadline-{review.pk}-escalation")] == ["manager"]


@pytest.mark.django_db
@pytest.mark.parametrize("stage", chasing.STAGES, ids=lambda s: s.name)
def test_the_sweeps_claim_query_can_read_its_partial_index(stage, case):
    """The planner proves the claim query's filter implies the index predicate (with sequential scans off,
    since a test table is tiny): a condition that drifted from the index would fall back to a full scan."""
    query = chasing.claim_query(stage, timezone.now(), 500)
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert f"deadline_chase_{stage.name}" in plan, plan


# --- Pages: forms on the case page, typed input kept on error ---------------------------------------------


@pytest.mark.django_db
def test_the_employer_strand_page_records_the_decision_and_keeps_typed_input_on_error(login, old_case, lado_officer):
    client = login(lado_officer)
    url = reverse("allegations:strand_edit", args=[old_case.reference, "employer"])
    page = client.get(url).content.decode()
    assert "How will the employer deal with it?" in page

    response = client.post(url, {"status": "active", "lead": "Head teacher", "employer_decision": "no_formal_action",
                                 "employer_action": "Expectations meeting arranged."})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Enter the date the employer decided." in body
    assert "Enter the date the employer took the action." in body
    assert "Expectations meeting arranged." in body and 'value="Head teacher"' in body
    assert not Deadline.objects.filter(referral=old_case.referral, kind=K.EMPLOYER_ACTION).exists()

    response = client.post(url, with_dates({"status": "active", "lead": "Head teacher", "employer_decision": "no_formal_action",
                                 "employer_decision_on": days_ago(1).isoformat()}))
    assert response.status_code == 302
    assert only(old_case, K.EMPLOYER_ACTION).status == S.OPEN
    assert "Employer decided" in client.get(reverse("allegations:case_strands", args=[old_case.reference])).content.decode()


@pytest.mark.django_db
def test_the_police_strand_refuses_a_review_date_in_the_past(login, case, lado_officer):
    url = reverse("allegations:strand_edit", args=[case.reference, "police"])
    response = login(lado_officer).post(url, with_dates({"status": "active", "lead": "DC Jones", "review_on": days_ago(1).isoformat()}))

    assert response.status_code == 200
    assert "The review date must be today or in the future" in response.content.decode()
    assert not Deadline.objects.filter(referral=case.referral, kind=K.POLICE_REVIEW).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("action, data, error", [
    ("review", {"held_on": "", "summary": "Typed summary kept"}, "Enter the date of the review."),
    ("police-review", {"held_on": "2999-01-01", "summary": "Typed decision kept"}, "The review date must be today or in the past"),
    ("route", {"route": "", "reason": "Typed reason kept"}, "Choose how the case will be managed."),
])
def test_the_new_case_forms_keep_typed_input_on_error(login, case, lado_officer, action, data, error):
    response = login(lado_officer).post(reverse("allegations:case_action", args=[case.reference, action]), with_dates(data))

    assert response.status_code == 200
    body = response.content.decode()
    assert error in body
    assert next(v for k, v in data.items() if k in ("summary", "reason")) in body


@pytest.mark.django_db
def test_a_case_review_recorded_on_the_page_shows_on_the_case(login, case, lado_officer):
    client = login(lado_officer)
    response = client.post(reverse("allegations:case_action", args=[case.reference, "review"]),
                           with_dates({"held_on": today().isoformat(), "summary": "All strands progressing."}))

    assert response.status_code == 302
    page = client.get(reverse("allegations:case_strands", args=[case.reference])).content.decode()
    assert "All strands progressing." in page and "Record a police review" in page
    assert only(case, K.CASE_REVIEW, status=S.OPEN)


@pytest.mark.django_db
def test_the_route_change_refuses_the_same_route(login, case, lado_officer):
    response = login(lado_officer).post(reverse("allegations:case_action", args=[case.reference, "route"]),
                                        {"route": case.route, "reason": "No change"})

    assert response.status_code == 200
    assert "The case is already managed this way." in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["review", "police-review", "route"])
def test_outsiders_get_404_and_agency_staff_403_on_the_new_case_forms(login, case, agency_b_outsider, lado_officer,
                                                                         police_user, police_agency, action):
    url = reverse("allegations:case_action", args=[case.reference, action])
    assert login(agency_b_outsider).get(url).status_code == 404
    services.case_share_with(actor=lado_officer, case=case, agency=police_agency, level="safeguarding", reason="Police investigation")
    assert login(police_user).post(url, with_dates({"held_on": today().isoformat(), "summary": "x"})).status_code == 403
