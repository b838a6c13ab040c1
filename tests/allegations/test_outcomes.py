"""What an outcome sets off, complaints, and reopening or amending (issue 16 §4, §6): allegations/outcomes.py."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from allegations import outcomes, services
from allegations.models import CaseAmendment, Complaint, Event, OutcomeChecklistItem
from deadlines.models import Deadline
from governance.models import RecordType
from governance.retention import retention_of
from tests.allegations.factories import make_case, make_referral, tell_parents
from tests.forms import with_dates

pytestmark = pytest.mark.django_db


def _outcome(case, officer, outcome, employer_outcome="no_sanction"):
    services.case_record_outcome(actor=officer, case=case, outcome=outcome, police_outcome="no_police_action",
                                 police_outcome_detail="", employer_outcome=employer_outcome)
    case.refresh_from_db()


def _close(case, officer):
    tell_parents(case, officer)
    services.case_close(actor=officer, case=case, closed_at=timezone.now(),
                        summary="Concluded.")
    case.refresh_from_db()


def _items(case):
    return [item.item for item in outcomes.current_checklist(case)]


def test_the_outcome_form_shows_each_definition(login, case, lado_officer):
    page = login(lado_officer).get(reverse("allegations:case_action", args=[case.reference, "outcome"]))
    text = page.content.decode()
    for definition in outcomes.OUTCOME_DEFINITIONS.values():
        assert definition in text
    assert "does not stop a referral" in text  # under "Resigned"


def test_a_false_outcome_brings_the_personnel_file_and_references(case, lado_officer):
    _outcome(case, lado_officer, "false")
    assert _items(case) == ["personnel_file", "references"]
    assert Event.objects.filter(case=case, verb="outcome").exists()


def test_a_substantiated_outcome_suggests_the_regulators_of_the_role(case, lado_officer):
    _outcome(case, lado_officer, "substantiated", employer_outcome="dismissed")
    items = outcomes.current_checklist(case)
    assert [i.item for i in items] == ["dbs", "regulator_TRA", "practice_review"]  # a teacher in a school
    assert items[0].suggested  # dismissed: the employer's duty to refer to the DBS


def test_the_self_employed_person_has_the_lado_refer(agency_a_manager, lado_service, agency_a, lado_officer):
    referral = make_referral(actor=agency_a_manager, lado_service=lado_service, agency=agency_a,
                             employment_type="self_employed", subject_role="Private tutor and nurse",
                             sector="other")
    case = make_case(officer=lado_officer, referral=referral)
    _outcome(case, lado_officer, "substantiated", employer_outcome="not_employed")
    assert _items(case) == ["dbs", "lado_refers", "regulator_NMC", "practice_review"]


def test_ticking_an_item_records_who_and_when_and_an_event(login, case, lado_officer):
    _outcome(case, lado_officer, "malicious")
    item = outcomes.current_checklist(case)[0]
    client = login(lado_officer)
    url = reverse("allegations:checklist_item", args=[case.reference, item.pk])
    response = client.post(url, {"state": "not_applicable", "note": ""})
    assert response.status_code == 200 and "Say why it does not apply." in response.content.decode()
    response = client.post(url, {"state": "done", "note": "Removed on 2 December."})
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.state, item.done_by, item.note) == ("done", lado_officer, "Removed on 2 December.")
    assert item.done_at is not None
    assert item.history.count() == 2
    assert Event.objects.filter(case=case, verb="outcome_checklist").exists()


def test_changing_the_outcome_keeps_what_was_ticked_and_drops_the_rest(case, lado_officer):
    _outcome(case, lado_officer, "false")
    ticked = outcomes.current_checklist(case)[0]
    outcomes.checklist_item_mark(actor=lado_officer, case=case, item=ticked, state="done")
    _outcome(case, lado_officer, "substantiated")
    assert "personnel_file" not in _items(case) and "dbs" in _items(case)
    assert set(OutcomeChecklistItem.objects.filter(case=case).values_list("item", flat=True)) >= {"personnel_file"}
    assert not OutcomeChecklistItem.objects.filter(case=case, item="references").exists()
    # Dropped with history: the deletion is recorded.
    assert OutcomeChecklistItem.history.filter(item="references", history_type="-").exists()


def test_a_complaint_on_a_closed_case_through_its_stages(login, case, lado_officer):
    _outcome(case, lado_officer, "substantiated")
    services.case_record_dbs_referral(actor=lado_officer, case=case, referred_on=timezone.localdate(), notes="")
    _close(case, lado_officer)
    client = login(lado_officer)
    today = timezone.localdate().isoformat()
    response = client.post(reverse("allegations:complaint_add", args=[case.reference]), with_dates({
        "received_on": today, "made_by": "subject", "about": "outcome", "summary": "The evidence was weak.",
        "stage": "stage_1", "stage_started_on": "", "result": "", "answered_on": "", "answer": "",
    }))
    assert response.status_code == 302, response.content.decode()[:3000]
    complaint = Complaint.objects.get(case=case)
    assert (complaint.stage, complaint.stage_started_on, complaint.is_open) == ("stage_1", timezone.localdate(), True)
    response = client.post(reverse("allegations:complaint_update", args=[case.reference, complaint.pk]), with_dates({
        "stage": "stage_2", "stage_started_on": today, "result": "partly_upheld", "answered_on": today,
        "answer": "A reconvened meeting agreed.",
    }))
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert (complaint.stage, complaint.result) == ("stage_2", "partly_upheld")
    verbs = set(Event.objects.filter(case=case, part="complaint").values_list("verb", flat=True))
    assert verbs == {"complaint", "complaint_stage", "complaint_answered"}


def test_a_complaint_is_the_lado_services_own_unless_widened(login, case, lado_officer, agency_a_manager):
    outcomes.complaint_record(actor=lado_officer, case=case, received_on=timezone.localdate(), made_by="parent",
                              complainant="", about="process", summary="Nobody told us anything.", stage="informal")
    page = login(agency_a_manager).get(reverse("allegations:case_conclusion", args=[case.reference]))
    assert page.status_code == 200
    assert b"Nobody told us anything." not in page.content
    timeline = login(agency_a_manager).get(reverse("allegations:case_timeline", args=[case.reference]))
    assert b"Complaint received" not in timeline.content
    lado_page = login(lado_officer).get(reverse("allegations:case_conclusion", args=[case.reference]))
    assert b"Nobody told us anything." in lado_page.content


def test_only_a_manager_reopens_and_the_retention_date_follows(login, case, lado_officer, lado_manager):
    _outcome(case, lado_officer, "unfounded")
    _close(case, lado_officer)
    before = retention_of(case.referral)
    assert before[0] == RecordType.UNFOUNDED_CASE.label
    with pytest.raises(PermissionDenied):
        outcomes.case_reopen(actor=lado_officer, case=case, reason="A new witness.")
    assert login(lado_officer).get(reverse("allegations:case_reopen", args=[case.reference])).status_code == 403
    response = login(lado_manager).post(reverse("allegations:case_reopen", args=[case.reference]),
                                        {"reason": "A new witness came forward.", "complaint": ""})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.is_open and case.closed_at is None
    assert retention_of(case.referral) is None  # open again: counted from the next closure
    assert CaseAmendment.objects.filter(case=case, kind="reopened", decided_by=lado_manager).exists()
    assert Deadline.objects.filter(case=case, kind=Deadline.Kind.CASE_REVIEW, status="open").exists()
    assert case.history.filter(history_change_reason__startswith="Case reopened").exists()
    event = Event.objects.get(case=case, verb="case_reopened")
    assert "Retention review was" in event.reason  # the LADO service's reason, not the employer's summary
    with pytest.raises(ValidationError):
        outcomes.case_reopen(actor=lado_manager, case=case, reason="Again.")


def test_amending_the_outcome_moves_the_retention_date_with_history(login, case, lado_officer, lado_manager):
    _outcome(case, lado_officer, "false")
    _close(case, lado_officer)
    complaint = outcomes.complaint_record(
        actor=lado_officer, case=case, received_on=timezone.localdate(), made_by="agency", complainant="Police",
        about="outcome", summary="Evidence was missed.", stage="stage_1")
    before = retention_of(case.referral)
    response = login(lado_manager).post(reverse("allegations:case_amend_outcome", args=[case.reference]),
                                        {"outcome": "unsubstantiated", "reason": "Reconvened meeting.",
                                         "complaint": complaint.pk})
    assert response.status_code == 302, response.content.decode()[:3000]
    case.refresh_from_db()
    after = retention_of(case.referral)
    assert case.outcome == "unsubstantiated" and not case.is_open
    assert before[0] == RecordType.UNFOUNDED_CASE.label and after[0] == RecordType.CLOSED_CASE.label
    assert after[1] > before[1]
    amendment = CaseAmendment.objects.get(case=case)
    assert (amendment.outcome_before, amendment.outcome_after, amendment.complaint) == ("false", "unsubstantiated",
                                                                                          complaint)
    event = Event.objects.get(case=case, verb="outcome_amended")
    assert f"{after[1].day} {after[1]:%B %Y}" in event.reason and f"{before[1]:%B %Y}" in event.reason
    history = case.history.first().history_change_reason
    assert history.startswith("Outcome amended from false to unsubstantiated")
    assert f"Retention review now {after[1].day} {after[1]:%B %Y}" in history
    assert _items(case) == []  # unsubstantiated sets nothing off


def test_an_officer_cannot_record_on_a_closed_case_but_the_page_says_a_manager_can(login, case, lado_officer,
                                                                                     lado_manager):
    _outcome(case, lado_officer, "unfounded")
    _close(case, lado_officer)
    page = login(lado_manager).get(reverse("allegations:case_conclusion", args=[case.reference]))
    assert b"Reopen the case" in page.content and b"Amend the outcome" in page.content
    page = login(lado_officer).get(reverse("allegations:case_conclusion", args=[case.reference]))
    assert b"Reopen the case" not in page.content


def test_outsiders_get_404(login, case, agency_b_outsider, lado_officer):
    _outcome(case, lado_officer, "false")
    item = outcomes.current_checklist(case)[0]
    client = login(agency_b_outsider)
    for url in (reverse("allegations:case_conclusion", args=[case.reference]),
                reverse("allegations:checklist_item", args=[case.reference, item.pk]),
                reverse("allegations:complaint_add", args=[case.reference]),
                reverse("allegations:case_reopen", args=[case.reference]),
                reverse("allegations:case_amend_outcome", args=[case.reference])):
        assert client.get(url).status_code == 404


def test_the_employer_reads_the_checklist_but_not_the_retention_date(login, case, lado_officer, lado_manager,
                                                                     agency_a_manager):
    _outcome(case, lado_officer, "false")
    _close(case, lado_officer)
    outcomes.case_amend_outcome(actor=lado_manager, case=case, outcome="unfounded", reason="Wording corrected.")
    client = login(agency_a_manager)
    page = client.get(reverse("allegations:case_conclusion", args=[case.reference])).content.decode()
    assert "removed the allegation from the person" in page  # the employer's to do
    assert "/conclusion/checklist/" not in page and "Retention review" not in page and "Reopen the case" not in page
    assert "Outcome amended" in page and "Wording corrected." not in page  # what, not why
    timeline = client.get(reverse("allegations:case_timeline", args=[case.reference])).content.decode()
    assert "Outcome amended from false to unfounded" in timeline
    assert "Retention review" not in timeline and "Wording corrected." not in timeline
    lado_timeline = login(lado_officer).get(reverse("allegations:case_timeline", args=[case.reference])).content
    assert b"Retention review unchanged" in lado_timeline  # false and unfounded: the same schedule
