"""What an import makes of people and employers: reused only when certainly the same, suggested otherwise."""

from __future__ import annotations

import datetime as dt

import pytest

from agencies.models import Agency, AgencyKind
from allegations import matching
from interchange.columns import CASE_COLUMN_NAMES
from allegations.models import Referral, Subject

from .conftest import run_import
from .test_rules import ROW, row

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases_file(write_csv):
    def _write(*rows):
        return write_csv("cases.csv", list(CASE_COLUMN_NAMES), [[r.get(c, "") for c in CASE_COLUMN_NAMES] for r in rows])

    return _write


def advice(**changes):
    return row(**{"contact_type": "advice", "route": "", "category": "", "outcome": "", "employer_outcome": "",
                  "closed_at": "", **changes})


def test_same_name_in_any_case_and_same_birthday_is_one_person(cases_file):
    run = run_import(cases=cases_file(advice(), advice(reference="MAS-2024-00002", subject_given_name="ALEX",
                                                       subject_family_name="example")))
    assert run.ok, run.err
    assert Subject.objects.count() == 1
    assert Referral.objects.filter(subject=Subject.objects.get()).count() == 2


def test_another_birthday_or_none_is_another_record_but_suggested(cases_file, lado_officer, login):
    run = run_import(cases=cases_file(
        advice(), advice(reference="MAS-2024-00002", subject_date_of_birth="1981-01-02"),
        advice(reference="MAS-2024-00003", subject_date_of_birth=""),
    ))
    assert run.ok, run.err
    assert Subject.objects.count() == 3
    third = Referral.objects.get(reference="MAS-2024-00003").subject
    assert third.given_key == matching.phonetic_key("Alex") and third.family_key == matching.phonetic_key("Example")
    found = matching.candidates(given="Alex", family="Example", date_of_birth=None, exclude_ids=[third.pk])
    assert len(found) == 2  # the earlier records are suggested, as for a referral made in the product
    page = login(lado_officer).get("/referrals/MAS-2024-00003/").content.decode()
    assert "MAS-2024-00001" in page


def test_an_existing_subject_is_reused(cases_file, referral):
    subject = referral.subject
    subject.date_of_birth = dt.date(1980, 1, 2)
    subject.save()
    run = run_import(cases=cases_file(advice(subject_given_name=subject.given_name.upper(),
                                             subject_family_name=subject.family_name)))
    assert run.ok, run.err
    assert Referral.objects.get(reference="MAS-2024-00001").subject == subject


def test_employers_are_matched_by_name_in_any_case_or_created(cases_file, agency_a):
    run = run_import(cases=cases_file(advice(employer_name="RIVERSIDE PRIMARY"),
                                      advice(reference="MAS-2024-00002", employer_name="Hill Farm Nursery",
                                             sector="early_years"),
                                      advice(reference="MAS-2024-00003", employer_name="hill farm nursery",
                                             sector="early_years")))
    assert run.ok, run.err
    assert Referral.objects.get(reference="MAS-2024-00001").employer == agency_a
    created = Agency.objects.get(name="Hill Farm Nursery")
    assert (created.kind, created.sector) == (AgencyKind.EARLY_YEARS, "early_years")
    assert created.group.name == "agency:Hill Farm Nursery"
    assert created.lado_service.kind == AgencyKind.LADO_SERVICE
    assert Referral.objects.get(reference="MAS-2024-00003").employer == created
    assert Referral.objects.get(reference="MAS-2024-00003").employer_name == "hill farm nursery"
    assert created.history.get().history_change_reason == "Employer named in an import from cases.csv line 3 by " + \
        created.history.get().history_change_reason.rsplit(" by ", 1)[1]


def test_statuses_by_contact_type(cases_file):
    run = run_import(cases=cases_file(
        advice(reference="MAS-2024-00004"), advice(reference="MAS-2024-00002", contact_type="transfer"),
        advice(reference="MAS-2024-00003", contact_type="not_allegation", closed_at="2024-03-05T10:00"), ROW,
    ))
    assert run.ok, run.err
    statuses = dict(Referral.objects.values_list("reference", "status"))
    assert statuses == {"MAS-2024-00001": "case_opened", "MAS-2024-00004": "advice", "MAS-2024-00002": "transferred",
                        "MAS-2024-00003": "not_allegation"}
