"""Limits said in words, and telephone numbers checked, UK or international."""

from __future__ import annotations

import pytest
from django import forms

from allegations.forms import ReferralForm
from config.forms import PHONE_EXAMPLE, LimitsInWords, TelephoneField, phone_normalise

pytestmark = pytest.mark.django_db


class NoteForm(LimitsInWords, forms.Form):
    role = forms.CharField(label="Role", max_length=100)
    nickname = forms.CharField(label="Also known as (optional)", max_length=20, required=False)
    with_whom = forms.CharField(label="Who was it with?", max_length=10, required=False)
    code = forms.CharField(label="Code", max_length=5, required=False,
                           error_messages={"max_length": "A code has 5 letters at most"})
    phone = TelephoneField(label="Phone number", required=False)


def test_a_limit_is_said_in_words_with_the_fields_name():
    form = NoteForm({"role": "x" * 101, "nickname": "y" * 21, "with_whom": "z" * 11, "code": "abcdef"})
    assert not form.is_valid()
    assert form.errors["role"] == ["Role must be 100 characters or fewer"]
    assert form.errors["nickname"] == ["Also known as must be 20 characters or fewer"]
    assert form.errors["with_whom"] == ["The answer to ‘Who was it with?’ must be 10 characters or fewer"]
    assert form.errors["code"] == ["A code has 5 letters at most"]  # a form's own words are kept


def test_exactly_at_the_limit_is_fine():
    assert NoteForm({"role": "x" * 100}).is_valid()


def test_every_limit_on_the_referral_form_is_in_words():
    form = ReferralForm({name: "x" * 1000 for name in ("referrer_name", "referrer_role", "given_name", "subject_role",
                                                     "employer_name", "registration_body")})
    form.is_valid()
    assert form.errors["referrer_role"] == ["Your role must be 150 characters or fewer"]
    assert form.errors["subject_role"] == ["Their role must be 150 characters or fewer"]
    assert form.errors["given_name"] == ["First name must be 100 characters or fewer"]
    assert form.errors["employer_name"] == ["Employer or organisation must be 200 characters or fewer"]
    for errors in form.errors.values():
        assert not any("Ensure this value" in str(e) for e in errors)


@pytest.mark.parametrize(("typed", "kept"), [
    ("01632 960 001", "01632 960001"),
    ("07700 900 982", "07700 900982"),
    ("07700900982", "07700 900982"),
    ("+44 808 157 0192", "0808 157 0192"),
    ("0044 808 157 0192", "0808 157 0192"),
    ("(0121) 496 0000", "0121 496 0000"),
    ("020 7946 0000", "020 7946 0000"),
    ("+33 1 23 45 67 89", "+33 1 23 45 67 89"),
    ("+1 202 555 0143", "+1 202-555-0143"),
])
def test_uk_and_international_numbers_are_accepted_and_written_the_usual_way(typed, kept):
    assert phone_normalise(typed) == kept
    form = NoteForm({"role": "Teacher", "phone": typed})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["phone"] == kept


@pytest.mark.parametrize("typed", ["12345", "999", "phone me", "0123", "+44 1234", "07700 900 982 982 982"])
def test_a_number_that_cannot_be_a_telephone_number_is_refused_with_examples(typed):
    form = NoteForm({"role": "Teacher", "phone": typed})
    assert not form.is_valid()
    assert form.errors["phone"] == [PHONE_EXAMPLE]
    assert PHONE_EXAMPLE == "Enter a telephone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192"


def test_an_empty_optional_number_is_fine():
    form = NoteForm({"role": "Teacher", "phone": ""})
    assert form.is_valid()
    assert form.cleaned_data["phone"] == ""


def test_the_referrers_phone_is_checked_on_the_referral_form():
    form = ReferralForm({"referrer_phone": "not a number"})
    form.is_valid()
    assert form.errors["referrer_phone"] == [PHONE_EXAMPLE]
    assert 'type="tel"' in _render(ReferralForm()["referrer_phone"])


def _render(bound_field):
    from django.template import engines

    return str(engines["jinja2"].env.globals["govuk_field"](bound_field))
