"""The import and export of an advice row without names and of low-level concerns (issue 16 part 8)."""

import datetime as dt
import json

import pytest

from allegations.models import Referral
from interchange.columns import CASE_COLUMN_NAMES
from interchange.concerns import CONCERN_COLUMN_NAMES
from lowlevel.models import LowLevelConcern
from tests.lowlevel.factories import record

from .conftest import export_records, run_import
from .test_rules import refused, row

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases_file(write_csv):
    def _write(*rows, header=CASE_COLUMN_NAMES):
        return write_csv("cases.csv", list(header), [[r.get(c, "") for c in header] for r in rows])

    return _write


def advice(**changes):
    return row(**{"contact_type": "advice", "route": "", "category": "", "outcome": "", "employer_outcome": "",
                  "closed_at": "", **changes})


def test_an_advice_row_may_leave_the_person_unnamed_and_comes_back_the_same(cases_file):
    run = run_import(cases=cases_file(advice(subject_given_name="", subject_family_name="",
                                             subject_described_as="a teaching assistant")))
    assert run.ok, run.err
    subject = Referral.objects.get().subject
    assert (subject.given_name, subject.family_name, subject.described_as) == ("", "", "a teaching assistant")
    record_ = export_records()[row()["reference"]]
    assert record_["subject_given_name"] == "" and record_["subject_described_as"] == "a teaching assistant"
    assert "0 new, 1 already imported" in run_import(cases=cases_file(advice(
        subject_given_name="", subject_family_name="", subject_described_as="a teaching assistant"))).out


def test_a_referral_row_names_the_person(cases_file):
    path = cases_file(row(subject_given_name="", subject_family_name=""))
    problems = refused(cases=path)
    assert any(p.startswith(f"{path}:2: subject_given_name: required, but empty") for p in problems)
    assert any(p.startswith(f"{path}:2: subject_family_name: required, but empty") for p in problems)


def test_an_older_file_without_the_new_column_still_imports(cases_file):
    header = [c for c in CASE_COLUMN_NAMES if c != "subject_described_as"]
    run = run_import(cases=cases_file(advice(), header=header))
    assert run.ok, run.err


def test_low_level_concerns_go_out_and_come_back(cases_file, agency_a_manager, agency_a, lado_service, tmp_path,
                                                 write_csv):
    from django.core.management import call_command

    record(actor=agency_a_manager, agency=agency_a, dob=dt.date(1990, 5, 4))
    record(actor=agency_a_manager, agency=agency_a, what="Left a pupil unsupervised.")
    out = tmp_path / "concerns.jsonl"
    call_command("export_cases", output=str(tmp_path / "cases.jsonl"), concerns=str(out))
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [tuple(line) for line in lines] == [CONCERN_COLUMN_NAMES] * 2
    assert lines[0]["employer_name"] == "Riverside Primary" and lines[0]["referral_reference"] is None

    again = run_import(cases=cases_file(advice()), concerns=out)  # the same concerns: already there
    assert again.ok, again.err
    assert "Low-level concerns: 0 new, 2 already imported." in again.out

    LowLevelConcern.objects.all().delete()
    back = run_import(cases=cases_file(advice()), concerns=out)
    assert back.ok, back.err
    assert "Low-level concerns: 2 new, 0 already imported." in back.out
    concern = LowLevelConcern.objects.get(date_of_birth=dt.date(1990, 5, 4))
    assert concern.agency == agency_a and concern.lado_service == lado_service
    assert concern.history.get().history_change_reason.startswith("Imported from concerns.jsonl line ")
    out2 = tmp_path / "again.jsonl"
    call_command("export_cases", output=str(tmp_path / "cases2.jsonl"), concerns=str(out2))
    assert out2.read_text() == out.read_text()


def test_a_concern_linked_to_a_referral_of_the_file_and_a_bad_row(cases_file, write_csv, lado_service, agency_a):
    header = list(CONCERN_COLUMN_NAMES)
    good = {"employer_name": "Riverside Primary", "given_name": "Chris", "family_name": "Lowe",
            "role": "Teaching assistant", "occurred_on": "2024-03-01", "what_happened": "Shouted.",
            "employer_action": "Spoken to.", "referral_reference": row()["reference"]}
    concerns = write_csv("concerns.csv", header, [[good.get(c, "") for c in header]])
    run = run_import(cases=cases_file(row()), concerns=concerns)
    assert run.ok, run.err
    assert LowLevelConcern.objects.get().referral.reference == row()["reference"]

    bad = write_csv("bad.csv", header, [[{**good, "occurred_on": "", "referral_reference": "MAS-1999-99999"}.get(c, "")
                                         for c in header]])
    problems = refused(cases=cases_file(row()), concerns=bad)
    assert f"{bad}:2: occurred_on: required, but empty" in problems
