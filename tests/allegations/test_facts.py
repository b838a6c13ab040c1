"""Facts that change, on the record, and the people told (issue 16 §1, §3): the LADO service corrects and adds to a
referral's facts, its subject and its children after intake, each change with a reason in the history and on the
timeline; any number of children; associated people and a second subject; per child, whether the parents or
carers were told and the child's views; closing asks it of each child."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from allegations import facts, services
from allegations.models import AssociatedPerson, Case, CaseStatus, Child, Event, OtherSubject, ParentsTold
from tests.allegations.factories import make_case, make_referral, tell_parents
from tests.allegations.test_bad_input import assert_error_summary_links_work, children_rows, referral_form
from tests.forms import with_dates

pytestmark = pytest.mark.django_db


def latest(instance_or_model, pk=None):
    history = (instance_or_model.history if pk is None
               else instance_or_model.history.filter(id=pk))
    return history.order_by("-history_date", "-history_id").first()


def _outcome(case, officer):
    services.case_record_outcome(actor=officer, case=case, outcome="unfounded", police_outcome="no_police_action",
                                 police_outcome_detail="", employer_outcome="no_sanction")


@pytest.fixture
def older_case(agency_a_manager, lado_service, agency_a, lado_officer):
    referral = make_referral(actor=agency_a_manager, lado_service=lado_service, agency=agency_a,
                             received_at=timezone.now() - dt.timedelta(days=2))
    return make_case(officer=lado_officer, referral=referral)


# --- The services ---------------------------------------------------------------------------------------------

def test_changing_the_referral_facts_keeps_the_reason_in_history_and_on_the_timeline(case, lado_officer):
    referral = case.referral
    before = referral.description
    facts.referral_facts_change(actor=lado_officer, referral=referral, reason="The school sent a fuller account.",
                                description="The teacher grabbed the pupil's arm and pushed them.")
    referral.refresh_from_db()
    assert referral.description == "The teacher grabbed the pupil's arm and pushed them."
    record = latest(referral)
    assert (record.history_user, record.history_change_reason) == (lado_officer, "The school sent a fuller account.")
    assert record.prev_record.description == before
    event = Event.objects.filter(case=case, verb="facts_changed").get()
    assert event.reason == "The school sent a fuller account." and "description" in event.summary


def test_a_change_needs_a_reason_and_a_change(case, lado_officer):
    with pytest.raises(ValidationError) as error:
        facts.referral_facts_change(actor=lado_officer, referral=case.referral, reason="  ", description="New")
    assert "reason" in error.value.error_dict
    with pytest.raises(ValidationError) as error:
        facts.referral_facts_change(actor=lado_officer, referral=case.referral, reason="Checking",
                                    description=case.referral.description)
    assert error.value.error_dict["reason"][0].message == "Nothing was changed."
    assert not Event.objects.filter(verb="facts_changed").exists()


def test_correcting_the_subject_updates_their_record_and_matching_keys(case, lado_officer):
    subject = case.referral.subject
    old_key = subject.family_key
    facts.subject_facts_change(actor=lado_officer, referral=case.referral, reason="HR gave the correct spelling.",
                               family_name="Morganson", date_of_birth=dt.date(1981, 5, 2), subject_role="Deputy head")
    subject.refresh_from_db()
    case.referral.refresh_from_db()
    assert (subject.family_name, subject.date_of_birth, case.referral.subject_role) == (
        "Morganson", dt.date(1981, 5, 2), "Deputy head")
    assert subject.family_key != old_key
    assert latest(subject).history_change_reason == "HR gave the correct spelling."
    assert latest(case.referral).history_change_reason == "HR gave the correct spelling."
    assert Event.objects.filter(case=case, verb="subject_changed", actor=lado_officer).exists()


def test_only_the_lado_service_changes_facts(case, agency_a_manager, other_officer):
    for person in (agency_a_manager, other_officer):
        with pytest.raises(PermissionDenied):
            facts.referral_facts_change(actor=person, referral=case.referral, reason="Why", description="Changed")


def test_any_number_of_children_added_changed_and_removed_after_intake(case, lado_officer):
    referral = case.referral
    for n in range(4):
        facts.child_add(actor=lado_officer, referral=referral, reason="Named at the strategy meeting.",
                        given_name=f"Pupil{n}", relationship="other_in_setting", social_worker="yes",
                        looked_after="no")
    assert referral.children.count() == 5
    referral.refresh_from_db()
    assert referral.children_count == 5
    child = referral.children.get(given_name="Pupil3")
    assert (child.social_worker, child.looked_after, child.has_social_worker) == ("yes", "no", True)
    assert latest(child).history_change_reason == "Named at the strategy meeting."

    facts.child_change(actor=lado_officer, child=child, reason="Social care: now looked after.", looked_after="yes")
    child.refresh_from_db()
    assert child.looked_after == "yes"
    assert latest(child).history_change_reason == "Social care: now looked after."

    facts.child_remove(actor=lado_officer, child=child, reason="Named in error: not at the school that day.")
    assert not Child.objects.filter(pk=child.pk).exists()
    deleted = Child.history.filter(id=child.pk).order_by("-history_id").first()
    assert (deleted.history_type, deleted.history_user, deleted.history_change_reason) == (
        "-", lado_officer, "Named in error: not at the school that day.")
    assert deleted.given_name == "Pupil3"  # what it said stays in the history
    verbs = list(Event.objects.filter(case=case, verb__startswith="child_").values_list("verb", flat=True))
    assert sorted(set(verbs)) == ["child_added", "child_changed", "child_removed"]
    # The timeline names no child.
    assert not Event.objects.filter(case=case, summary__contains="Pupil").exists()


def test_parents_told_needs_who_and_when_or_why_not_and_a_correction_needs_a_reason(case, lado_officer):
    child = case.referral.children.get()
    with pytest.raises(ValidationError) as error:
        facts.parents_told_record(actor=lado_officer, child=child, told=True)
    assert set(error.value.error_dict) == {"told_by", "told_on"}
    with pytest.raises(ValidationError) as error:
        facts.parents_told_record(actor=lado_officer, child=child, told=False)
    assert set(error.value.error_dict) == {"not_told_reason"}

    today = timezone.localdate()
    record = facts.parents_told_record(actor=lado_officer, child=child, told=False,
                                       not_told_reason="The police asked that they are not told yet.")
    with pytest.raises(ValidationError) as error:
        facts.parents_told_record(actor=lado_officer, child=child, told=True, told_by="DC Jones", told_on=today)
    assert set(error.value.error_dict) == {"reason"}
    facts.parents_told_record(actor=lado_officer, child=child, told=True, told_by="DC Jones, Testshire Police",
                              told_on=today, what_told="An allegation about a member of staff.",
                              child_views="Wants to stay in the same class.", reason="The police have now told them.")
    record.refresh_from_db()
    assert (record.told, record.told_by, record.not_told_reason) == (True, "DC Jones, Testshire Police", "")
    history = list(record.history.order_by("history_id"))
    assert [h.told for h in history] == [False, True]
    assert history[-1].history_change_reason == "The police have now told them."
    assert Event.objects.filter(case=case, verb="parents_told").count() == 2


def test_associated_person_and_second_subject(case, lado_officer):
    person = facts.associated_person_add(actor=lado_officer, referral=case.referral, name="Jo Partner",
                                         relationship="The subject's partner", reason="Lives with the subject.")
    other = facts.other_subject_add(actor=lado_officer, referral=case.referral, reason="Named by the child.",
                                    given_name="Chris", family_name="Dale", subject_role="Teaching assistant",
                                    employment_type="paid")
    assert latest(person).history_change_reason == "Lives with the subject."
    assert latest(other).history_change_reason == "Named by the child."
    assert other.subject.family_key  # found by matching like any subject
    assert {e.verb for e in Event.objects.filter(case=case)} >= {"associated_person_added", "other_subject_added"}


# --- Closing asks, for each child, that the parents were told ---------------------------------------------------

def test_closing_is_refused_until_each_child_has_parents_told_or_a_reason(login, lado_officer, older_case):
    referral = older_case.referral
    facts.child_add(actor=lado_officer, referral=referral, reason="Another pupil.", given_name="Robin",
                    relationship="other_in_setting")
    sam, robin = referral.children.order_by("pk")
    facts.parents_told_record(actor=lado_officer, child=sam, told=True, told_by="Head teacher",
                              told_on=timezone.localdate())
    _outcome(older_case, lado_officer)
    client = login(lado_officer)
    url = reverse("allegations:case_action", args=[older_case.reference, "close"])
    page = client.get(url).content.decode()
    assert f'name="not_told_{robin.pk}"' in page and f'name="not_told_{sam.pk}"' not in page

    closing = {"closed_at": (timezone.localtime() - dt.timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M"),
               "summary": "Unfounded."}
    response = client.post(url, with_dates(closing))
    assert response.status_code == 200
    assert_error_summary_links_work(response)
    assert "Record that the parents or carers of Robin were told, or say why they were not." in response.content.decode()
    assert Case.objects.get(pk=older_case.pk).status == CaseStatus.OPEN
    assert not ParentsTold.objects.filter(child=robin).exists()

    response = client.post(url, with_dates({**closing, f"not_told_{robin.pk}": "Robin is 17 and asked us not to."}))
    assert response.status_code == 302
    assert Case.objects.get(pk=older_case.pk).status == CaseStatus.CLOSED
    record = ParentsTold.objects.get(child=robin)
    assert (record.told, record.not_told_reason) == (False, "Robin is 17 and asked us not to.")
    assert latest(record).history_user == lado_officer


def test_a_closed_case_refuses_changes(login, lado_officer, older_case):
    tell_parents(older_case, lado_officer)
    _outcome(older_case, lado_officer)
    services.case_close(actor=lado_officer, case=older_case, closed_at=timezone.now(), summary="Unfounded.")
    with pytest.raises(ValidationError):
        facts.referral_facts_change(actor=lado_officer, referral=older_case.referral, reason="Late", description="x")
    response = login(lado_officer).get(reverse("allegations:subject_change", args=[older_case.reference]))
    assert response.status_code == 403


# --- Pages ------------------------------------------------------------------------------------------------------

def test_intake_takes_any_number_of_children_with_add_another(login, agency_a_manager, lado_service):
    client = login(agency_a_manager)
    rows = [{"given_name": f"Pupil{n}", "relationship": "other_in_setting"} for n in range(3)]
    data = referral_form(agency_a_manager.memberships.get().agency, **children_rows(*rows))
    response = client.post("/referrals/new/", {**data, "add_child": "1"})
    html = response.content.decode()
    assert response.status_code == 200 and "There is a problem" not in html
    assert 'name="children-3-given_name"' in html and 'value="Pupil2"' in html  # one more row, answers kept
    data.update({"children-TOTAL_FORMS": "4", "children-3-given_name": "Pupil3", "children-3-family_name": "",
                 "children-3-relationship": "complainant", "children-3-social_worker": "yes",
                 "children-3-looked_after": "yes", "children-3-date_of_birth_day": "",
                 "children-3-date_of_birth_month": "", "children-3-date_of_birth_year": ""})
    checked = client.post("/referrals/new/", data)
    assert checked.status_code == 302, checked.content.decode()[:2000]
    draft = checked.url.split("draft=", 1)[1]
    check_page = client.get(checked.url).content.decode()
    assert "Person 4" in check_page and "Pupil3, Made the allegation or was harmed, has a social worker, looked after" in check_page
    sent = client.post("/referrals/new/check/", {"draft": draft})
    assert sent.status_code == 302
    from allegations.models import Referral

    referral = Referral.objects.get(submitted_by=agency_a_manager)
    assert sorted(referral.children.values_list("given_name", flat=True)) == ["Pupil0", "Pupil1", "Pupil2", "Pupil3"]
    fourth = referral.children.get(given_name="Pupil3")
    assert (fourth.social_worker, fourth.looked_after) == ("yes", "yes")
    assert referral.children.get(given_name="Pupil0").social_worker == "not_known"


def test_change_links_are_for_the_lado_service_only(login, lado_officer, agency_a_manager, case):
    url = reverse("allegations:referral_detail", args=[case.reference])
    change = reverse("allegations:subject_change", args=[case.reference])
    assert change in login(lado_officer).get(url).content.decode()
    assert change not in login(agency_a_manager).get(url).content.decode()


def test_a_lado_officer_adds_a_child_through_the_page_and_the_reason_is_required(login, lado_officer, case):
    client = login(lado_officer)
    url = reverse("allegations:child_add", args=[case.reference])
    response = client.post(url, {"given_name": "Robin", "relationship": "other_in_setting", "social_worker": "no",
                                 "looked_after": "not_known", "reason": ""})
    assert response.status_code == 200
    assert_error_summary_links_work(response)
    assert "Say why you are making this change." in response.content.decode()
    assert 'value="Robin"' in response.content.decode()  # what was typed is kept
    response = client.post(url, {"given_name": "Robin", "relationship": "other_in_setting", "social_worker": "no",
                                 "looked_after": "not_known", "reason": "Named at the meeting."})
    assert response.status_code == 302
    assert case.referral.children.filter(given_name="Robin", social_worker="no").exists()


def test_people_told_page_and_need_to_know(login, lado_officer, agency_a_manager, police_user, police_agency, case):
    child = case.referral.children.get()
    facts.parents_told_record(actor=lado_officer, child=child, told=True, told_by="Head teacher",
                              told_on=timezone.localdate(), what_told="WHAT-THEY-WERE-TOLD",
                              child_views="VIEWS-OF-THE-CHILD")
    facts.associated_person_add(actor=lado_officer, referral=case.referral, name="ASSOCIATED-NAME",
                                relationship="Partner", reason="Relevant.")
    url = reverse("allegations:case_people_told", args=[case.reference])
    lado = login(lado_officer).get(url).content.decode()
    assert "WHAT-THEY-WERE-TOLD" in lado and "VIEWS-OF-THE-CHILD" in lado
    assert reverse("allegations:parents_told", args=[case.reference, child.pk]) in lado
    # The referring agency named the child: it sees who was told, not the child's own views, and records nothing.
    employer = login(agency_a_manager).get(url).content.decode()
    assert "WHAT-THEY-WERE-TOLD" in employer and "VIEWS-OF-THE-CHILD" not in employer
    assert reverse("allegations:parents_told", args=[case.reference, child.pk]) not in employer
    referral_page = login(agency_a_manager).get(reverse("allegations:referral_detail", args=[case.reference]))
    assert "ASSOCIATED-NAME" not in referral_page.content.decode()  # associated people: safeguarding level
    # The police at the employer level do not see the children at all; at the safeguarding level, they do.
    services.case_share_with(actor=lado_officer, case=case, agency=police_agency, level="employer", reason="Limited")
    assert login(police_user).get(url).status_code == 404
    services.case_share_with(actor=lado_officer, case=case, agency=police_agency, level="safeguarding",
                             reason="Investigating")
    police = login(police_user).get(url).content.decode()
    assert "VIEWS-OF-THE-CHILD" in police
    assert "ASSOCIATED-NAME" in login(police_user).get(
        reverse("allegations:referral_detail", args=[case.reference])).content.decode()


def test_the_timeline_shows_child_events_to_the_safeguarding_level_only(login, lado_officer, agency_a_manager, case):
    facts.child_add(actor=lado_officer, referral=case.referral, reason="Another pupil.", given_name="Robin",
                    relationship="other_in_setting")
    facts.referral_facts_change(actor=lado_officer, referral=case.referral, reason="Fuller account.",
                                description="Fuller account of what happened.")
    url = reverse("allegations:case_timeline", args=[case.reference])
    lado = login(lado_officer).get(url).content.decode()
    assert "A person added to the referral" in lado and "The referral&#39;s facts changed" in lado
    employer = login(agency_a_manager).get(url).content.decode()
    assert "A person added to the referral" not in employer and "The referral&#39;s facts changed" in employer


def test_a_second_subject_shows_on_the_case_summary(login, lado_officer, agency_a_manager, case):
    facts.other_subject_add(actor=lado_officer, referral=case.referral, reason="Named by the child.",
                            given_name="Chris", family_name="Dale", subject_role="Teaching assistant",
                            employment_type="paid")
    url = reverse("allegations:case_detail", args=[case.reference])
    for person in (lado_officer, agency_a_manager):
        html = login(person).get(url).content.decode()
        assert "Chris Dale</strong> (also alleged against)" in html
    assert OtherSubject.objects.filter(referral=case.referral).count() == 1
    assert AssociatedPerson.objects.count() == 0
