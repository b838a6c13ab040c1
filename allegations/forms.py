"""Validation and normalisation only. Errors say what to do, in the users' words."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone

from agencies.models import AccessLevel, Agency, AgencyKind, Sector
from config.forms import LimitsInWords, TelephoneField
from config.forms_dates import GovukDateField, GovukDateTimeField, govuk_formfield
from outbox.submissions import OneTimeTokenField

from .models import (
    Audience,
    Category,
    Child,
    ConcernKind,
    Decision,
    Disagreement,
    EmployerDecision,
    EmployerOutcome,
    EmploymentType,
    HowArose,
    Outcome,
    PersonSupport,
    PoliceOutcome,
    RegulatorReferral,
    RiskAssessment,
    Route,
    Strand,
    Suspension,
    Timing,
    TriageDecision,
    Workforce,
    YesNoNotKnown,
)
from .wording import ADULTS_DECISIONS, route_away, wording



def _choices(choices, blank=False):
    items = list(choices)
    return ([("", "Choose…")] if blank else []) + items


EARLIEST_YEAR = 1900


class SaneDatesMixin:
    """Every date in the product's forms falls after 1900: a typo like 0025 is an error, not a record."""

    def clean(self):
        data = super().clean()
        for name, field in self.fields.items():
            value = data.get(name)
            if isinstance(field, (GovukDateField, forms.DateField, forms.DateTimeField)) and value and value.year < EARLIEST_YEAR:
                self.add_error(name, f"Enter a date after {EARLIEST_YEAR}.")
        return data


def not_future(value, what: str):
    if value is None:
        return value
    now = timezone.now() if isinstance(value, dt.datetime) else timezone.localdate()
    if value > now:
        if isinstance(value, dt.datetime):
            raise forms.ValidationError(f"{what} must be in the past")
        raise forms.ValidationError(f"{what} must be today or in the past")
    return value


class ReferralForm(LimitsInWords, SaneDatesMixin, forms.Form):
    """The online referral form (domain.md §3, 002's online form)."""

    # The workforce comes first (page and error summary alike): its answer decides the words the rest of the
    # referral is read in (children's or adults', allegations/wording.py).
    field_order = ["workforce"]
    form_token = OneTimeTokenField()  # pressing the button twice makes one referral (outbox.submissions)

    # About the referral
    request_kind = forms.ChoiceField(
        label="Are you making a referral or asking for advice?",
        choices=[("referral", "Making a referral"), ("advice", "Asking for advice")],
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether you are making a referral or asking for advice."},
    )
    # An incoming transfer from another authority's LADO service (003 §4, §69–72): taken by the LADO service
    # only (the phone form); __init__ removes both for the agencies' own form.
    transferred_from = forms.CharField(label="If it is a transfer: from which authority?", max_length=200,
                                       required=False, help_text="The local authority whose LADO service sent it")
    referring_agency = forms.ModelChoiceField(
        label="Referring agency", queryset=Agency.objects.none(), required=False,
        error_messages={"invalid_choice": "Choose an agency from the list."},
    )
    referrer_name = forms.CharField(label="Your name", max_length=150, error_messages={"required": "Enter your name."})
    referrer_role = forms.CharField(label="Your role", max_length=150, required=False,
                                    help_text="For example, designated safeguarding lead (children) or designated adult "
                                              "safeguarding manager (adults)")
    referrer_phone = TelephoneField(label="Phone number", required=False,
                                    help_text="A UK number, or an international one starting with its country code")
    referrer_email = forms.EmailField(label="Email address", required=False,
                                      error_messages={"invalid": "Enter an email address in the correct format, like name@example.org."})
    workforce = forms.ChoiceField(
        label="Who does the person work with?", choices=Workforce.choices, widget=forms.RadioSelect,
        error_messages={"required": "Say whether the person works with children or with adults."},
    )

    # The person (subject)
    # Required for a referral; asking for advice, the person may be left unnamed and described instead
    # (ReferralForm.clean, NAMED_FOR_REFERRAL).
    given_name = forms.CharField(label="First name", max_length=100, required=False,
                                 help_text="If you are only asking for advice, you can leave the name out and "
                                           "describe the person below instead")
    family_name = forms.CharField(label="Last name", max_length=100, required=False)
    described_as = forms.CharField(label="If you are not naming them: describe the person (optional)", max_length=200,
                                   required=False, help_text="For example, a teaching assistant")
    known_as = forms.CharField(label="Also known as (optional)", max_length=100, required=False)
    previous_family_name = forms.CharField(label="Previous last name (optional)", max_length=100, required=False)
    date_of_birth = GovukDateField(label="Date of birth (optional)", required=False, example="For example, 27 3 1980")
    address = forms.CharField(label="Home address (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    subject_role = forms.CharField(label="Their role", max_length=150, required=False)
    employment_type = forms.ChoiceField(label="How are they engaged?", choices=EmploymentType.choices, widget=forms.RadioSelect,
                                        required=False)
    employer_name = forms.CharField(label="Employer or organisation", max_length=200,
                                    error_messages={"required": "Enter the employer or organisation."})
    sector = forms.ChoiceField(label="Sector", choices=_choices(Sector.choices, blank=True),
                               error_messages={"required": "Choose the sector.", "invalid_choice": "Choose the sector from the list."})
    registration_body = forms.CharField(label="Professional registration body (optional)", max_length=60, required=False,
                                        help_text="For example TRA, NMC, HCPC, Social Work England")
    registration_number = forms.CharField(label="Registration number (optional)", max_length=60, required=False)

    # What happened
    concern_kind = forms.ChoiceField(label="What is it?", choices=ConcernKind.choices, widget=forms.RadioSelect,
                                     help_text="An allegation is about what a person did, or may do, to a child or an adult "
                                               "at risk. A quality-of-care concern is about the care or practice of a "
                                               "service. A complaint is dissatisfaction that does not reach the harm "
                                               "thresholds. If you are not sure, choose allegation and ask for advice.",
                                     error_messages={"required": "Say whether it is an allegation, a quality-of-care concern or a complaint."})
    category = forms.ChoiceField(label="Category", choices=Category.choices, widget=forms.RadioSelect, required=False)
    description = forms.CharField(label="What is alleged to have happened?", widget=forms.Textarea(attrs={"rows": 8}),
                                  help_text="Facts only: what, when, where and who was there. Do not include opinions.",
                                  error_messages={"required": "Describe what is alleged to have happened."})
    concern_arose_on = GovukDateField(label="When did the concern arise?", what="The date the concern arose", error_messages={"required": "Enter the date the concern arose."})
    how_arose = forms.ChoiceField(label="How did it come to light?", choices=HowArose.choices, widget=forms.RadioSelect,
                                  error_messages={"required": "Say how the concern came to light."})
    timing = forms.ChoiceField(
        label="Is this about something happening now, or in the past?",
        choices=[(Timing.CONTEMPORANEOUS, "Contemporaneous — it is recent or happening now"),
                 (Timing.NON_RECENT, "Non-recent — the person harmed is now an adult")],
        widget=forms.RadioSelect, error_messages={"required": "Say whether the allegation is contemporaneous or non-recent."},
    )
    children_count = forms.IntegerField(label="How many children or adults at risk are involved? (optional)", min_value=0, max_value=999,
                                        required=False, error_messages={"invalid": "Enter a whole number.", "min_value": "Enter 0 or more."})

    # Where the person works and lives
    subject_works_in = forms.CharField(label="Local authority area where they work (if not ours)", max_length=120, required=False)
    subject_lives_in = forms.CharField(label="Local authority area where they live (if not ours)", max_length=120, required=False)
    other_settings = forms.CharField(label="Other places they work or volunteer (optional)", required=False,
                                     widget=forms.Textarea(attrs={"rows": 3}))
    known_history = forms.CharField(label="Anything you know of earlier concerns about this person (optional)", required=False,
                                    widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, agencies=None, phone=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.phone = phone
        self.fields["referring_agency"].queryset = agencies if agencies is not None else Agency.objects.none()
        if phone:
            self.fields["referring_agency"].label = "Which agency is the caller from? (leave blank for a member of the public)"
            self.fields["request_kind"].choices = [*self.fields["request_kind"].choices,
                                                   ("transfer_in", "A transfer from another authority's LADO service")]
            self.fields["request_kind"].label = "Is it a referral, a request for advice or a transfer?"
        else:
            del self.fields["transferred_from"]
            self.fields["referring_agency"].required = True
            self.fields["referring_agency"].error_messages["required"] = "Choose the agency you are referring for."

    def clean_date_of_birth(self):
        return not_future(self.cleaned_data.get("date_of_birth"), "The date of birth")

    def clean_concern_arose_on(self):
        return not_future(self.cleaned_data.get("concern_arose_on"), "The date the concern arose")

    def clean(self):
        data = super().clean()
        if data.get("request_kind") in ("referral", "transfer_in") and data.get("concern_kind") == ConcernKind.ALLEGATION and not data.get("category"):
            self.add_error("category", "Choose the category of the allegation.")
        if data.get("request_kind") == "transfer_in" and not (data.get("transferred_from") or "").strip():
            self.add_error("transferred_from", "Enter the authority the transfer came from.")
        if data.get("request_kind") != "advice":
            # A referral names the person; only an advice request (a consultation) may describe them instead.
            for name, message in NAMED_FOR_REFERRAL.items():
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, message)
        elif not (data.get("given_name") or data.get("family_name")) and not data.get("described_as"):
            self.add_error("described_as", "Describe the person, for example a teaching assistant, or enter their name.")
        return data


# What a referral must say about the person (an advice request may leave these out: ReferralForm.clean).
NAMED_FOR_REFERRAL = {
    "given_name": "Enter the person's first name.",
    "family_name": "Enter the person's last name.",
    "subject_role": "Enter the person's role, for example teacher or foster carer.",
    "employment_type": "Say how the person is engaged.",
}


class NotKnownField(forms.ChoiceField):
    """Yes, no or not known, "not known" when unanswered: a row of people left empty stays empty (it has not
    changed), and a row filled in without this answer records "not known"."""

    def __init__(self, **kwargs):
        super().__init__(choices=YesNoNotKnown.choices, widget=forms.RadioSelect, required=False,
                         initial=YesNoNotKnown.NOT_KNOWN, **kwargs)

    def has_changed(self, initial, data):
        if data in (None, ""):
            return False
        return super().has_changed(initial, data)

    def clean(self, value):
        return super().clean(value) or YesNoNotKnown.NOT_KNOWN


class ChildForm(LimitsInWords, SaneDatesMixin, forms.ModelForm):
    # Whether they have a social worker and are looked after: 003 §18, §25; 002 §2.2.
    social_worker = NotKnownField(label="Do they have a social worker?")
    looked_after = NotKnownField(label="Are they looked after (in care)?")

    class Meta:
        model = Child
        fields = ["given_name", "family_name", "date_of_birth", "relationship", "social_worker", "looked_after"]
        formfield_callback = govuk_formfield  # dates typed in day, month and year boxes
        widgets = {"relationship": forms.Select}
        labels = {"given_name": "First name", "family_name": "Last name (optional)", "date_of_birth": "Date of birth (optional)",
                  "relationship": "Who are they?"}
        error_messages = {"given_name": {"required": "Enter the child's or adult's first name, or leave the whole row empty."}}

    def clean_date_of_birth(self):
        return not_future(self.cleaned_data.get("date_of_birth"), "The date of birth")


# Any number of people (issue 16 §1): three rows to start with, "Add another person" adds a row
# (views.referral_create); the limit only stops a runaway form.
MAX_CHILDREN_AT_INTAKE = 100
ChildFormSet = forms.formset_factory(ChildForm, extra=3, max_num=MAX_CHILDREN_AT_INTAKE, validate_max=True)


class AssignForm(LimitsInWords, SaneDatesMixin, forms.Form):
    officer = forms.ModelChoiceField(label="Officer", queryset=None, error_messages={"required": "Choose an officer.",
                                                                                 "invalid_choice": "Choose an officer from the list."})

    def __init__(self, *args, officers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = officers
        self.fields["officer"].label_from_instance = lambda u: u.get_full_name() or u.username


class DiscussionForm(LimitsInWords, SaneDatesMixin, forms.Form):
    held_at = GovukDateTimeField(label="When was the initial discussion held?", what="The date and time of the discussion", error_messages={"required": "Enter when the discussion was held."})
    with_whom = forms.CharField(label="Who was it with?", max_length=150,
                                help_text="Name and role of the referrer or case manager",
                                error_messages={"required": "Enter who the discussion was with."})
    notes = forms.CharField(label="What was discussed and agreed", widget=forms.Textarea(attrs={"rows": 6}),
                            error_messages={"required": "Record what was discussed and agreed."})

    def clean_held_at(self):
        return not_future(self.cleaned_data.get("held_at"), "The discussion")


THRESHOLD_LABELS = {
    "children": [
        "behaved in a way that has harmed a child, or may have harmed a child",
        "possibly committed a criminal offence against or related to a child",
        "behaved towards a child or children in a way that indicates they may pose a risk of harm to children",
        "behaved or may have behaved in a way that indicates they may not be suitable to work with children",
    ],
    "adults": [
        "behaved in a way that has harmed an adult with care and support needs, or may have harmed one",
        "possibly committed a criminal offence against or related to an adult with care and support needs",
        "behaved towards an adult or adults in a way that indicates they may pose a risk of harm to adults with care and support needs",
        "behaved or may have behaved in a way that indicates they may not be suitable to work with adults with care and support needs",
    ],
}


class TriageForm(LimitsInWords, SaneDatesMixin, forms.Form):
    """The four questions of 003 §3 — never 'significant harm' (004 §3.17)."""

    harmed = forms.BooleanField(required=False)
    criminal_offence = forms.BooleanField(required=False)
    risk_of_harm = forms.BooleanField(required=False)
    unsuitable = forms.BooleanField(required=False)
    decision = forms.ChoiceField(label="Decision", choices=TriageDecision.Decision.choices, widget=forms.RadioSelect,
                                 error_messages={"required": "Choose a decision."})
    route = forms.ChoiceField(label="If the threshold is met: how will the case be managed?", required=False,
                              choices=[(Route.POSITION_OF_TRUST, Route.POSITION_OF_TRUST.label), (Route.EMPLOYER, Route.EMPLOYER.label)],
                              widget=forms.RadioSelect)
    transfer_to = forms.CharField(label="If transferred: to which authority?", max_length=120, required=False)
    rationale = forms.CharField(label="Rationale", widget=forms.Textarea(attrs={"rows": 6}),
                                help_text="Why this decision, with reference to the thresholds",
                                error_messages={"required": "Give the rationale for the decision."})

    concern_kind = forms.ChoiceField(label="Having discussed it, what is it?", choices=ConcernKind.choices,
                                     widget=forms.RadioSelect, required=False,
                                     error_messages={"required": "Say whether it is an allegation, a quality-of-care "
                                                                 "concern or a complaint."})

    def __init__(self, *args, workforce="children", concern_kind="", **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in zip(["harmed", "criminal_offence", "risk_of_harm", "unsuitable"], THRESHOLD_LABELS[workforce]):
            self.fields[name].label = f"The person has {label}"
        # Allegation, quality-of-care concern or complaint (seed 000, 003 §8, §10): asked of every referral,
        # and required for the adults' workforce, where the distinction decides whether PiPoT applies at all.
        w = wording(workforce)
        field = self.fields["concern_kind"]
        field.initial = concern_kind or None
        field.required = workforce == "adults"
        field.choices = [
            (ConcernKind.ALLEGATION, f"An allegation: the person may have harmed, or may pose a risk to, "
                                     f"{'an' if workforce == 'adults' else 'a'} {w['person']}"),
            (ConcernKind.QUALITY_OF_CARE, f"A quality-of-care concern: about the care or practice of a service, "
                                          f"not this person's conduct — goes to {route_away('quality_of_care', workforce)}"),
            (ConcernKind.COMPLAINT, f"A complaint: dissatisfaction that does not reach the harm thresholds — goes to "
                                    f"{route_away('complaint', workforce)}"),
        ]
        field.help_text = (f"Only an allegation goes through the {w['service']} process. A quality-of-care concern or a "
                           f"complaint is recorded as ‘not an allegation’, with where it was sent in the rationale.")
        if workforce == "adults":
            self.fields["decision"].choices = [(value, ADULTS_DECISIONS[value]) for value, _ in TriageDecision.Decision.choices]
            self.fields["route"].choices = [
                (Route.POSITION_OF_TRUST, Route.POSITION_OF_TRUST.label),
                (Route.EMPLOYER, "Employer to deal with it, monitored by the PiPoT lead"),
            ]


class SubjectMatchForm(LimitsInWords, SaneDatesMixin, forms.Form):
    candidate = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(choices=[("confirmed", "Same person"), ("rejected", "Not the same person")])


# --- Case forms -------------------------------------------------------------

EMPLOYER_FIELDS = ("employer_decision", "employer_decision_on", "hearing_on", "employer_action", "employer_action_on")


class StrandForm(LimitsInWords, SaneDatesMixin, forms.ModelForm):
    class Meta:
        model = Strand
        fields = ["status", "lead", "their_reference", "started_on", "review_on", "cps_consulted",
                  "employer_decision", "employer_decision_on", "hearing_on", "employer_action", "employer_action_on",
                  "concluded_on", "notes"]
        formfield_callback = govuk_formfield
        widgets = {"status": forms.RadioSelect, "employer_decision": forms.RadioSelect,
                   "employer_action": forms.Textarea(attrs={"rows": 3}), "notes": forms.Textarea(attrs={"rows": 4})}
        # employer_decision: 003 §40–41; review_on: 003 §43.
        labels = {"cps_consulted": "The Crown Prosecution Service has been consulted", "their_reference": "Their reference (optional)",
                  "employer_decision": "How will the employer deal with it?",
                  "employer_decision_on": "Date the employer decided",
                  "employer_action": "Action the employer took (without formal disciplinary action)",
                  "employer_action_on": "Date the employer took that action",
                  "hearing_on": "Disciplinary hearing date"}
        help_texts = {"employer_action": "For example an expectations meeting or additional training",
                      "review_on": "The date the police set for reviewing the investigation"}

    def __init__(self, *args, kind, **kwargs):
        super().__init__(*args, **kwargs)
        if kind != Strand.Kind.POLICE:
            del self.fields["cps_consulted"]
            self.fields["review_on"].help_text = "Next review date (optional)"
        else:
            self.fields["review_on"].label = "Police review date"
        if kind != Strand.Kind.EMPLOYER:
            for name in EMPLOYER_FIELDS:
                del self.fields[name]
        else:
            self.fields["employer_decision"].choices = [("", "Not decided yet"), *EmployerDecision.choices]

    def clean(self):
        data = super().clean()
        if data.get("status") == Strand.Status.CONCLUDED and not data.get("concluded_on"):
            self.add_error("concluded_on", "Enter the date it concluded.")
        if data.get("review_on") and "review_on" in self.changed_data and data["review_on"] < timezone.localdate():
            self.add_error("review_on", "The review date must be today or in the future")
        if data.get("employer_decision") and not data.get("employer_decision_on"):
            self.add_error("employer_decision_on", "Enter the date the employer decided.")
        if (data.get("employer_action") or "").strip() and not data.get("employer_action_on"):
            self.add_error("employer_action_on", "Enter the date the employer took the action.")
        for name in ("started_on", "concluded_on", "employer_decision_on", "employer_action_on"):
            if data.get(name):
                try:
                    not_future(data[name], "The date")
                except forms.ValidationError as error:
                    self.add_error(name, error)
        return data


class SuspensionForm(LimitsInWords, SaneDatesMixin, forms.ModelForm):
    """Suspension considered properly (003 §34-35, 004 §3.10): the questions to ask before suspending, whether the
    LADO's advice was sought first, and when the arrangement is reviewed."""

    # The arrangements that keep the person from their usual work: they need the questions answered and a review date.
    RESTRICTIVE = (Suspension.Arrangement.SUSPENDED, Suspension.Arrangement.ALTERNATIVE_DUTIES,
                   Suspension.Arrangement.NO_CONTACT)

    alternatives_considered = forms.MultipleChoiceField(
        label="Which alternatives to suspension were considered?", choices=Suspension.Alternative.choices,
        widget=forms.CheckboxSelectMultiple, required=False, help_text="Select all that apply.",
    )

    class Meta:
        model = Suspension
        fields = ["arrangement", "decided_on", "decided_by", "alternatives_considered", "alternatives_notes", "risk",
                  "police_views", "social_care_views", "lado_advice_sought", "lado_advice_on", "person_informed",
                  "person_informed_on", "lado_informed_on", "review_on", "ended_on", "notes"]
        formfield_callback = govuk_formfield
        widgets = {"arrangement": forms.RadioSelect, "notes": forms.Textarea(attrs={"rows": 4}),
                   "alternatives_notes": forms.Textarea(attrs={"rows": 3}), "risk": forms.Textarea(attrs={"rows": 4}),
                   "police_views": forms.Textarea(attrs={"rows": 3}), "social_care_views": forms.Textarea(attrs={"rows": 3}),
                   "lado_advice_sought": forms.RadioSelect, "person_informed": forms.RadioSelect}
        labels = {
            "alternatives_notes": "Why the alternatives are, or are not, enough",
            "risk": "The risk: to children or adults at risk, to the investigation, and to the person",
            "police_views": "The police's views",
            "social_care_views": "Children's or adults' social care's views",
            "lado_advice_sought": "Was the LADO's advice sought before the decision?",
            "lado_advice_on": "When was the LADO's advice sought?",
            "person_informed": "Has the person been told of the arrangement?",
            "person_informed_on": "When were they told?",
            "lado_informed_on": "When was the LADO told of the decision?",
            "review_on": "When will the arrangement be reviewed?",
            "ended_on": "Ended on (if it has ended)",
        }
        help_texts = {
            "police_views": "For example, whether suspending now could alert the person before evidence is secured.",
            "review_on": "The review is chased like the other deadlines. Record the arrangement again when it is reviewed.",
        }
        error_messages = {"arrangement": {"required": "Choose the arrangement."},
                          "decided_on": {"required": "Enter the date it was decided."},
                          "decided_by": {"required": "Enter who decided."}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lado_advice_sought"].choices = Suspension.Answer.choices
        self.fields["person_informed"].choices = Suspension.Informed.choices

    def clean_decided_on(self):
        return not_future(self.cleaned_data.get("decided_on"), "The decision date")

    def clean(self):
        data = super().clean()
        if data.get("arrangement") in self.RESTRICTIVE:
            if not (data.get("risk") or "").strip():
                self.add_error("risk", "Describe the risk that the arrangement manages.")
            if data.get("arrangement") == Suspension.Arrangement.SUSPENDED and not (data.get("alternatives_notes") or "").strip():
                self.add_error("alternatives_notes", "Say why the alternatives to suspension are not enough.")
            if not data.get("lado_advice_sought"):
                self.add_error("lado_advice_sought", "Say whether the LADO's advice was sought before the decision.")
            if not data.get("person_informed"):
                self.add_error("person_informed", "Say whether the person has been told.")
            if data.get("review_on") is None and data.get("ended_on") is None and "review_on" not in self.errors:
                self.add_error("review_on", "Enter when the arrangement will be reviewed.")
        return data


class PersonToldForm(LimitsInWords, SaneDatesMixin, forms.Form):
    """What the person was told, by whom and when; what is held back and on whose advice."""

    told_on = GovukDateField(label="When was the person told?", what="The date they were told", required=False,
                             help_text="Leave blank if they have not been told yet.")
    told_by = forms.CharField(label="Who told them?", max_length=150, required=False,
                              help_text="Their name, role and agency, for example the head teacher.")
    what_told = forms.CharField(label="What were they told?", widget=forms.Textarea(attrs={"rows": 4}), required=False)
    held_back = forms.CharField(label="What is held back from them, if anything?", required=False,
                                widget=forms.Textarea(attrs={"rows": 3}),
                                help_text="For example, the police asked that the person is not told of the allegation "
                                          "until they have been interviewed.")
    held_back_advised_by = forms.CharField(label="On whose advice is it held back?", max_length=150, required=False,
                                           help_text="Their name, role and agency.")
    held_back_until = GovukDateField(label="Held back until (if known)", what="The date", required=False)
    held_back_why = forms.CharField(label="Why is it held back, or until what?", required=False,
                                    widget=forms.Textarea(attrs={"rows": 3}))

    def clean_told_on(self):
        return not_future(self.cleaned_data.get("told_on"), "The date they were told")


class PersonContactForm(LimitsInWords, SaneDatesMixin, forms.Form):
    name = forms.CharField(label="Name of the named contact", max_length=150,
                           help_text="Someone other than the LADO, usually at the employer.",
                           error_messages={"required": "Enter the named contact's name."})
    role = forms.CharField(label="Their role", max_length=150, required=False)
    agency = forms.CharField(label="Their agency", max_length=200,
                             error_messages={"required": "Enter the named contact's agency."})
    contact_details = forms.CharField(label="How the person reaches them (optional)", max_length=200, required=False,
                                      help_text="For example, a work telephone number.")
    from_on = GovukDateField(label="Named contact from", what="The date",
                             error_messages={"required": "Enter the date they became the named contact."})

    def clean_from_on(self):
        return not_future(self.cleaned_data.get("from_on"), "The date")


class PersonSupportForm(LimitsInWords, SaneDatesMixin, forms.Form):
    kind = forms.ChoiceField(label="What support was offered?", choices=PersonSupport.Kind.choices,
                             widget=forms.RadioSelect, error_messages={"required": "Choose the support offered."})
    detail = forms.CharField(label="Details (required for other support)", max_length=200, required=False)
    offered_on = GovukDateField(label="When was it offered?", what="The date",
                                error_messages={"required": "Enter the date it was offered."})
    offered_by = forms.CharField(label="Who offered it?", max_length=150,
                                 error_messages={"required": "Enter who offered it."})
    taken_up = forms.ChoiceField(label="Did the person take it up?", choices=PersonSupport.TakenUp.choices,
                                 widget=forms.RadioSelect, initial=PersonSupport.TakenUp.NOT_KNOWN,
                                 error_messages={"required": "Say whether the person took it up."})

    def clean_offered_on(self):
        return not_future(self.cleaned_data.get("offered_on"), "The date it was offered")


class PersonSupportTakenUpForm(LimitsInWords, SaneDatesMixin, forms.Form):
    taken_up = forms.ChoiceField(label="Did the person take it up?", choices=PersonSupport.TakenUp.choices,
                                 widget=forms.RadioSelect, error_messages={"required": "Say whether the person took it up."})


class PersonUpdateForm(LimitsInWords, SaneDatesMixin, forms.Form):
    given_on = GovukDateField(label="When was the person updated?", what="The date of the update",
                              error_messages={"required": "Enter the date of the update."})
    given_by = forms.CharField(label="Who updated them?", max_length=150,
                               help_text="Usually their named contact.", error_messages={"required": "Enter who gave the update."})
    summary = forms.CharField(label="What were they told about progress and likely timescales?",
                              widget=forms.Textarea(attrs={"rows": 4}),
                              error_messages={"required": "Say what the person was told about progress and timescales."})
    views = forms.CharField(label="Their views, if they gave them (optional)", widget=forms.Textarea(attrs={"rows": 4}),
                            required=False, help_text="Their views go to the papers of the next meeting about the case.")

    def clean_given_on(self):
        return not_future(self.cleaned_data.get("given_on"), "The date of the update")


class RiskAssessmentForm(LimitsInWords, SaneDatesMixin, forms.ModelForm):
    class Meta:
        model = RiskAssessment
        fields = ["level", "summary", "controls"]
        widgets = {"level": forms.RadioSelect, "summary": forms.Textarea(attrs={"rows": 5}), "controls": forms.Textarea(attrs={"rows": 4})}
        labels = {"level": "Level of risk", "summary": "Assessment"}
        error_messages = {"level": {"required": "Choose the level of risk."}, "summary": {"required": "Describe the risk."}}


class DecisionForm(LimitsInWords, SaneDatesMixin, forms.ModelForm):
    class Meta:
        model = Decision
        fields = ["decision", "rationale", "made_at", "agreed_with"]
        widgets = {"decision": forms.Textarea(attrs={"rows": 3}), "rationale": forms.Textarea(attrs={"rows": 5}), "made_at": forms.RadioSelect}
        labels = {"made_at": "Where was it made?"}
        error_messages = {"decision": {"required": "Enter the decision."}, "rationale": {"required": "Give the rationale."}}


class DisagreementForm(LimitsInWords, SaneDatesMixin, forms.ModelForm):
    class Meta:
        model = Disagreement
        fields = ["kind", "raised_on", "raised_by", "about"]
        formfield_callback = govuk_formfield
        widgets = {"kind": forms.RadioSelect, "about": forms.Textarea(attrs={"rows": 5})}
        labels = {"about": "What is it about?"}
        error_messages = {"kind": {"required": "Choose disagreement or professional challenge."},
                          "raised_on": {"required": "Enter the date it was raised."},
                          "raised_by": {"required": "Enter who raised it."}, "about": {"required": "Say what it is about."}}

    # The first step of its escalation (allegations.ladder): raised with the manager, to answer by a date.
    raised_to = forms.CharField(label="Raised with which manager? (optional)", max_length=150, required=False,
                                help_text="Their name and role, for example: Sam Jones, team manager")
    answer_by = GovukDateField(label="Date to answer by (optional)", what="The date to answer by", required=False,
                               help_text="Leave blank for the partnership's usual time to answer.")

    def clean_raised_on(self):
        return not_future(self.cleaned_data.get("raised_on"), "The date")


class DisagreementResolveForm(LimitsInWords, SaneDatesMixin, forms.Form):
    disagreement = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(label="What was the answer?", widget=forms.RadioSelect,
                               choices=[(Disagreement.Status.RESOLVED, "Resolved"),
                                        (Disagreement.Status.ESCALATED, "Escalated to the next step")],
                               error_messages={"required": "Say whether it was resolved or escalated."})
    resolution = forms.CharField(label="How it was resolved, or why it was escalated", widget=forms.Textarea(attrs={"rows": 4}),
                                 error_messages={"required": "Say how it was resolved or why it was escalated."})
    resolved_on = GovukDateField(label="Date of the answer", what="The date", error_messages={"required": "Enter the date."})
    escalated_to = forms.CharField(label="Escalated to (if escalated)", max_length=150, required=False,
                                   help_text="Their name and role at the next step")
    # The next step of the escalation (allegations.ladder), when it is escalated.
    escalated_by = forms.CharField(label="Escalated by (if escalated, optional)", max_length=150, required=False,
                                   help_text="Leave blank if it is the person who raised it")
    answer_by = GovukDateField(label="Date the next step should answer by (if escalated, optional)",
                               what="The date to answer by", required=False,
                               help_text="Leave blank for the partnership's usual time to answer.")


class CaseLinkForm(LimitsInWords, SaneDatesMixin, forms.Form):
    linked_reference = forms.CharField(label="Reference of the case to link", max_length=32,
                                       error_messages={"required": "Enter the reference of the case to link."})
    reason = forms.CharField(label="Why are they linked?", max_length=200, help_text="For example: same subject, same setting",
                             error_messages={"required": "Say why the cases are linked."})


class ShareForm(LimitsInWords, SaneDatesMixin, forms.Form):
    agency = forms.ModelChoiceField(label="Agency", queryset=Agency.objects.filter(is_active=True).exclude(kind=AgencyKind.LADO_SERVICE),
                                    error_messages={"required": "Choose an agency.", "invalid_choice": "Choose an agency from the list."})
    level = forms.ChoiceField(
        label="What may they see?", widget=forms.RadioSelect,
        choices=[
            (AccessLevel.EMPLOYER, "The employer's part: the case's status and route, the employer's enquiry, suspension "
                                   "or other arrangements, the outcome once recorded, their own actions and meetings"),
            (AccessLevel.SAFEGUARDING, "The safeguarding part (police, social care, health): also the police and social "
                                       "care enquiries, risk assessments, the children's details and documents"),
        ],
        error_messages={"required": "Choose what the agency may see."},
    )
    reason = forms.CharField(label="Why share the case with them?", max_length=300, error_messages={"required": "Say why."})


class ShareWithdrawForm(LimitsInWords, forms.Form):
    reason = forms.CharField(label="Why should they no longer see the case?", max_length=300,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": "Say why the agency should no longer see the case."})


class RestrictForm(LimitsInWords, forms.Form):
    """A confidential case (the person is on the service's own staff, a senior council officer, or
    otherwise conflicted): who may open it, and who must never have it."""

    reason = forms.CharField(label="Why is this case restricted?", widget=forms.Textarea(attrs={"rows": 3}),
                             max_length=2000, error_messages={"required": "Say why the case is restricted."})
    may_open = forms.ModelMultipleChoiceField(
        label="Who in the service may open it?", queryset=None, widget=forms.CheckboxSelectMultiple, required=False,
        help_text="You can always open it. Nobody else in the service will see it in their lists, search or work.")
    subject_account = forms.ModelChoiceField(
        label="The person it is about, if they have an account here (optional)", queryset=None, required=False,
        error_messages={"invalid_choice": "Choose a person from the list."})
    line_manager = forms.ModelChoiceField(
        label="Their line manager, if they have an account here (optional)", queryset=None, required=False,
        help_text="Neither of them can be given the case or open it.",
        error_messages={"invalid_choice": "Choose a person from the list."})

    def __init__(self, *args, staff, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["may_open"].queryset = staff
        self.fields["subject_account"].queryset = people
        self.fields["line_manager"].queryset = people
        for name in ("may_open", "subject_account", "line_manager"):
            self.fields[name].label_from_instance = lambda u: u.get_full_name() or u.username


class OutcomeForm(LimitsInWords, SaneDatesMixin, forms.Form):
    outcome = forms.ChoiceField(label="Outcome of the allegation", choices=Outcome.choices, widget=forms.RadioSelect,
                                error_messages={"required": "Choose the outcome of the allegation."})
    police_outcome = forms.ChoiceField(label="Police outcome", choices=PoliceOutcome.choices, widget=forms.RadioSelect,
                                       error_messages={"required": "Choose the police outcome."})
    police_outcome_detail = forms.CharField(label="Result of a prosecution, if any (optional)", max_length=200, required=False)
    employer_outcome = forms.ChoiceField(label="Employer outcome", choices=EmployerOutcome.choices, widget=forms.RadioSelect,
                                         error_messages={"required": "Choose the employer's outcome."})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from .outcomes import EMPLOYER_OUTCOME_HINTS, OUTCOME_DEFINITIONS

        # Each outcome's definition under it (003 §55); resignation: a compromise agreement stops no referral (§61).
        self.fields["outcome"].choice_hints = {str(k): v for k, v in OUTCOME_DEFINITIONS.items()}
        self.fields["employer_outcome"].choice_hints = {str(k): v for k, v in EMPLOYER_OUTCOME_HINTS.items()}


class DbsReferralForm(LimitsInWords, SaneDatesMixin, forms.Form):
    referred_on = GovukDateField(label="Date the employer referred to the DBS (leave blank if not made)", required=False,
                                 what="The date of the DBS referral")
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 3}),
                            help_text="If no referral was made, say why")

    def clean(self):
        data = super().clean()
        if not data.get("referred_on") and not (data.get("notes") or "").strip():
            self.add_error("notes", "Enter the date of the referral, or say why it was not made.")
        return data


class CivilClaimForm(LimitsInWords, SaneDatesMixin, forms.Form):
    civil_claim = forms.TypedChoiceField(
        label="Has a civil claim been brought over this matter?", coerce=lambda v: v == "yes",
        choices=[("yes", "Yes"), ("no", "No")], widget=forms.RadioSelect,
        error_messages={"required": "Choose whether a civil claim has been brought."})
    claim_on = GovukDateField(label="Date the service learned of the claim", required=False,
                              what="The date of the claim")
    notes = forms.CharField(label="Notes (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3}),
                            help_text="For example who brought it and against whom. No names of children.")

    def clean(self):
        data = super().clean()
        if data.get("civil_claim") and not data.get("claim_on") and "claim_on" not in self.errors:
            self.add_error("claim_on", "Enter the date the service learned of the claim.")
        return data


class RegulatorReferralForm(LimitsInWords, SaneDatesMixin, forms.ModelForm):
    class Meta:
        model = RegulatorReferral
        fields = ["regulator", "made_on", "made_by", "notes"]
        formfield_callback = govuk_formfield
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}
        error_messages = {"regulator": {"required": "Choose the regulator."}, "made_on": {"required": "Enter the date."},
                          "made_by": {"required": "Enter who made the referral."}}

    def clean_made_on(self):
        return not_future(self.cleaned_data.get("made_on"), "The date")


class CaseCloseForm(LimitsInWords, SaneDatesMixin, forms.Form):
    closed_at = GovukDateTimeField(label="Closure date and time", error_messages={"required": "Enter the closure date."})
    summary = forms.CharField(label="Closing summary", widget=forms.Textarea(attrs={"rows": 5}),
                              error_messages={"required": "Write a closing summary."})
    feedback_given_on = GovukDateField(label="Feedback to the child and parents given on (optional)", required=False,
                                       what="The date feedback was given")
    lessons_learned_on = GovukDateField(label="Lessons-learned review with the employer held on (optional)", required=False,
                                        what="The date of the lessons-learned review")
    return_to_work_support = forms.CharField(label="Return-to-work support (optional)", required=False,
                                             widget=forms.Textarea(attrs={"rows": 3}))


class CaseAssignForm(AssignForm):
    pass


class ReviewForm(LimitsInWords, SaneDatesMixin, forms.Form):
    """A case review (003 §42): meets the case review deadline and opens the next."""

    held_on = GovukDateField(label="Date of the review", error_messages={"required": "Enter the date of the review."})
    summary = forms.CharField(label="Summary of the review", widget=forms.Textarea(attrs={"rows": 5}),
                              error_messages={"required": "Summarise the review."})

    def clean_held_on(self):
        return not_future(self.cleaned_data.get("held_on"), "The review date")


class PoliceReviewForm(ReviewForm):
    """A police review of the investigation (003 §43): may set the next review date."""

    summary = forms.CharField(label="What the review decided", widget=forms.Textarea(attrs={"rows": 5}),
                              help_text="For example: charge, continue to investigate, or close the investigation",
                              error_messages={"required": "Say what the review decided."})
    next_review_on = GovukDateField(label="Next police review date (optional)", required=False)


class RouteForm(LimitsInWords, SaneDatesMixin, forms.Form):
    route = forms.ChoiceField(label="How will the case be managed now?", choices=Route.choices, widget=forms.RadioSelect,
                              error_messages={"required": "Choose how the case will be managed."})
    reason = forms.CharField(label="Why has the route changed?", widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": "Say why the route changed."})


class PartAudienceForm(LimitsInWords, forms.Form):
    """Who may see one item of a case: the LADO service widens or narrows it from its default (issue 12 §1)."""

    audience = forms.ChoiceField(label="Who may see it?", widget=forms.RadioSelect,
                                 error_messages={"required": "Choose who may see it."})
    reason = forms.CharField(label="Why?", max_length=300, widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": "Say why."})

    def __init__(self, *args, default: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["audience"].choices = [
            ("", f"Its usual audience: {Audience(default).label.lower()}"),
            *[(value, label) for value, label in Audience.choices if value != default],
        ]
        self.fields["audience"].required = False


class PartHoldForm(LimitsInWords, forms.Form):
    """The police hold an item back from the employer while the investigation runs, or lift that (003 §34)."""

    held = forms.TypedChoiceField(
        label="May the employer see it?", widget=forms.RadioSelect, coerce=lambda v: v == "held",
        choices=[("held", "No: not for the employer while the investigation runs"),
                 ("released", "Yes: the investigation no longer needs it kept from the employer")],
        error_messages={"required": "Choose whether the employer may see it."},
    )
    reason = forms.CharField(label="Why?", max_length=300, widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": "Say why."})
