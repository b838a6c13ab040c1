"""Validation and normalisation only. Errors say what to do, in the users' words."""

from __future__ import annotations

from django import forms

from agencies.models import Agency
from allegations.forms import SaneDatesMixin, not_future
from allegations.models import Category, Timing, Workforce
from config.forms import LimitsInWords
from config.forms_dates import GovukDateField
from outbox.submissions import OneTimeTokenField


class ConcernForm(LimitsInWords, SaneDatesMixin, forms.Form):
    """A low-level concern: about a named person, below the harm thresholds (003 §10)."""

    agency = forms.ModelChoiceField(label="Which agency is recording it?", queryset=Agency.objects.none(),
                                    empty_label="Choose…",
                                    error_messages={"required": "Choose the agency.",
                                                    "invalid_choice": "Choose an agency from the list."})
    given_name = forms.CharField(label="First name", max_length=100,
                                 error_messages={"required": "Enter the person's first name."})
    family_name = forms.CharField(label="Last name", max_length=100,
                                  error_messages={"required": "Enter the person's last name."})
    date_of_birth = GovukDateField(label="Date of birth (optional)", required=False, example="For example, 27 3 1980",
                                   help_text="It helps the LADO service tell whether concerns are about the same person")
    role = forms.CharField(label="Their role", max_length=150,
                           error_messages={"required": "Enter the person's role, for example teaching assistant."})
    occurred_on = GovukDateField(label="When did it happen?", what="The date it happened",
                                 error_messages={"required": "Enter the date it happened."})
    what_happened = forms.CharField(label="What happened?", widget=forms.Textarea(attrs={"rows": 6}),
                                    help_text="Facts only: what, when, where and who was there.",
                                    error_messages={"required": "Describe what happened."})
    employer_action = forms.CharField(label="What action did you take as the employer?",
                                      widget=forms.Textarea(attrs={"rows": 4}),
                                      help_text="For example, a conversation about expected conduct, or training",
                                      error_messages={"required": "Say what action you took, or that you took none "
                                                                  "and why."})

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies
        only = list(agencies[:2])
        if len(only) == 1:
            self.fields["agency"].initial = only[0].pk

    def clean_date_of_birth(self):
        return not_future(self.cleaned_data.get("date_of_birth"), "The date of birth")

    def clean_occurred_on(self):
        return not_future(self.cleaned_data.get("occurred_on"), "The date it happened")


class OpenReferralForm(LimitsInWords, SaneDatesMixin, forms.Form):
    """The referral the LADO service opens from a pattern of concerns, prefilled from them."""

    form_token = OneTimeTokenField()  # pressing the button twice makes one referral
    given_name = forms.CharField(label="First name", max_length=100,
                                 error_messages={"required": "Enter the person's first name."})
    family_name = forms.CharField(label="Last name", max_length=100,
                                  error_messages={"required": "Enter the person's last name."})
    date_of_birth = GovukDateField(label="Date of birth (optional)", required=False, example="For example, 27 3 1980")
    subject_role = forms.CharField(label="Their role", max_length=150,
                                   error_messages={"required": "Enter the person's role."})
    workforce = forms.ChoiceField(label="Who does the person work with?", choices=Workforce.choices,
                                  widget=forms.RadioSelect,
                                  error_messages={"required": "Say whether the person works with children or with adults."})
    category = forms.ChoiceField(label="Category", choices=Category.choices, widget=forms.RadioSelect,
                                 error_messages={"required": "Choose the category of the allegation."})
    timing = forms.ChoiceField(
        label="Is this about something happening now, or in the past?",
        choices=[(Timing.CONTEMPORANEOUS, "Contemporaneous — it is recent or happening now"),
                 (Timing.NON_RECENT, "Non-recent — the person harmed is now an adult")],
        widget=forms.RadioSelect, error_messages={"required": "Say whether it is contemporaneous or non-recent."},
    )
    description = forms.CharField(label="What is the concern?", widget=forms.Textarea(attrs={"rows": 12}),
                                  help_text="Prefilled from the concerns: add what makes this a referral.",
                                  error_messages={"required": "Describe the concern."})

    def clean_date_of_birth(self):
        return not_future(self.cleaned_data.get("date_of_birth"), "The date of birth")
