"""Dates typed in day, month and year boxes (and hour and minute): read day-first, refused in words, re-shown as typed."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django import forms
from django.template import engines

from config.forms_dates import GovukDateField, GovukDateTimeField
from tests.forms import typed, with_dates


class DateForm(forms.Form):
    date_of_birth = GovukDateField(label="Date of birth (optional)", required=False)
    meeting = GovukDateTimeField(label="When is the meeting?", what="The date of the meeting", required=False)
    due_on = GovukDateField(label="Due date", required=False)


def _clean(data):
    form = DateForm(data)
    form.is_valid()
    return form


def _render(bound_field):
    env = engines["jinja2"].env
    return str(env.globals["govuk_field"](bound_field))


def test_a_real_date_is_read_day_first():
    form = _clean(typed("date_of_birth", "4", "3", "1980"))
    assert form.errors == {}
    assert form.cleaned_data["date_of_birth"] == dt.date(1980, 3, 4)  # 4 March, never 3 April


def test_leading_zeros_and_spaces_are_fine():
    assert _clean(typed("date_of_birth", " 07 ", "09", "2001")).cleaned_data["date_of_birth"] == dt.date(2001, 9, 7)


def test_all_boxes_empty_is_no_date_when_optional():
    assert _clean(typed("date_of_birth")).cleaned_data["date_of_birth"] is None


def test_a_required_date_left_empty_asks_for_it():
    class Required(forms.Form):
        due_on = GovukDateField(label="Due date")

    form = Required(typed("due_on"))
    assert not form.is_valid()
    assert form.errors["due_on"] == ["Enter due date"]


@pytest.mark.parametrize(("boxes", "message", "wrong"), [
    (("", "3", "1980"), "Date of birth must include a day", ("day",)),
    (("27", "", "1980"), "Date of birth must include a month", ("month",)),
    (("27", "3", ""), "Date of birth must include a year", ("year",)),
    (("", "", "1980"), "Date of birth must include a day and month", ("day", "month")),
    (("31", "2", "2026"), "Date of birth must be a real date", ("day",)),
    (("29", "2", "2025"), "Date of birth must be a real date", ("day",)),
    (("1", "13", "2026"), "Date of birth must be a real date", ("month",)),
    (("x", "3", "1980"), "Date of birth must be a real date", ("day",)),
    (("27", "3", "80"), "Year must include 4 numbers", ("year",)),
    (("27", "3", "19800"), "Year must include 4 numbers", ("year",)),
    (("27", "3", "1850"), "Date of birth must be after 1900", ("year",)),
])
def test_wrong_dates_say_what_is_wrong_and_which_box(boxes, message, wrong):
    form = _clean(typed("date_of_birth", *boxes))
    assert form.errors["date_of_birth"] == [message]
    assert form.fields["date_of_birth"].error_parts == wrong


def test_29_february_in_a_leap_year_is_a_real_date():
    assert _clean(typed("date_of_birth", "29", "2", "2024")).cleaned_data["date_of_birth"] == dt.date(2024, 2, 29)


def test_a_date_and_time_is_in_the_partnerships_time_zone():
    form = _clean(typed("meeting", "27", "7", "2026", "14", "05"))
    assert form.errors == {}
    value = form.cleaned_data["meeting"]
    assert value == dt.datetime(2026, 7, 27, 14, 5, tzinfo=ZoneInfo("Europe/London"))
    assert value.utcoffset() == dt.timedelta(hours=1)  # British Summer Time


@pytest.mark.parametrize(("boxes", "message", "wrong"), [
    (("27", "3", "2026", "", "30"), "The date of the meeting must include an hour", ("hour",)),
    (("27", "3", "2026", "", ""), "The date of the meeting must include an hour and minute", ("hour", "minute")),
    (("27", "3", "2026", "24", "00"), "The date of the meeting must be a real time", ("hour",)),
    (("27", "3", "2026", "9", "60"), "The date of the meeting must be a real time", ("minute",)),
    (("27", "3", "2026", "9", "am"), "The date of the meeting must be a real time", ("minute",)),
])
def test_wrong_times_say_what_is_wrong(boxes, message, wrong):
    form = _clean(typed("meeting", *boxes[:3], hour=boxes[3], minute=boxes[4]))
    assert form.errors["meeting"] == [message]
    assert form.fields["meeting"].error_parts == wrong


def test_the_boxes_are_the_govuk_date_input():
    html = _render(DateForm()["date_of_birth"])
    assert '<fieldset class="govuk-fieldset" role="group"' in html
    assert "Date of birth (optional)" in re.search(r"<legend.*?</legend>", html, re.S).group(0)
    assert "For example, 27 3 2026" in html
    assert 'type="date"' not in html
    for part, width in (("day", 2), ("month", 2), ("year", 4)):
        assert re.search(rf'class="govuk-input govuk-date-input__input govuk-input--width-{width}" '
                         rf'id="id_date_of_birth_{part}" name="date_of_birth_{part}" type="text" value="" inputmode="numeric"',
                         html)
    time_html = _render(DateForm()["meeting"])
    assert 'name="meeting_hour"' in time_html and 'name="meeting_minute"' in time_html
    assert "24-hour clock" in time_html


def test_an_initial_date_fills_the_boxes():
    form = DateForm(initial={"date_of_birth": dt.date(1980, 3, 27),
                             "meeting": dt.datetime(2026, 1, 5, 9, 30, tzinfo=dt.UTC)})
    html = _render(form["date_of_birth"])
    assert 'name="date_of_birth_day" type="text" value="27"' in html
    assert 'name="date_of_birth_month" type="text" value="3"' in html
    assert 'name="date_of_birth_year" type="text" value="1980"' in html
    meeting = _render(form["meeting"])
    assert 'name="meeting_hour" type="text" value="09"' in meeting  # 9:30 UTC is 9:30 in London in January


def test_on_error_only_the_wrong_box_is_marked_and_what_was_typed_is_kept():
    form = _clean(typed("date_of_birth", "31", "2", "198O"))  # a letter O in the year
    html = _render(form["date_of_birth"])
    assert "govuk-form-group--error" in html
    assert re.search(r'govuk-input--error" id="id_date_of_birth_year" name="date_of_birth_year" type="text" value="198O"', html)
    assert re.search(r'govuk-input--width-2" id="id_date_of_birth_day" name="date_of_birth_day" type="text" value="31"', html)
    assert html.count("govuk-input--error") == 1


def test_the_error_summary_links_to_the_first_wrong_box():
    env = engines["jinja2"].env
    form = _clean({**typed("date_of_birth", "27", "", ""), **typed("due_on", "40", "1", "2026")})
    summary = str(env.globals["govuk_error_summary"](form))
    assert '<a href="#id_date_of_birth_month">Date of birth must include a month and year</a>' in summary
    assert '<a href="#id_due_on_day">Due date must be a real date</a>' in summary


def test_an_error_about_the_whole_date_marks_every_box_and_links_to_the_day():
    form = _clean(typed("due_on", "1", "1", "2026"))
    form.add_error("due_on", "The due date must be today or in the future")
    html = _render(form["due_on"])
    assert html.count("govuk-input--error") == 3
    summary = str(engines["jinja2"].env.globals["govuk_error_summary"](form))
    assert 'href="#id_due_on_day"' in summary


def test_the_test_helper_posts_what_a_browser_posts():
    assert with_dates({"due_on": "2026-03-27", "note": "x"}) == {
        "due_on_day": "27", "due_on_month": "3", "due_on_year": "2026", "note": "x"}
    assert with_dates({"meeting": "2026-03-27T09:05"}) == {
        "meeting_day": "27", "meeting_month": "3", "meeting_year": "2026", "meeting_hour": "09", "meeting_minute": "05"}
