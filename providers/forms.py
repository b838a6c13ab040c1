"""Validation and normalisation only. Errors say what to do, in the users' words."""

from __future__ import annotations

from django import forms

from agencies.models import Agency
from allegations.forms import SaneDatesMixin
from config.forms import LimitsInWords, TelephoneField
from config.forms_dates import GovukDateField, GovukDateTimeField
from meetings.forms import PersonChoiceField
from meetings.models import PROVIDER_KINDS

from .models import EscalationReason, ImposedBy, Indicator, PlanStatus, SuspensionKind

AGENCY_ERRORS = {"required": "Choose the agency.", "invalid_choice": "Choose an agency from the list."}


class AgencyChoiceField(forms.ModelChoiceField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("empty_label", "Choose…")
        kwargs.setdefault("error_messages", AGENCY_ERRORS)
        super().__init__(*args, queryset=Agency.objects.none(), **kwargs)


class ConcernForm(LimitsInWords, forms.Form):
    provider = AgencyChoiceField(label="Which provider are the concerns about?",
                                 error_messages={"required": "Choose the provider.",
                                                 "invalid_choice": "Choose a provider from the list."})
    indicators = forms.MultipleChoiceField(
        label="Which indicators apply?", widget=forms.CheckboxSelectMultiple, choices=Indicator.choices,
        # The indicators are seed 001's.
        help_text="The indicators that trigger consideration of the serious concerns process. Select all that apply.",
        error_messages={"required": "Choose at least one indicator.", "invalid_choice": "Choose indicators from the list."},
    )
    summary = forms.CharField(
        label="Describe the concerns", widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Do not name adults at risk or members of staff: use the references of linked referrals.",
        error_messages={"required": "Describe the concerns."},
    )
    references = forms.CharField(
        label="References of linked referrals or cases (optional)", required=False,
        help_text="PiPoT or LADO references at this provider, separated by commas or spaces, for example MAS-2026-00012",
    )

    def __init__(self, *args, providers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers


class DecisionForm(LimitsInWords, forms.Form):
    invoke = forms.TypedChoiceField(
        label="Invoke the serious concerns process?", widget=forms.RadioSelect, coerce=lambda v: v == "yes",
        choices=[("yes", "Yes, invoke the process"), ("no", "No, do not invoke it")],
        error_messages={"required": "Choose whether to invoke the process."},
    )
    rationale = forms.CharField(label="Rationale", widget=forms.Textarea(attrs={"rows": 5}),
                                help_text="The reasons for the decision, made in consultation with the investigating authorities",  # 001
                                error_messages={"required": "Give the reasons for the decision."})


class LinkForm(LimitsInWords, forms.Form):
    references = forms.CharField(
        label="References of referrals or cases at this provider", required=False,
        help_text="Separated by commas or spaces, for example MAS-2026-00012",
    )
    enquiries_note = forms.CharField(
        label="Individual safeguarding enquiries (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="References of adult safeguarding enquiries held in other systems: no names",
    )

    def reference_list(self) -> list[str]:
        text = (self.cleaned_data.get("references") or "").replace(",", " ")
        return [r.strip().upper() for r in text.split() if r.strip()]


class ConcernMeetingForm(LimitsInWords, forms.Form):
    kind = forms.ChoiceField(
        label="Which meeting?", widget=forms.RadioSelect, choices=[(k.value, k.label) for k in PROVIDER_KINDS],
        error_messages={"required": "Choose the meeting.", "invalid_choice": "Choose the meeting."},
    )
    scheduled_at = GovukDateTimeField(
        label="Date and time", what="The date and time of the meeting", error_messages={"required": "Enter the date and time of the meeting."},
    )
    location = forms.CharField(label="Where is it held? (leave blank if online only)", max_length=250, required=False)
    online_link = forms.URLField(label="Link to join online (optional)", max_length=500, required=False, assume_scheme="https",
                                 error_messages={"invalid": "Enter the link in full, starting https://"})
    chair = PersonChoiceField(label="Chair", queryset=None, empty_label="Choose…",
                              help_text="An adult social care senior manager responsible for serious concerns",  # 001
                              error_messages={"required": "Choose the chair.", "invalid_choice": "Choose a chair from the list."})
    minute_taker = PersonChoiceField(label="Minute taker", queryset=None, required=False, empty_label="Not yet known",
                                     error_messages={"invalid_choice": "Choose a minute taker from the list."})

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chair"].queryset = people
        self.fields["minute_taker"].queryset = people

    def clean(self):
        data = super().clean()
        if not (data.get("location") or "").strip() and not data.get("online_link") and "online_link" not in self.errors:
            self.add_error("location", "Enter where the meeting is held, or a link to join it online.")
        return data


class SuspensionForm(LimitsInWords, SaneDatesMixin, forms.Form):
    kind = forms.ChoiceField(label="Is the suspension voluntary or imposed?", widget=forms.RadioSelect,
                             choices=SuspensionKind.choices, error_messages={"required": "Choose voluntary or imposed."})
    imposed_by = forms.ChoiceField(label="Who suspended admissions?", widget=forms.RadioSelect, choices=ImposedBy.choices,
                                   help_text="A commissioner in line with its contract or moratorium policy, or the CQC under its regulatory powers",  # 001
                                   error_messages={"required": "Choose who suspended admissions."})
    imposing_agency = AgencyChoiceField(label="Which commissioner or regulator? (optional)", required=False)
    started_on = GovukDateField(label="Suspended from", what="The date admissions were suspended", error_messages={"required": "Enter the date admissions were suspended."})
    review_on = GovukDateField(label="Review date", help_text="The decision is reviewed by this date: it is chased as a deadline",
                                error_messages={"required": "Enter the review date."})
    reason = forms.CharField(label="Reason (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["imposing_agency"].queryset = agencies


class SuspensionReviewForm(LimitsInWords, SaneDatesMixin, forms.Form):
    notes = forms.CharField(label="What did the review decide?", widget=forms.Textarea(attrs={"rows": 4}),
                            error_messages={"required": "Record what the review found."})
    next_review_on = GovukDateField(label="Next review date (leave blank if the suspension ends now)", required=False)


class SuspensionEndForm(LimitsInWords, SaneDatesMixin, forms.Form):
    ended_on = GovukDateField(label="Suspension lifted on", what="The date the suspension was lifted", error_messages={"required": "Enter the date."})
    reason = forms.CharField(label="Why does it end?", widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": "Say why the suspension ends."})


class PlanItemForm(LimitsInWords, SaneDatesMixin, forms.Form):
    description = forms.CharField(label="What is to be done?", widget=forms.Textarea(attrs={"rows": 3}),
                                  help_text="A practice or policy change or an improvement",  # 001
                                  error_messages={"required": "Describe what is to be done."})
    agency = AgencyChoiceField(label="Which agency is responsible?")
    due_on = GovukDateField(label="Timescale: to be completed by", what="The date it is to be completed by", error_messages={"required": "Enter the date."})

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies


class PlanItemUpdateForm(LimitsInWords, forms.Form):
    status = forms.ChoiceField(label="Progress", widget=forms.RadioSelect, choices=PlanStatus.choices,
                               error_messages={"required": "Choose the progress."})
    evidence = forms.CharField(label="Evidence", required=False, widget=forms.Textarea(attrs={"rows": 3}),
                               help_text="What shows the progress, for example a contract compliance visit report")


class ContactForm(LimitsInWords, forms.Form):
    agency = AgencyChoiceField(label="Agency")
    name = forms.CharField(label="Name", max_length=150, error_messages={"required": "Enter the contact's name."})
    role = forms.CharField(label="Role (optional)", max_length=150, required=False)
    email = forms.EmailField(label="Email address (optional)", required=False,
                             error_messages={"invalid": "Enter an email address like name@example.org."})
    phone = TelephoneField(label="Phone (optional)", required=False)

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies


class CommunicationPlanForm(LimitsInWords, forms.Form):
    plan = forms.CharField(
        label="Communication plan", required=False, widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Communication with the provider, adults at risk and their families, funding authorities, between agencies, "
                  "the media; legal advice; security of records; who keeps people informed",  # 001
    )


class EscalationForm(LimitsInWords, SaneDatesMixin, forms.Form):
    reason = forms.ChoiceField(label="Why is it escalated?", widget=forms.RadioSelect, choices=EscalationReason.choices,
                               error_messages={"required": "Choose why it is escalated."})
    informed_directors = forms.BooleanField(label="Directors or assistant directors were informed", required=False, initial=True)
    informed_elected_members = forms.BooleanField(label="Elected members were informed", required=False)
    who_was_informed = forms.CharField(label="Who was informed?", help_text="Their roles, for example Director of Adult Services, lead member for adult social care",
                                       error_messages={"required": "Enter who was informed (their roles)."})
    informed_on = GovukDateField(label="Date informed", error_messages={"required": "Enter the date."})
    notes = forms.CharField(label="Notes (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ConcludeForm(LimitsInWords, forms.Form):
    outcome = forms.CharField(label="Outcome", widget=forms.Textarea(attrs={"rows": 5}),
                              help_text="For example, clear and sustained improvement in the quality of care delivered",  # 001
                              error_messages={"required": "Record the outcome."})
    lessons_learned = forms.CharField(label="Lessons learned", widget=forms.Textarea(attrs={"rows": 5}),
                                      help_text="Sent to the business unit for the Learning and Development Group. No names.",  # 001
                                      error_messages={"required": "Record the lessons learned."})
