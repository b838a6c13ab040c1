"""deadlines.timescales against the examples and rules of spec/deadlines.md.

Pure functions: no database, so these run in milliseconds.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from agencies.models import Partnership
from deadlines import timescales
from deadlines.models import Deadline
from deadlines.services import due_for

LONDON = ZoneInfo("Europe/London")
UTC = dt.UTC


def london(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=LONDON)


def end_of(year, month, day) -> dt.datetime:
    return dt.datetime(year, month, day, 23, 59, 59, tzinfo=LONDON)


# --- The worked examples of deadlines.md ------------------------------------------


def test_one_working_day_from_maundy_thursday_skips_good_friday_and_easter_monday():
    due = timescales.add_working_days(london(2025, 4, 17, 16, 30), 1)

    assert due == end_of(2025, 4, 22)
    # End of day is 23:59:59 local time, which is BST in April.
    assert due.astimezone(UTC) == dt.datetime(2025, 4, 22, 22, 59, 59, tzinfo=UTC)
    assert due.utcoffset() == dt.timedelta(hours=1)


def test_one_working_day_from_a_saturday_skips_the_early_may_bank_holiday():
    due = timescales.add_working_days(london(2025, 5, 3, 11, 0), 1)

    assert due == end_of(2025, 5, 6)


def test_seven_calendar_days_ends_in_gmt_after_the_clocks_go_back():
    due = timescales.add_days(london(2025, 10, 20, 10, 0), 7)

    assert due == end_of(2025, 10, 27)
    assert due.utcoffset() == dt.timedelta(0)
    assert due.astimezone(UTC) == dt.datetime(2025, 10, 27, 23, 59, 59, tzinfo=UTC)


def test_twenty_four_hours_is_elapsed_time_across_the_spring_clock_change():
    anchor = dt.datetime(2025, 3, 29, 10, 0, tzinfo=UTC)  # 10:00 GMT, Saturday

    due = timescales.add_hours(anchor, 24)

    assert due - anchor == dt.timedelta(hours=24)
    local = due.astimezone(LONDON)
    assert (local.date(), local.hour, local.minute) == (dt.date(2025, 3, 30), 11, 0)
    assert local.utcoffset() == dt.timedelta(hours=1)  # BST


@pytest.mark.parametrize(
    ("anchor", "expected_local"),
    [
        # Received Saturday 29 March 2025 10:00 GMT (local, as imports give it); clocks go forward
        # at 01:00 GMT on Sunday: 24 elapsed hours end at 11:00 BST, not 10:00 BST (23 hours).
        (london(2025, 3, 29, 10, 0), dt.datetime(2025, 3, 30, 11, 0)),
        # Received Saturday 25 October 2025 10:00 BST; clocks go back at 02:00 BST on Sunday:
        # 24 elapsed hours end at 09:00 GMT, not 10:00 GMT (25 hours).
        (london(2025, 10, 25, 10, 0), dt.datetime(2025, 10, 26, 9, 0)),
    ],
    ids=["spring-forward", "autumn-back"],
)
def test_twenty_four_hours_from_a_local_anchor_is_elapsed_time_across_both_clock_changes(anchor, expected_local):
    due = timescales.add_hours(anchor, 24)

    assert due.astimezone(UTC) - anchor.astimezone(UTC) == dt.timedelta(hours=24)
    assert due.astimezone(LONDON).replace(tzinfo=None) == expected_local


# --- Working days ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("anchor", "expected"),
    [
        # The Queen's state funeral, Monday 19 September 2022 (a one-off bank holiday).
        (london(2022, 9, 16, 9, 0), end_of(2022, 9, 20)),
        # The coronation of King Charles III, Monday 8 May 2023 (a one-off bank holiday).
        (london(2023, 5, 5, 9, 0), end_of(2023, 5, 9)),
    ],
    ids=["state-funeral-2022", "coronation-2023"],
)
def test_one_off_bank_holidays_are_not_working_days(anchor, expected):
    assert timescales.add_working_days(anchor, 1) == expected


@pytest.mark.parametrize("day", [dt.date(2022, 9, 19), dt.date(2023, 5, 8)])
def test_one_off_bank_holidays_are_known_to_the_calendar(day):
    assert day.weekday() == 0  # both fell on a Monday
    assert not timescales.is_working_day(day, "ENG")


def test_second_of_january_is_a_holiday_in_scotland_but_not_in_england():
    second = dt.date(2025, 1, 2)  # a Thursday

    assert timescales.is_working_day(second, "ENG")
    assert not timescales.is_working_day(second, "SCT")


def test_working_days_follow_the_partnership_nation():
    new_year = london(2025, 1, 1, 10, 0)

    assert timescales.add_working_days(new_year, 1, nation="ENG") == end_of(2025, 1, 2)
    assert timescales.add_working_days(new_year, 1, nation="SCT") == end_of(2025, 1, 3)


def test_deadline_due_for_uses_the_partnership_nation_setting():
    anchor = london(2025, 1, 1, 10, 0)
    england = Partnership(name="England", nation="ENG")
    scotland = Partnership(name="Scotland", nation="SCT")

    # employer_action is 3 working days (003 §40): Thu 2, Fri 3, Mon 6 in England; Fri 3, Mon 6, Tue 7 in Scotland.
    assert due_for(Deadline.Kind.EMPLOYER_ACTION, anchor, england) == end_of(2025, 1, 6)
    assert due_for(Deadline.Kind.EMPLOYER_ACTION, anchor, scotland) == end_of(2025, 1, 7)


def test_working_days_count_from_the_local_date_not_the_utc_date():
    # 23:30 UTC on Monday 2 June is 00:30 BST on Tuesday 3 June: day one is Wednesday.
    anchor = dt.datetime(2025, 6, 2, 23, 30, tzinfo=UTC)

    assert timescales.add_working_days(anchor, 1) == end_of(2025, 6, 4)


def test_working_days_are_strictly_after_the_anchor_day_even_early_in_the_morning():
    assert timescales.add_working_days(london(2025, 6, 2, 0, 1), 1) == end_of(2025, 6, 3)


def test_seven_working_days_for_a_strategy_meeting_skip_the_easter_weekend():
    # Thu 17 Apr 2025: Tue 22, Wed 23, Thu 24, Fri 25, Mon 28, Tue 29, Wed 30.
    assert timescales.add_working_days(london(2025, 4, 17, 16, 30), 7) == end_of(2025, 4, 30)


def test_calendar_days_count_from_the_local_date():
    # 23:30 UTC on 30 June is already 1 July in London.
    anchor = dt.datetime(2025, 6, 30, 23, 30, tzinfo=UTC)

    assert timescales.add_days(anchor, 14) == end_of(2025, 7, 15)


# --- Time left, in words ------------------------------------------------------------

NOW = dt.datetime(2025, 6, 2, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("delta", "words"),
    [
        (dt.timedelta(hours=5), "Due in 5 hours"),
        (dt.timedelta(hours=5, minutes=59), "Due in 5 hours"),
        (dt.timedelta(hours=1), "Due in 1 hour"),
        (dt.timedelta(minutes=59), "Due in 59 minutes"),
        (dt.timedelta(minutes=1), "Due in 1 minute"),
        (dt.timedelta(seconds=20), "Due in 1 minute"),
        (dt.timedelta(hours=47), "Due in 47 hours"),
        (dt.timedelta(days=2), "Due in 2 days"),
        (dt.timedelta(days=6, hours=23), "Due in 6 days"),
        (-dt.timedelta(days=2), "Overdue by 2 days"),
        (-dt.timedelta(hours=3), "Overdue by 3 hours"),
        (-dt.timedelta(minutes=1), "Overdue by 1 minute"),
        (-dt.timedelta(days=1), "Overdue by 24 hours"),
    ],
)
def test_time_left_in_words(delta, words):
    assert timescales.time_left_in_words(NOW + delta, NOW) == words


def test_a_deadline_at_exactly_now_reads_as_overdue():
    # deadlines.md: overdue means "now at or after due".
    assert timescales.time_left_in_words(NOW, NOW).startswith("Overdue by")
