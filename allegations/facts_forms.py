"""Forms for facts that change and the people told (allegations/facts.py). Validation and normalisation only."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone

from agencies.models import Sector
from config.forms import LimitsInWords
from config.forms_dates import GovukDateField

from .forms import CaseCloseForm, ChildForm, SaneDatesMixin, _choices, not_future
from .models import Category, ConcernKind, EmploymentType, HowArose, Timing


def reason_field(label="Why are you making this change?", required=True):
    return forms.CharField(
        label=label, required=required, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="This is kept with the change in the record's history and shown on the case's timeline.",
        error_messages={"required": "Say why you are making this change."},
    )


class ReferralFactsForm(LimitsInWords, SaneDatesMixin, forms.Form):
    """What the referral says happened, corrected or added to after intake."""

    concern_kind = forms.ChoiceField(label="What is it?", choices=ConcernKind.choices, widget=forms.RadioSelect,
                                     error_messages={"required": "Say whether it is an allegation, a quality-of-care "
                                                                 "concern or a complaint."})
    category = forms.ChoiceField(label="Category", choices=Category.choices, widget=forms.RadioSelect, required=False)
    description = forms.CharField(label="What is alleged to have happened?", widget=forms.Textarea(attrs={"rows": 8}),
                                  error_messages={"required": "Describe what is alleged to have happened."})
    concern_arose_on = GovukDateField(label="When did the concern arise?", what="The date the concern arose",
                                      error_messages={"required": "Enter the date the concern arose."})
    how_arose = forms.ChoiceField(label="How did it come to light?", choices=HowArose.choices, widget=forms.RadioSelect,
                                  error_messages={"required": "Say how the concern came to light."})
    timing = forms.ChoiceField(label="Is this about something happening now, or in the past?", choices=Timing.choices,
                               widget=forms.RadioSelect,
                               error_messages={"required": "Say whether the allegation is contemporaneous or non-recent."})
    employer_name = forms.CharField(label="Employer or organisation", max_length=200,
                                    error_messages={"required": "Enter the employer or organisation."})
    sector = forms.ChoiceField(label="Sector", choices=_choices(Sector.choices, blank=True),
                               error_messages={"required": "Choose the sector.",
                                               "invalid_choice": "Choose the sector from the list."})
    subject_works_in = forms.CharField(label="Local authority area where they work (if not ours)", max_length=120,
                                       required=False)
    subject_lives_in = forms.CharField(label="Local authority area where they live (if not ours)", max_length=120,
                                       required=False)
    other_settings = forms.CharField(label="Other places they work or volunteer (optional)", required=False,
                                     widget=forms.Textarea(attrs={"rows": 3}))
    known_history = forms.CharField(label="Earlier concerns about this person (optional)", required=False,
                                    widget=forms.Textarea(attrs={"rows": 4}))
    reason = reason_field()

    @classmethod
    def initial_for(cls, referral) -> dict:
        arose = referral.concern_arose_at
        return {
            "concern_kind": referral.concern_kind, "category": referral.category, "description": referral.description,
            "concern_arose_on": timezone.localtime(arose).date() if arose else None, "how_arose": referral.how_arose,
            "timing": referral.timing, "employer_name": referral.employer_name, "sector": referral.sector,
            "subject_works_in": referral.subject_works_in, "subject_lives_in": referral.subject_lives_in,
            "other_settings": referral.other_settings, "known_history": referral.known_history,
        }

    def clean_concern_arose_on(self):
        return not_future(self.cleaned_data.get("concern_arose_on"), "The date the concern arose")

    def clean(self):
        data = super().clean()
        if data.get("concern_kind") == ConcernKind.ALLEGATION and not data.get("category"):
            self.add_error("category", "Choose the category of the allegation.")
        return data

    def facts(self, referral) -> dict:
        """The service's fields: the date kept as the referral's moment when it is the same day."""
        data = dict(self.cleaned_data)
        data.pop("reason")
        arose = data.pop("concern_arose_on")
        current = referral.concern_arose_at
        if current is not None and timezone.localtime(current).date() == arose:
            data["concern_arose_at"] = current
        else:
            data["concern_arose_at"] = dt.datetime.combine(arose, dt.time(12, 0), tzinfo=timezone.get_current_timezone())
        return data


class SubjectFactsForm(LimitsInWords, SaneDatesMixin, forms.Form):
    given_name = forms.CharField(label="First name", max_length=100,
                                 error_messages={"required": "Enter the person's first name."})
    family_name = forms.CharField(label="Last name", max_length=100,
                                  error_messages={"required": "Enter the person's last name."})
    known_as = forms.CharField(label="Also known as (optional)", max_length=100, required=False)
    date_of_birth = GovukDateField(label="Date of birth (optional)", required=False, example="For example, 27 3 1980")
    subject_role = forms.CharField(label="Their role", max_length=150,
                                   error_messages={"required": "Enter the person's role, for example teacher or foster carer."})
    employment_type = forms.ChoiceField(label="How are they engaged?", choices=EmploymentType.choices,
                                        widget=forms.RadioSelect, error_messages={"required": "Say how the person is engaged."})
    reason = reason_field()

    @classmethod
    def initial_for(cls, referral) -> dict:
        s = referral.subject
        return {"given_name": s.given_name, "family_name": s.family_name, "known_as": s.known_as,
                "date_of_birth": s.date_of_birth, "subject_role": referral.subject_role,
                "employment_type": referral.employment_type}

    def clean_date_of_birth(self):
        return not_future(self.cleaned_data.get("date_of_birth"), "The date of birth")


class OtherSubjectForm(SubjectFactsForm):
    """Another person alleged against in the same referral."""

    known_as = None
    reason = reason_field("Why are you adding this person?")


class ChildFactsForm(ChildForm):
    """A child (or adult at risk) added or corrected after intake: their details and the reason."""

    reason = reason_field()

    class Meta(ChildForm.Meta):
        fields = ["given_name", "family_name", "date_of_birth", "relationship", "social_worker", "looked_after", "notes"]
        widgets = {"relationship": forms.Select, "notes": forms.Textarea(attrs={"rows": 3})}
        labels = {**ChildForm.Meta.labels, "notes": "Notes (optional)"}
        error_messages = {"given_name": {"required": "Enter the first name."}}


class ChildRemoveForm(LimitsInWords, forms.Form):
    reason = reason_field("Why are you removing this person?")


class ParentsToldForm(LimitsInWords, SaneDatesMixin, forms.Form):
    """Whether a child's parents or carers were told, by whom, when and what; or why not; the child's views."""

    told = forms.TypedChoiceField(
        label="Have the parents or carers been told?", widget=forms.RadioSelect,
        choices=[("yes", "Yes"), ("no", "No, and they will not be")], coerce=lambda v: v == "yes",
        error_messages={"required": "Say whether the parents or carers have been told."},
    )
    told_by = forms.CharField(label="Who told them? (if told)", max_length=150, required=False,
                              help_text="Their name, role and agency")
    told_on = GovukDateField(label="When were they told? (if told)", required=False, what="The date they were told")
    what_told = forms.CharField(label="What were they told? (if told)", required=False,
                                widget=forms.Textarea(attrs={"rows": 4}))
    not_told_reason = forms.CharField(label="Why were they not told? (if not told)", required=False,
                                      widget=forms.Textarea(attrs={"rows": 3}),
                                      help_text="For example, the police asked that they are not told yet")
    child_views = forms.CharField(label="The child's views, if given (optional)", required=False,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    reason = reason_field("Why are you changing what was recorded? (if changing it)", required=False)

    def __init__(self, *args, changing: bool = False, person: str = "child", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["child_views"].label = f"The {person}'s views, if given (optional)"
        if not changing:
            del self.fields["reason"]

    @classmethod
    def initial_for(cls, record) -> dict:
        if record is None:
            return {}
        return {"told": "yes" if record.told else "no", "told_by": record.told_by, "told_on": record.told_on,
                "what_told": record.what_told, "not_told_reason": record.not_told_reason,
                "child_views": record.child_views}


class AssociatedPersonForm(LimitsInWords, forms.Form):
    name = forms.CharField(label="Name", max_length=150, error_messages={"required": "Enter the person's name."})
    relationship = forms.CharField(label="Their relationship or role", max_length=150,
                                   help_text="For example, the subject's partner, or a colleague who was there",
                                   error_messages={"required": "Enter their relationship or role."})
    notes = forms.CharField(label="Why they are relevant (optional)", required=False,
                            widget=forms.Textarea(attrs={"rows": 4}))
    reason = reason_field("Why are you adding this person?")


class ClosingForm(CaseCloseForm):
    """Closing a case: for each child whose parents or carers are not recorded as told (or not, with why), a box
    for the reason they were not told (003 §25, §58). The service refuses to close until each has one."""

    def __init__(self, *args, children=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.child_fields = {}
        for child in children:
            name = f"not_told_{child.pk}"
            self.fields[name] = forms.CharField(
                label=f"Why were the parents or carers of {child} not told?", required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text="Leave this empty and record that they were told on the People told page, if they were",
            )
            self.child_fields[name] = child.pk

    def service_data(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k not in self.child_fields}
        data["parents_not_told"] = {pk: self.cleaned_data.get(name, "") for name, pk in self.child_fields.items()}
        return data

