"""Forms after the outcome: its checklist, complaints, reopening and amending (outcomes.py). Validation only."""

from __future__ import annotations

from django import forms

from config.forms import LimitsInWords
from config.forms_dates import GovukDateField

from .forms import SaneDatesMixin, not_future
from .models import Complaint, Outcome, OutcomeChecklistItem
from .outcomes import OUTCOME_DEFINITIONS


class ChecklistItemForm(LimitsInWords, forms.Form):
    state = forms.ChoiceField(
        label="Has this been done?", widget=forms.RadioSelect,
        choices=[(OutcomeChecklistItem.State.DONE, "Done"),
                 (OutcomeChecklistItem.State.NOT_APPLICABLE, "Not applicable"),
                 (OutcomeChecklistItem.State.PENDING, "Not yet (to do)")],
        error_messages={"required": "Choose whether it has been done."})
    note = forms.CharField(label="Note (required if not applicable)", required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           help_text="For example, who the employer referred to and when, or why it does not apply")

    def clean(self):
        data = super().clean()
        if data.get("state") == OutcomeChecklistItem.State.NOT_APPLICABLE and not (data.get("note") or "").strip():
            self.add_error("note", "Say why it does not apply.")
        return data


class ComplaintUpdateForm(LimitsInWords, SaneDatesMixin, forms.Form):
    stage = forms.ChoiceField(label="Stage", choices=Complaint.Stage.choices, widget=forms.RadioSelect,
                              error_messages={"required": "Choose the stage the complaint is at."})
    stage_started_on = GovukDateField(label="Date this stage started",
                                      error_messages={"required": "Enter the date this stage started."})
    result = forms.ChoiceField(label="Result at this stage (leave blank while it is looked into)", required=False,
                               choices=Complaint.Result.choices, widget=forms.RadioSelect)
    answered_on = GovukDateField(label="Date answered (optional)", required=False, what="The date answered")
    answer = forms.CharField(label="The answer given (optional)", required=False, max_length=5000,
                             widget=forms.Textarea(attrs={"rows": 4}))

    def clean_stage_started_on(self):
        return not_future(self.cleaned_data.get("stage_started_on"), "The date")

    def clean_answered_on(self):
        return not_future(self.cleaned_data.get("answered_on"), "The date")

    def clean(self):
        data = super().clean()
        if data.get("result") and not data.get("answered_on") and "answered_on" not in self.errors:
            self.add_error("answered_on", "Enter the date the complaint was answered.")
        if data.get("answered_on") and not data.get("result") and "result" not in self.errors:
            self.add_error("result", "Choose the result.")
        return data


class ComplaintForm(ComplaintUpdateForm):
    received_on = GovukDateField(label="Date the complaint was received",
                                 error_messages={"required": "Enter the date the complaint was received."})
    made_by = forms.ChoiceField(label="Who made the complaint?", choices=Complaint.From.choices,
                                widget=forms.RadioSelect, error_messages={"required": "Choose who made the complaint."})
    complainant = forms.CharField(label="Their name or agency (optional)", required=False, max_length=150)
    about = forms.ChoiceField(label="What is it about?", choices=Complaint.About.choices, widget=forms.RadioSelect,
                              error_messages={"required": "Choose what the complaint is about."})
    summary = forms.CharField(label="What the complaint says", max_length=5000, widget=forms.Textarea(attrs={"rows": 4}),
                              error_messages={"required": "Summarise the complaint."})
    stage_started_on = GovukDateField(label="Date this stage started (optional: the date received)", required=False,
                                      what="The date this stage started")

    field_order = ["received_on", "made_by", "complainant", "about", "summary", "stage", "stage_started_on",
                   "result", "answered_on", "answer"]

    def clean_received_on(self):
        return not_future(self.cleaned_data.get("received_on"), "The date")


def _complaint_field(complaints) -> forms.ModelChoiceField:
    field = forms.ModelChoiceField(label="Did a complaint lead to this? (optional)", queryset=complaints,
                                   required=False, empty_label="No",
                                   error_messages={"invalid_choice": "Choose a complaint from the list."})
    field.label_from_instance = lambda c: f"{c.get_made_by_display()}, received {c.received_on.day} " \
                                          f"{c.received_on:%B %Y} ({c.get_result_display().lower() or 'open'})"
    return field


class ReopenForm(LimitsInWords, forms.Form):
    reason = forms.CharField(label="Why is the case reopened?", max_length=5000, widget=forms.Textarea(attrs={"rows": 4}),
                             error_messages={"required": "Say why the case is reopened."})

    def __init__(self, *args, complaints, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["complaint"] = _complaint_field(complaints)


class AmendOutcomeForm(LimitsInWords, forms.Form):
    outcome = forms.ChoiceField(label="The amended outcome", choices=Outcome.choices, widget=forms.RadioSelect,
                                error_messages={"required": "Choose the outcome."})
    reason = forms.CharField(label="Why is the outcome amended?", max_length=5000,
                             widget=forms.Textarea(attrs={"rows": 4}),
                             error_messages={"required": "Say why the outcome is amended."})

    def __init__(self, *args, complaints, current: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = [(v, label) for v, label in Outcome.choices if v != current]
        self.fields["outcome"].choice_hints = {str(k): v for k, v in OUTCOME_DEFINITIONS.items()}  # 003 §55
        self.fields["complaint"] = _complaint_field(complaints)
