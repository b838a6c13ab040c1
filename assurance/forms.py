"""Validation and normalisation only."""

from __future__ import annotations

from django import forms

from allegations.forms import SaneDatesMixin
from config.forms import LimitsInWords
from config.forms_dates import GovukDateField

from .models import Answer, Question


class RoundForm(LimitsInWords, SaneDatesMixin, forms.Form):
    title = forms.CharField(label="Title", max_length=200, help_text="For example, PiPoT assurance audit 2026",
                            error_messages={"required": "Enter a title for the round."})
    period = forms.CharField(label="Period the answers cover", max_length=60, help_text="For example, 2025 to 2026",
                             error_messages={"required": "Enter the period the answers cover."})
    due_on = GovukDateField(label="Answers due by", what="The date answers are due", error_messages={"required": "Enter the date answers are due."})
    introduction = forms.CharField(label="Introduction for the agencies (optional)", required=False,
                                   widget=forms.Textarea(attrs={"rows": 4}))


class RoundEditForm(RoundForm):
    reason = forms.CharField(label="Why are you changing the round?", max_length=300,
                             error_messages={"required": "Say why you are changing the round."})


class QuestionForm(LimitsInWords, forms.Form):
    text = forms.CharField(label="Question", widget=forms.Textarea(attrs={"rows": 3}),
                           error_messages={"required": "Enter the question."})
    kind = forms.ChoiceField(label="How is it answered?", choices=Question.Kind.choices, widget=forms.RadioSelect,
                             error_messages={"required": "Say how the question is answered."})
    order = forms.IntegerField(label="Position in the questionnaire (optional)", min_value=1, max_value=99,
                               required=False, widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}),
                               error_messages={"invalid": "Enter a whole number.", "min_value": "Enter 1 or more.",
                                               "max_value": "Enter 99 or less."})


class AgenciesForm(LimitsInWords, forms.Form):
    agencies = forms.ModelMultipleChoiceField(
        label="Which agencies should answer?", queryset=None, widget=forms.CheckboxSelectMultiple, required=True,
        error_messages={"required": "Choose at least one agency."},
    )

    def __init__(self, *args, agencies, locked=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agencies"].queryset = agencies
        self.locked = set(locked)
        if self.locked:  # once sent, the form only adds agencies: choosing none adds none
            self.fields["agencies"].required = False


class AnswersForm(LimitsInWords, forms.Form):
    """One field pair per question: yes/no radios and comments, or a written answer."""

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for n, q in enumerate(questions, start=1):
            if q.is_yes_no:
                self.fields[f"q{q.pk}"] = forms.ChoiceField(
                    label=f"{n}. {q.text}", choices=Answer.YesNo.choices, widget=forms.RadioSelect, required=False)
                self.fields[f"q{q.pk}_text"] = forms.CharField(
                    label=f"Comments on question {n} (optional)", required=False, widget=forms.Textarea(attrs={"rows": 4}))
            elif q.is_numbers:
                for name, label in Answer.NUMBER_FIELDS:
                    self.fields[f"q{q.pk}_{name}"] = forms.IntegerField(
                        label=f"{label} (question {n})", required=False, min_value=0, max_value=100000,
                        widget=forms.NumberInput(attrs={"class": "govuk-input--width-5", "inputmode": "numeric"}),
                        error_messages={"invalid": f"Enter the number of {label.lower()} as a whole number, like 12.",
                                        "min_value": f"Enter the number of {label.lower()}: 0 or more.",
                                        "max_value": f"Enter the number of {label.lower()}: 100,000 or less."})
                self.fields[f"q{q.pk}_text"] = forms.CharField(
                    label=f"Comments on question {n} (optional)", required=False, widget=forms.Textarea(attrs={"rows": 4}),
                    help_text="For example, how many people had more than one allegation.")
            else:
                self.fields[f"q{q.pk}_text"] = forms.CharField(
                    label=f"{n}. {q.text}", required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def answers(self) -> dict[int, dict]:
        data = self.cleaned_data
        out = {}
        for q in self.questions:
            out[q.pk] = {"yes_no": data.get(f"q{q.pk}", "") or "", "text": data.get(f"q{q.pk}_text", "") or ""}
            if q.is_numbers:
                out[q.pk].update({name: data.get(f"q{q.pk}_{name}") for name, _ in Answer.NUMBER_FIELDS})
        return out
