"""The person the allegation is about (issue 16 §2) and suspension considered properly (§5): the records, their
deadlines (person_update every 28 days once the person is told; suspension_review on its date), their timeline
events and history, who may see them, and the meeting's papers."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from agencies.models import Notification
from allegations import person, services
from allegations.models import Event, PersonSupport, Route, Suspension
from deadlines import chasing
from deadlines.models import Deadline
from tests.allegations.factories import make_case, make_referral, tell_parents
from tests.forms import with_dates
from tests.meetings.factories import hold, schedule

pytestmark = pytest.mark.django_db
K, S = Deadline.Kind, Deadline.Status


def today():
    return timezone.localdate()


def days_ago(n):
    return today() - dt.timedelta(days=n)


@pytest.fixture
def old_case(agency_a_manager, lado_service, agency_a, lado_officer):
    """A case whose referral arrived 60 days ago, so past dates can be recorded on it."""
    referral = make_referral(actor=agency_a_manager, lado_service=lado_service, agency=agency_a,
                             received_at=timezone.now() - dt.timedelta(days=60))
    return make_case(officer=lado_officer, referral=referral, route=Route.EMPLOYER)


def updates(case):
    return list(Deadline.objects.filter(referral=case.referral, kind=K.PERSON_UPDATE).order_by("anchor_at"))


def tell(case, actor, on, **extra):
    return person.person_told_record(actor=actor, case=case, told_on=on, told_by="Head teacher, Riverside Primary",
                                     what_told="That an allegation was made about them.", **extra)


# --- What the person was told, and what is held back ------------------------------------------------------------

def test_held_back_on_police_advice_opens_no_updates_until_they_are_told(old_case, lado_officer):
    item = person.person_told_record(
        actor=lado_officer, case=old_case, held_back="The allegation itself.",
        held_back_advised_by="DC Jones, Testshire Police", held_back_until=today() + dt.timedelta(days=7),
        held_back_why="Until the child's interview.")
    assert item.told_on is None
    assert updates(old_case) == []  # nothing to update them on until they are told
    event = Event.objects.get(case=old_case, verb="person_told")
    assert event.summary == "Held back from the person on the advice of DC Jones, Testshire Police"
    assert (event.part, event.part_id) == ("person_told", item.pk)
    assert item.history.get().history_user == lado_officer


def test_telling_the_person_opens_an_update_due_28_days_later(old_case, lado_officer):
    tell(old_case, lado_officer, days_ago(10))
    [deadline] = updates(old_case)
    assert timezone.localtime(deadline.due_at).date() == days_ago(10) + dt.timedelta(days=28)
    assert deadline.status == S.OPEN
    tell(old_case, lado_officer, days_ago(5))  # told more later: still one update due
    assert len(updates(old_case)) == 1


@pytest.mark.parametrize(("fields", "field"), [
    ({}, "told_on"),
    ({"told_on": "today", "told_by": ""}, "told_by"),
    ({"held_back": "The allegation."}, "held_back_advised_by"),
    ({"held_back": "The allegation.", "held_back_advised_by": "DC Jones"}, "held_back_why"),
    ({"told_on": "future", "told_by": "Head", "what_told": "x"}, "told_on"),
])
def test_what_the_person_was_told_is_checked(case, lado_officer, fields, field):
    values = {**fields}
    if values.get("told_on") == "today":
        values.update(told_on=today(), what_told="x")
    elif values.get("told_on") == "future":
        values["told_on"] = today() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        person.person_told_record(actor=lado_officer, case=case, **values)
    assert field in error.value.message_dict
    assert not Event.objects.filter(verb="person_told").exists()


# --- Updates: the 28-day deadline, met by an update that opens the next --------------------------------------------

def test_an_update_meets_the_due_one_and_opens_the_next(old_case, lado_officer):
    tell(old_case, lado_officer, days_ago(40))  # due 12 days ago: overdue
    first = updates(old_case)[0]
    update = person.person_update_record(actor=lado_officer, case=old_case, given_on=days_ago(2), given_by="Sam Carter",
                                         summary="Police enquiries continue; a decision is expected next month.",
                                         views="They say the child misunderstood a game.")
    first.refresh_from_db()
    assert first.status == S.MET_LATE
    nxt = updates(old_case)[1]
    assert nxt.status == S.OPEN and timezone.localtime(nxt.due_at).date() == days_ago(2) + dt.timedelta(days=28)
    assert Event.objects.get(case=old_case, verb="person_update").summary.endswith("their views recorded for the next meeting")
    assert update.history.get().history_change_reason.startswith("Update to the person on")


def test_updates_stop_when_the_case_closes(case, lado_officer):
    tell(case, lado_officer, today())
    services.case_record_outcome(actor=lado_officer, case=case, outcome="unfounded", police_outcome="no_police_action",
                                 police_outcome_detail="", employer_outcome="no_sanction")
    tell_parents(case, lado_officer)
    services.case_close(actor=lado_officer, case=case, closed_at=timezone.now(), summary="Unfounded.")
    [deadline] = updates(case)
    assert deadline.status == S.WAIVED
    with pytest.raises(ValidationError):
        person.person_update_record(actor=lado_officer, case=case, given_on=today(), given_by="x", summary="y")


def test_the_sweep_chases_an_update_like_the_other_deadlines(old_case, lado_officer):
    tell(old_case, lado_officer, days_ago(1))
    deadline = updates(old_case)[0]
    assert chasing.sweep(now=deadline.remind_at)["reminder"] == 1
    assert chasing.sweep(now=deadline.due_at)["overdue"] == 1
    deadline.refresh_from_db()
    assert deadline.reminder_sent_at and deadline.overdue_sent_at
    notice = Notification.objects.get(key=f"deadline-{deadline.pk}-overdue")
    assert notice.user == lado_officer and "Update to the person" in notice.title


# --- Named contact and support --------------------------------------------------------------------------------

def test_the_named_contact_is_not_the_lado(case, lado_officer, lado_service):
    with pytest.raises(ValidationError) as error:
        person.person_contact_record(actor=lado_officer, case=case, name="Anyone", agency=lado_service.name,
                                     from_on=today())
    assert "other than the LADO" in error.value.message_dict["name"][0]
    contact = person.person_contact_record(actor=lado_officer, case=case, name="Sam Carter", role="Deputy head",
                                           agency="Riverside Primary", from_on=today())
    assert Event.objects.get(verb="person_contact").part_id == contact.pk


def test_support_taken_up_later_is_kept_in_history(case, lado_officer):
    support = person.person_support_record(actor=lado_officer, case=case, kind="union", offered_on=today(),
                                           offered_by="Head teacher")
    assert support.taken_up == PersonSupport.TakenUp.NOT_KNOWN
    person.person_support_taken_up(actor=lado_officer, support=support, taken_up="yes")
    assert list(support.history.order_by("history_id").values_list("taken_up", flat=True)) == ["not_known", "yes"]
    with pytest.raises(ValidationError):
        person.person_support_record(actor=lado_officer, case=case, kind="other", offered_on=today(), offered_by="x")


# --- Need to know: the page, for the LADO service, the employer, and those who may not see it ---------------------

def test_the_person_page_for_the_service_the_employer_and_outsiders(login, case, lado_officer, agency_a_manager,
                                                                    agency_b_outsider, police_user, police_agency):
    told = tell(case, lado_officer, today(), held_back="Who made the allegation.",
                held_back_advised_by="DC Jones, Testshire Police", held_back_why="Until the interview.")
    person.person_update_record(actor=lado_officer, case=case, given_on=today(), given_by="Sam Carter",
                                summary="CANARY-UPDATE", views="CANARY-VIEWS")
    url = reverse("allegations:case_person", args=[case.reference])
    page = login(lado_officer).get(url).content.decode()
    assert "CANARY-UPDATE" in page and "CANARY-VIEWS" in page and "DC Jones, Testshire Police" in page
    assert "Record an update to the person" in page
    employer = login(agency_a_manager).get(url).content.decode()
    assert "CANARY-UPDATE" in employer and "Who made the allegation." in employer
    assert "Record an update" not in employer
    assert login(agency_b_outsider).get(url).status_code == 404
    # The police hold what was told back from the employer: the employer no longer sees it.
    services.case_share_with(actor=lado_officer, case=case, agency=police_agency, level="safeguarding", reason="x")
    services.case_part_hold(actor=police_user, case=case, part="person_told", part_id=told.pk, held=True,
                            reason="Investigation")
    employer = login(agency_a_manager).get(url).content.decode()
    assert "Who made the allegation." not in employer and "CANARY-UPDATE" in employer
    timeline = login(agency_a_manager).get(reverse("allegations:case_timeline", args=[case.reference])).content.decode()
    assert "Update to the person" in timeline and "The person was told" not in timeline


def test_the_case_sub_navigation_names_the_person_page(login, case, lado_officer):
    page = login(lado_officer).get(reverse("allegations:case_detail", args=[case.reference])).content.decode()
    assert ">The person</a>" in page


# --- The meeting's papers: the person's views since the last meeting ----------------------------------------------

def test_views_go_to_the_next_meetings_papers(login, old_case, lado_officer, chair):
    case = old_case
    first = schedule(case, actor=lado_officer, chair=chair, when=timezone.now() - dt.timedelta(hours=3))
    hold(first, actor=chair, held_at=timezone.now() - dt.timedelta(hours=2))
    person.person_update_record(actor=lado_officer, case=case, given_on=today(), given_by="Sam Carter",
                                summary="Update.", views="CANARY-VIEWS-AFTER")
    second = schedule(case, actor=lado_officer, chair=chair, kind="review")
    page = login(lado_officer).get(reverse("meetings:meeting_detail", args=[second.pk])).content.decode()
    assert "Papers: the person" in page and "CANARY-VIEWS-AFTER" in page
    earlier = login(lado_officer).get(reverse("meetings:meeting_detail", args=[first.pk])).content.decode()
    assert "CANARY-VIEWS-AFTER" not in earlier  # recorded after that meeting was held


# --- Suspension considered properly (§5) ---------------------------------------------------------------------------

SUSPENSION = {"arrangement": "suspended", "decided_by": "Head teacher, Riverside Primary",
              "alternatives_considered": ["redeployment", "supervision"], "alternatives_notes": "No role without pupils.",
              "risk": "Unsupervised contact with pupils.", "police_views": "Suspend after the interview.",
              "social_care_views": "Agree.", "lado_advice_sought": "yes", "person_informed": "yes"}


def test_a_suspension_review_date_is_a_deadline_met_by_recording_the_arrangement_again(old_case, lado_officer):
    review_on = today() + dt.timedelta(days=14)
    first = services.suspension_record(actor=lado_officer, case=old_case, decided_on=days_ago(3),
                                       lado_advice_on=days_ago(4), person_informed_on=days_ago(3), review_on=review_on,
                                       **SUSPENSION)
    assert first.alternatives_display()[0].startswith("Redeployment")
    deadline = Deadline.objects.get(referral=old_case.referral, kind=K.SUSPENSION_REVIEW)
    assert timezone.localtime(deadline.due_at).date() == review_on
    services.suspension_record(actor=lado_officer, case=old_case, arrangement="alternative_duties", decided_on=today(),
                               decided_by="Head teacher", risk="Supervised.", lado_advice_sought="no",
                               person_informed="yes", person_informed_on=today(), ended_on=None, review_on=None)
    deadline.refresh_from_db()
    assert deadline.status == S.MET


@pytest.mark.parametrize(("change", "field"), [
    ({"lado_advice_on": None}, "lado_advice_on"),
    ({"lado_advice_on": "after"}, "lado_advice_on"),
    ({"person_informed_on": None}, "person_informed_on"),
    ({"review_on": "before"}, "review_on"),
    ({"alternatives_considered": ["hiding"]}, "alternatives_considered"),
])
def test_the_suspension_questions_are_checked(old_case, lado_officer, change, field):
    values = {**SUSPENSION, "decided_on": days_ago(3), "lado_advice_on": days_ago(4), "person_informed_on": days_ago(3),
              "review_on": today() + dt.timedelta(days=7), **change}
    if values["lado_advice_on"] == "after":
        values["lado_advice_on"] = days_ago(1)
    if values["review_on"] == "before":
        values["review_on"] = days_ago(3)
    with pytest.raises(ValidationError) as error:
        services.suspension_record(actor=lado_officer, case=old_case, **values)
    assert field in error.value.message_dict


def test_the_suspension_form_asks_the_questions_and_shows_the_support_beside_it(login, case, lado_officer,
                                                                                agency_a_manager):
    client = login(lado_officer)
    url = reverse("allegations:case_action", args=[case.reference, "suspension"])
    response = client.post(url, with_dates({"arrangement": "suspended", "decided_on": today().isoformat(),
                                            "decided_by": "Head teacher"}))
    page = response.content.decode()
    assert response.status_code == 200
    for message in ("Describe the risk", "Say why the alternatives to suspension are not enough",
                    "Say whether the LADO", "Say whether the person has been told", "Enter when the arrangement will be reviewed"):
        assert message in page
    person.person_support_record(actor=lado_officer, case=case, kind="occupational_health", offered_on=today(),
                                 offered_by="HR", taken_up="yes")
    data = {**SUSPENSION, "decided_on": today().isoformat(), "lado_advice_on": today().isoformat(),
            "person_informed_on": today().isoformat(), "review_on": (today() + dt.timedelta(days=14)).isoformat()}
    assert client.post(url, with_dates(data)).status_code == 302
    strands = login(agency_a_manager).get(reverse("allegations:case_strands", args=[case.reference])).content.decode()
    assert "Occupational health: taken up" in strands and "No role without pupils." in strands


def test_the_update_span_is_a_partnership_setting(old_case, lado_officer):
    from agencies.models import Partnership

    Partnership.objects.update(person_update_span=14)  # a local procedure: fortnightly
    tell(old_case, lado_officer, days_ago(3))
    [deadline] = updates(old_case)
    assert timezone.localtime(deadline.due_at).date() == days_ago(3) + dt.timedelta(days=14)
