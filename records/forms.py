"""Validation and normalisation only: the file's content is checked by records.files (through the service)."""

from __future__ import annotations

from django import forms

from config.forms import LimitsInWords
from config.forms_dates import GovukDateField
from outbox.submissions import OneTimeTokenField

from .models import DocumentKind

FILE_AGAIN = "Choose the file again."


class DocumentForm(LimitsInWords, forms.Form):
    form_token = OneTimeTokenField()  # sending the form twice attaches one document (outbox.submissions)
    title = forms.CharField(max_length=200, label="Title",
                            help_text="What the document is, for example 'Statement from the head teacher'",
                            error_messages={"required": "Enter a title for the document."})
    kind = forms.ChoiceField(choices=DocumentKind.choices, widget=forms.RadioSelect, label="Kind of document",
                             error_messages={"required": "Select what kind of document this is."})
    file = forms.FileField(
        label="Upload a file",
        help_text="PDF, Word (.docx), Excel (.xlsx), OpenDocument text (.odt), PNG, JPEG, plain text (.txt) or "
                  "e-mail (.eml), smaller than {size}",
        error_messages={"required": "Select a file.", "empty": f"The selected file is empty. {FILE_AGAIN}",
                        "invalid": f"The selected file could not be read. {FILE_AGAIN}"},
    )

    def __init__(self, *args, meeting: bool = False, max_size: int, file_too_big: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.size_in_words = f"{max_size // (1024 * 1024)} MB"
        self.fields["file"].help_text = self.fields["file"].help_text.format(size=self.size_in_words)
        # records.uploads dropped the file as it arrived: say why, not "Select a file".
        self.file_too_big = file_too_big
        if file_too_big:
            self.fields["file"].required = False
        if meeting:
            self.fields["shared_with_invitees"] = forms.BooleanField(
                required=False, label="Share with the people invited to the meeting",
                help_text="Otherwise only the LADO service, the chair and the minute taker see it",
            )

    def clean(self):
        data = super().clean()
        if self.file_too_big:
            self.add_error("file", f"The selected file must be smaller than {self.size_in_words}. {FILE_AGAIN}")
        return data


class WithdrawForm(LimitsInWords, forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Why is the document being withdrawn?",
                             error_messages={"required": "Enter why the document is being withdrawn."})


class AccessLogFilter(LimitsInWords, forms.Form):
    date_from = GovukDateField(required=False, label="From", what="The start date")
    date_to = GovukDateField(required=False, label="To", what="The end date")
    person = forms.CharField(required=False, max_length=150, label="Person",
                             help_text="Their user name, or part of their name")
    reference = forms.CharField(required=False, max_length=40, label="Reference", help_text="For example MAS-2026-00012")

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "The end date must be the same as or after the start date.")
        return data
