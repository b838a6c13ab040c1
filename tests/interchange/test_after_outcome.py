"""What followed a case's outcome in the export and back (issue 16 §4, §6): the outcome's checklist, complaints,
reopenings and amended outcomes as lists on the referral's line; files written before them still import."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from allegations import outcomes, services
from allegations.models import CaseAmendment, Complaint, OutcomeChecklistItem, Referral
from tests.interchange.conftest import CASES, export_records, run_export, run_import
from tests.allegations.factories import tell_parents

pytestmark = pytest.mark.django_db


def _a_case_with_everything(case, lado_officer, lado_manager):
    services.case_record_outcome(actor=lado_officer, case=case, outcome="false", police_outcome="no_police_action",
                                 police_outcome_detail="", employer_outcome="no_sanction")
    case.refresh_from_db()
    item = outcomes.current_checklist(case)[0]
    outcomes.checklist_item_mark(actor=lado_officer, case=case, item=item, state="done", note="Removed.")
    tell_parents(case, lado_officer)
    services.case_close(actor=lado_officer, case=case, closed_at=timezone.now(), summary="Concluded.")
    complaint = outcomes.complaint_record(
        actor=lado_officer, case=case, received_on=timezone.localdate(), made_by="subject", complainant="",
        about="outcome", summary="The outcome is wrong.", stage="stage_1", result="partly_upheld",
        answered_on=timezone.localdate(), answer="Reconvened.")
    outcomes.case_amend_outcome(actor=lado_manager, case=case, outcome="unsubstantiated", reason="Reconvened meeting.",
                                complaint=complaint)


def test_the_export_carries_the_lists_and_an_import_into_an_empty_product_gives_them_back(
        case, lado_officer, lado_manager, tmp_path):
    _a_case_with_everything(case, lado_officer, lado_manager)
    first = run_export()
    record = export_records()[case.reference]
    # The amended outcome (unsubstantiated) dropped the untouched item; what was ticked stays.
    assert [(i["item"], i["state"], i["note"]) for i in record["outcome_checklist"]] == [
        ("personnel_file", "done", "Removed.")]
    assert record["outcome_checklist"][0]["done_at"] is not None
    [complaint] = record["complaints"]
    assert (complaint["made_by"], complaint["stage"], complaint["result"]) == ("subject", "stage_1", "partly_upheld")
    [amendment] = record["amendments"]
    assert (amendment["kind"], amendment["outcome_before"], amendment["outcome_after"]) == (
        "outcome_amended", "false", "unsubstantiated")

    path = tmp_path / "export.jsonl"
    path.write_text(first, encoding="utf-8")
    for model in (OutcomeChecklistItem, Complaint, CaseAmendment):
        model.objects.all().delete()
    Referral.objects.filter(pk=case.referral_id).update(reference="MAS-MOVED-1")  # the old record out of the way
    run = run_import(cases=path)
    assert run.ok, run.err
    again = export_records()[case.reference]
    for key in ("outcome_checklist", "complaints", "amendments"):
        assert again[key] == record[key], key
    imported = Complaint.objects.get(case__referral__reference=case.reference)
    assert imported.recorded_by is None
    assert "Imported from export.jsonl" in imported.history.first().history_change_reason


def test_importing_the_same_file_again_adds_nothing(case, lado_officer, lado_manager, tmp_path):
    _a_case_with_everything(case, lado_officer, lado_manager)
    path = tmp_path / "export.jsonl"
    path.write_text(run_export(), encoding="utf-8")
    counts = (OutcomeChecklistItem.objects.count(), Complaint.objects.count(), CaseAmendment.objects.count())
    run = run_import(cases=path)
    assert run.ok, run.err
    assert counts == (OutcomeChecklistItem.objects.count(), Complaint.objects.count(), CaseAmendment.objects.count())


def test_a_line_without_the_lists_still_imports(tmp_path, case):
    line = export_records()[case.reference]
    for key in ("outcome_checklist", "complaints", "amendments"):
        del line[key]
    line["reference"] = "MAS-OLD-00001"
    path = tmp_path / "old.jsonl"
    path.write_text(json.dumps(line) + "\n", encoding="utf-8")
    run = run_import(cases=path)
    assert run.ok, run.err
    assert export_records()["MAS-OLD-00001"]["complaints"] == []


def test_bad_items_are_reported_with_their_place(tmp_path, case):
    line = export_records()[case.reference]
    line["reference"] = "MAS-BAD-00001"
    line["complaints"] = [{"received_on": "2026-13-01", "made_by": "neighbour", "about": "outcome",
                           "summary": "", "stage": "stage_1", "stage_started_on": "2026-01-01"}]
    line["amendments"] = "reopened"
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(line) + "\n", encoding="utf-8")
    run = run_import(cases=path)
    assert not run.ok
    text = run.err
    assert "complaints[0].received_on" in text and "complaints[0].made_by" in text
    assert "complaints[0].summary: required" in text and "amendments: must be a list" in text
    assert not Referral.objects.filter(reference="MAS-BAD-00001").exists()


def test_the_sample_csv_still_imports(db):
    run = run_import(cases=CASES)
    assert run.ok, run.err
