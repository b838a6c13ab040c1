"""Validation and normalisation only. Errors say what to do, in the users' words."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from agencies.models import Agency
from allegations.forms import not_future
from config.forms import LimitsInWords
from config.forms_dates import GovukDateField, GovukDateTimeField
from outbox.submissions import OneTimeTokenField

from .models import CASE_KINDS, AccessLevel, Attendance, Audience


def _person(user) -> str:
    return user.get_full_name() or user.username


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _person(obj)


class MeetingScheduleForm(LimitsInWords, forms.Form):
    form_token = OneTimeTokenField()  # pressing the button twice schedules one meeting (outbox.submissions)
    kind = forms.ChoiceField(
        label="What kind of meeting is it?", widget=forms.RadioSelect,
        choices=[(k.value, k.label) for k in CASE_KINDS],
        error_messages={"required": "Choose the kind of meeting.", "invalid_choice": "Choose the kind of meeting."},
    )
    scheduled_at = GovukDateTimeField(
        label="Date and time", what="The date and time of the meeting", error_messages={"required": "Enter the date and time of the meeting."},
    )
    location = forms.CharField(label="Where is it held? (leave blank if online only)", max_length=250, required=False)
    online_link = forms.URLField(
        label="Link to join online (optional)", max_length=500, required=False, assume_scheme="https",
        error_messages={"invalid": "Enter the link in full, starting https://"},
    )
    chair = PersonChoiceField(label="Chair", queryset=None, empty_label="Choose…",
                              error_messages={"required": "Choose the chair.", "invalid_choice": "Choose a chair from the list."})
    minute_taker = PersonChoiceField(
        label="Minute taker", queryset=None, required=False, empty_label="Not yet known",
        help_text="A designated minute taker drafts the minutes for the chair to approve",  # 004 §3.10
        error_messages={"invalid_choice": "Choose a minute taker from the list."},
    )
    chaired_by_service = forms.BooleanField(label="Chaired by the LADO service itself", required=False, initial=True)

    def __init__(self, *args, chairs, minute_takers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chair"].queryset = chairs
        self.fields["minute_taker"].queryset = minute_takers

    def clean(self):
        data = super().clean()
        if not (data.get("location") or "").strip() and not data.get("online_link") and "online_link" not in self.errors:
            self.add_error("location", "Enter where the meeting is held, or a link to join it online.")
        return data


RELOAD = {"required": "Reload the page and try again.", "invalid": "Reload the page and try again."}
ACCESS_HINT = "Decides which sections of the minutes they see"  # 003 §29


class InvitationForm(LimitsInWords, forms.Form):
    """Invite an agency, a person with an account, or someone without one."""

    agency = forms.ModelChoiceField(
        label="Agency", queryset=Agency.objects.none(), required=False, empty_label="Choose…",
        error_messages={"invalid_choice": "Choose an agency from the list."},
    )
    user = PersonChoiceField(
        label="A person with an account (optional)", queryset=None, required=False, empty_label="Nobody in particular",
        error_messages={"invalid_choice": "Choose a person from the list."},
    )
    name = forms.CharField(label="Or: name of someone without an account", max_length=150, required=False)
    role = forms.CharField(label="Their role (optional)", max_length=150, required=False,
                           help_text="For example: HR officer, Riverside Charity")
    email = forms.EmailField(label="Their email address (optional)", required=False,
                             error_messages={"invalid": "Enter an email address in the correct format, like name@example.org."})
    access_level = forms.ChoiceField(
        label="What may they see of the minutes?", widget=forms.RadioSelect, choices=AccessLevel.choices,
        help_text=ACCESS_HINT, error_messages={"required": "Choose what they may see of the minutes.",
                                               "invalid_choice": "Choose what they may see of the minutes."},
    )

    def __init__(self, *args, agencies, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies
        self.fields["user"].queryset = people

    def clean(self):
        data = super().clean()
        if not data.get("agency") and not data.get("user") and not (data.get("name") or "").strip() \
                and not {"agency", "user"} & set(self.errors):
            self.add_error("agency", "Choose an agency or a person, or enter the name of someone without an account.")
        if data.get("user") and (data.get("name") or "").strip():
            self.add_error("name", "Choose a person with an account, or enter a name: not both.")
        return data


class InvitationEditForm(LimitsInWords, forms.Form):
    access_level = forms.ChoiceField(
        label="What may they see of the minutes?", widget=forms.RadioSelect, choices=AccessLevel.choices,
        help_text=ACCESS_HINT, error_messages={"required": "Choose what they may see of the minutes.",
                                               "invalid_choice": "Choose what they may see of the minutes."},
    )
    name = forms.CharField(label="Name", max_length=150, required=False)
    role = forms.CharField(label="Role (optional)", max_length=150, required=False)
    email = forms.EmailField(label="Email address (optional)", required=False,
                             error_messages={"invalid": "Enter an email address in the correct format, like name@example.org."})


class SuggestionForm(LimitsInWords, forms.Form):
    key = forms.CharField(max_length=120)


class AttendanceForm(LimitsInWords, forms.Form):
    """One radio group per invitation: attendance_<invitation id>."""

    def __init__(self, *args, invitations, choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.invitations = invitations
        for invitation in invitations:
            self.fields[f"attendance_{invitation.pk}"] = forms.ChoiceField(
                label=invitation.display_name + (f", {invitation.agency}" if invitation.agency_id and invitation.user_id else ""),
                widget=forms.RadioSelect, choices=choices or Attendance.choices, initial=invitation.attendance,
                error_messages={"required": f"Say whether {invitation.display_name} attended.",
                                "invalid_choice": f"Say whether {invitation.display_name} attended."},
            )

    def attendance(self) -> dict[int, str]:
        return {i.pk: self.cleaned_data[f"attendance_{i.pk}"] for i in self.invitations}


class HoldForm(AttendanceForm):
    held_at = GovukDateTimeField(
        label="When was the meeting held?", what="The date and time of the meeting", error_messages={"required": "Enter when the meeting was held."},
    )
    def __init__(self, *args, invitations, **kwargs):
        super().__init__(*args, invitations=invitations,
                         choices=[c for c in Attendance.choices if c[0] != Attendance.INVITED], **kwargs)
        self.order_fields(["held_at"])

    def clean_held_at(self):
        return not_future(self.cleaned_data.get("held_at"), "The meeting")


class RescheduleForm(LimitsInWords, forms.Form):
    """A new date, time or place: everyone already sent the invitation is sent the change."""

    scheduled_at = GovukDateTimeField(
        label="Date and time", what="The date and time of the meeting", error_messages={"required": "Enter the date and time of the meeting."},
    )
    location = forms.CharField(label="Where is it held? (leave blank if online only)", max_length=250, required=False)
    online_link = forms.URLField(
        label="Link to join online (optional)", max_length=500, required=False, assume_scheme="https",
        error_messages={"invalid": "Enter the link in full, starting https://"},
    )

    def clean(self):
        data = super().clean()
        if not (data.get("location") or "").strip() and not data.get("online_link") and "online_link" not in self.errors:
            self.add_error("location", "Enter where the meeting is held, or a link to join it online.")
        return data


class UnreachedForm(LimitsInWords, forms.Form):
    reason = forms.CharField(
        label="Why could they not be reached?", widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: they have left the agency and nobody has taken their place yet; the minutes were "
                  "handed to them at the next meeting",
        error_messages={"required": "Say why they could not be reached."})


class CancelForm(LimitsInWords, forms.Form):
    reason = forms.CharField(label="Why is the meeting cancelled?", widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": "Say why the meeting is cancelled."})


class MinutesForm(LimitsInWords, forms.Form):
    """Every section of the minutes on one page: <key>-body, <key>-audience, <key>-none_raised, and the revision."""

    revision = forms.IntegerField(widget=forms.HiddenInput, error_messages=RELOAD)

    def __init__(self, *args, sections, **kwargs):
        super().__init__(*args, **kwargs)
        self.sections = sections
        for section in sections:
            self.fields[f"{section.key}-body"] = forms.CharField(
                label=section.title, required=False, widget=forms.Textarea(attrs={"rows": 6}),
                help_text=section.guidance, initial=section.body,
            )
            self.fields[f"{section.key}-audience"] = forms.ChoiceField(
                label="Who is this section for?", choices=Audience.choices, initial=section.audience,
                error_messages={"required": "Choose who this section is for.", "invalid_choice": "Choose who this section is for."},
            )
            if section.allows_none:
                self.fields[f"{section.key}-none_raised"] = forms.BooleanField(
                    label="None raised", required=False, initial=section.none_raised,
                )

    def grouped(self):
        """(section, body field, audience field, none field or None) for the template."""
        for section in self.sections:
            none = self[f"{section.key}-none_raised"] if section.allows_none else None
            yield section, self[f"{section.key}-body"], self[f"{section.key}-audience"], none

    def section_data(self) -> dict[str, dict]:
        data = self.cleaned_data
        return {
            s.key: {"body": data.get(f"{s.key}-body", ""), "audience": data.get(f"{s.key}-audience"),
                    "none_raised": data.get(f"{s.key}-none_raised", False)}
            for s in self.sections
        }


class ApproveForm(LimitsInWords, forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput, error_messages=RELOAD)


class CirculateForm(LimitsInWords, forms.Form):
    invitations = forms.MultipleChoiceField(
        label="Who should receive them?", widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose who to send the minutes to.",
                        "invalid_choice": "Choose people invited to this meeting."},
    )

    def __init__(self, *args, invitations, received_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.by_pk = {str(i.pk): i for i in invitations}
        choices = []
        for i in invitations:
            label = f"{i.display_name}{', ' + i.agency.name if i.agency_id and i.display_name != i.agency.name else ''}"
            label += f" — {i.get_access_level_display().split(':')[0].lower()} access"
            if i.pk in received_ids:
                label += " (already sent this version)"
            choices.append((str(i.pk), label))
        self.fields["invitations"].choices = choices
        self.fields["invitations"].initial = [str(i.pk) for i in invitations if i.pk not in received_ids]

    def chosen(self):
        return [self.by_pk[pk] for pk in self.cleaned_data["invitations"]]


class ActionForm(LimitsInWords, forms.Form):
    description = forms.CharField(label="What is to be done?", widget=forms.Textarea(attrs={"rows": 3}),
                                  error_messages={"required": "Describe the action."})
    agency = forms.ModelChoiceField(label="Which agency?", queryset=Agency.objects.none(), empty_label="Choose…",
                                    error_messages={"required": "Choose the agency responsible.",
                                                    "invalid_choice": "Choose an agency from the list."})
    assignee_name = forms.CharField(label="Who will do it? (optional)", max_length=150, required=False,
                                    help_text="Name and role, for example DS Patel")
    due_on = GovukDateField(label="Due date", error_messages={"required": "Enter the due date."})
    meeting = forms.ChoiceField(label="Agreed at", required=False)

    def __init__(self, *args, agencies, meetings=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies
        if meetings is None:
            del self.fields["meeting"]
        else:
            self.meetings = {str(m.pk): m for m in meetings}
            self.fields["meeting"].choices = [("", "A decision between meetings")] + [
                (str(m.pk), str(m)) for m in meetings
            ]
            self.fields["meeting"].error_messages["invalid_choice"] = "Choose a meeting of this case."

    def clean_due_on(self):
        value = self.cleaned_data.get("due_on")
        if value and value < timezone.localdate():
            raise forms.ValidationError("The due date must be today or in the future")
        return value

    def chosen_meeting(self):
        key = self.cleaned_data.get("meeting")
        return self.meetings.get(key) if key else None


class ActionCompleteForm(LimitsInWords, forms.Form):
    evidence = forms.CharField(label="What shows it was done?", widget=forms.Textarea(attrs={"rows": 4}),
                               help_text="For example: the date the strategy meeting was held, the reference of the DBS referral",
                               error_messages={"required": "Describe the evidence that the action was done."})


class ActionCancelForm(LimitsInWords, forms.Form):
    reason = forms.CharField(label="Why is it no longer needed?", widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": "Say why the action is no longer needed."})



# --- PDFs, withheld passages, guests ----------------------------------------------------------------

class PdfRequestForm(LimitsInWords, forms.Form):
    """The chair or the LADO service prepare a PDF for an invitee, or for someone they name."""

    variant = forms.ChoiceField(
        label="Which sections should the PDF hold?", widget=forms.RadioSelect, choices=(),
        error_messages={"required": "Choose which sections the PDF should hold.",
                        "invalid_choice": "Choose which sections the PDF should hold."},
    )
    invitation = forms.ChoiceField(label="Who is it for?", required=False,
                                   error_messages={"invalid_choice": "Choose someone invited to this meeting."})
    recipient = forms.CharField(
        label="Or: who else is it for? (optional)", max_length=250, required=False,
        help_text="For example: the subject, who asked for the minutes. Shown as ‘Prepared for’ on every page",
    )

    def __init__(self, *args, invitations, variants, **kwargs):
        super().__init__(*args, **kwargs)
        self.by_pk = {str(i.pk): i for i in invitations}
        self.fields["variant"].choices = variants
        self.fields["invitation"].choices = [("", "Someone not invited")] + [
            (str(i.pk), f"{i.display_name}{', ' + i.agency.name if i.agency_id and i.display_name != i.agency.name else ''}"
                        f" ({i.get_access_level_display().split(':')[0].lower()} access)")
            for i in invitations
        ]

    def clean(self):
        data = super().clean()
        if not data.get("invitation") and not (data.get("recipient") or "").strip() and "invitation" not in self.errors:
            self.add_error("invitation", "Choose an invitee, or enter who the PDF is for.")
        return data

    def chosen_invitation(self):
        key = self.cleaned_data.get("invitation")
        return self.by_pk.get(key) if key else None


class WithholdingForm(LimitsInWords, forms.Form):
    text = forms.CharField(
        label="Passage to withhold", widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Copy it exactly as it appears in this version. It is replaced by [withheld] in the redacted version",
        error_messages={"required": "Enter the passage to withhold, exactly as it appears in the minutes."},
    )
    reason = forms.CharField(
        label="Why is it withheld?", widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: it identifies the child; it is third-party information",  # 003 §49–50
        error_messages={"required": "Say why the passage is withheld."},
    )


class GuestAccessForm(LimitsInWords, forms.Form):
    expires_on = GovukDateField(
        label="Access ends on", what="The date the access ends", help_text="They can sign in and see this meeting until the end of this day. Usually 30 days",
        error_messages={"required": "Enter the date the access ends."},
    )

    def clean_expires_on(self):
        value = self.cleaned_data.get("expires_on")
        if value and value <= timezone.localdate():
            raise forms.ValidationError("The access must end in the future.")
        return value

    def expires_at(self):
        """The end of the chosen day, in the partnership's time zone."""
        import datetime as dt

        day = self.cleaned_data["expires_on"] + dt.timedelta(days=1)
        return timezone.make_aware(dt.datetime.combine(day, dt.time.min))
