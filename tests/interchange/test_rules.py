"""One test per rule of interchange.md: the exact message (FILE:LINE: column: reason), and nothing written."""

from __future__ import annotations

import json

import pytest

from agencies.models import AgencyKind
from interchange.columns import CASE_COLUMN_NAMES, MEETING_COLUMN_NAMES, TRANSFER_COLUMNS
from allegations.models import Referral
from tests.agencies.factories import AgencyFactory

from .conftest import export_records, run_import, table_counts

pytestmark = pytest.mark.django_db

ROW = {
    "reference": "MAS-2024-00001", "workforce": "children", "contact_type": "referral", "timing": "contemporaneous",
    "received_at": "2024-03-04T10:00", "allegation_arose_at": "2024-03-03", "subject_given_name": "Alex",
    "subject_family_name": "Example", "subject_date_of_birth": "1980-01-02", "subject_role": "teacher",
    "employer_name": "Riverside Primary", "sector": "education", "category": "physical",
    "referrer_agency": "County Police", "children_count": "1", "initial_discussion_at": "2024-03-04T12:00",
    "route": "strategy_discussion", "outcome": "unfounded", "police_outcome": "", "employer_outcome": "no_sanction",
    "dbs_referral_at": "", "regulator_referral_at": "", "regulator": "", "closed_at": "2024-06-01T09:00",
    # The transfer columns (issue 16 part 7), empty: a referral that stayed here.
    **{column.name: "" for column in TRANSFER_COLUMNS},
    "subject_described_as": "",
}
MEETING = {"case_reference": "MAS-2024-00001", "kind": "strategy_discussion", "held_at": "2024-03-08T14:00",
           "chaired_by_service": "true", "minutes_circulated_at": "2024-03-15T09:00"}


def row(**changes) -> dict:
    return {**ROW, **changes}


@pytest.fixture
def cases_file(write_csv):
    def _write(*rows: dict, header=None):
        header = header or list(CASE_COLUMN_NAMES)
        return write_csv("cases.csv", header, [[r.get(c, "") for c in header] for r in rows])

    return _write


@pytest.fixture
def meetings_file(write_csv):
    def _write(*rows: dict, header=None):
        header = header or list(MEETING_COLUMN_NAMES)
        return write_csv("meetings.csv", header, [[r.get(c, "") for c in header] for r in rows])

    return _write


def refused(**options) -> list[str]:
    """Run an import that must fail: nothing may be written, and the problems are returned."""
    before = table_counts()
    run = run_import(**options)
    assert not run.ok, run.out
    assert table_counts() == before
    assert "nothing was imported" in run.err
    return run.problems


def test_a_valid_file_imports(cases_file, meetings_file):
    run = run_import(cases=cases_file(ROW), meetings=meetings_file(MEETING))
    assert run.ok, run.err
    record = export_records()["MAS-2024-00001"]
    assert record["received_at"] == "2024-03-04T10:00:00+00:00"
    assert record["allegation_arose_at"] == "2024-03-03"  # a date stays a date
    assert record["meetings"] == [{"kind": "strategy_discussion", "held_at": "2024-03-08T14:00:00+00:00",
                                   "chaired_by_service": True, "minutes_circulated_at": "2024-03-15T09:00:00+00:00"}]
    assert {d["kind"]: d["status"] for d in record["deadlines"]} == {
        "initial_discussion": "met", "strategy_meeting": "met", "minutes_initial": "met"}


def test_naive_times_are_london_time(cases_file):
    run = run_import(cases=cases_file(row(received_at="2024-07-01T10:00", initial_discussion_at="2024-07-01T12:00Z",
                                           closed_at="2024-08-01T09:00:00+02:00")))
    assert run.ok, run.err
    record = export_records()["MAS-2024-00001"]
    assert record["received_at"] == "2024-07-01T10:00:00+01:00"
    assert record["initial_discussion_at"] == "2024-07-01T13:00:00+01:00"
    assert record["closed_at"] == "2024-08-01T08:00:00+01:00"


def test_unknown_column(write_csv):
    header = [*CASE_COLUMN_NAMES, "colour"]
    path = write_csv("cases.csv", header, [[*[ROW[c] for c in CASE_COLUMN_NAMES], "blue"]])
    assert f"{path}:1: colour: unknown column (the columns are {', '.join(CASE_COLUMN_NAMES)})" in refused(cases=path)


def test_missing_required_column(cases_file):
    header = [c for c in CASE_COLUMN_NAMES if c != "sector"]
    path = cases_file(ROW, header=header)
    assert f"{path}:1: sector: a required column is missing from the header" in refused(cases=path)


def test_columns_in_any_order_and_optional_ones_left_out(cases_file):
    header = ["sector", "reference", "workforce", "contact_type", "timing", "received_at", "subject_given_name",
              "subject_family_name", "employer_name", "category", "initial_discussion_at"]
    run = run_import(cases=cases_file(row(), header=header))
    assert run.ok, run.err
    assert Referral.objects.get().case.is_open


def test_required_value_empty(cases_file):
    path = cases_file(row(subject_given_name=""))
    assert f"{path}:2: subject_given_name: required, but empty" in refused(cases=path)


@pytest.mark.parametrize("column, value, allowed", [
    ("workforce", "staff", "children, adults"),
    ("contact_type", "consultation", "advice, referral, transfer, not_allegation, transfer_in"),
    ("timing", "historic", "contemporaneous, non_recent"),
    ("category", "verbal", "physical, sexual, emotional, neglect, suitability"),
    ("route", "s47", "strategy_discussion, position_of_trust, employer"),
    ("outcome", "proven", "substantiated, unsubstantiated, unfounded, false, malicious, no_outcome"),
    ("police_outcome", "charged", "no_police_action, investigation_nfa, caution, prosecution"),
    ("employer_outcome", "sacked",
     "dismissed, resigned, sanction, support_training, no_sanction, not_employed, ceased_use"),
])
def test_bad_enumeration_says_which_values_are_allowed(cases_file, column, value, allowed):
    path = cases_file(row(**{column: value}))
    assert f"{path}:2: {column}: ‘{value}’ is not allowed: use one of {allowed}" in refused(cases=path)


def test_bad_sector(cases_file):
    path = cases_file(row(sector="schools"))
    problem, = [p for p in refused(cases=path) if ": sector: " in p]
    assert problem.startswith(f"{path}:2: sector: ‘schools’ is not allowed: use one of education, early_years, fostering,")


def test_bad_date_time(cases_file):
    path = cases_file(row(received_at="04/03/2024 10:00"))
    assert (f"{path}:2: received_at: ‘04/03/2024 10:00’ is not an ISO 8601 date-time "
            "(e.g. 2025-04-17T16:30, 2025-04-17T16:30:00+01:00 or 2025-04-17T15:30:00Z)") in refused(cases=path)


def test_a_date_where_a_date_time_is_needed(cases_file):
    path = cases_file(row(closed_at="2024-06-01"))
    assert any(p.startswith(f"{path}:2: closed_at: ‘2024-06-01’ is not an ISO 8601 date-time") for p in refused(cases=path))


def test_bad_date(cases_file):
    path = cases_file(row(subject_date_of_birth="1980-02-30", dbs_referral_at="2024/05/01"))
    problems = refused(cases=path)
    assert f"{path}:2: subject_date_of_birth: ‘1980-02-30’ is not a real date" in problems
    assert f"{path}:2: dbs_referral_at: ‘2024/05/01’ is not a date: use YYYY-MM-DD" in problems


def test_bad_date_or_date_time(cases_file):
    path = cases_file(row(allegation_arose_at="last spring"))
    assert (f"{path}:2: allegation_arose_at: ‘last spring’ is neither a date (YYYY-MM-DD) nor an ISO 8601 date-time"
            in refused(cases=path))


def test_a_local_time_the_clocks_skipped(cases_file):
    path = cases_file(row(received_at="2024-03-31T01:30", initial_discussion_at="2024-03-31T12:00",
                          allegation_arose_at=""))
    assert (f"{path}:2: received_at: ‘2024-03-31T01:30’ does not exist in Europe/London (the clocks went forward): "
            "give the UTC offset") in refused(cases=path)


def test_dates_in_the_future(cases_file):
    path = cases_file(row(closed_at="2999-01-01T10:00", dbs_referral_at="2999-01-01"))
    problems = refused(cases=path)
    assert f"{path}:2: closed_at: is in the future" in problems
    assert f"{path}:2: dbs_referral_at: is in the future" in problems


def test_closed_before_received(cases_file):
    path = cases_file(row(closed_at="2024-03-01T10:00"))
    assert (f"{path}:2: closed_at: is before received_at: a contact cannot close before it was received"
            in refused(cases=path))


def test_outcomes_only_on_a_closed_referral(cases_file):
    path = cases_file(row(closed_at="", police_outcome="no_police_action"))
    problems = refused(cases=path)
    for column in ("outcome", "police_outcome", "employer_outcome"):
        assert f"{path}:2: {column}: only a closed referral has an outcome (closed_at is empty)" in problems


def test_outcomes_not_on_advice(cases_file):
    path = cases_file(row(contact_type="advice", route="", category=""))
    assert f"{path}:2: outcome: only a closed referral has an outcome (contact_type is advice)" in refused(cases=path)


def test_category_required_on_a_referral(cases_file):
    path = cases_file(row(category=""))
    assert (f"{path}:2: category: required on a referral (contact_type referral): use one of "
            "physical, sexual, emotional, neglect, suitability") in refused(cases=path)


def test_a_closed_referral_needs_an_outcome(cases_file):
    path = cases_file(row(outcome=""))
    assert (f"{path}:2: outcome: a closed referral needs an outcome (use no_outcome where there was none)"
            in refused(cases=path))


def test_regulator_required_with_its_date(cases_file):
    path = cases_file(row(regulator_referral_at="2024-05-01"))
    assert (f"{path}:2: regulator: required with regulator_referral_at (e.g. TRA, Ofsted, HCPC, SWE, NMC, GMC, CQC)"
            in refused(cases=path))


def test_regulator_date_required_with_a_regulator(cases_file):
    path = cases_file(row(regulator="TRA"))
    assert (f"{path}:2: regulator_referral_at: required with regulator: the date of the referral to the regulator"
            in refused(cases=path))


@pytest.mark.parametrize("value", ["-1", "2.5", "many", "99999"])
def test_children_count_whole_number(cases_file, value):
    path = cases_file(row(children_count=value))
    problem, = [p for p in refused(cases=path) if ": children_count: " in p]
    expected = "99999 is more than 32767" if value == "99999" else f"‘{value}’ is not a whole number ≥ 0"
    assert problem == f"{path}:2: children_count: {expected}"


@pytest.mark.parametrize("column", ["route", "dbs_referral_at", "regulator_referral_at"])
def test_case_fields_on_a_contact_that_is_not_a_referral(cases_file, column):
    value = {"route": "employer", "dbs_referral_at": "2024-05-01", "regulator_referral_at": "2024-05-01"}[column]
    changes = dict(contact_type="advice", route="", category="", outcome="", employer_outcome="", closed_at="")
    changes[column] = value
    if column == "regulator_referral_at":
        changes["regulator"] = "TRA"
    path = cases_file(row(**changes))
    assert (f"{path}:2: {column}: only a referral (contact_type referral) can have this: the product keeps it on "
            "the case, and a contact of type advice has no case") in refused(cases=path)


def test_initial_discussion_before_received(cases_file):
    path = cases_file(row(initial_discussion_at="2024-03-04T09:00"))
    assert f"{path}:2: initial_discussion_at: is before received_at" in refused(cases=path)


def test_concern_arising_after_it_was_received(cases_file):
    path = cases_file(row(allegation_arose_at="2024-03-05T09:00"))
    assert (f"{path}:2: allegation_arose_at: is after received_at: the concern arose before it was referred"
            in refused(cases=path))


def test_text_too_long_to_keep(cases_file):
    path = cases_file(row(reference="MAS-" + "9" * 40))
    assert f"{path}:2: reference: is 44 characters long: at most 32 can be kept" in refused(cases=path)


def test_duplicate_reference_in_the_file(cases_file):
    path = cases_file(ROW, row(subject_role="head teacher"))
    assert f"{path}:3: reference: MAS-2024-00001 appears twice in the file (first on line 2)" in refused(cases=path)


def test_a_reference_already_in_the_product_with_different_content(cases_file):
    assert run_import(cases=cases_file(ROW)).ok
    path = cases_file(row(subject_role="head teacher", children_count="2"))
    assert (f"{path}:2: reference: MAS-2024-00001 is already in the product with different content "
            "(in subject_role, children_count): an import never overwrites it") in refused(cases=path)
    assert Referral.objects.get().subject_role == "teacher"


def test_a_row_with_too_many_values(write_csv):
    path = write_csv("cases.csv", list(CASE_COLUMN_NAMES), [[*[ROW[c] for c in CASE_COLUMN_NAMES], "extra"]])
    n = len(CASE_COLUMN_NAMES)
    assert f"{path}:2: -: the row has {n + 1} values but the header has {n} columns" in refused(cases=path)


def test_lines_are_physical_lines(tmp_path):
    """A quoted value over two lines: the next row's line number counts both."""
    header = ",".join(CASE_COLUMN_NAMES)
    first = ",".join(f'"{v}"' if c != "subject_role" else '"teacher\nand coach"' for c, v in ROW.items())
    second = ",".join(v if c != "workforce" else "staff" for c, v in row(reference="MAS-2024-00002").items())
    path = tmp_path / "cases.csv"
    path.write_text(f"{header}\n\n{first}\n{second}\n", encoding="utf-8")
    assert f"{path}:5: workforce: ‘staff’ is not allowed: use one of children, adults" in refused(cases=path)


def test_not_utf8(tmp_path):
    path = tmp_path / "cases.csv"
    path.write_bytes((",".join(CASE_COLUMN_NAMES) + "\n").encode() + ",".join(ROW.values()).encode("latin-1") + b"\xe9\n")
    assert f"{path}:2: -: the file is not UTF-8 text (byte 0xe9)" in refused(cases=path)


def test_an_empty_file(tmp_path):
    path = tmp_path / "cases.csv"
    path.write_text("")
    assert any(p.startswith(f"{path}:1: -: the file has no header row") for p in refused(cases=path))


def test_a_missing_file(tmp_path):
    path = tmp_path / "nowhere.csv"
    assert f"{path}:0: -: cannot be read: No such file or directory" in refused(cases=path)


# --- meetings.csv ----------------------------------------------------------------------------

def test_meeting_of_an_unknown_case(cases_file, meetings_file):
    path = meetings_file(MEETING, {**MEETING, "case_reference": "MAS-1999-00001"})
    assert (f"{path}:3: case_reference: MAS-1999-00001 is neither in the cases file nor in the product"
            in refused(cases=cases_file(ROW), meetings=path))


def test_meeting_of_a_contact_that_is_not_a_referral(cases_file, meetings_file):
    advice = row(contact_type="advice", route="", category="", outcome="", employer_outcome="", closed_at="")
    path = meetings_file(MEETING)
    assert (f"{path}:2: case_reference: MAS-2024-00001 is not a referral (contact_type advice): only a referral has "
            "meetings") in refused(cases=cases_file(advice), meetings=path)


def test_meeting_of_an_advice_contact_already_in_the_product(cases_file, meetings_file):
    advice = row(contact_type="advice", route="", category="", outcome="", employer_outcome="", closed_at="")
    assert run_import(cases=cases_file(advice)).ok
    path = meetings_file(MEETING)
    empty = cases_file(header=list(CASE_COLUMN_NAMES))
    assert (f"{path}:2: case_reference: MAS-2024-00001 is not a referral with a case (contact_type advice): only a "
            "referral has meetings") in refused(cases=empty, meetings=path)


def test_chaired_by_service_true_or_false(cases_file, meetings_file):
    path = meetings_file({**MEETING, "chaired_by_service": "yes"})
    assert (f"{path}:2: chaired_by_service: ‘yes’ is not allowed: use true or false"
            in refused(cases=cases_file(ROW), meetings=path))


def test_bad_meeting_kind(cases_file, meetings_file):
    path = meetings_file({**MEETING, "kind": "case_conference"})
    assert (f"{path}:2: kind: ‘case_conference’ is not allowed: use one of strategy_discussion, initial, review, "
            "serious_concerns_initial, serious_concerns_review, outcome_lessons_learned"
            in refused(cases=cases_file(ROW), meetings=path))


def test_minutes_before_the_meeting(cases_file, meetings_file):
    path = meetings_file({**MEETING, "minutes_circulated_at": "2024-03-08T13:00"})
    assert (f"{path}:2: minutes_circulated_at: is before held_at: minutes are circulated after the meeting"
            in refused(cases=cases_file(ROW), meetings=path))


def test_the_same_meeting_twice_in_the_file(cases_file, meetings_file):
    path = meetings_file(MEETING, MEETING)
    assert (f"{path}:3: held_at: the same meeting (MAS-2024-00001, strategy_discussion, this held_at) appears twice "
            "(first on line 2)" in refused(cases=cases_file(ROW), meetings=path))


def test_a_meeting_already_in_the_product_with_different_content(cases_file, meetings_file):
    assert run_import(cases=cases_file(ROW), meetings=meetings_file(MEETING)).ok
    path = meetings_file({**MEETING, "chaired_by_service": "false"})
    assert (f"{path}:2: held_at: this meeting of MAS-2024-00001 is already in the product with different content "
            "(in chaired_by_service): an import never overwrites it" in refused(cases=cases_file(ROW), meetings=path))


def test_a_new_meeting_of_a_case_already_in_the_product(cases_file, meetings_file):
    assert run_import(cases=cases_file(row(closed_at="", outcome="", employer_outcome=""))).ok
    run = run_import(cases=cases_file(row(closed_at="", outcome="", employer_outcome="")), meetings=meetings_file(MEETING))
    assert run.ok, run.err
    assert "Referrals: 0 new, 1 already imported. Meetings: 1 new, 0 already imported." in run.out
    deadlines = {d["kind"]: d for d in export_records()["MAS-2024-00001"]["deadlines"]}
    assert deadlines["strategy_meeting"]["status"] == "met"
    assert deadlines["strategy_meeting"]["met_at"] == "2024-03-08T14:00:00+00:00"
    assert deadlines["minutes_initial"]["status"] == "met"


# --- Several problems, the LADO service, JSON Lines --------------------------------------------

def test_every_problem_is_reported_together(cases_file, meetings_file):
    cases = cases_file(row(workforce="staff", children_count="x"), row(reference="MAS-2024-00002", received_at="soon"),
                       row(reference="MAS-2024-00003"))
    meetings = meetings_file({**MEETING, "chaired_by_service": "maybe"}, {**MEETING, "case_reference": "NOPE"})
    problems = refused(cases=cases, meetings=meetings)
    assert problems[:-1] == [
        f"{cases}:2: workforce: ‘staff’ is not allowed: use one of children, adults",
        f"{cases}:2: children_count: ‘x’ is not a whole number ≥ 0",
        f"{cases}:3: received_at: ‘soon’ is not an ISO 8601 date-time "
        "(e.g. 2025-04-17T16:30, 2025-04-17T16:30:00+01:00 or 2025-04-17T15:30:00Z)",
        f"{meetings}:2: chaired_by_service: ‘maybe’ is not allowed: use true or false",
        f"{meetings}:3: case_reference: NOPE is neither in the cases file nor in the product",
    ]
    assert problems[-1].endswith("5 problems found: nothing was imported.")


def test_service_must_exist(cases_file):
    assert "--service:0: -: there is no LADO service named ‘Nowhere’ (the LADO services are: none yet)" in refused(
        cases=cases_file(ROW), service="Nowhere")


def test_several_services_need_choosing(cases_file):
    AgencyFactory(name="North LADO", kind=AgencyKind.LADO_SERVICE)
    AgencyFactory(name="South LADO", kind=AgencyKind.LADO_SERVICE)
    path = cases_file(ROW)
    assert ("--service:0: -: the product has 2 LADO services (North LADO, South LADO): choose one with --service"
            in refused(cases=path))
    run = run_import(cases=path, service="south lado")
    assert run.ok, run.err
    assert Referral.objects.get().lado_service.name == "South LADO"


def test_by_must_name_a_user(cases_file):
    assert "--by:0: -: there is no user with the username ‘ghost’" in refused(cases=cases_file(ROW), by="ghost")


def test_json_lines_problems(tmp_path):
    path = tmp_path / "export.jsonl"
    good = {**{k: (v or None) for k, v in ROW.items()}, "children_count": 1, "meetings": [], "deadlines": []}
    lines = [
        json.dumps(good),
        "{not json",
        json.dumps({**good, "reference": "MAS-2024-00002", "colour": "blue"}),
        json.dumps({**good, "reference": "MAS-2024-00003", "children_count": 1.5,
                    "meetings": [{**{k: v for k, v in MEETING.items() if k != "case_reference"}, "chaired_by_service": "no"}]}),
    ]
    path.write_text("\n".join(lines) + "\n")
    problems = refused(cases=path)
    assert problems[0].startswith(f"{path}:2: -: not a line of JSON:")
    assert f"{path}:3: colour: unknown column (the columns are {', '.join(CASE_COLUMN_NAMES)})" in problems
    assert f"{path}:4: children_count: expected text, a whole number, true, false or null, not float" in problems
    assert f"{path}:4: meetings[0].chaired_by_service: ‘no’ is not allowed: use true or false" in problems
