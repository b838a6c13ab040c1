"""Disagreements and their escalation steps in the export, and back (issue 16 §9): the ladder and its deadlines
come back as they were; old files (no `disagreements`, or a disagreement without `steps`) still import."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from allegations import services
from allegations.models import Disagreement, Referral
from deadlines.models import Deadline

from .conftest import export_records, run_import

pytestmark = pytest.mark.django_db

STEP = Deadline.Kind.DISAGREEMENT_STEP


def _ladders(case, officer):
    today = timezone.localdate()
    climbed = services.disagreement_record(actor=officer, case=case, kind="challenge", raised_on=today - dt.timedelta(days=9),
                                           raised_by="DS Patel, police", about="Not suspending.", raised_to="Sam Jones")
    services.disagreement_resolve(actor=officer, disagreement=climbed, status="escalated", resolution="No agreement.",
                                  escalated_to="Alex Reid", resolved_on=today - dt.timedelta(days=6))
    services.disagreement_resolve(actor=officer, disagreement=climbed, status="resolved", resolution="Agreed to suspend.",
                                  escalated_to="", resolved_on=today - dt.timedelta(days=2))
    services.disagreement_record(actor=officer, case=case, kind="disagreement", raised_on=today, raised_by="The school",
                                 about="Who tells the parents.")


def _write(tmp_path, *records) -> str:
    path = tmp_path / "export.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def _step_deadlines(record) -> list[dict]:
    return [d for d in record["deadlines"] if d["kind"] == STEP]


def test_the_ladder_and_its_deadlines_come_back_as_they_were(tmp_path, case, lado_officer):
    _ladders(case, lado_officer)
    record = export_records()[case.reference]
    climbed, waiting = record["disagreements"]
    assert [s["level"] for s in climbed["steps"]] == ["manager", "lado_manager"]
    assert [s["result"] for s in climbed["steps"]] == ["escalated", "resolved"]
    assert climbed["status"] == "resolved" and climbed["resolution"] == "Agreed to suspend."
    assert waiting["steps"][0]["answered_at"] is None and waiting["status"] == "open"
    assert [d["status"] for d in _step_deadlines(record)] == ["met", "met", "open"]

    copy = {**record, "reference": f"{case.reference}-C"}
    run = run_import(cases=_write(tmp_path, copy))
    assert run.ok, run.err
    again = export_records()[copy["reference"]]
    assert again["disagreements"] == record["disagreements"]
    assert _step_deadlines(again) == _step_deadlines(record)
    imported = Referral.objects.get(reference=copy["reference"]).case
    step = imported.disagreements.get(status="open").steps.get()
    assert step.deadline.kind == STEP and step.deadline.met_at is None
    assert step.history.get().history_change_reason.startswith("Imported from export.jsonl line 1")


def test_old_files_still_import(tmp_path, case, lado_officer):
    record = export_records()[case.reference]
    old = {k: v for k, v in record.items() if k != "disagreements"}  # a file from before the ladder
    old["reference"] = f"{case.reference}-OLD"
    plain = {**record, "reference": f"{case.reference}-PLAIN", "disagreements": [{
        "kind": "disagreement", "raised_on": "2025-03-03", "raised_by": "Police", "about": "Threshold",
        "status": "escalated", "resolution": "Escalated to the head of service", "escalated_to": "Head of service",
        "resolved_on": "2025-03-10",
    }]}
    run = run_import(cases=_write(tmp_path, old, plain))
    assert run.ok, run.err
    assert not Referral.objects.get(reference=old["reference"]).case.disagreements.exists()
    d = Referral.objects.get(reference=plain["reference"]).case.disagreements.get()
    assert (d.status, d.escalated_to, d.recorded_by) == ("escalated", "Head of service", None)
    assert not d.steps.exists()
    assert not Deadline.objects.filter(referral__reference=plain["reference"], kind=STEP).exists()
    assert export_records()[plain["reference"]]["disagreements"][0]["steps"] == []


def test_bad_steps_are_reported_with_where_they_are_and_nothing_is_written(tmp_path, case):
    record = export_records()[case.reference]
    bad = {**record, "reference": f"{case.reference}-BAD", "disagreements": [{
        "kind": "challenge", "raised_on": "2025-03-03", "raised_by": "Police", "about": "Threshold", "status": "open",
        "steps": [
            {"level": "lado_manager", "raised_on": "2025-03-03", "raised_by": "Police", "answer_by": "2025-03-01"},
            {"level": "manager", "raised_on": "2025-03-03", "raised_by": "Police", "answer_by": "2025-03-10",
             "colour": "red"},
        ],
    }]}
    before = Disagreement.objects.count()
    run = run_import(cases=_write(tmp_path, bad))
    assert not run.ok
    problems = "\n".join(run.problems)
    assert "disagreements[0].steps[1].colour: unknown field" in problems
    run = run_import(cases=_write(tmp_path, {**bad, "disagreements": [{**bad["disagreements"][0], "steps": bad["disagreements"][0]["steps"][:1]}]}))
    problems = "\n".join(run.problems)
    assert "disagreements[0].steps[0].level: the steps climb in order" in problems
    assert "disagreements[0].steps[0].answer_by: is before raised_on" in problems
    assert Disagreement.objects.count() == before
    assert not Referral.objects.filter(reference=bad["reference"]).exists()
