"""The pattern rule and telling one person across concerns (lowlevel.selectors): pure, no database."""

import datetime as dt

from lowlevel.selectors import Row, pattern, people, prompts_from, same_person

D = dt.date


def row(pk, occurred_on, *, agency=1, given="Chris", family="Lowe", dob=None, family_key="L"):
    return Row(pk=pk, given_name=given, family_name=family, date_of_birth=dob, agency_id=agency,
               agency_name=f"Agency {agency}", occurred_on=occurred_on, role="Teaching assistant", family_key=family_key)


def test_three_concerns_within_twelve_months_form_a_pattern():
    rows = [row(1, D(2025, 1, 10)), row(2, D(2025, 6, 1)), row(3, D(2026, 1, 9))]
    assert pattern(rows, count=3, months=12) == ["3 or more concerns within 12 months"]


def test_three_concerns_over_thirteen_months_do_not():
    rows = [row(1, D(2025, 1, 10)), row(2, D(2025, 6, 1)), row(3, D(2026, 2, 10))]
    assert pattern(rows, count=3, months=12) == []
    assert pattern(rows[:2], count=3, months=12) == []  # two are never three


def test_a_window_anywhere_in_the_concerns_counts():
    rows = [row(1, D(2022, 1, 1)), row(2, D(2025, 3, 1)), row(3, D(2025, 4, 1)), row(4, D(2025, 5, 1))]
    assert pattern(rows, count=3, months=12) == ["3 or more concerns within 12 months"]


def test_two_employers_form_a_pattern_however_far_apart():
    rows = [row(1, D(2023, 1, 10), agency=1), row(2, D(2025, 6, 1), agency=2)]
    assert pattern(rows, count=3, months=12) == ["concerns from 2 employers"]


def test_the_partnership_setting_decides_the_number_and_the_months():
    rows = [row(1, D(2025, 1, 10)), row(2, D(2025, 2, 20))]
    assert pattern(rows, count=2, months=1) == []
    assert pattern(rows, count=2, months=2) == ["2 or more concerns within 2 months"]


def test_one_person_by_nickname_and_sound_of_the_surname_not_by_surname_alone():
    robert = row(1, D(2025, 1, 1), given="Robert", family="Lowe")
    bob = row(2, D(2025, 2, 1), given="Bob", family="Lowe")
    jane = row(3, D(2025, 3, 1), given="Jane", family="Lowe")
    assert same_person(robert, bob)
    assert not same_person(robert, jane)
    assert sorted(len(p) for p in people([robert, bob, jane])) == [1, 2]


def test_dates_of_birth_decide_when_both_are_given():
    a = row(1, D(2025, 1, 1), dob=D(1990, 5, 4))
    b = row(2, D(2025, 2, 1), dob=D(1991, 5, 4))
    married = row(3, D(2025, 3, 1), family="Hart", family_key="HRT", dob=D(1990, 5, 4))
    assert not same_person(a, b)
    assert same_person(a, married)  # same first name and birthday, a new surname


def test_prompts_from_rows_name_the_person_and_the_concerns():
    rows = [row(1, D(2025, 1, 1), agency=1), row(2, D(2025, 2, 1), agency=2), row(9, D(2025, 2, 1), given="Kim",
                                                                              family="Other", family_key="0TR")]
    [prompt] = prompts_from(rows, (3, 12))
    assert prompt.name == "Chris Lowe" and prompt.concern_ids == (1, 2) and prompt.key == "1-2"
    assert prompt.employers == ("Agency 1", "Agency 2") and prompt.why == "concerns from 2 employers"
