"""Validation and normalisation only."""

from __future__ import annotations

from django import forms

from config.forms import LimitsInWords

from .models import PROMPT_SETTINGS, SPAN_SETTINGS, Nation, SpanUnit
from .selectors import SPAN_LABELS, hour_words

SPAN_HINTS = {
    # 003 §27: 7 working days.
    "strategy_meeting": "From the referral being received, on the strategy (section 47) route. The default is 7 working days.",
    # 001: initial minutes within 14 days, review minutes within 7 days.
    "minutes_initial": "From an initial meeting being held until its minutes are circulated. The default is 14 days.",
    "minutes_review": "From a review meeting being held until its minutes are circulated. The default is 7 days.",
    # 003 §42: periodic review.
    "case_review": "From the case being opened, then from each recorded review. The default is 28 days.",
    # 004 §3.5: the protocol's timescales were unclear; ours is one clear default per step.
    "disagreement_step": "From a disagreement being raised with the manager, the LADO manager, the head of service "
                         "or under the partnership's escalation protocol, until that step answers it. "
                         "The default is 5 working days.",
    # 003 §35: updates to the person provided regularly.
    "person_update": "From the person being told of the allegation, then from each recorded update, while the case "
                     "is open. The default is 28 days.",
}
DIGEST_HOURS = [(hour, hour_words(hour) + {0: " (midnight)", 12: " (midday)"}.get(hour, "")) for hour in range(24)]
MAX_SPAN = {SpanUnit.HOURS: 24 * 366, SpanUnit.WORKING_DAYS: 260, SpanUnit.DAYS: 366}


class PartnershipSettingsForm(LimitsInWords, forms.Form):
    nation = forms.ChoiceField(
        label="UK nation", choices=Nation.choices, widget=forms.RadioSelect,
        help_text="Its public holidays are not working days.",
    )
    reason = forms.CharField(
        label="Why are you changing the settings?", widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example, the procedure the partnership agreed and when. Kept in the settings' history.",
        error_messages={"required": "Enter why the settings are changing"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        reason = self.fields.pop("reason")
        for kind in SPAN_SETTINGS:
            self.fields[f"{kind}_span"] = forms.IntegerField(
                label="Number", min_value=1, max_value=max(MAX_SPAN.values()),
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
                error_messages={"required": f"Enter the number for the {SPAN_LABELS[kind].lower()} deadline",
                                "invalid": f"Enter the number for the {SPAN_LABELS[kind].lower()} deadline as a whole number",
                                "min_value": f"The {SPAN_LABELS[kind].lower()} deadline must be 1 or more"},
            )
            self.fields[f"{kind}_unit"] = forms.ChoiceField(
                label="Unit", choices=SpanUnit.choices,
                error_messages={"required": "Choose hours, working days or days"},
            )
        for name, label in PROMPT_SETTINGS.items():
            self.fields[name] = forms.IntegerField(
                label=label, min_value=1, max_value=366, widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
                error_messages={"required": f"Enter the number: {label.lower()}",
                                "invalid": f"Enter a whole number: {label.lower()}",
                                "min_value": f"Enter 1 or more: {label.lower()}",
                                "max_value": f"Enter 366 or less: {label.lower()}"},
            )
        self.fields["digest_hour"] = forms.TypedChoiceField(
            label="Hour of the daily e-mail", coerce=int, choices=DIGEST_HOURS,
            help_text="People who chose one e-mail a day for a kind of notice get it at this hour, UK time.",
            error_messages={"required": "Choose the hour of the daily e-mail",
                            "invalid_choice": "Choose the hour of the daily e-mail"},
        )
        self.fields["reason"] = reason

    def prompts(self):
        """The fields of the serious concerns prompt (001), for their fieldset."""
        return [self[name] for name in PROMPT_SETTINGS if name.startswith("provider_")]

    def low_level_prompts(self):
        """The fields of the low-level concerns' prompt (003 §10), for their fieldset."""
        return [self[name] for name in PROMPT_SETTINGS if name.startswith("low_level_")]

    def spans(self):
        """(kind, label, hint, number field, unit field) for the page's fieldsets."""
        return [(kind, SPAN_LABELS[kind], SPAN_HINTS[kind], self[f"{kind}_span"], self[f"{kind}_unit"])
                for kind in SPAN_SETTINGS]

    def clean(self):
        data = super().clean()
        for kind in SPAN_SETTINGS:
            number, unit = data.get(f"{kind}_span"), data.get(f"{kind}_unit")
            if number and unit and number > MAX_SPAN[SpanUnit(unit)]:
                self.add_error(f"{kind}_span", f"The {SPAN_LABELS[kind].lower()} deadline can be at most "
                                               f"{MAX_SPAN[SpanUnit(unit)]} {SpanUnit(unit).label.lower()}")
        return data


class NoticePreferencesForm(forms.Form):
    """For each group of notices (agencies.notices.NOTICE_GROUPS): an e-mail for each, or a daily digest."""

    def __init__(self, *args, **kwargs):
        from .models import NoticeDelivery
        from .notices import NOTICE_GROUPS

        super().__init__(*args, **kwargs)
        for group in NOTICE_GROUPS:
            field = forms.ChoiceField(
                label=group.label, choices=NoticeDelivery.choices, widget=forms.RadioSelect, help_text=group.hint,
                error_messages={"required": f"Choose how to be told of {group.label.lower()}",
                                "invalid_choice": f"Choose how to be told of {group.label.lower()}"},
            )
            self.fields[group.name] = field
