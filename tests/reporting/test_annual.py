"""annual_report(year): the counts of annual-report.md on small hand-made histories.

Quarter and year edges are local (Europe/London) wall-clock times, on both sides of the clock
changes; durations are the stored whole calendar months; a closed referral without a police or
employer outcome counts under "none". The sample import is compared key by key in test_sample.py.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from allegations.models import ContactType
from meetings.models import MeetingStatus
from reporting.annual import annual_report, report_history
from tests.reporting.factories import closed_case, contact, held_meeting, local, regulator_referral

pytestmark = pytest.mark.django_db

SPEC_KEYS = [
    "year", "period", "advice", "referrals_contemporaneous", "referrals_non_recent", "referrals_by_sector",
    "referrals_by_category", "meetings", "closed", "outcomes", "police_outcomes", "employer_outcomes",
    "duration_of_closed", "dbs_referrals", "regulator_referrals", "referral_timeliness", "transfers",
    "workforce",  # which workforce it counts: after the spec's keys
]


def test_an_empty_year_has_every_key_with_zeros(partnership):
    report = annual_report(2022)
    assert list(report) == SPEC_KEYS
    assert report["year"] == "2022/23"
    assert report["period"] == {"start": "2022-04-01", "end": "2023-03-31"}
    assert report["advice"] == {
        "by_quarter": [0, 0, 0, 0], "total": 0,
        "history": {"2018/19": [0] * 4, "2019/20": [0] * 4, "2020/21": [0] * 4, "2021/22": [0] * 4, "2022/23": [0] * 4},
    }
    assert list(report["advice"]["history"]) == ["2018/19", "2019/20", "2020/21", "2021/22", "2022/23"]
    assert list(report["referrals_by_sector"])[:3] == ["education", "early_years", "fostering"]
    assert len(report["referrals_by_sector"]) == 18 and set(report["referrals_by_sector"].values()) == {0}
    assert report["referrals_by_category"] == {"physical": 0, "sexual": 0, "emotional": 0, "neglect": 0, "suitability": 0}
    assert report["meetings"] == {"strategy_discussions_chaired": 0, "contemporaneous": {"initial": 0, "review": 0},
                                  "non_recent": {"initial": 0, "review": 0}}
    assert report["closed"] == {"contemporaneous": 0, "non_recent": 0}
    assert list(report["outcomes"]["non_recent"]) == ["substantiated", "unsubstantiated", "unfounded", "false",
                                                      "malicious", "no_outcome"]
    assert list(report["police_outcomes"]["contemporaneous"]) == ["no_police_action", "investigation_nfa", "caution",
                                                                  "prosecution", "none"]
    assert list(report["employer_outcomes"]["contemporaneous"]) == [
        "dismissed", "resigned", "sanction", "support_training", "no_sanction", "not_employed", "ceased_use", "none"]
    assert list(report["duration_of_closed"]["non_recent"]) == [
        "under_1_month", "1_to_3_months", "3_to_6_months", "6_to_12_months", "1_year_plus"]
    assert report["dbs_referrals"] == 0 and report["regulator_referrals"] == 0
    assert report["referral_timeliness"] == {"within_1_working_day": 0, "later": 0, "unknown": 0}
    assert report["workforce"] == "both"
    json.dumps(report)  # plain JSON types only


@pytest.mark.parametrize(("received", "year", "quarter"), [
    (local(2022, 4, 1, 0, 0), 2022, 0),  # 31 March 23:00 UTC: already the new year (BST)
    (local(2022, 3, 31, 23, 59, 59), 2021, 3),
    (local(2022, 6, 30, 23, 30), 2022, 0),  # 22:30 UTC
    (local(2022, 7, 1, 0, 30), 2022, 1),  # 30 June 23:30 UTC
    (local(2022, 9, 30, 23, 59), 2022, 1),
    (local(2022, 10, 1, 0, 15), 2022, 2),  # 30 September 23:15 UTC
    (local(2022, 12, 31, 23, 59), 2022, 2),  # GMT
    (local(2023, 1, 1, 0, 0), 2022, 3),
    (local(2023, 3, 26, 0, 30), 2022, 3),  # the night the clocks go forward
    (local(2023, 3, 31, 23, 30), 2022, 3),  # 22:30 UTC on the last day
    (local(2023, 4, 1, 0, 30), 2023, 0),  # 31 March 23:30 UTC: the next year
    (local(2022, 10, 30, 1, 30, fold=1), 2022, 2),  # the repeated hour when the clocks go back
])
def test_a_contact_counts_in_the_quarter_of_its_local_date(lado_service, received, year, quarter):
    contact(lado_service=lado_service, received_at=received, contact_type=ContactType.ADVICE)
    expected = [0, 0, 0, 0]
    expected[quarter] = 1
    report = annual_report(year)
    assert report["advice"]["by_quarter"] == expected
    assert report["advice"]["total"] == 1
    assert report["advice"]["history"][report["year"]] == expected
    other = annual_report(year + 1 if year == 2022 else year - 1)
    assert other["advice"]["by_quarter"] == [0, 0, 0, 0]


def test_contacts_split_by_type_and_timing_with_five_years_of_history(lado_service):
    for received in (local(2022, 5, 1, 10), local(2022, 8, 1, 10), local(2022, 8, 2, 10)):
        contact(lado_service=lado_service, received_at=received, timing="contemporaneous", sector="health",
                category="sexual")
    contact(lado_service=lado_service, received_at=local(2023, 2, 1, 10), timing="non_recent", sector="faith",
            category="suitability")
    contact(lado_service=lado_service, received_at=local(2018, 4, 2, 9), timing="non_recent")  # 2018/19 Q1
    contact(lado_service=lado_service, received_at=local(2018, 3, 30, 9))  # 2017/18: before the history
    contact(lado_service=lado_service, received_at=local(2022, 5, 3, 10), contact_type=ContactType.TRANSFER)
    contact(lado_service=lado_service, received_at=local(2022, 5, 3, 10), contact_type=ContactType.NOT_ALLEGATION)
    contact(lado_service=lado_service, received_at=local(2020, 11, 3, 10), contact_type=ContactType.ADVICE)

    report = annual_report(2022)
    assert report["referrals_contemporaneous"]["by_quarter"] == [1, 2, 0, 0]
    assert report["referrals_contemporaneous"]["total"] == 3
    assert report["referrals_non_recent"]["by_quarter"] == [0, 0, 0, 1]
    assert report["referrals_non_recent"]["history"]["2018/19"] == [1, 0, 0, 0]
    assert sum(sum(v) for v in report["referrals_contemporaneous"]["history"].values()) == 3
    assert report["advice"]["history"]["2020/21"] == [0, 0, 1, 0]
    assert report["advice"]["total"] == 0
    assert report["referrals_by_sector"]["health"] == 3
    assert report["referrals_by_sector"]["faith"] == 1
    assert sum(report["referrals_by_sector"].values()) == 4  # transfers and not-allegations are not referrals
    assert report["referrals_by_category"] == {"physical": 0, "sexual": 3, "emotional": 0, "neglect": 0,
                                               "suitability": 1}


def test_referral_timeliness_counts_the_stored_measure(lado_service):
    # Thursday 17 November 2022, 10:00: within 1 working day = by the end of Friday 18th.
    contact(lado_service=lado_service, received_at=local(2022, 11, 18, 16), concern_arose_at=local(2022, 11, 17, 10))
    contact(lado_service=lado_service, received_at=local(2022, 11, 21, 9), concern_arose_at=local(2022, 11, 17, 10))
    contact(lado_service=lado_service, received_at=local(2022, 11, 21, 9))
    # Advice is not a referral: not counted.
    contact(lado_service=lado_service, received_at=local(2022, 11, 21, 9), contact_type=ContactType.ADVICE)
    assert annual_report(2022)["referral_timeliness"] == {"within_1_working_day": 1, "later": 1, "unknown": 1}


@pytest.mark.parametrize(("received", "closed", "bucket"), [
    (local(2022, 5, 10, 9), local(2022, 6, 9, 17), "under_1_month"),
    (local(2022, 1, 31, 9), local(2022, 4, 27, 17), "1_to_3_months"),  # 2 months 27 days
    (local(2022, 1, 31, 9), local(2022, 4, 30, 17), "3_to_6_months"),  # month ends: 31 Jan + 3 months = 30 Apr
    (local(2022, 1, 31, 9), local(2022, 5, 1, 9), "3_to_6_months"),  # 3 months 1 day
    (local(2022, 5, 31, 23, 30), local(2022, 11, 30, 12), "6_to_12_months"),  # 31 May late evening: 6 months
    (local(2022, 5, 1, 0, 30), local(2022, 10, 31, 23, 0), "3_to_6_months"),  # 5 months 30 days
    (local(2021, 6, 1, 9), local(2022, 5, 31, 17), "6_to_12_months"),  # 11 months 30 days
    (local(2021, 6, 1, 9), local(2022, 6, 1, 9), "1_year_plus"),
    (local(2019, 6, 1, 9), local(2022, 6, 1, 9), "1_year_plus"),
])
def test_duration_of_closed_uses_whole_calendar_months(lado_service, received, closed, bucket):
    closed_case(lado_service=lado_service, received_at=received, closed_at=closed)
    durations = annual_report(2022)["duration_of_closed"]
    assert durations["contemporaneous"][bucket] == 1
    assert sum(durations["contemporaneous"].values()) == 1
    assert sum(durations["non_recent"].values()) == 0


def test_closed_referrals_and_their_outcomes(lado_service):
    kw = {"lado_service": lado_service, "received_at": local(2021, 9, 1, 9)}
    closed_case(**kw, closed_at=local(2022, 4, 1, 0, 10), outcome="substantiated", police_outcome="caution",
                employer_outcome="dismissed", dbs_referral_on=dt.date(2022, 4, 20))
    closed_case(**kw, closed_at=local(2023, 3, 31, 23, 30), outcome="unfounded")  # no police or employer outcome
    closed_case(**kw, closed_at=local(2022, 12, 1, 12), timing="non_recent", outcome="no_outcome",
                police_outcome="investigation_nfa", employer_outcome="not_employed")
    closed_case(**kw, closed_at=local(2022, 3, 31, 23, 30), outcome="malicious")  # last year
    closed_case(**kw, closed_at=local(2023, 4, 1, 0, 5), outcome="false")  # next year
    still_open = closed_case(**kw, closed_at=None, dbs_referral_on=dt.date(2023, 3, 31))
    regulator_referral(still_open, dt.date(2022, 4, 1))
    regulator_referral(still_open, dt.date(2022, 6, 1))  # the same referral twice: counts once
    regulator_referral(still_open, dt.date(2022, 3, 31))  # last year

    report = annual_report(2022)
    assert report["closed"] == {"contemporaneous": 2, "non_recent": 1}
    assert report["outcomes"]["contemporaneous"] == {"substantiated": 1, "unsubstantiated": 0, "unfounded": 1,
                                                     "false": 0, "malicious": 0, "no_outcome": 0}
    assert report["outcomes"]["non_recent"]["no_outcome"] == 1
    assert report["police_outcomes"]["contemporaneous"] == {"no_police_action": 0, "investigation_nfa": 0,
                                                            "caution": 1, "prosecution": 0, "none": 1}
    assert report["police_outcomes"]["non_recent"]["investigation_nfa"] == 1
    assert report["employer_outcomes"]["contemporaneous"]["dismissed"] == 1
    assert report["employer_outcomes"]["contemporaneous"]["none"] == 1
    assert report["employer_outcomes"]["non_recent"]["not_employed"] == 1
    assert report["employer_outcomes"]["non_recent"]["none"] == 0
    assert report["dbs_referrals"] == 2
    assert report["regulator_referrals"] == 1
    assert annual_report(2021)["regulator_referrals"] == 1
    assert annual_report(2021)["outcomes"]["contemporaneous"]["malicious"] == 1


def test_meetings_held_in_the_year_by_the_timing_of_their_case(lado_service):
    kw = {"lado_service": lado_service, "received_at": local(2022, 4, 5, 9)}
    contemporaneous = closed_case(**kw)
    non_recent = closed_case(**kw, timing="non_recent")
    held_meeting(contemporaneous, kind="strategy_discussion", held_at=local(2022, 4, 6, 10))
    held_meeting(contemporaneous, kind="strategy_discussion", held_at=local(2022, 4, 7, 10), chaired_by_service=False)
    held_meeting(non_recent, kind="strategy_discussion", held_at=local(2022, 4, 8, 10))
    held_meeting(contemporaneous, kind="initial", held_at=local(2022, 4, 20, 10))
    held_meeting(contemporaneous, kind="review", held_at=local(2022, 5, 20, 10))
    held_meeting(contemporaneous, kind="review", held_at=local(2023, 3, 31, 23, 30))
    held_meeting(contemporaneous, kind="review", held_at=local(2023, 4, 1, 0, 30))  # next year
    held_meeting(non_recent, kind="initial", held_at=local(2022, 6, 1, 10))
    held_meeting(non_recent, kind="review", held_at=local(2022, 7, 1, 10), status=MeetingStatus.CANCELLED)
    held_meeting(non_recent, kind="review", held_at=local(2022, 7, 2, 10), status=MeetingStatus.SCHEDULED)
    assert annual_report(2022)["meetings"] == {
        "strategy_discussions_chaired": 2,
        "contemporaneous": {"initial": 1, "review": 2},
        "non_recent": {"initial": 1, "review": 0},
    }


def test_the_report_is_a_handful_of_queries_whatever_the_number_of_records(lado_service, django_assert_max_num_queries):
    for month in range(4, 13):
        case = closed_case(lado_service=lado_service, received_at=local(2022, month, 3, 9),
                           closed_at=local(2022, month, 20, 9), dbs_referral_on=dt.date(2022, month, 21))
        held_meeting(case, kind="initial", held_at=local(2022, month, 4, 10))
        contact(lado_service=lado_service, received_at=local(2022, month, 5, 9), contact_type=ContactType.ADVICE)
    annual_report(2022)  # the partnership row is read once per report
    with django_assert_max_num_queries(7):
        report = annual_report(2022)
    assert report["closed"]["contemporaneous"] == 9
    assert report["advice"]["total"] == 9


def test_report_history_gives_five_years_of_durations_and_referrals_to_the_dbs(lado_service):
    closed_case(lado_service=lado_service, received_at=local(2018, 5, 1, 9), closed_at=local(2018, 5, 20, 9),
                dbs_referral_on=dt.date(2019, 3, 31))
    closed_case(lado_service=lado_service, received_at=local(2021, 5, 1, 9), closed_at=local(2022, 6, 1, 9),
                timing="non_recent", dbs_referral_on=dt.date(2022, 4, 1))
    case = closed_case(lado_service=lado_service, received_at=local(2017, 5, 1, 9), closed_at=local(2018, 3, 31, 9))
    regulator_referral(case, dt.date(2020, 1, 1))
    history = report_history(2022)
    assert history["years"] == ["2018/19", "2019/20", "2020/21", "2021/22", "2022/23"]
    assert history["duration_of_closed"]["contemporaneous"]["under_1_month"] == [1, 0, 0, 0, 0]
    assert history["duration_of_closed"]["non_recent"]["1_year_plus"] == [0, 0, 0, 0, 1]
    assert history["dbs_referrals"] == [1, 0, 0, 0, 1]
    assert history["regulator_referrals"] == [0, 1, 0, 0, 0]
