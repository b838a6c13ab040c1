from django import forms

from config.forms import LimitsInWords

from .models import EVENTS


class EndpointForm(LimitsInWords, forms.Form):
    agency = forms.TypedChoiceField(label="Which agency's events?", coerce=int, choices=(),
                                    error_messages={"required": "Choose the agency.",
                                                    "invalid_choice": "Choose an agency you administer."})
    # Not a URLField: the service checks the address and says what is wrong with it in words.
    url = forms.CharField(label="Endpoint address", max_length=500,
                          help_text="Your system's address that receives events. It must start with https://",
                          error_messages={"required": "Enter the address of your system's endpoint, like "
                                                      "https://example.org/webhooks."})
    description = forms.CharField(label="Description (optional)", max_length=200, required=False,
                                  help_text="For your own reference, for example the name of the system")
    events = forms.MultipleChoiceField(
        label="Which events should it be told about?", widget=forms.CheckboxSelectMultiple,
        choices=[(name, f"{name}: {words}") for name, words in EVENTS.items()],
        help_text="Each event carries a reference, the time and a link, never names. Select all that apply.",
        error_messages={"required": "Choose at least one event to be told about.",
                        "invalid_choice": "Choose events from the list."})

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [(a.pk, a.name) for a in agencies]
        if len(agencies) == 1:  # one agency: nothing to ask
            self.fields["agency"].widget = forms.HiddenInput()
            self.fields["agency"].initial = agencies[0].pk


class ConfirmForm(forms.Form):
    """A button's form: the CSRF token only."""
