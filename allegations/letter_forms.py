"""The forms of letters from templates (allegations/letters.py): validation and normalisation only."""

from __future__ import annotations

from django import forms

from config.forms_dates import GovukDateField

from .forms import not_future
from .models import Audience, Letter, LetterKind


class LetterTemplateForm(forms.Form):
    subject = forms.CharField(label="Subject line", max_length=200,
                              error_messages={"required": "Enter the subject line."})
    body = forms.CharField(label="The letter's words", max_length=20000, widget=forms.Textarea(attrs={"rows": 18}),
                           help_text="Write a placeholder as {{ name }}; leave a blank line between paragraphs.",
                           error_messages={"required": "Enter the letter's words."})


class LetterDraftForm(forms.Form):
    kind = forms.ChoiceField(label="Which letter?", choices=LetterKind.choices, widget=forms.RadioSelect,
                             error_messages={"required": "Choose which letter."})
    recipient = forms.CharField(label="Who is it to?", max_length=200,
                                help_text="For example, the head teacher, Elm Primary School",
                                error_messages={"required": "Enter who the letter is to."})


class LetterEditForm(forms.Form):
    recipient = forms.CharField(label="Who is it to?", max_length=200,
                                error_messages={"required": "Enter who the letter is to."})
    subject = forms.CharField(label="Subject line", max_length=200,
                              error_messages={"required": "Enter the subject line."})
    body = forms.CharField(label="The letter", max_length=20000, widget=forms.Textarea(attrs={"rows": 18}),
                           error_messages={"required": "Enter the letter's words."})
    audience = forms.ChoiceField(label="Who may see the letter on the case?", choices=Audience.choices,
                                 widget=forms.RadioSelect,
                                 error_messages={"required": "Choose who may see the letter on the case."})


class LetterSentForm(forms.Form):
    sent_by = forms.ChoiceField(label="How was it sent?", choices=Letter.SentBy.choices, widget=forms.RadioSelect,
                                error_messages={"required": "Choose how the letter was sent."})
    sent_on = GovukDateField(label="Date sent (leave blank for today)", required=False, what="The date sent")

    def clean_sent_on(self):
        return not_future(self.cleaned_data.get("sent_on"), "The date sent")
