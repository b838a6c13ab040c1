"""The forms of a cross-border transfer (allegations/transfers.py): validation and normalisation only."""

from __future__ import annotations

from django import forms

from agencies.models import Agency
from config.forms import LimitsInWords, TelephoneField
from config.forms_dates import GovukDateField

from .forms import SaneDatesMixin, not_future


class TransferForm(LimitsInWords, SaneDatesMixin, forms.Form):
    """To whom the referral goes, and who leads by agreement (003 §4, §14, §71–72)."""

    receiving_service = forms.ModelChoiceField(
        label="Receiving LADO service (if it uses this system)", queryset=Agency.objects.none(), required=False,
        empty_label="Not in this system: type the authority below",
        error_messages={"invalid_choice": "Choose a LADO service from the list."},
    )
    authority_name = forms.CharField(label="Receiving authority", max_length=200, required=False,
                                     help_text="The local authority whose LADO service receives the referral")
    contact_name = forms.CharField(label="Contact's name at the receiving LADO service", max_length=150,
                                   error_messages={"required": "Enter the name of the contact at the receiving LADO service."})
    contact_email = forms.EmailField(label="Contact's email address", required=False,
                                     error_messages={"invalid": "Enter an email address in the correct format, like name@example.org."})
    contact_phone = TelephoneField(label="Contact's phone number", required=False)
    lead_authority = forms.CharField(label="Which authority leads?", max_length=200,
                                     help_text="Usually the authority where the person works",
                                     error_messages={"required": "Enter which authority leads."})
    lead_agreed_with = forms.CharField(label="Who was the lead agreed with?", max_length=150,
                                       help_text="Name and role at the other LADO service",
                                       error_messages={"required": "Enter who the lead was agreed with."})
    lead_agreed_on = GovukDateField(label="When was the lead agreed?", what="The date the lead was agreed",
                                    error_messages={"required": "Enter the date the lead was agreed."})

    def __init__(self, *args, services=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["receiving_service"].queryset = services if services is not None else Agency.objects.none()

    def clean_lead_agreed_on(self):
        return not_future(self.cleaned_data.get("lead_agreed_on"), "The date the lead was agreed")

    def clean(self):
        data = super().clean()
        if not data.get("receiving_service") and not (data.get("authority_name") or "").strip() \
                and "authority_name" not in self.errors:
            self.add_error("authority_name", "Enter the authority the referral is sent to, or choose its LADO service.")
        if not data.get("contact_email") and not data.get("contact_phone") \
                and "contact_email" not in self.errors and "contact_phone" not in self.errors:
            self.add_error("contact_email", "Enter the contact's email address or phone number.")
        return data


class AcknowledgementForm(LimitsInWords, SaneDatesMixin, forms.Form):
    acknowledged_by = forms.CharField(label="Who acknowledged it?", max_length=150,
                                      help_text="Name and role at the receiving LADO service",
                                      error_messages={"required": "Enter who acknowledged the transfer at the receiving service."})
    acknowledged_on = GovukDateField(label="When was it acknowledged?", what="The date the transfer was acknowledged",
                                     error_messages={"required": "Enter the date the transfer was acknowledged."})

    def clean_acknowledged_on(self):
        return not_future(self.cleaned_data.get("acknowledged_on"), "The date the transfer was acknowledged")
