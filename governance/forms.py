"""Validation and normalisation only."""

from __future__ import annotations

from django import forms

from config.forms import LimitsInWords
from config.forms_dates import GovukDateField

from .models import RetentionFrom


class ReasonForm(LimitsInWords, forms.Form):
    reason = forms.CharField(
        label="Why should this record be deleted?", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example, which retention rule it is past and what you checked. Do not write names.",
        error_messages={"required": "Enter why the record should be deleted"},
    )

    def clean_reason(self):
        value = self.cleaned_data["reason"].replace("\x00", "").strip()
        if not value:
            raise forms.ValidationError("Enter why the record should be deleted")
        return value


class DecisionForm(LimitsInWords, forms.Form):
    decision = forms.ChoiceField(
        label="Your decision", widget=forms.RadioSelect,
        choices=[("approve", "Approve: delete the record and everything under it"), ("reject", "Reject: keep the record")],
        error_messages={"required": "Select whether to approve or reject the deletion"},
    )
    reason = forms.CharField(label="Why (optional when approving)", required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self):
        data = super().clean()
        data["reason"] = (data.get("reason") or "").replace("\x00", "").strip()
        if data.get("decision") == "reject" and not data["reason"]:
            self.add_error("reason", "Enter why the record should be kept")
        return data


class RetentionRuleForm(LimitsInWords, forms.Form):
    years = forms.IntegerField(label="Years", min_value=1, max_value=100,
                               widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
                               error_messages={"required": "Enter the number of years",
                                               "invalid": "Enter the number of years as a whole number",
                                               "min_value": "Enter 1 year or more", "max_value": "Enter 100 years or fewer"})
    counted_from = forms.ChoiceField(label="Counted from", choices=RetentionFrom.choices, widget=forms.RadioSelect)
    until_retirement_age = forms.BooleanField(label="Or until the subject's normal retirement age, if later",
                                              required=False)
    basis = forms.CharField(label="Why this period", required=False, max_length=2000,
                            widget=forms.Textarea(attrs={"rows": 2}))
    reason = forms.CharField(label="Why are you changing it?", max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": "Enter why the rule is changing"})

    def clean_basis(self):
        return self.cleaned_data["basis"].replace("\x00", "").strip()

    def clean_reason(self):
        value = self.cleaned_data["reason"].replace("\x00", "").strip()
        if not value:
            raise forms.ValidationError("Enter why the rule is changing")
        return value


class SubjectSearchForm(LimitsInWords, forms.Form):
    given_name = forms.CharField(label="First name", max_length=100, required=False)
    family_name = forms.CharField(label="Last name", max_length=100,
                                  error_messages={"required": "Enter the person's last name"})
    date_of_birth = GovukDateField(label="Date of birth (optional)", required=False,
                                    example="For example, 27 3 1980")

    def clean_given_name(self):
        return self.cleaned_data["given_name"].replace("\x00", "").strip()

    def clean_family_name(self):
        value = self.cleaned_data["family_name"].replace("\x00", "").strip()
        if not value:
            raise forms.ValidationError("Enter the person's last name")
        return value
