"""Meetings, invitations, minutes and actions (domain.md §3: Meeting, Minutes, Action).

The meeting kinds are the values of interchange.md's meetings.csv, so imports and
exports need no mapping. Who sees which part of the minutes is decided by two small
tables here: an invitation's access level and a section's audience (AUDIENCES_FOR).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from guardian.models import GroupObjectPermissionBase
from simple_history.models import HistoricalRecords

from agencies.models import AccessLevel, Agency
from config.storage import PrivateStorage

from .querysets import ActionQuerySet, MeetingQuerySet


class MeetingKind(models.TextChoices):
    STRATEGY_DISCUSSION = "strategy_discussion", "Strategy discussion (section 47)"
    INITIAL = "initial", "Initial position-of-trust (managing allegations) meeting"
    REVIEW = "review", "Review position-of-trust (managing allegations) meeting"
    SERIOUS_CONCERNS_INITIAL = "serious_concerns_initial", "Initial serious concerns meeting"
    SERIOUS_CONCERNS_REVIEW = "serious_concerns_review", "Serious concerns review meeting"
    OUTCOME_LESSONS_LEARNED = "outcome_lessons_learned", "Outcome and lessons learned meeting"


# deadlines.md: minutes within 14 days of an initial meeting, 7 days of a review meeting (001).
INITIAL_KINDS = frozenset({MeetingKind.STRATEGY_DISCUSSION, MeetingKind.INITIAL, MeetingKind.SERIOUS_CONCERNS_INITIAL})
REVIEW_KINDS = frozenset({MeetingKind.REVIEW, MeetingKind.SERIOUS_CONCERNS_REVIEW, MeetingKind.OUTCOME_LESSONS_LEARNED})
# Kinds a case (a person in a position of trust) can have; the others belong to provider concerns (001).
CASE_KINDS = (MeetingKind.STRATEGY_DISCUSSION, MeetingKind.INITIAL, MeetingKind.REVIEW)
PROVIDER_KINDS = (MeetingKind.SERIOUS_CONCERNS_INITIAL, MeetingKind.SERIOUS_CONCERNS_REVIEW, MeetingKind.OUTCOME_LESSONS_LEARNED)


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    HELD = "held", "Held"
    CANCELLED = "cancelled", "Cancelled"


class Meeting(models.Model):
    """A strategy discussion, a position-of-trust meeting, or (later) a serious concerns meeting."""

    # A meeting is about a case, or (the serious concerns kinds) about a provider concern (001).
    case = models.ForeignKey("allegations.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="meetings")
    provider_concern = models.ForeignKey(
        "providers.ProviderConcern", null=True, blank=True, on_delete=models.CASCADE, related_name="meetings"
    )
    kind = models.CharField(max_length=32, choices=MeetingKind.choices)
    scheduled_at = models.DateTimeField()
    location = models.CharField(max_length=250, blank=True, help_text="Where it is held, if in person")
    online_link = models.URLField(max_length=500, blank=True)
    # Null only for meetings imported from a legacy system (interchange.md), which name no chair.
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="meetings_chaired"
    )
    minute_taker = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="meetings_minuted"
    )
    status = models.CharField(max_length=16, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED)
    held_at = models.DateTimeField(null=True, blank=True)
    cancelled_reason = models.TextField(blank=True)
    chaired_by_service = models.BooleanField(default=True, help_text="Chaired by the LADO service itself")
    # When the minutes were first circulated: set by services.minutes_circulate(), or by an import.
    minutes_circulated_at = models.DateTimeField(null=True, blank=True)
    # The minutes deadline this meeting opened when held (met when its minutes are circulated).
    minutes_deadline = models.ForeignKey(
        "deadlines.Deadline", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    # The calendar file's SEQUENCE (RFC 5545): raised by each change of date, time or place and by cancelling, so
    # a calendar replaces the invitation it holds (meetings.deliveries).
    calendar_sequence = models.PositiveIntegerField(default=0)

    history = HistoricalRecords()
    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["scheduled_at", "pk"]
        indexes = [
            # selectors.meetings_context(): a case's meetings in date order.
            models.Index(fields=["case", "scheduled_at"], name="meeting_case_when"),
            # querysets.MeetingQuerySet.visible_to(): meetings a person chairs or minutes.
            models.Index(fields=["chair", "status"], name="meeting_chair_status"),
            # providers.selectors.concern_detail(): a provider concern's meetings in date order.
            models.Index(fields=["provider_concern", "scheduled_at"], name="meeting_concern_when",
                         condition=Q(provider_concern__isnull=False)),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(case__isnull=True) | Q(provider_concern__isnull=True),
                                   name="meeting_case_or_provider_concern"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}, {timezone.localtime(self.scheduled_at):%d %B %Y}"

    @property
    def is_cancelled(self) -> bool:
        return self.status == MeetingStatus.CANCELLED

    @property
    def is_held(self) -> bool:
        return self.status == MeetingStatus.HELD

    @property
    def minutes_deadline_kind(self) -> str:
        return "minutes_initial" if self.kind in INITIAL_KINDS else "minutes_review"


class MeetingGroupObjectPermission(GroupObjectPermissionBase):
    """A meeting shared with an invited agency's group (direct foreign key: no orphans, fast joins)."""

    content_object = models.ForeignKey(Meeting, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        abstract = False
        indexes = [
            # permissions.shared_meeting_ids_filter()
            models.Index(fields=["group", "permission"], name="meetinggroupperm_group"),
        ]


# --- Who sees which part of the minutes ----------------------------------------------


class Audience(models.TextChoices):
    """Who a minutes section is for (003 §29, §32: the child's safeguarding kept apart from the adult's employment)."""

    GENERAL = "general", "Everyone invited"
    CHILD = "child", "Child safeguarding: safeguarding professionals only"
    EMPLOYMENT = "employment", "The adult's employment: employer and safeguarding professionals"
    RESTRICTED = "restricted", "Restricted: the chair and the LADO service only"


AUDIENCES_FOR: dict[str, frozenset[str]] = {
    AccessLevel.FULL: frozenset(Audience.values),
    AccessLevel.SAFEGUARDING: frozenset({Audience.GENERAL, Audience.CHILD, Audience.EMPLOYMENT}),
    AccessLevel.EMPLOYER: frozenset({Audience.GENERAL, Audience.EMPLOYMENT}),
}


class Attendance(models.TextChoices):
    INVITED = "invited", "Invited"
    ATTENDED = "attended", "Attended"
    APOLOGIES = "apologies", "Sent apologies"
    ABSENT = "absent", "Did not attend"


class Invitation(models.Model):
    """An agency, a person with an account, or an external person (name, role, e-mail) invited to a meeting."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitations")
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="meeting_invitations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="meeting_invitations"
    )
    name = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=150, blank=True)
    email = models.EmailField(blank=True)
    access_level = models.CharField(max_length=16, choices=AccessLevel.choices)
    attendance = models.CharField(max_length=16, choices=Attendance.choices, default=Attendance.INVITED)
    why_suggested = models.TextField(blank=True)
    # Which suggestion (services.meeting_suggest_invitees) this invitation took up, if any.
    suggestion_key = models.CharField(max_length=120, blank=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    invited_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["invited_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(agency__isnull=False) | Q(user__isnull=False) | ~Q(name=""),
                name="invitation_names_someone",
            ),
            models.UniqueConstraint(fields=["meeting", "user"], condition=Q(user__isnull=False), name="invitation_user_once"),
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.user_id:
            return self.user.get_full_name() or self.user.username
        if self.name:
            return self.name
        return str(self.agency) if self.agency_id else "Unknown"


# --- Minutes ---------------------------------------------------------------------------


class MinutesStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved"
    CIRCULATED = "circulated", "Circulated"


class Minutes(models.Model):
    """The record of one meeting. Drafted by a minute taker, approved and circulated by the chair.

    `version` is the number of the latest approved version (0 before the first approval);
    `revision` grows with every save and guards against two people overwriting each other.
    """

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="minutes")
    status = models.CharField(max_length=16, choices=MinutesStatus.choices, default=MinutesStatus.DRAFT)
    version = models.PositiveIntegerField(default=0)
    revision = models.PositiveIntegerField(default=0)
    confidentiality_note = models.TextField(
        blank=True,
        default=(
            "OFFICIAL-SENSITIVE. These minutes are confidential to the people they were sent to. "
            "Keep them securely; do not append them to a child's electronic record. "
            "Requests for them go to the chair."  # 003 §37; 003 §49–50
        ),
    )
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "minutes"

    def __str__(self):
        return f"Minutes of {self.meeting}"

    @property
    def next_version(self) -> int:
        return self.version + 1


class MinutesSection(models.Model):
    """One part of the minutes, from the meeting kind's template (agendas.py), with its audience."""

    minutes = models.ForeignKey(Minutes, on_delete=models.CASCADE, related_name="sections")
    key = models.SlugField(max_length=60)
    title = models.CharField(max_length=200)
    guidance = models.TextField(blank=True)
    audience = models.CharField(max_length=16, choices=Audience.choices, default=Audience.GENERAL)
    body = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField()
    required = models.BooleanField(default=False)
    # A required section that may instead say "none raised" (disagreements and challenges).
    allows_none = models.BooleanField(default=False)
    none_raised = models.BooleanField(default=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "pk"]
        constraints = [models.UniqueConstraint(fields=["minutes", "key"], name="minutessection_key_once")]

    def __str__(self):
        return self.title

    @property
    def is_complete(self) -> bool:
        return bool(self.body.strip()) or (self.allows_none and self.none_raised)

    def snapshot(self) -> dict:
        return {
            "key": self.key, "title": self.title, "audience": self.audience, "body": self.body,
            "required": self.required, "allows_none": self.allows_none, "none_raised": self.none_raised,
        }


class MinutesVersion(models.Model):
    """An approved version: an immutable snapshot of the sections. Earlier versions stay readable."""

    minutes = models.ForeignKey(Minutes, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    sections = models.JSONField()
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["minutes", "number"], name="minutesversion_number_once")]

    def __str__(self):
        return f"Version {self.number}"

    def sections_for(self, audiences) -> list[dict]:
        return [s for s in self.sections if s["audience"] in audiences]


class Circulation(models.Model):
    """Who received which version, at which access level, when (the record 004 §3.10 found missing)."""

    version = models.ForeignKey(MinutesVersion, on_delete=models.PROTECT, related_name="circulations")
    # Kept when the invitation is later removed; the recipient's details are copied below.
    invitation = models.ForeignKey(Invitation, null=True, blank=True, on_delete=models.SET_NULL, related_name="circulations")
    recipient = models.CharField(max_length=250)
    email = models.EmailField(blank=True)
    access_level = models.CharField(max_length=16, choices=AccessLevel.choices)
    sent_at = models.DateTimeField(default=timezone.now)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The chair's record of why this recipient could not be reached (the minutes deadline is met without them).
    unreached_reason = models.TextField(blank=True)
    unreached_at = models.DateTimeField(null=True, blank=True)
    unreached_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")

    history = HistoricalRecords()

    class Meta:
        ordering = ["-sent_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["version", "invitation"], condition=Q(invitation__isnull=False),
                                    name="circulation_once_per_version"),
        ]


class Withholding(models.Model):
    """A passage the chair withholds from the redacted version released to the subject or employer (003 §49–50)."""

    minutes = models.ForeignKey(Minutes, on_delete=models.CASCADE, related_name="withholdings")
    section_key = models.SlugField(max_length=60, blank=True)
    text = models.TextField(help_text="The exact passage to withhold")
    reason = models.TextField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()


# --- Actions -----------------------------------------------------------------------------


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


class Action(models.Model):
    """Agreed in a meeting or a decision: what, which agency, which person, by when (004 §3.12)."""

    case = models.ForeignKey("allegations.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="actions")
    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions")
    description = models.TextField()
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="actions")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions_assigned"
    )
    assignee_name = models.CharField(max_length=150, blank=True)
    due_on = models.DateField()
    status = models.CharField(max_length=16, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    evidence = models.TextField(blank=True, help_text="What shows it was done")
    # The agency's latest word on how it is going (issue 20: its own system reports it through the API); each
    # earlier note is in the action's history.
    progress = models.TextField(blank=True)
    progress_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    cancelled_reason = models.TextField(blank=True)
    deadline = models.ForeignKey("deadlines.Deadline", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()
    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [
            # selectors.actions_for_agency(): an agency's open actions, soonest due first.
            models.Index(fields=["agency", "status", "due_on"], name="action_agency_open"),
            # selectors.case_actions(): a case's actions.
            models.Index(fields=["case", "due_on"], name="action_case_due"),
        ]

    def __str__(self):
        return self.description[:80]

    @property
    def is_open(self) -> bool:
        return self.status == ActionStatus.OPEN

    def is_overdue(self, today: dt.date) -> bool:
        """Due at the end of its due date (deadlines.md): overdue from the next day on."""
        return self.is_open and self.due_on < today

    @property
    def assignee_display(self) -> str:
        if self.assignee_id:
            return self.assignee.get_full_name() or self.assignee.username
        return self.assignee_name


# --- PDFs of the minutes (issue part 6) ----------------------------------------------------------


class PdfVariant(models.TextChoices):
    """What a PDF holds: the sections of one access level, or the redacted version (003 §49–50)."""

    FULL = "full", "Full: every section"
    SAFEGUARDING = "safeguarding", "Safeguarding professionals: all but restricted sections"
    EMPLOYER = "employer", "Employer or HR: the adult's employment matters and general sections"
    REDACTED = "redacted", "Redacted, for the subject or the employer: employment and general sections, passages withheld"


# The redacted version releases what an employer may see, less the passages the chair withholds.
VARIANT_LEVEL: dict[str, str] = {
    PdfVariant.FULL: AccessLevel.FULL,
    PdfVariant.SAFEGUARDING: AccessLevel.SAFEGUARDING,
    PdfVariant.EMPLOYER: AccessLevel.EMPLOYER,
    PdfVariant.REDACTED: AccessLevel.EMPLOYER,
}


class PdfStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to be made"
    RENDERING = "rendering", "Being made"
    DONE = "done", "Ready"
    FAILED = "failed", "Could not be made"


# Outside the static files, and no URL serves it: a PDF leaves only through the download view,
# which checks and logs.
_PDF_STORAGE = PrivateStorage("pdfs", "PDFs of the minutes")


def pdf_storage():
    return _PDF_STORAGE


class MinutesPdf(models.Model):
    """A PDF of one approved version of the minutes, for one recipient, rendered by a task (meetings.pdf)."""

    version = models.ForeignKey(MinutesVersion, on_delete=models.PROTECT, related_name="pdfs")
    variant = models.CharField(max_length=16, choices=PdfVariant.choices)
    # Who it is prepared for ("Prepared for:" on every page): an invitee, or a person named by the chair.
    invitation = models.ForeignKey(Invitation, null=True, blank=True, on_delete=models.SET_NULL, related_name="pdfs")
    recipient = models.CharField(max_length=250)
    status = models.CharField(max_length=16, choices=PdfStatus.choices, default=PdfStatus.QUEUED)
    file = models.FileField(storage=pdf_storage, upload_to="", max_length=200, blank=True)
    # The withheld passages (Withholding ids) a redacted PDF was rendered with.
    withheld = models.JSONField(default=list, blank=True)
    pages = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_at", "-pk"]
        indexes = [
            # selectors.pdfs_of(): a version's PDFs, newest first.
            models.Index(fields=["version", "-requested_at"], name="minutespdf_version_when"),
            # services.minutes_pdf_request(): someone's own PDF of a version (asked for again: the same row).
            models.Index(fields=["requested_by", "version", "variant"], name="minutespdf_requester"),
        ]

    def __str__(self):
        return f"PDF of version {self.version.number} ({self.get_variant_display().split(':')[0]})"

    @property
    def is_done(self) -> bool:
        return self.status == PdfStatus.DONE and bool(self.file)

    @property
    def access_level(self) -> str:
        return VARIANT_LEVEL[self.variant]


class PdfDownload(models.Model):
    """Who downloaded which PDF, when (issue part 6: every download is logged; shown to the chair)."""

    pdf = models.ForeignKey(MinutesPdf, on_delete=models.PROTECT, related_name="downloads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            # views.pdf_detail(): a PDF's downloads, newest first.
            models.Index(fields=["pdf", "-at"], name="pdfdownload_pdf_at"),
        ]


# --- Guests: an external person's account for one meeting (issue part 7) ---------------------------


class GuestAccess(models.Model):
    """A named external invitee's account, limited to one meeting at their invitation's access level, until it expires."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="guest_access")
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="guest_accesses")
    # Withdrawing the invitation ends the access with it.
    invitation = models.OneToOneField(Invitation, on_delete=models.CASCADE, related_name="guest_access")
    expires_at = models.DateTimeField()
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(default=timezone.now)
    # When the e-mail with the link to set a password went (notifications.guest_invitation_send: once).
    link_sent_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    def __str__(self):
        return f"Guest access to {self.meeting} until {timezone.localtime(self.expires_at):%d %B %Y}"

    def is_active(self, now=None) -> bool:
        return self.expires_at > (now or timezone.now())
