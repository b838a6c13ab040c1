"""Dates typed the British way: the GOV.UK date input (day, month, year; with hour and minute where time matters).

Never the browser's date picker: it shows the browser's own order (mm/dd/yyyy in an American-set browser), so
"27 3" could be read month-first without a word. Here each part has its own box, a date is read day-first, and
errors say which part is wrong ("Date of birth must include a month") and mark only that box.

Pattern: https://design-system.service.gov.uk/components/date-input/ (error messages as it lists them).

Rendering is in config/jinja2.py (`govuk_field` renders `govukDateInput` for these widgets); the error summary
links to the first wrong box (`#id_<field>_day`, `_month`, `_year`, `_hour`, `_minute`).
"""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.db import models
from django.forms.utils import from_current_timezone
from django.utils import timezone

DATE_PARTS = ("day", "month", "year")
TIME_PARTS = ("hour", "minute")
EARLIEST_YEAR = 1900
_DIGITS = re.compile(r"\d+")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?")


class GovukDateWidget(forms.MultiWidget):
    """Three text boxes named <name>_day, <name>_month, <name>_year (ids id_<name>_day ...)."""

    parts = DATE_PARTS

    def __init__(self, attrs=None):
        super().__init__({part: forms.TextInput(attrs={"inputmode": "numeric"}) for part in self.parts}, attrs)

    def decompress(self, value):
        value = _as_value(value, with_time=len(self.parts) > 3)
        if value is None:
            return [None] * len(self.parts)
        if isinstance(value, dt.datetime):
            value = timezone.localtime(value) if timezone.is_aware(value) else value
            return [str(value.day), str(value.month), str(value.year), f"{value.hour:02d}", f"{value.minute:02d}"]
        return [str(value.day), str(value.month), str(value.year)]

    def id_for_label(self, id_):
        return f"{id_}_{self.parts[0]}" if id_ else id_


class GovukDateTimeWidget(GovukDateWidget):
    """Five boxes: day, month, year, then hour and minute on the 24-hour clock."""

    parts = DATE_PARTS + TIME_PARTS


def _as_value(value, *, with_time: bool):
    """A date/datetime from an initial value (a date, a datetime or an ISO string); None if there is none."""
    if value in (None, "") or isinstance(value, (list, tuple)):
        return None
    if isinstance(value, str):
        text = value.strip()
        try:
            if _ISO_DATETIME.fullmatch(text):
                parsed = dt.datetime.fromisoformat(text)
                return parsed if with_time else parsed.date()
            if _ISO_DATE.fullmatch(text):
                return dt.date.fromisoformat(text)
        except ValueError:
            return None
        return None
    if with_time and isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime.combine(value, dt.time(0, 0))
    return value


def _join(parts: list[str]) -> str:
    """["day", "year"] → "a day and year"; ["hour"] → "an hour"."""
    article = "an" if parts[0] == "hour" else "a"
    words = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"{article} {words}"


def subject_from_label(label: str | None) -> str:
    """"Date of birth (optional)" → "Date of birth"; a question ("When did it arise?") → "The date"."""
    text = re.sub(r"\s*\([^)]*\)\s*", " ", str(label or "")).strip()
    if not text or text.endswith("?"):
        return "The date"
    return text


class GovukDateField(forms.Field):
    """A date typed in three boxes, read day-first, with GOV.UK error messages.

    `what` names the date in messages ("Date of birth must include a month"); by default it comes from the label.
    `error_parts` says, after cleaning, which boxes are wrong (the adapter marks only those).
    """

    widget = GovukDateWidget
    parts = DATE_PARTS
    example = "For example, 27 3 2026"

    def __init__(self, *, what: str | None = None, example: str | None = None, **kwargs):
        self.what = what
        if example is not None:
            self.example = example
        super().__init__(**kwargs)
        self.error_parts: tuple[str, ...] = ()

    # --- messages ---------------------------------------------------------------------------------

    @property
    def subject(self) -> str:
        return self.what or subject_from_label(self.label)

    def _error(self, message: str, parts, code: str) -> forms.ValidationError:
        self.error_parts = tuple(p for p in self.parts if p in parts)
        return forms.ValidationError(message, code=code)

    def validate(self, value):
        if value in self.empty_values and self.required:
            self.error_parts = ()
            message = self.error_messages.get("required")
            if message is None or str(message) == str(forms.Field.default_error_messages["required"]):
                subject = self.subject
                message = f"Enter {subject[0].lower() + subject[1:]}"
            raise forms.ValidationError(message, code="required")

    # --- reading the boxes -----------------------------------------------------------------------------

    def to_python(self, value):
        self.error_parts = ()
        if isinstance(value, (dt.date, dt.datetime)) or isinstance(value, str):
            if value in self.empty_values:
                return None
            parsed = _as_value(value, with_time=len(self.parts) > 3)
            if parsed is None:
                raise self._error(f"{self.subject} must be a real date", self.parts, "invalid")
            return self._finish(parsed)
        if not isinstance(value, (list, tuple)):
            return None
        texts = dict(zip(self.parts, ((str(v).strip() if v is not None else "") for v in value)))
        if not any(texts.values()):
            return None
        missing = [p for p in self.parts if not texts.get(p)]
        if missing:
            raise self._error(f"{self.subject} must include {_join(missing)}", missing, "incomplete")
        not_numbers = [p for p in self.parts if not _DIGITS.fullmatch(texts[p])]
        if not_numbers:
            what = "time" if set(not_numbers) <= set(TIME_PARTS) else "date"
            raise self._error(f"{self.subject} must be a real {what}", not_numbers, "invalid")
        numbers = {p: int(texts[p]) for p in self.parts}
        if len(texts["year"]) != 4:
            raise self._error("Year must include 4 numbers", ["year"], "year")
        if not 1 <= numbers["month"] <= 12:
            raise self._error(f"{self.subject} must be a real date", ["month"], "invalid")
        try:
            day = dt.date(numbers["year"], numbers["month"], numbers["day"])
        except ValueError:
            raise self._error(f"{self.subject} must be a real date", ["day"], "invalid") from None
        if day.year < EARLIEST_YEAR:
            raise self._error(f"{self.subject} must be after {EARLIEST_YEAR}", ["year"], "too_early")
        if len(self.parts) == 3:
            return day
        bad_time = [p for p, top in (("hour", 23), ("minute", 59)) if numbers[p] > top]
        if bad_time:
            raise self._error(f"{self.subject} must be a real time", bad_time, "invalid")
        try:
            return from_current_timezone(dt.datetime.combine(day, dt.time(numbers["hour"], numbers["minute"])))
        except forms.ValidationError:
            raise self._error(f"{self.subject} must be a real time (the clocks change then)", TIME_PARTS, "invalid") from None

    def _finish(self, value):
        if isinstance(value, dt.datetime):
            return value.date()
        return value

    def has_changed(self, initial, data):
        kept = self.error_parts  # what clean() found stays for the page
        try:
            value = self.to_python(data)
        except forms.ValidationError:
            return True
        finally:
            self.error_parts = kept
        return _as_value(initial, with_time=len(self.parts) > 3) != value

    def hint(self, help_text: str | None) -> str:
        """The hint under the legend: the field's own words, then the example."""
        text = str(help_text or "").strip()
        if not text:
            return self.example
        if "for example" in text.lower() and re.search(r"\d", text):
            return text
        return f"{text.rstrip('.')}. {self.example}"


class GovukDateTimeField(GovukDateField):
    """A date and a time (hour and minute, 24-hour clock) in the current time zone."""

    widget = GovukDateTimeWidget
    parts = DATE_PARTS + TIME_PARTS
    example = "For example, 27 3 2026, 14 30 (use the 24-hour clock)"

    def _finish(self, value):
        if isinstance(value, dt.datetime):
            return value if timezone.is_aware(value) else from_current_timezone(value)
        return from_current_timezone(dt.datetime.combine(value, dt.time(0, 0)))


def govuk_formfield(db_field: models.Field, **kwargs):
    """`Meta.formfield_callback` for model forms: model dates and date-times get the GOV.UK date input."""
    if isinstance(db_field, (models.DateTimeField, models.DateField)):
        kwargs.pop("widget", None)  # the field brings its own boxes
        form_class = GovukDateTimeField if isinstance(db_field, models.DateTimeField) else GovukDateField
        return db_field.formfield(form_class=form_class, **kwargs)
    return db_field.formfield(**kwargs)


def date_parts(name: str, value: dt.date | dt.datetime | str | None) -> dict[str, str]:
    """What a browser posts for a date typed into the boxes: {"<name>_day": "27", ...} (tests and links use it)."""
    if isinstance(value, str) and value.strip():
        text = value
        value = _as_value(text, with_time="T" in text or " " in text.strip())
        if value is None:
            raise ValueError(f"not a date: {text!r}")
    if value in (None, ""):
        return {f"{name}_{p}": "" for p in DATE_PARTS}
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return {
            f"{name}_day": str(value.day), f"{name}_month": str(value.month), f"{name}_year": str(value.year),
            f"{name}_hour": f"{value.hour:02d}", f"{name}_minute": f"{value.minute:02d}",
        }
    return {f"{name}_day": str(value.day), f"{name}_month": str(value.month), f"{name}_year": str(value.year)}
