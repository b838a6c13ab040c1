"""Complaints and reopened cases in the annual report (issue 16 §6; 002 §2.9): counted by the year received or
reopened, shown as a table on the page, in the spreadsheet and the PDF; the JSON of annual-report.md is unchanged."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from allegations import outcomes, services
from reporting.annual import annual_report, report_history
from reporting.tables import report_tables
from tests.allegations.factories import make_case, make_referral, tell_parents

pytestmark = pytest.mark.django_db


def _financial_year(day: dt.date) -> int:
    return day.year if day.month >= 4 else day.year - 1


def _closed_case(officer, manager_actor, referral, outcome):
    case = make_case(officer=officer, referral=referral)
    services.case_record_outcome(actor=officer, case=case, outcome=outcome, police_outcome="no_police_action",
                                 police_outcome_detail="", employer_outcome="no_sanction")
    tell_parents(case, officer)
    services.case_close(actor=officer, case=case, closed_at=timezone.now(), summary="Concluded.")
    case.refresh_from_db()
    return case


def test_complaints_and_reopened_cases_are_counted_in_their_year(agency_a_manager, lado_service, agency_a,
                                                                  lado_officer, lado_manager):
    today = timezone.localdate()
    year = _financial_year(today)
    cases = [_closed_case(lado_officer, lado_manager, make_referral(
        actor=agency_a_manager, lado_service=lado_service, agency=agency_a, given=given), "unfounded")
        for given in ("Alex", "Jordan")]
    first = outcomes.complaint_record(actor=lado_officer, case=cases[0], received_on=today, made_by="subject",
                                      complainant="", about="outcome", summary="Unfair.", stage="stage_1")
    outcomes.complaint_update(actor=lado_officer, complaint=first, stage="stage_2", stage_started_on=today,
                              result="partly_upheld", answered_on=today, answer="Meeting reconvened.")
    outcomes.complaint_record(actor=lado_officer, case=cases[1], received_on=today, made_by="parent",
                              complainant="", about="process", summary="Not told.", stage="informal",
                              result="withdrawn", answered_on=today)
    outcomes.complaint_record(actor=lado_officer, case=cases[1], received_on=today, made_by="agency",
                              complainant="Police", about="both", summary="Missed evidence.", stage="stage_1")
    outcomes.case_amend_outcome(actor=lado_manager, case=cases[0], outcome="unsubstantiated", reason="Complaint.",
                                complaint=first)
    outcomes.case_reopen(actor=lado_manager, case=cases[0], reason="Complaint partly upheld.")
    outcomes.case_reopen(actor=lado_manager, case=cases[1], reason="New evidence.")
    tell_parents(cases[1], lado_manager)
    services.case_close(actor=lado_manager, case=cases[1], closed_at=timezone.now(), summary="Again.")
    outcomes.case_reopen(actor=lado_manager, case=cases[1], reason="Reopened twice: counted once.")

    history = report_history(year)
    complaints = history["complaints"]
    assert [complaints[k][-1] for k in ("received", "upheld", "partly_upheld", "not_upheld", "withdrawn", "open",
                                        "later_stage")] == [3, 0, 1, 0, 1, 1, 1]
    assert complaints["received"][:-1] == [0, 0, 0, 0]  # the four years before
    assert history["reopened"][-1] == 2 and history["outcome_amended"][-1] == 1
    assert report_history(year - 1)["complaints"]["received"][-1] == 0
    assert "complaints" not in annual_report(year)  # the spec's JSON keeps its keys

    tables = {t.key: t for t in report_tables(annual_report(year), history)}
    table, reopened = tables["complaints"], tables["reopened"]
    rows = {row[0]: row[1:] for row in table.rows + reopened.rows}
    assert rows["Complaints received"][-1] == 3 and rows["Cases reopened"][-1] == 2
    assert table.section == reopened.section == "6. Complaints and reopened cases"


def test_the_report_page_shows_the_complaints_table(login, analyst):
    page = login(analyst).get(reverse("reporting:annual") + "?year=2022")
    assert page.status_code == 200
    assert b"Complaints and their results" in page.content and b"Reopened cases" in page.content
