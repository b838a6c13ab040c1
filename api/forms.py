from __future__ import annotations

from django import forms

from agencies.models import Agency, Role

from .models import Scope
from .services import SCOPES_FOR_ROLE


class ApiClientForm(forms.Form):
    name = forms.CharField(label="Name of the client", max_length=120,
                           help_text="The system that will use it, for example \"Riverside Primary HR system\". "
                                     "The access log shows this name for everything the client reads.",
                           error_messages={"required": "Enter a name for the client, for example the system that will use it."})
    agency = forms.ModelChoiceField(label="Agency it acts for", queryset=Agency.objects.filter(is_active=True),
                                    error_messages={"required": "Choose the agency the client acts for.",
                                                    "invalid_choice": "Choose an agency from the list."})
    role = forms.ChoiceField(label="Role it acts in", help_text="It sees exactly what a person of that agency in this "
                                                               "role sees",
                             choices=[("", "Choose a role")] + [(r.value, r.label) for r in Role if r in SCOPES_FOR_ROLE],
                             error_messages={"required": "Choose the role the client acts in."})
    scopes = forms.MultipleChoiceField(label="What may it do?", widget=forms.CheckboxSelectMultiple, choices=Scope.choices,
                                       error_messages={"required": "Choose at least one thing the client may do."})


class RevokeForm(forms.Form):
    reason = forms.CharField(label="Why is it revoked?", widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": "Say why the client is revoked."})
