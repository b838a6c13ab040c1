"""Validation and normalisation only. Errors say what to do, in the users' words."""

from __future__ import annotations

from django import forms

from agencies.models import Agency
from allegations.forms import SaneDatesMixin
from config.forms import LimitsInWords, TelephoneField
from config.forms_dates import GovukDateField, GovukDateTimeField
from meetings.forms import PersonChoiceField
from meetings.models import PROVIDER_KINDS

from allegations.models import Letter

from .models import EscalationReason, ImposedBy, Indicator, PlanStatus, SuspensionKind
from .services import AGENCY_STATUSES, SUSPENSION_CONTINUE, SUSPENSION_LIFT

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
    crime_suspected = forms.BooleanField(
        label="A crime is suspected", required=False,
        help_text="The police are then suggested for the meetings: their investigations take priority",  # 001
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
    # 001: concerns below the threshold go to the relevant commissioner for contract monitoring.
    handed_to = AgencyChoiceField(label="If not invoked: the commissioner who takes the concerns on for contract monitoring",
                                  required=False)
    handover_contact = forms.CharField(label="If not invoked: who in commissioning takes them on", max_length=150,
                                       required=False, help_text="Their name and role")
    handover_note = forms.CharField(label="If not invoked: what is handed over and what commissioning will monitor",
                                    required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handed_to"].queryset = agencies


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
                               error_messages={"required": "Choose the progress.", "invalid_choice": "Choose the progress."})
    evidence = forms.CharField(label="Evidence", required=False, widget=forms.Textarea(attrs={"rows": 3}),
                               help_text="What shows the progress, for example a contract compliance visit report")

    def __init__(self, *args, staff: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = PlanStatus.values if staff else AGENCY_STATUSES
        self.fields["status"].choices = [(v, label) for v, label in PlanStatus.choices
                                         if v in allowed and v != PlanStatus.CARRIED]


class PlanItemCarryForm(LimitsInWords, forms.Form):
    owner = forms.CharField(label="Who owns it in commissioning?", max_length=150,
                            help_text="Their name and role, for example Jo Smith, contracts manager",
                            error_messages={"required": "Enter who owns the item in commissioning (their name and role)."})


class ReviewScheduleForm(LimitsInWords, SaneDatesMixin, forms.Form):
    every_weeks = forms.TypedChoiceField(
        label="How often are review meetings held?", coerce=int,
        choices=[(w, f"Every {w} weeks" if w > 1 else "Every week") for w in (1, 2, 3, 4, 6, 8, 12)],
        error_messages={"required": "Choose how often reviews are held."},
    )
    first_review_on = GovukDateField(label="First review meeting by", what="The date of the first review",
                                     error_messages={"required": "Enter the date of the first review."})


class LetterDraftForm(LimitsInWords, forms.Form):
    recipient = forms.CharField(label="Who is the letter to?", max_length=200,
                                help_text="For example, The registered manager, Meadowbank Care Homes",
                                error_messages={"required": "Enter who the letter is to."})


class LetterEditForm(LimitsInWords, forms.Form):
    recipient = forms.CharField(label="To", max_length=200, error_messages={"required": "Enter who the letter is to."})
    subject = forms.CharField(label="Subject", max_length=200,
                              error_messages={"required": "Enter the letter's subject line."})
    body = forms.CharField(label="Letter", widget=forms.Textarea(attrs={"rows": 16}),
                           help_text="The presenting issues and the actions to be taken",  # 001
                           error_messages={"required": "Enter the letter's words."})


class LetterSentForm(LimitsInWords, SaneDatesMixin, forms.Form):
    sent_by = forms.ChoiceField(label="How was it sent?", widget=forms.RadioSelect, choices=Letter.SentBy.choices,
                                error_messages={"required": "Choose how the letter was sent."})
    sent_on = GovukDateField(label="Date sent", what="The date the letter was sent",
                             error_messages={"required": "Enter the date the letter was sent."})


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


class ConcludeForm(LimitsInWords, SaneDatesMixin, forms.Form):
    outcome = forms.CharField(label="Outcome", widget=forms.Textarea(attrs={"rows": 5}),
                              help_text="For example, clear and sustained improvement in the quality of care delivered",  # 001
                              error_messages={"required": "Record the outcome."})
    lessons_learned = forms.CharField(label="Lessons learned", widget=forms.Textarea(attrs={"rows": 5}),
                                      help_text="Sent to the business unit for the Learning and Development Group. No names.",  # 001
                                      error_messages={"required": "Record the lessons learned."})

    def __init__(self, *args, suspension=None, **kwargs):
        super().__init__(*args, **kwargs)
        if suspension is None:
            return
        # A suspension still in force is never left to lapse silently: lifted on a date, or continued.
        self.fields["suspension_decision"] = forms.ChoiceField(
            label="New admissions are still suspended. What happens to the suspension?", widget=forms.RadioSelect,
            choices=[(SUSPENSION_LIFT, "Lift it"),
                     (SUSPENSION_CONTINUE, f"Continue it: its review by {suspension.review_on:%-d %B %Y} is still chased")],
            error_messages={"required": "Choose whether to lift the suspension or continue it."},
        )
        self.fields["suspension_lifted_on"] = GovukDateField(
            label="If lifted: the date it is lifted", required=False, what="The date the suspension is lifted")
        self.fields["suspension_note"] = forms.CharField(
            label="Why is it lifted or continued?", widget=forms.Textarea(attrs={"rows": 3}),
            error_messages={"required": "Say why the suspension is lifted or continued."})
