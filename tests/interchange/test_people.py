"""The people of a referral beyond its subject in the export and the import (issue 16 §1, §3): its children with
whether they have a social worker, are looked after and whether their parents were told; associated people; other
people alleged against. Files without them (older exports, cases.csv) still import."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from allegations import facts
from allegations.models import AssociatedPerson, Child, OtherSubject, ParentsTold, Referral

from .conftest import export_records, run_import

pytestmark = pytest.mark.django_db


@pytest.fixture
def people_case(case, lado_officer):
    referral = case.referral
    sam = referral.children.get()
    facts.child_change(actor=lado_officer, child=sam, reason="Social care confirmed.", social_worker="yes",
                       looked_after="no")
    facts.parents_told_record(actor=lado_officer, child=sam, told=True, told_by="Head teacher",
                              told_on=timezone.localdate(), what_told="An allegation was made.",
                              child_views="Wants to stay in class.")
    robin = facts.child_add(actor=lado_officer, referral=referral, reason="Another pupil.", given_name="Robin",
                            relationship="other_in_setting", looked_after="yes")
    facts.parents_told_record(actor=lado_officer, child=robin, told=False, not_told_reason="The police asked us to wait.")
    facts.associated_person_add(actor=lado_officer, referral=referral, name="Jo Partner",
                                relationship="The subject's partner", notes="Lives with the subject.", reason="Relevant.")
    facts.other_subject_add(actor=lado_officer, referral=referral, reason="Named by the child.", given_name="Chris",
                            family_name="Dale", subject_role="Teaching assistant", employment_type="agency")
    return case


def _write(tmp_path, *records) -> str:
    path = tmp_path / "export.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def test_the_export_carries_the_people_and_an_import_of_it_gives_them_back(people_case, tmp_path):
    record = export_records()[people_case.reference]
    assert [c["given_name"] for c in record["children"]] == ["Sam", "Robin"]
    sam, robin = record["children"]
    assert (sam["social_worker"], sam["looked_after"], sam["parents_told"], sam["parents_told_by"]) == (
        "yes", "no", True, "Head teacher")
    assert sam["parents_told_on"] == timezone.localdate().isoformat() and sam["child_views"] == "Wants to stay in class."
    assert (robin["looked_after"], robin["parents_told"], robin["parents_not_told_reason"]) == (
        "yes", False, "The police asked us to wait.")
    assert record["associated_people"] == [{"name": "Jo Partner", "relationship": "The subject's partner",
                                            "notes": "Lives with the subject."}]
    assert record["other_subjects"] == [{"given_name": "Chris", "family_name": "Dale", "date_of_birth": None,
                                         "role": "Teaching assistant", "employment_type": "agency"}]

    # The same line under another reference imports as a new referral with the same people, and exports the same.
    copy = {**record, "reference": "OLD-0001"}
    run = run_import(cases=_write(tmp_path, copy))
    assert run.ok, run.err
    imported = Referral.objects.get(reference="OLD-0001")
    assert imported.children.count() == 2 and ParentsTold.objects.filter(child__referral=imported).count() == 2
    assert AssociatedPerson.objects.filter(referral=imported).count() == 1
    assert OtherSubject.objects.filter(referral=imported).count() == 1
    again = export_records()["OLD-0001"]
    for key in ("children", "associated_people", "other_subjects"):
        assert again[key] == record[key], key
    child = imported.children.get(given_name="Robin")
    assert "Imported" in child.history.get().history_change_reason


def test_a_line_without_the_people_lists_still_imports(people_case, tmp_path):
    record = export_records()[people_case.reference]
    for key in ("children", "associated_people", "other_subjects"):
        record.pop(key)
    run = run_import(cases=_write(tmp_path, {**record, "reference": "OLD-0002"}))
    assert run.ok, run.err
    assert not Child.objects.filter(referral__reference="OLD-0002").exists()


def test_bad_people_entries_are_reported_by_place_and_nothing_is_written(people_case, tmp_path):
    record = export_records()[people_case.reference]
    record = {**record, "reference": "OLD-0003"}
    record["children"][0]["looked_after"] = "maybe"
    record["children"][1]["parents_not_told_reason"] = None
    record["associated_people"] = [{"name": "", "relationship": "Partner"}]
    record["other_subjects"] = "Chris Dale"
    run = run_import(cases=_write(tmp_path, record))
    assert not run.ok
    problems = "\n".join(run.problems)
    assert "children[0].looked_after: ‘maybe’ is not allowed" in problems
    assert "children[1].parents_not_told_reason: required when parents_told is false" in problems
    assert "associated_people[0].name: required, but empty" in problems
    assert "other_subjects: must be a list" in problems
    assert not Referral.objects.filter(reference="OLD-0003").exists()
