"""What every app's views share about forms."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import pretty_name


class FetchedChoiceIterator(forms.models.ModelChoiceIterator):
    """A ModelChoiceField's choices read in one ordinary query (``field.iterator = FetchedChoiceIterator``).

    Django reads them with ``QuerySet.iterator()``, which on PostgreSQL opens a server-side cursor (DECLARE … WITH
    HOLD, FETCH, CLOSE: three round trips, the rows kept at commit) for what is a handful of rows, such as a LADO
    service's officers."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


def apply_service_errors(form, error: ValidationError, field_for=lambda name: name) -> None:
    """Put a service's ValidationError on the form: on the field it names when the form has one
    (`field_for` maps a service's name to the form's), else at the top of the form."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            target = field_for(name)
            form.add_error(target if target in form.fields else None, errors)
    else:
        form.add_error(None, error)


# --- Limits in words -------------------------------------------------------------------------------------------
# GOV.UK error messages for text that is too long: "Role must be 100 characters or fewer", naming the field,
# not Django's "Ensure this value has at most 100 characters (it has 104)".
# https://design-system.service.gov.uk/components/text-input/#error-messages


def subject_of(label, name: str = "") -> str:
    """What a field is called in an error message: its label without "(optional)"; a question is quoted."""
    text = re.sub(r"\s*\([^)]*\)\s*", " ", str(label or pretty_name(name))).strip().rstrip(":")
    if not text:
        return "The answer"
    if text.endswith("?"):
        return f"The answer to ‘{text}’"
    return text


def limits_in_words(form) -> None:
    """Give every field with a length limit a message in words, unless the form gave it its own."""
    for name, field in form.fields.items():
        limit = getattr(field, "max_length", None)
        if limit and "max_length" not in field.error_messages:
            field.error_messages["max_length"] = f"{subject_of(field.label, name)} must be {limit:,} characters or fewer"


class LimitsInWords:
    """Form mixin: every length limit is said in words (limits_in_words)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limits_in_words(self)


# --- Telephone numbers ---------------------------------------------------------------------------------------------

PHONE_EXAMPLE = "Enter a telephone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192"

# Ofcom keeps these UK ranges for drama and examples (they are never given to anyone), so the library calls
# them invalid; the message's own examples come from them, so they are accepted.
# https://www.ofcom.org.uk/phones-and-broadband/phone-numbers/numbers-for-drama
_EXAMPLE_RANGES = ("1632960", "7700900", "2079460", "1134960", "1144960", "1154960", "1164960", "1174960",
                   "1184960", "1214960", "1314960", "1414960", "1514960", "1614960", "2896496", "2920180",
                   "1914980", "8081570", "9098790", "3069990")


def phone_normalise(text: str) -> str:
    """A UK or international telephone number written the usual way ("01632 960001", "+33 1 23 45 67 89");
    ValidationError if it is not one."""
    import phonenumbers

    try:
        number = phonenumbers.parse(text, "GB")
    except phonenumbers.NumberParseException:
        raise ValidationError(PHONE_EXAMPLE, code="invalid") from None
    uk = number.country_code == 44
    example = uk and phonenumbers.is_possible_number(number) and str(number.national_number).startswith(_EXAMPLE_RANGES)
    if not (phonenumbers.is_valid_number(number) or example):
        raise ValidationError(PHONE_EXAMPLE, code="invalid")
    style = phonenumbers.PhoneNumberFormat.NATIONAL if uk else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(number, style)


class TelephoneField(forms.CharField):
    """A telephone number, UK or international (with its country code), kept in the usual written form."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 40)
        super().__init__(**kwargs)
        self.widget.input_type = "tel"
        self.widget.attrs.update({"autocomplete": "tel"})

    def to_python(self, value):
        value = super().to_python(value)
        return phone_normalise(value) if value not in self.empty_values else value
