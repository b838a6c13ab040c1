"""Provider concerns: a care provider under the serious concerns process (seed 001, domain.md "Provider concern").

A concern is recorded by a senior manager against 001's indicators; a director or assistant
director decides whether to invoke the process. It links the individual safeguarding enquiries
and PiPoT / LADO cases at that provider, holds the three meetings (meetings.Meeting.provider_concern),
a suspension of new admissions with a review date (chased as an `admissions_review` deadline),
a multi-agency action / improvement plan, a communication plan with named contacts per agency,
escalations to directors and elected members, and the outcome with lessons learned, which goes
to the business unit's register of providers.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from agencies.models import Agency

from .querysets import ProviderConcernQuerySet


class Indicator(models.TextChoices):
    """001 "Indicators that trigger consideration for invoking this procedure"."""

    ENQUIRIES = "enquiries", "Serious concerns raised following individual or multiple safeguarding enquiries"
    CONTRACT_COMPLIANCE = "contract_compliance", "Contract compliance visits identify systemic issues and doubt about the provider's ability to improve"
    CQC = "cqc", "CQC special measures, warning notices or an inadequate rating for safety"
    MULTI_AGENCY = "multi_agency", "Multi-agency concerns about systemic problems within the service"
    SERIES = "series", "A series of safeguarding concerns about the same provider: not operating a safe service"
    ENQUIRY_SERIOUS = "enquiry_serious", "A safeguarding enquiry raises serious concerns about the service"
    SEVERAL_STAFF = "several_staff", "Safeguarding allegations against more than one member of staff"
    CLUSTER = "cluster", "A cluster of concerns about similar issues (e.g. pressure ulcers, nutrition, hydration)"
    SEVERAL_PERPETRATORS = "several_perpetrators", "A number of perpetrators suspected of abuse or neglect"
    WHISTLEBLOWER = "whistleblower", "A whistle-blower makes serious allegations about management or regime"
    AUTHORITY = "authority", "A serious or complex case: the alleged perpetrator holds a position of authority"
    SAR = "sar", "An individual case meets the criteria for a Safeguarding Adults Review"


class ConcernStatus(models.TextChoices):
    RECORDED = "recorded", "Awaiting a decision"
    INVOKED = "invoked", "Process invoked"
    NOT_INVOKED = "not_invoked", "Not invoked"
    CONCLUDED = "concluded", "Concluded"


# The transitions of ConcernStatus (STYLE.md: an explicit table; services.concern_decide, concern_conclude).
TRANSITIONS: dict[str, frozenset[str]] = {
    ConcernStatus.RECORDED: frozenset({ConcernStatus.INVOKED, ConcernStatus.NOT_INVOKED}),
    ConcernStatus.INVOKED: frozenset({ConcernStatus.CONCLUDED}),
    ConcernStatus.NOT_INVOKED: frozenset(),
    ConcernStatus.CONCLUDED: frozenset(),
}


class ProviderConcern(models.Model):
    """A care provider about which serious concerns were raised (001)."""

    reference = models.CharField(max_length=32, unique=True)
    # The local authority's service that runs the process (its LADO / PiPoT service's agency row).
    lado_service = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="provider_concerns_held")
    provider = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="provider_concerns")
    # Values of Indicator, as a JSON list.
    indicators = models.JSONField(default=list)
    summary = models.TextField(help_text="The concerns, without names of adults at risk or staff")
    status = models.CharField(max_length=16, choices=ConcernStatus.choices, default=ConcernStatus.RECORDED)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    # Who leads it (the adult social care senior manager who chairs); chased deadlines go to them.
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="provider_concerns_led"
    )
    # The decision to invoke (001: the Director / Assistant Director for Adult Services).
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_rationale = models.TextField(blank=True)
    # Linked individual safeguarding enquiries (referrals) and PiPoT / LADO cases at the provider.
    referrals = models.ManyToManyField("allegations.Referral", blank=True, related_name="provider_concerns")
    enquiries_note = models.TextField(blank=True, help_text="Individual safeguarding enquiries held elsewhere (references only)")
    communication_plan = models.TextField(blank=True)
    # A crime is suspected: the police are suggested for the meetings (001 "Police representative"; police
    # investigations take priority).
    crime_suspected = models.BooleanField(default=False)
    # The schedule of review meetings set at the initial meeting (001 "Agree timescales for further meetings"):
    # every so many days, each chased as a `concern_review` deadline.
    review_every_days = models.PositiveSmallIntegerField(null=True, blank=True)
    # Not invoked: handed to commissioning for contract monitoring (001 "Lower level concerns ... should be
    # communicated to the relevant commissioner").
    handed_to = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    handover_contact = models.CharField(max_length=150, blank=True)
    handover_note = models.TextField(blank=True)
    handed_over_at = models.DateTimeField(null=True, blank=True)
    # The conclusion (Outcome and lessons learned meeting).
    outcome = models.TextField(blank=True)
    lessons_learned = models.TextField(blank=True)
    concluded_at = models.DateTimeField(null=True, blank=True)
    concluded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # When the outcome and lessons learned went to the business unit (001).
    sent_to_business_unit_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()
    objects = ProviderConcernQuerySet.as_manager()

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        indexes = [
            # selectors.concern_list(): a service's concerns, newest first.
            models.Index(fields=["lado_service", "-recorded_at"], name="concern_service_recorded"),
            # selectors.register(): concerns that invoked the process.
            models.Index(fields=["status", "decided_at"], name="concern_status_decided"),
        ]

    def __str__(self):
        return self.reference

    @property
    def is_active(self) -> bool:
        return self.status == ConcernStatus.INVOKED

    @property
    def is_decided(self) -> bool:
        return self.status != ConcernStatus.RECORDED

    def indicator_labels(self) -> list[str]:
        labels = dict(Indicator.choices)
        return [labels.get(i, i) for i in self.indicators]


class SuspensionKind(models.TextChoices):
    VOLUNTARY = "voluntary", "Voluntary (agreed by the provider)"
    IMPOSED = "imposed", "Imposed"


class ImposedBy(models.TextChoices):
    PROVIDER = "provider", "The provider"
    COMMISSIONER = "commissioner", "A commissioner"
    REGULATOR = "regulator", "The regulator (CQC)"


class AdmissionsSuspension(models.Model):
    """A suspension of new admissions to the provider (001), reviewed by a date (deadline `admissions_review`)."""

    concern = models.ForeignKey(ProviderConcern, on_delete=models.CASCADE, related_name="suspensions")
    kind = models.CharField(max_length=16, choices=SuspensionKind.choices)
    imposed_by = models.CharField(max_length=16, choices=ImposedBy.choices)
    imposing_agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    started_on = models.DateField()
    review_on = models.DateField()
    reason = models.TextField(blank=True)
    ended_on = models.DateField(null=True, blank=True)
    ended_reason = models.TextField(blank=True)
    # Continued explicitly when the process concluded: its review is still chased (never dropped silently).
    continued_at = models.DateTimeField(null=True, blank=True)
    continued_reason = models.TextField(blank=True)
    # The open admissions_review deadline (met by recording the review; waived when it ends).
    deadline = models.ForeignKey("deadlines.Deadline", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-started_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(review_on__gte=models.F("started_on")), name="suspension_review_after_start"),
            models.CheckConstraint(
                condition=Q(kind="voluntary") | ~Q(imposed_by="provider"), name="suspension_imposed_not_by_provider"
            ),
        ]

    @property
    def is_active(self) -> bool:
        return self.ended_on is None


class AdmissionsReview(models.Model):
    """A review of a suspension of admissions: it meets the review deadline, and may set the next review date."""

    suspension = models.ForeignKey(AdmissionsSuspension, on_delete=models.CASCADE, related_name="reviews")
    reviewed_at = models.DateTimeField(default=timezone.now)
    notes = models.TextField()
    next_review_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()

    class Meta:
        ordering = ["-reviewed_at", "-pk"]


class PlanStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETE = "complete", "Complete"
    NOT_ACHIEVED = "not_achieved", "Not achieved"
    # Still open when the process concludes: handed to commissioning's contract monitoring with a named owner.
    CARRIED = "carried", "Carried into commissioning"


# Items still to do: chased, and in the way of concluding the process.
OPEN_PLAN_STATUSES = (PlanStatus.NOT_STARTED, PlanStatus.IN_PROGRESS, PlanStatus.NOT_ACHIEVED)


class PlanItem(models.Model):
    """One line of the multi-agency action / improvement plan (001): what, which agency, timescale, status, evidence."""

    concern = models.ForeignKey(ProviderConcern, on_delete=models.CASCADE, related_name="plan_items")
    description = models.TextField()
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField()
    status = models.CharField(max_length=16, choices=PlanStatus.choices, default=PlanStatus.NOT_STARTED)
    evidence = models.TextField(blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Its `plan_item` deadline (due at the end of due_on), met when complete, waived when carried.
    deadline = models.ForeignKey("deadlines.Deadline", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    # Carried into commissioning at conclusion: who owns it there, by name.
    carried_owner = models.CharField(max_length=150, blank=True)
    carried_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [
            # selectors.plan_items_for_agencies(): "Our actions" of an agency, soonest due first.
            models.Index(fields=["agency", "status", "due_on"], name="planitem_agency_status_due"),
        ]

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_PLAN_STATUSES

    def is_overdue(self, today: dt.date) -> bool:
        return self.status in (PlanStatus.NOT_STARTED, PlanStatus.IN_PROGRESS) and self.due_on < today


class ConcernLetter(models.Model):
    """The provider informed in writing after a meeting (001: "following the meeting they will be informed in
    writing of the presenting issues and the actions to be taken"): drafted from the service's provider letter
    template (allegations.letters), edited, and recorded as sent: when and how."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SENT = "sent", "Sent"

    concern = models.ForeignKey(ProviderConcern, on_delete=models.CASCADE, related_name="letters")
    meeting = models.ForeignKey("meetings.Meeting", on_delete=models.CASCADE, related_name="provider_letters")
    recipient = models.CharField(max_length=200)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    drafted_at = models.DateTimeField(default=timezone.now)
    # Letter.SentBy's values (post, e-mail, by hand).
    sent_by = models.CharField(max_length=8, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="+")

    history = HistoricalRecords()

    class Meta:
        ordering = ["drafted_at", "pk"]
        constraints = [
            # One letter per meeting: drafting again edits it.
            models.UniqueConstraint(fields=["meeting"], name="concernletter_one_per_meeting"),
        ]


class NamedContact(models.Model):
    """A named contact for an agency in the process (001 "Identify and record named contacts for each agency")."""

    concern = models.ForeignKey(ProviderConcern, on_delete=models.CASCADE, related_name="contacts")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=150)
    role = models.CharField(max_length=150, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["agency__name", "name"]


class EscalationReason(models.TextChoices):
    HIGH_RISK = "high_risk", "Exceptionally high risk"
    DISAGREEMENT = "disagreement", "Partner agencies cannot agree"


class Escalation(models.Model):
    """Directors / Assistant Directors and Elected Members informed (001)."""

    concern = models.ForeignKey(ProviderConcern, on_delete=models.CASCADE, related_name="escalations")
    reason = models.CharField(max_length=16, choices=EscalationReason.choices)
    informed_directors = models.BooleanField(default=True)
    informed_elected_members = models.BooleanField(default=False)
    who_was_informed = models.TextField(help_text="Roles informed, e.g. Director of Adult Services, lead member")
    notes = models.TextField(blank=True)
    informed_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-informed_on", "-pk"]


class ConcernEvent(models.Model):
    """The business log of a concern (who did what, when, why): its timeline and the register read it."""

    concern = models.ForeignKey(ProviderConcern, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=40)
    description = models.TextField()

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            # selectors.concern_detail(): a concern's timeline.
            models.Index(fields=["concern", "-at"], name="concernevent_concern_at"),
        ]


class ConcernReferenceCounter(models.Model):
    """The next number of a year's provider concern references (PC-2026-0001)."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)
