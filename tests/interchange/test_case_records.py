"""The arrangements and the person's records (issue 16 §2, §5) in the export, and read back by an import of it:
written on the new case with history saying they were imported; a bad value is a problem and nothing is written;
a line without them (an older export) imports as before."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path

import pytest
from django.utils import timezone

from allegations import person, services
from allegations.models import Case, PersonSupport, PersonTold, PersonUpdate, Suspension

from .conftest import export_records, run_import, table_counts

pytestmark = pytest.mark.django_db


def _write(*records) -> Path:
    path = Path(tempfile.mkdtemp()) / "export.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


@pytest.fixture
def recorded(case, lado_officer):
    today = timezone.localdate()
    services.suspension_record(
        actor=lado_officer, case=case, arrangement="suspended", decided_on=today, decided_by="Head teacher",
        alternatives_considered=["redeployment"], alternatives_notes="No role without pupils.", risk="Contact.",
        police_views="Agree.", social_care_views="", lado_advice_sought="yes", lado_advice_on=today,
        person_informed="yes", person_informed_on=today, review_on=today + dt.timedelta(days=14))
    person.person_told_record(actor=lado_officer, case=case, told_on=today, told_by="Head teacher",
                              what_told="An allegation was made.", held_back="Who made it.",
                              held_back_advised_by="DC Jones", held_back_why="Until the interview.")
    person.person_contact_record(actor=lado_officer, case=case, name="Sam Carter", agency="Riverside Primary",
                                 from_on=today)
    person.person_support_record(actor=lado_officer, case=case, kind="union", offered_on=today, offered_by="Head",
                                 taken_up="yes")
    person.person_update_record(actor=lado_officer, case=case, given_on=today, given_by="Sam Carter",
                                summary="Progress.", views="Their views.")
    return case


def test_the_records_go_out_and_come_back_on_a_new_case(recorded, lado_officer):
    record = export_records()[recorded.reference]
    assert record["suspensions"][0]["alternatives_considered"] == ["redeployment"]
    assert record["suspensions"][0]["review_on"] == (timezone.localdate() + dt.timedelta(days=14)).isoformat()
    assert record["person"]["told"][0]["held_back_advised_by"] == "DC Jones"
    assert record["person"]["updates"][0]["views"] == "Their views."
    copy = {**record, "reference": "OLD-2026-1"}
    run = run_import(cases=_write(copy), by=lado_officer.username)
    assert run.ok, run.err
    new = Case.objects.get(referral__reference="OLD-2026-1")
    assert new.suspensions.get().risk == "Contact."
    assert new.person_support.get().taken_up == PersonSupport.TakenUp.YES
    told = new.person_told.get()
    assert told.history.get().history_change_reason.startswith("Imported from export.jsonl line 1 by")
    again = export_records()["OLD-2026-1"]
    assert (again["suspensions"], again["person"]) == (record["suspensions"], record["person"])


def test_a_bad_value_is_a_problem_and_nothing_is_written(recorded, lado_officer):
    record = {**export_records()[recorded.reference], "reference": "OLD-2026-2"}
    record["person"]["support"][0]["taken_up"] = "maybe"
    record["suspensions"][0]["decided_on"] = "2026-13-40"
    before = table_counts()
    run = run_import(cases=_write(record), by=lado_officer.username)
    assert not run.ok
    assert "person.support[0].taken_up" in run.err and "suspensions[0].decided_on" in run.err
    assert table_counts() == before


def test_a_line_without_them_imports_as_before(recorded, lado_officer):
    record = {**export_records()[recorded.reference], "reference": "OLD-2026-3"}
    del record["suspensions"], record["person"]
    run = run_import(cases=_write(record))
    assert run.ok, run.err
    new = Case.objects.get(referral__reference="OLD-2026-3")
    assert not new.suspensions.exists() and not PersonTold.objects.filter(case=new).exists()
    assert not PersonUpdate.objects.filter(case=new).exists() and Suspension.objects.count() == 1
