"""Subjects, referrals, triage, cases and what a case holds (domain.md §3).

Enumerations use the values of interchange.md so imports and exports need no mapping.
"""

from django.conf import settings
from django.db import models
from django.db.models.functions import Upper
from django.utils import timezone
from guardian.models import GroupObjectPermissionBase
from simple_history.models import HistoricalRecords

from agencies.models import AccessLevel, Agency, Sector
from deadlines.models import Timeliness  # noqa: F401 (a referral's stored measure; deadlines.measures)

from .querysets import CaseQuerySet, ReferralQuerySet, SubjectQuerySet


class Workforce(models.TextChoices):
    CHILDREN = "children", "Works with children (LADO)"
    ADULTS = "adults", "Works with adults with care and support needs (PiPoT)"


class ContactType(models.TextChoices):
    ADVICE = "advice", "Advice (stays with the employer)"
    REFERRAL = "referral", "Referral (harm threshold met)"
    TRANSFER = "transfer", "Transfer to another authority"
    NOT_ALLEGATION = "not_allegation", "Not an allegation (complaint or conduct matter)"
    # Received from another authority's LADO service (003 §4, §69–72); triage then decides what it becomes,
    # and Referral.transferred_from keeps where it came from.
    TRANSFER_IN = "transfer_in", "Transfer from another authority"


class Timing(models.TextChoices):
    CONTEMPORANEOUS = "contemporaneous", "Contemporaneous"
    NON_RECENT = "non_recent", "Non-recent (the complainant is now an adult)"


class Category(models.TextChoices):
    PHYSICAL = "physical", "Physical"
    SEXUAL = "sexual", "Sexual"
    EMOTIONAL = "emotional", "Emotional"
    NEGLECT = "neglect", "Neglect"
    SUITABILITY = "suitability", "Suitability (conduct outside work)"


class HowArose(models.TextChoices):
    """How the concern came to light (003 §6)."""

    CHILD_OR_PARENT = "child_or_parent", "Disclosed by the child, adult at risk or a parent or carer"
    COLLEAGUE = "colleague", "Raised by a colleague or whistle-blower"
    POLICE_OR_SOCIAL_CARE = "police_or_social_care", "Police or social care enquiries"
    THIRD_PARTY = "third_party", "A third party"
    ANONYMOUS_OR_ONLINE = "anonymous_or_online", "Anonymous, or seen online or on social media"
    EMPLOYMENT = "employment", "Through the employment relationship (e.g. a DBS check, a disciplinary)"


class ConcernKind(models.TextChoices):
    """Allegation, quality-of-care concern or complaint (000, 003 §8, §10)."""

    ALLEGATION = "allegation", "An allegation of harm or risk of harm"
    QUALITY_OF_CARE = "quality_of_care", "A quality-of-care concern"
    COMPLAINT = "complaint", "A complaint about practice or service"


class EmploymentType(models.TextChoices):
    """003 §1."""

    PAID = "paid", "Paid employee"
    VOLUNTEER = "volunteer", "Volunteer"
    AGENCY = "agency", "Agency or supply worker"
    SELF_EMPLOYED = "self_employed", "Self-employed"
    FOSTER_CARER = "foster_carer", "Foster carer"
    PROSPECTIVE_ADOPTER = "prospective_adopter", "Prospective adopter"
    OTHER = "other", "Other"


class Route(models.TextChoices):
    STRATEGY_DISCUSSION = "strategy_discussion", "Strategy discussion (section 47 route)"
    POSITION_OF_TRUST = "position_of_trust", "Position-of-trust (managing allegations) meeting"
    EMPLOYER = "employer", "Employer to deal with it, monitored by the LADO"


class Outcome(models.TextChoices):
    """003 §55, 002 §2.4."""

    SUBSTANTIATED = "substantiated", "Substantiated"
    UNSUBSTANTIATED = "unsubstantiated", "Unsubstantiated"
    UNFOUNDED = "unfounded", "Unfounded"
    FALSE = "false", "False"
    MALICIOUS = "malicious", "Malicious"
    NO_OUTCOME = "no_outcome", "No outcome"


class PoliceOutcome(models.TextChoices):
    NO_POLICE_ACTION = "no_police_action", "No police action"
    INVESTIGATION_NFA = "investigation_nfa", "Investigated — no further action"
    CAUTION = "caution", "Caution"
    PROSECUTION = "prosecution", "Charged or prosecuted"


class EmployerOutcome(models.TextChoices):
    DISMISSED = "dismissed", "Dismissed"
    RESIGNED = "resigned", "Resigned (in place of dismissal or before the process ended)"
    SANCTION = "sanction", "Disciplinary sanction"
    SUPPORT_TRAINING = "support_training", "Support or training"
    NO_SANCTION = "no_sanction", "No action or sanction"
    NOT_EMPLOYED = "not_employed", "Not employed"
    CEASED_USE = "ceased_use", "Ceased to use the person's services"


class Subject(models.Model):
    """The person in a position of trust. One record across referrals (003 §23, §47)."""

    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    known_as = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    address = models.TextField(blank=True)
    registration_body = models.CharField(max_length=60, blank=True)
    registration_number = models.CharField(max_length=60, blank=True)
    # An advice request (a consultation) may leave the person unnamed (003 §10: advice can always be sought when
    # it is unclear whether a concern reaches the threshold): the names are blank and the person is described,
    # e.g. "a teaching assistant". An allegation always names them (allegations.forms.ReferralForm, the triage).
    described_as = models.CharField(max_length=200, blank=True)
    # Phonetic keys for finding earlier records of the same person (matching.py).
    given_key = models.CharField(max_length=32, blank=True, editable=False)
    family_key = models.CharField(max_length=32, blank=True, editable=False)
    # Set when a LADO officer confirmed this record is the same person as another.
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()
    objects = SubjectQuerySet.as_manager()

    class Meta:
        indexes = [
            # matching.candidates(): phonetic and date-of-birth look-ups.
            models.Index(fields=["family_key"], name="subject_family_key"),
            models.Index(fields=["given_key"], name="subject_given_key"),
            models.Index(fields=["date_of_birth"], name="subject_dob"),
            # filters.TriageFilter.search(), "name contains", also has trigram indexes on UPPER(name)
            # (migration 0002, in SQL).
        ]

    def __str__(self):
        return self.full_name

    @property
    def is_named(self) -> bool:
        return bool(self.given_name.strip() or self.family_name.strip())

    @property
    def full_name(self) -> str:
        if not self.is_named:  # described_as is read only then: lists that show names defer it (my_work)
            return f"Not named: {self.described_as}" if self.described_as else "Not named"
        return f"{self.given_name} {self.family_name}"


def subject_name(given_name: str, family_name: str, described_as: str) -> str:
    """A subject's name as Subject.full_name gives it, from its columns read as values (listing.queue_rows)."""
    if not (given_name.strip() or family_name.strip()):
        return f"Not named: {described_as}" if described_as else "Not named"
    return f"{given_name} {family_name}"


class SubjectName(models.Model):
    """Another name the subject has been known by (a previous surname, an alias)."""

    class Kind(models.TextChoices):
        PREVIOUS = "previous", "Previous name"
        ALIAS = "alias", "Also known as"

    subject = models.ForeignKey(Subject, on_delete=models.CASCADE, related_name="other_names")
    given_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.PREVIOUS)
    family_key = models.CharField(max_length=32, blank=True, editable=False)

    history = HistoricalRecords()

    class Meta:
        indexes = [models.Index(fields=["family_key"], name="subjectname_family_key")]  # matching

    def __str__(self):
        return f"{self.given_name} {self.family_name}".strip()


class ReferralStatus(models.TextChoices):
    NEW = "new", "New"
    DISCUSSED = "discussed", "Initial discussion held"
    ADVICE = "advice", "Closed — advice given"
    NOT_ALLEGATION = "not_allegation", "Closed — not an allegation"
    TRANSFERRED = "transferred", "Transferred"
    CASE_OPENED = "case_opened", "Case opened"


OPEN_REFERRAL_STATUSES = (ReferralStatus.NEW, ReferralStatus.DISCUSSED)


# The triage queue's order (selectors.triage_queue): open work first, oldest first; then the rest,
# newest first. Its index (referral_queue_order) is built from the same expressions: PostgreSQL
# uses an expression index only when the query's expressions are identical, so both read these.
def queue_open_rank():
    return models.Case(models.When(status__in=OPEN_REFERRAL_STATUSES, then=models.Value(0)), default=models.Value(1))


def queue_open_received():
    return models.Case(models.When(status__in=OPEN_REFERRAL_STATUSES, then=models.F("received_at")))


class Referral(models.Model):
    """What arrives: a referral, an advice request, a consultation (domain.md §3)."""

    reference = models.CharField(max_length=32, unique=True)
    lado_service = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="lado_referrals")
    referring_agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="referrals_made"
    )
    # The referrer's organisation as text, when it is not an agency of the product (imports).
    referrer_agency_name = models.CharField(max_length=200, blank=True)
    referrer_name = models.CharField(max_length=150, blank=True)
    referrer_role = models.CharField(max_length=150, blank=True)
    referrer_email = models.EmailField(blank=True)
    referrer_phone = models.CharField(max_length=40, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    taken_by_phone = models.BooleanField(default=False)
    received_at = models.DateTimeField(default=timezone.now)
    concern_arose_at = models.DateTimeField(null=True, blank=True)
    # The import format allows a date without a time (interchange.md): kept so an export gives it back.
    concern_arose_date_only = models.BooleanField(default=False)
    # Received within 1 working day of the concern arising (deadlines.md, annual-report.md), set by
    # measures.referral_timeliness() whenever received_at or concern_arose_at is written.
    timeliness = models.CharField(max_length=24, choices=Timeliness.choices, default=Timeliness.UNKNOWN)
    how_arose = models.CharField(max_length=32, choices=HowArose.choices, blank=True)

    workforce = models.CharField(max_length=16, choices=Workforce.choices)
    contact_type = models.CharField(max_length=16, choices=ContactType.choices, default=ContactType.REFERRAL)
    timing = models.CharField(max_length=16, choices=Timing.choices)
    category = models.CharField(max_length=16, choices=Category.choices, blank=True)
    concern_kind = models.CharField(max_length=16, choices=ConcernKind.choices, default=ConcernKind.ALLEGATION)
    description = models.TextField(blank=True, help_text="What is alleged")

    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="referrals")
    subject_role = models.CharField(max_length=150, blank=True)
    employment_type = models.CharField(max_length=24, choices=EmploymentType.choices, blank=True)
    employer = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    employer_name = models.CharField(max_length=200)
    sector = models.CharField(max_length=32, choices=Sector.choices)
    # Cross-border facts (003 §4, §69–72).
    subject_works_in = models.CharField(max_length=120, blank=True, help_text="Authority where the subject works")
    subject_lives_in = models.CharField(max_length=120, blank=True, help_text="Authority where the subject lives")
    other_settings = models.TextField(blank=True, help_text="Other places the subject works or volunteers")
    known_history = models.TextField(blank=True)
    children_count = models.PositiveSmallIntegerField(null=True, blank=True)

    status = models.CharField(max_length=16, choices=ReferralStatus.choices, default=ReferralStatus.NEW)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="assigned_referrals"
    )
    initial_discussion_at = models.DateTimeField(null=True, blank=True)
    initial_discussion_with = models.CharField(max_length=150, blank=True)
    initial_discussion_notes = models.TextField(blank=True)
    # When a contact was closed without a case (advice given, transferred, not an allegation).
    closed_at = models.DateTimeField(null=True, blank=True)
    # The authority an incoming transfer came from (ContactType.TRANSFER_IN at intake; kept after triage so the
    # figures count transfers in: reporting.annual).
    transferred_from = models.CharField(max_length=200, blank=True)
    # "cases.csv" for a record brought in by import_cases (its history says which line, and by whom).
    imported_from = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()
    objects = ReferralQuerySet.as_manager()

    class Meta:
        indexes = [
            # selectors.triage_queue(): a service's open work, oldest first. With the id, the queue's capped count
            # (the paginator's, of the open work) reads the index alone, not the referrals' rows (issue 19).
            models.Index(fields=["lado_service", "status", "received_at"], include=["id"], name="referral_queue"),
            # selectors.triage_queue(): the queue page in its full order, so the first page reads 25
            # index entries instead of sorting every referral of the service (benchmarks/).
            models.Index(
                models.F("lado_service"), queue_open_rank(), queue_open_received(),
                models.F("received_at").desc(), models.F("id").desc(), name="referral_queue_order",
            ),
            # A service's referrals in id order from the index alone: how the case list's capped count joins them to
            # their cases (a merge join on referral_id) without reading a referral's row (issue 19).
            models.Index(fields=["lado_service", "id"], name="referral_service_id"),
            # My work's counts (deadline_about.lado_counts): a service's open referrals by who they are assigned to,
            # nobody included, from the index alone. Partial: only the open work, a small part of all referrals.
            models.Index(fields=["lado_service", "assigned_to"], include=["id"], name="referral_open_assignee",
                         condition=models.Q(status__in=OPEN_REFERRAL_STATUSES)),
            # selectors.referrals_for_agency(): an agency's own referrals, newest first.
            models.Index(fields=["referring_agency", "-received_at"], name="referral_by_agency"),
            # reports: referrals received in a period.
            models.Index(fields=["received_at"], name="referral_received"),
            # filters.TriageFilter.search(): a reference typed in any case (iexact is UPPER(...) = UPPER(...)).
            models.Index(Upper("reference"), name="referral_reference_upper"),
        ]

    def __str__(self):
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_REFERRAL_STATUSES

    @property
    def is_cross_border(self) -> bool:
        return bool(self.subject_works_in or self.subject_lives_in)


class Restriction(models.Model):
    """A confidential referral and its case (the person is on the LADO service's own staff, a senior
    council officer, or otherwise conflicted: 003 §11, §27). Only the people named in ``may_open``
    open it in the LADO service (querysets.hidden_referral_ids); it is never given to the person it
    is about nor to their line manager; every opening is shown to the manager who restricted it.

    The line manager is named here, when restricting, rather than kept on every membership: the
    product has no organisation chart, and only a conflicted case needs to know it."""

    referral = models.OneToOneField(Referral, on_delete=models.CASCADE, related_name="restriction")
    reason = models.TextField()
    restricted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    restricted_at = models.DateTimeField(default=timezone.now)
    # The person the referral is about, when they have an account (e.g. one of the service's officers).
    subject_account = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="+")
    line_manager = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    may_open = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="restricted_referrals")

    history = HistoricalRecords(m2m_fields=[may_open])

    def __str__(self):
        return f"Restriction of {self.referral_id}"

    def conflicted_ids(self) -> set[int]:
        return {i for i in (self.subject_account_id, self.line_manager_id) if i is not None}


class ReferenceCounter(models.Model):
    """The last reference number issued in a year (services.next_reference)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)


class YesNoNotKnown(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    NOT_KNOWN = "not_known", "Not known"


class Child(models.Model):
    """A child or adult at risk the referral concerns: the most sensitive data we hold."""

    class Relationship(models.TextChoices):
        COMPLAINANT = "complainant", "Made the allegation or was harmed"
        OTHER_IN_SETTING = "other_in_setting", "Another child or adult in the setting"
        SUBJECTS_OWN = "subjects_own", "The subject's own child"
        OTHER = "other", "Other"

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="children")
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    relationship = models.CharField(max_length=24, choices=Relationship.choices, default=Relationship.COMPLAINANT)
    # Whether the child has a social worker and whether they are looked after (003 §18, §25; 002 §2.2).
    social_worker = models.CharField(max_length=16, choices=YesNoNotKnown.choices, default=YesNoNotKnown.NOT_KNOWN)
    looked_after = models.CharField(max_length=16, choices=YesNoNotKnown.choices, default=YesNoNotKnown.NOT_KNOWN)
    notes = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "children"
        ordering = ["pk"]

    def __str__(self):
        return f"{self.given_name} {self.family_name}".strip()

    # The yes/no reading the meetings' invitation suggestions use (meetings.services): "yes" only.
    @property
    def has_social_worker(self) -> bool:
        return self.social_worker == YesNoNotKnown.YES

    @has_social_worker.setter
    def has_social_worker(self, value: bool) -> None:
        self.social_worker = YesNoNotKnown.YES if value else YesNoNotKnown.NO


class SubjectMatch(models.Model):
    """An officer's decision on a suggested earlier record of the same person."""

    class Decision(models.TextChoices):
        CONFIRMED = "confirmed", "Same person"
        REJECTED = "rejected", "Not the same person"

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="subject_matches")
    candidate = models.ForeignKey(Subject, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    decision = models.CharField(max_length=16, choices=Decision.choices)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["referral", "candidate"], name="subjectmatch_once"),
        ]


class TriageDecision(models.Model):
    """The duty officer's decision against the four harm thresholds (003 §3)."""

    class Decision(models.TextChoices):
        ADVICE = "advice", "Advice only — stays with the employer"
        NOT_ALLEGATION = "not_allegation", "Not an allegation — complaint or conduct procedure"
        TRANSFER = "transfer", "Transfer to another authority's LADO"
        THRESHOLD_MET = "threshold_met", "Threshold met — open a case"
        STRATEGY = "strategy", "Threshold met — section 47 / strategy discussion route"

    referral = models.OneToOneField(Referral, on_delete=models.CASCADE, related_name="triage")
    harmed = models.BooleanField(default=False)
    criminal_offence = models.BooleanField(default=False)
    risk_of_harm = models.BooleanField(default=False)
    unsuitable = models.BooleanField(default=False)
    decision = models.CharField(max_length=16, choices=Decision.choices)
    rationale = models.TextField()
    transfer_to = models.CharField(max_length=120, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    @property
    def threshold_met(self) -> bool:
        return self.harmed or self.criminal_offence or self.risk_of_harm or self.unsuitable


class CaseStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class Case(models.Model):
    """A referral that met the threshold, run by a LADO officer to an outcome."""

    referral = models.OneToOneField(Referral, on_delete=models.PROTECT, related_name="case")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_cases"
    )
    status = models.CharField(max_length=8, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    route = models.CharField(max_length=24, choices=Route.choices, blank=True)  # blank only when imported without one
    opened_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)
    police_outcome = models.CharField(max_length=24, choices=PoliceOutcome.choices, blank=True)
    police_outcome_detail = models.CharField(max_length=200, blank=True, help_text="e.g. the result of a prosecution")
    employer_outcome = models.CharField(max_length=24, choices=EmployerOutcome.choices, blank=True)
    outcome_recorded_at = models.DateTimeField(null=True, blank=True)
    dbs_referral_on = models.DateField(null=True, blank=True)
    dbs_referral_notes = models.TextField(blank=True)
    feedback_given_on = models.DateField(null=True, blank=True, help_text="Feedback to the child and parents")  # 003 §58
    return_to_work_support = models.TextField(blank=True)
    lessons_learned_on = models.DateField(null=True, blank=True)
    # A civil claim for damages brought over the matter (002 §1.1 "Civil Claims"): often years later, after the
    # case is closed, so it can be recorded on a closed case. The figures count claims by `civil_claim_on`.
    civil_claim = models.BooleanField(default=False)
    civil_claim_on = models.DateField(null=True, blank=True, help_text="When the service learned of the claim")
    civil_claim_notes = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Whole calendar months from the referral's received date to the closure date, local dates
    # (annual-report.md "duration"), set by measures.closed_months() when the case is closed.
    closed_months = models.PositiveIntegerField(null=True, blank=True, editable=False)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    closure_summary = models.TextField(blank=True)

    history = HistoricalRecords()
    objects = CaseQuerySet.as_manager()

    class Meta:
        indexes = [
            # selectors.case_list(): open cases first, by owner.
            models.Index(fields=["status", "opened_at"], name="case_status_opened"),
            models.Index(fields=["owner", "status"], name="case_owner_status"),
        ]
        permissions = [
            ("share_case", "Share a case with an agency"),
            # Held beside view_case by an agency the case is shared with at the safeguarding level
            # (allegations.permissions.case_share); view_case alone is the employer level.
            ("view_case_safeguarding", "See the safeguarding parts of a shared case"),
        ]

    def __str__(self):
        return self.referral.reference

    @property
    def reference(self) -> str:
        return self.referral.reference

    @property
    def is_open(self) -> bool:
        return self.status == CaseStatus.OPEN

    @property
    def dbs_duty(self) -> str:
        """Why the employer has a statutory duty to refer to the DBS (003 §56), or ''."""
        if self.outcome == Outcome.SUBSTANTIATED and self.employer_outcome == EmployerOutcome.DISMISSED:
            return "The allegation is substantiated and the person was dismissed."
        if self.employer_outcome == EmployerOutcome.CEASED_USE:
            return "The employer ceased to use the person's services."
        if self.employer_outcome == EmployerOutcome.RESIGNED:
            return "The person resigned before the process could be completed."
        return ""

    @property
    def duration_days(self) -> int | None:
        if self.closed_at is None:
            return None
        return (self.closed_at - self.referral.received_at).days


class CaseGroupObjectPermission(GroupObjectPermissionBase):
    """A case shared with an agency's group (direct foreign key: no orphans, fast joins)."""

    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        abstract = False
        indexes = [
            # permissions.shared_case_ids_filter()
            models.Index(fields=["group", "permission"], name="casegroupperm_group"),
        ]


class EmployerDecision(models.TextChoices):
    """How the employer deals with the matter (003 §40-41)."""

    NO_FORMAL_ACTION = "no_formal_action", "Without formal disciplinary action (action within 3 working days)"
    HEARING = "hearing", "A disciplinary hearing without further investigation (within 15 working days)"
    INVESTIGATION = "investigation", "An investigation first"


class Strand(models.Model):
    """One of the three strands that run side by side (002 §10, 003 §25)."""

    class Kind(models.TextChoices):
        POLICE = "police", "Police investigation"
        SOCIAL_CARE = "social_care", "Social care enquiry"
        EMPLOYER = "employer", "Employer's enquiry or disciplinary"

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        NOT_REQUIRED = "not_required", "Not required"
        ACTIVE = "active", "In progress"
        CONCLUDED = "concluded", "Concluded"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="strands")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NOT_STARTED)
    lead = models.CharField(max_length=150, blank=True, help_text="Who leads it, and their agency")
    their_reference = models.CharField(max_length=60, blank=True)
    started_on = models.DateField(null=True, blank=True)
    review_on = models.DateField(null=True, blank=True, help_text="Next review date")  # police: 003 §43
    cps_consulted = models.BooleanField(default=False)
    hearing_on = models.DateField(null=True, blank=True, help_text="Disciplinary hearing date")  # 003 §41
    # The employer's strand (003 §40-41): how the employer deals with it, decided on a date, which opens
    # the employer_action (3 working days) or disciplinary_hearing (15 working days) deadline.
    employer_decision = models.CharField(max_length=16, choices=EmployerDecision.choices, blank=True)
    employer_decision_on = models.DateField(null=True, blank=True)
    # What the employer did when it deals with it without formal disciplinary action (meets employer_action).
    employer_action = models.TextField(blank=True)
    employer_action_on = models.DateField(null=True, blank=True)
    concluded_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["kind"]
        constraints = [models.UniqueConstraint(fields=["case", "kind"], name="strand_once_per_case")]


class Suspension(models.Model):
    """Suspension or alternative arrangements, with who decided and when (003 §34)."""

    class Arrangement(models.TextChoices):
        SUSPENDED = "suspended", "Suspended"
        ALTERNATIVE_DUTIES = "alternative_duties", "Alternative duties or arrangements"
        NO_CONTACT = "no_contact", "Working with no unsupervised contact"
        NOT_NEEDED = "not_needed", "Considered — not needed"
        NOT_WORKING = "not_working", "Not working at present"

    class Alternative(models.TextChoices):
        """The alternatives to suspension the employer considered (003 §34)."""

        REDEPLOYMENT = "redeployment", "Redeployment to duties without contact with children or adults at risk"
        SUPERVISION = "supervision", "Supervision of any contact"
        NO_CONTACT = "no_contact", "No contact with the children or adults concerned"
        LEAVE = "leave", "Leave, by agreement"

    class Answer(models.TextChoices):
        YES = "yes", "Yes"
        NO = "no", "No"

    class Informed(models.TextChoices):
        YES = "yes", "Yes"
        NOT_YET = "not_yet", "Not yet (for example, the police asked that they are not told yet)"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="suspensions")
    arrangement = models.CharField(max_length=24, choices=Arrangement.choices)
    decided_on = models.DateField()
    decided_by = models.CharField(max_length=150, help_text="Who decided, and for which agency")
    lado_informed_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)
    # None when imported without a --by user (interchange.case_records).
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    # Considering suspension properly (003 §34-35, 004 §3.10; issue 16 §5). Blank on arrangements recorded before.
    alternatives_considered = models.JSONField(default=list, blank=True)  # Alternative values
    alternatives_notes = models.TextField(blank=True)
    risk = models.TextField(blank=True)
    police_views = models.TextField(blank=True)
    social_care_views = models.TextField(blank=True)
    person_informed = models.CharField(max_length=8, choices=Informed.choices, blank=True)
    person_informed_on = models.DateField(null=True, blank=True)
    lado_advice_sought = models.CharField(max_length=4, choices=Answer.choices, blank=True)
    lado_advice_on = models.DateField(null=True, blank=True)
    # When the arrangement is next reviewed: a suspension_review deadline, met by recording the arrangement again.
    review_on = models.DateField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-decided_on", "-pk"]

    def alternatives_display(self) -> list[str]:
        labels = dict(self.Alternative.choices)
        return [labels.get(value, value) for value in self.alternatives_considered]


class Review(models.Model):
    """A recorded review: the LADO's periodic case review (003 §42) or a police review (003 §43).

    Recording one meets the open deadline of its kind; a case review opens the next one (28 days,
    a partnership setting) and a police review may set the next police review date.
    """

    class Kind(models.TextChoices):
        CASE = "case", "Case review"
        POLICE = "police", "Police review"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reviews")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    held_on = models.DateField()
    summary = models.TextField()
    next_review_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-held_on", "-pk"]


class RiskAssessment(models.Model):
    """The risk assessment, kept over time (004 §3.10)."""

    class Level(models.TextChoices):
        LOW = "low", "Low"
        MEDIUM = "medium", "Medium"
        HIGH = "high", "High"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="risk_assessments")
    assessed_at = models.DateTimeField(default=timezone.now)
    level = models.CharField(max_length=8, choices=Level.choices)
    summary = models.TextField()
    controls = models.TextField(blank=True, help_text="What is in place to manage the risk")
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()

    class Meta:
        ordering = ["-assessed_at", "-pk"]


class Decision(models.Model):
    """A decision and its rationale, in or between meetings (004 §3.11, 003 §45)."""

    class MadeAt(models.TextChoices):
        MEETING = "meeting", "In a meeting"
        BETWEEN_MEETINGS = "between_meetings", "Between meetings"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="decisions")
    decided_at = models.DateTimeField(default=timezone.now)
    decision = models.TextField()
    rationale = models.TextField()
    made_at = models.CharField(max_length=20, choices=MadeAt.choices, default=MadeAt.BETWEEN_MEETINGS)
    agreed_with = models.CharField(max_length=250, blank=True, help_text="Who was consulted or agreed")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()

    class Meta:
        ordering = ["-decided_at", "-pk"]


class Disagreement(models.Model):
    """A disagreement or professional challenge, and how it ended (004 §3.5, §5.4)."""

    class Kind(models.TextChoices):
        DISAGREEMENT = "disagreement", "Disagreement"
        CHALLENGE = "challenge", "Professional challenge"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        RESOLVED = "resolved", "Resolved"
        ESCALATED = "escalated", "Escalated"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="disagreements")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    raised_on = models.DateField()
    raised_by = models.CharField(max_length=150, help_text="Who raised it, and for which agency")
    about = models.TextField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    resolution = models.TextField(blank=True)
    escalated_to = models.CharField(max_length=150, blank=True)
    resolved_on = models.DateField(null=True, blank=True)
    # None: imported without naming who recorded it (interchange.disagreements).
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()

    class Meta:
        ordering = ["-raised_on", "-pk"]


class CaseLink(models.Model):
    """Cases linked by the same subject or the same setting."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="links")
    linked_case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=200)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "linked_case"], name="caselink_once"),
            models.CheckConstraint(condition=~models.Q(case=models.F("linked_case")), name="caselink_not_self"),
        ]


class RegulatorReferral(models.Model):
    class Regulator(models.TextChoices):
        TRA = "TRA", "Teaching Regulation Agency"
        OFSTED = "Ofsted", "Ofsted"
        CQC = "CQC", "Care Quality Commission"
        HCPC = "HCPC", "Health and Care Professions Council"
        SWE = "SWE", "Social Work England"
        NMC = "NMC", "Nursing and Midwifery Council"
        GMC = "GMC", "General Medical Council"
        OTHER = "other", "Other"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="regulator_referrals")
    # The choices are the usual regulators; an import may name another (interchange.md: text).
    regulator = models.CharField(max_length=60, choices=Regulator.choices)
    made_on = models.DateField()
    made_by = models.CharField(max_length=150, help_text="Usually the employer")  # 003 §56
    notes = models.TextField(blank=True)

    history = HistoricalRecords()


# --- Need to know: who may see each part of a case (issue 12 §1) -------------------------------------------


class Audience(models.TextChoices):
    """Who a part of a case is for, by the minutes' levels (agencies.models.AccessLevel)."""

    LADO = "lado", "The LADO service only"
    SAFEGUARDING = "safeguarding", "Safeguarding professionals (police, social care, health) and the LADO service"
    EMPLOYER = "employer", "Everyone the case is shared with, the employer and the referring agency included"


# The audiences a person at each level sees.
AUDIENCES_SEEN: dict[str, frozenset[str]] = {
    AccessLevel.FULL: frozenset(Audience.values),
    AccessLevel.SAFEGUARDING: frozenset({Audience.SAFEGUARDING, Audience.EMPLOYER}),
    AccessLevel.EMPLOYER: frozenset({Audience.EMPLOYER}),
}


class Part(models.TextChoices):
    """The items of a case whose audience the LADO service can change one by one (PartAudience)."""

    STRAND = "strand", "Strand"
    SUSPENSION = "suspension", "Suspension or other arrangement"
    REVIEW = "review", "Review"
    RISK = "risk", "Risk assessment"
    DECISION = "decision", "Decision"
    DISAGREEMENT = "disagreement", "Disagreement or professional challenge"
    REGULATOR = "regulator", "Referral to a regulator"
    DOCUMENT = "document", "Document"
    # The person the allegation is about: a fair process (issue 16 §2).
    PERSON_TOLD = "person_told", "What the person was told"
    PERSON_CONTACT = "person_contact", "The person's named contact"
    PERSON_SUPPORT = "person_support", "Support offered to the person"
    PERSON_UPDATE = "person_update", "Update to the person"
    COMPLAINT = "complaint", "Complaint"


# Each item's audience until the LADO service changes it (003 §29, §32, §34; issue 12 §1). A strand's depends on
# its kind (default_audience).
DEFAULT_AUDIENCE: dict[str, str] = {
    Part.STRAND: Audience.SAFEGUARDING,  # the police and social-care strands; the employer's strand below
    Part.SUSPENSION: Audience.EMPLOYER,
    Part.REVIEW: Audience.SAFEGUARDING,
    Part.RISK: Audience.SAFEGUARDING,
    Part.DECISION: Audience.SAFEGUARDING,  # the decision; its rationale is the LADO service's alone
    Part.DISAGREEMENT: Audience.LADO,
    Part.REGULATOR: Audience.EMPLOYER,  # part of the outcome
    Part.DOCUMENT: Audience.SAFEGUARDING,
    # The employer usually tells the person, names their contact, offers support and keeps them updated (003 §35):
    # these are the employer's to see, unless the police hold one back (what was held back on their advice).
    Part.PERSON_TOLD: Audience.EMPLOYER,
    Part.PERSON_CONTACT: Audience.EMPLOYER,
    Part.PERSON_SUPPORT: Audience.EMPLOYER,
    Part.PERSON_UPDATE: Audience.EMPLOYER,
    # A complaint about the outcome or about how the LADO service ran the process (003 §70): the service's own,
    # unless it widens one (e.g. an agency's complaint shared back with that agency).
    Part.COMPLAINT: Audience.LADO,
}


def default_audience(part: str, item) -> str:
    if part == Part.STRAND and item.kind == Strand.Kind.EMPLOYER:
        return Audience.EMPLOYER
    return DEFAULT_AUDIENCE[part]


# The parts of a case that are not items, each with its one audience (selectors.case_parts_for).
class Section(models.TextChoices):
    STATUS = "status", "The case's status, route and owner"
    OUTCOME = "outcome", "The outcome once recorded, the DBS and regulator referrals"
    CLOSURE = "closure", "The closing summary and feedback"
    REFERRAL = "referral", "What was referred: the person and the concern"
    CHILDREN = "children", "The children's or adults' details"
    LINKS = "links", "Linked cases"
    ASSOCIATED = "associated", "People associated with the allegation who are not alleged against"
    CHILD_VIEWS = "child_views", "The children's or adults' own views"
    LADO_WORK = "lado_work", "Initial discussion notes, triage rationale, decisions' rationale, sharing, earlier records"
    ACCESS_LOG = "access_log", "Who has opened this"


SECTION_AUDIENCE: dict[str, str] = {
    Section.STATUS: Audience.EMPLOYER,
    Section.OUTCOME: Audience.EMPLOYER,
    Section.CLOSURE: Audience.SAFEGUARDING,
    Section.REFERRAL: Audience.EMPLOYER,
    Section.CHILDREN: Audience.SAFEGUARDING,
    Section.LINKS: Audience.SAFEGUARDING,
    Section.ASSOCIATED: Audience.SAFEGUARDING,
    Section.CHILD_VIEWS: Audience.SAFEGUARDING,
    Section.LADO_WORK: Audience.LADO,
    Section.ACCESS_LOG: Audience.LADO,
}


# The timeline: an event about an item (Event.part) has the item's audience; any other, its verb's. A verb not
# listed is the LADO service's alone (its sharing, assignment, triage and deadline decisions).
VERB_AUDIENCE: dict[str, str] = {
    "referral_received": Audience.EMPLOYER, "case_opened": Audience.EMPLOYER, "route_changed": Audience.EMPLOYER,
    "case_closed": Audience.EMPLOYER, "outcome": Audience.EMPLOYER, "dbs_referral": Audience.EMPLOYER,
    "regulator_referral": Audience.EMPLOYER, "suspension": Audience.EMPLOYER,
    "employer_decision": Audience.EMPLOYER, "employer_action": Audience.EMPLOYER,
    "strand_updated": Audience.SAFEGUARDING, "police_review_date": Audience.SAFEGUARDING,
    "risk_assessment": Audience.SAFEGUARDING, "decision": Audience.SAFEGUARDING,
    "document_added": Audience.SAFEGUARDING, "document_withdrawn": Audience.SAFEGUARDING,
    "meeting_scheduled": Audience.SAFEGUARDING, "meeting_held": Audience.SAFEGUARDING,
    "minutes_circulated": Audience.SAFEGUARDING,
    # Facts that change (allegations/facts.py): the referral and its people at the employer level, the children
    # and the people around the allegation at the safeguarding level (Section.CHILDREN, Section.ASSOCIATED).
    "facts_changed": Audience.EMPLOYER, "subject_changed": Audience.EMPLOYER, "other_subject_added": Audience.EMPLOYER,
    "child_added": Audience.SAFEGUARDING, "child_changed": Audience.SAFEGUARDING,
    "child_removed": Audience.SAFEGUARDING, "parents_told": Audience.SAFEGUARDING,
    "associated_person_added": Audience.SAFEGUARDING,
    # The outcome's checklist, a reopened case and an amended outcome are part of the outcome (outcomes.py).
    "outcome_checklist": Audience.EMPLOYER, "case_reopened": Audience.EMPLOYER, "outcome_amended": Audience.EMPLOYER,
}

# The deadlines on the case page, by kind. Actions' deadlines: each agency sees its own actions in the
# meetings section.
DEADLINE_AUDIENCE: dict[str, str] = {
    "employer_action": Audience.EMPLOYER, "disciplinary_hearing": Audience.EMPLOYER,
    "strategy_meeting": Audience.SAFEGUARDING, "minutes_initial": Audience.SAFEGUARDING,
    "minutes_review": Audience.SAFEGUARDING, "police_review": Audience.SAFEGUARDING,
    "person_update": Audience.EMPLOYER, "suspension_review": Audience.EMPLOYER,
}


class PartAudience(models.Model):
    """One item of a case whose audience differs from its default: the LADO service widened or narrowed it, or
    the police hold it back from the employer while they investigate (003 §34). Why is kept in its history."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="part_audiences")
    part = models.CharField(max_length=16, choices=Part.choices)
    part_id = models.PositiveBigIntegerField()
    # Blank: the item's default audience (default_audience).
    audience = models.CharField(max_length=16, choices=Audience.choices, blank=True)
    # "Not for the employer while the investigation runs": hidden from employer-level viewers until lifted.
    held_from_employer = models.BooleanField(default=False)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["referral", "part", "part_id"], name="partaudience_once"),
        ]
        # selectors.case_parts_for() reads a referral's rows through the unique constraint's index.

    def effective(self, default: str) -> str:
        audience = self.audience or default
        if self.held_from_employer and audience == Audience.EMPLOYER:
            return Audience.SAFEGUARDING
        return audience


class Event(models.Model):
    """The business log: who did what, when and why. Case timelines and reports read it."""

    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.CASCADE, related_name="events")
    verb = models.CharField(max_length=48)
    summary = models.CharField(max_length=300)
    reason = models.TextField(blank=True)
    # The part of the case the event is about (a strand, a risk assessment, a document…), so the timeline
    # shows it only to that part's audience (selectors.case_parts_for); blank: the verb's audience (VERB_AUDIENCE).
    part = models.CharField(max_length=16, choices=Part.choices, blank=True)
    part_id = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["referral", "-at"], name="event_referral_at")]  # timelines


class AccessLog(models.Model):
    """Who opened a referral or a case, and when (003 §47: records have limited access)."""

    at = models.DateTimeField(default=timezone.now)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="access_log")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.CASCADE, related_name="access_log")
    what = models.CharField(max_length=16)  # "referral" or "case"

    class Meta:
        indexes = [models.Index(fields=["referral", "-at"], name="accesslog_referral_at")]  # "who has opened this"


class DisagreementStep(models.Model):
    """One step of a disagreement's escalation ladder (004 §3.5: a protocol for resolving professional
    differences; §3.13: challenge that climbs past team managers; §5.4: disagreements on the record): who raised
    it with whom, when, the date to answer by (a `disagreement_step` deadline, chased until answered), and the
    answer: resolved, or escalated to the next step. Its audience is its disagreement's (Part.DISAGREEMENT)."""

    class Level(models.TextChoices):
        # The ladder's steps, in order (allegations.ladder.LADDER).
        MANAGER = "manager", "The manager"
        LADO_MANAGER = "lado_manager", "The LADO manager"
        HEAD_OF_SERVICE = "head_of_service", "The head of service"
        PROTOCOL = "protocol", "The partnership's escalation protocol"

    class Result(models.TextChoices):
        RESOLVED = "resolved", "Resolved"
        ESCALATED = "escalated", "Escalated to the next step"

    disagreement = models.ForeignKey(Disagreement, on_delete=models.CASCADE, related_name="steps")
    level = models.CharField(max_length=20, choices=Level.choices)
    raised_on = models.DateField()
    raised_by = models.CharField(max_length=150, help_text="Who raised it at this step, and for which agency")
    raised_to = models.CharField(max_length=150, blank=True, help_text="Who it was raised with (their name and role)")
    answer_by = models.DateField()
    # The step's deadline (kind disagreement_step), met when the step is answered.
    deadline = models.ForeignKey("deadlines.Deadline", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # When the answer was recorded: the date typed (now when it is today, else the end of that day).
    answered_at = models.DateTimeField(null=True, blank=True)
    answer = models.TextField(blank=True)
    result = models.CharField(max_length=16, choices=Result.choices, blank=True)
    # None: imported without naming who recorded it (interchange.disagreements).
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()

    class Meta:
        ordering = ["disagreement", "pk"]
        constraints = [
            # Each step of the ladder is climbed once (allegations.ladder).
            models.UniqueConstraint(fields=["disagreement", "level"], name="disagreementstep_once"),
        ]

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None

    @property
    def level_in_words(self) -> str:
        """"the LADO manager": the step's name inside a sentence."""
        label = self.get_level_display()
        return label[0].lower() + label[1:]


# --- Facts that change, and the people told (issue 16 §1, §3) ------------------------------------------------


class ParentsTold(models.Model):
    """Whether a child's parents or carers were told, by whom, when and what; or why they were not; and the child's
    views if given (003 §25, §58; 004 §5.10). One per child; changes are kept in its history."""

    child = models.OneToOneField(Child, on_delete=models.CASCADE, related_name="parents_told")
    told = models.BooleanField(default=True)
    told_by = models.CharField(max_length=150, blank=True, help_text="Who informed them, and for which agency")
    told_on = models.DateField(null=True, blank=True)
    what_told = models.TextField(blank=True)
    not_told_reason = models.TextField(blank=True)
    child_views = models.TextField(blank=True)
    # Empty only when imported without --by (interchange).
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    def __str__(self):
        return f"Parents told, child {self.child_id}"


class AssociatedPerson(models.Model):
    """Someone connected to the allegation who is not the subject: a partner, a colleague whose conduct is relevant
    (003 §68)."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="associated_people")
    name = models.CharField(max_length=150)
    relationship = models.CharField(max_length=150, help_text="Their relationship or role")
    notes = models.TextField(blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return self.name


class OtherSubject(models.Model):
    """A second (or further) person alleged against in the same referral: their own subject record, so earlier
    records of them are found as the first subject's are."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="other_subjects")
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="other_referrals")
    subject_role = models.CharField(max_length=150, blank=True)
    employment_type = models.CharField(max_length=24, choices=EmploymentType.choices, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["referral", "subject"], name="othersubject_once")]


# --- The person the allegation is about: a fair process (issue 16 §2; 002 §12-16, 003 §25, §34-35) ---------------


class PersonTold(models.Model):
    """What the person was told, by whom and when; and what was held back, on whose advice, until when and why
    (003 §25, §34: the police may ask that the person is not told yet). Nothing told yet: only what is held back."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="person_told")
    told_on = models.DateField(null=True, blank=True)
    told_by = models.CharField(max_length=150, blank=True, help_text="Who told them, and for which agency")
    what_told = models.TextField(blank=True)
    held_back = models.TextField(blank=True)
    held_back_advised_by = models.CharField(max_length=150, blank=True)
    held_back_until = models.DateField(null=True, blank=True)
    held_back_why = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")  # None when imported without a --by user
    recorded_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-recorded_at", "-pk"]


class PersonContact(models.Model):
    """The person's named contact while the case runs (003 §35): someone other than the LADO, usually at the
    employer; a name, a role and an agency, not necessarily someone with an account."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="person_contacts")
    name = models.CharField(max_length=150)
    role = models.CharField(max_length=150, blank=True)
    agency = models.CharField(max_length=200)
    contact_details = models.CharField(max_length=200, blank=True)
    from_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")  # None when imported without a --by user
    recorded_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-from_on", "-pk"]


class PersonSupport(models.Model):
    """Support offered to the person, and whether they took it up (003 §35)."""

    class Kind(models.TextChoices):
        UNION = "union", "Trade union or professional body"
        OCCUPATIONAL_HEALTH = "occupational_health", "Occupational health"
        COUNSELLING = "counselling", "Counselling or an employee assistance programme"
        OTHER = "other", "Other support"

    class TakenUp(models.TextChoices):
        YES = "yes", "Taken up"
        NO = "no", "Declined"
        NOT_KNOWN = "not_known", "Not known yet"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="person_support")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    detail = models.CharField(max_length=200, blank=True)
    offered_on = models.DateField()
    offered_by = models.CharField(max_length=150)
    taken_up = models.CharField(max_length=12, choices=TakenUp.choices, default=TakenUp.NOT_KNOWN)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")  # None when imported without a --by user
    recorded_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-offered_on", "-pk"]

    def label(self) -> str:
        return self.detail if self.kind == self.Kind.OTHER and self.detail else self.get_kind_display()


class PersonUpdate(models.Model):
    """An update to the person on progress and likely timescales (003 §35), and their views when they gave them,
    which go to the next meeting's papers (002 §14). Recording one meets the person_update deadline and opens the
    next."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="person_updates")
    given_on = models.DateField()
    given_by = models.CharField(max_length=150)
    summary = models.TextField()
    views = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")  # None when imported without a --by user
    recorded_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-given_on", "-pk"]
        # meetings' papers: a case's views given between two dates (selectors.person_views_between).
        indexes = [models.Index(fields=["case", "given_on"], name="personupdate_case_given")]


# --- After the outcome: what each outcome sets off, complaints, reopening (issue 16 §4, §6) ----------------


class OutcomeChecklistItem(models.Model):
    """One thing an outcome sets off, ticked as done or not applicable (outcomes.CHECKLIST says which). Made when
    the outcome is recorded; an amended outcome adds its own and drops the untouched ones that no longer apply."""

    class State(models.TextChoices):
        PENDING = "pending", "To do"
        DONE = "done", "Done"
        NOT_APPLICABLE = "not_applicable", "Not applicable"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="outcome_checklist")
    item = models.CharField(max_length=32)  # outcomes.CHECKLIST_ITEMS
    # Suggested by the person's role or sector (a regulator to consider), shown first.
    suggested = models.BooleanField(default=False)
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    note = models.TextField(blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    done_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["case", "item"], name="outcomechecklist_once")]


class Complaint(models.Model):
    """A formal complaint about the outcome of an allegation or how the LADO service managed the process
    (003 §70), its stage and its answer (002 §2.9: received, withdrawn, investigated, taken to stage 2)."""

    class From(models.TextChoices):
        SUBJECT = "subject", "The person the allegation is about"
        PARENT = "parent", "A parent or carer"
        AGENCY = "agency", "A partner agency"
        OTHER = "other", "Someone else"

    class About(models.TextChoices):
        OUTCOME = "outcome", "The outcome of the allegation"
        PROCESS = "process", "How the process was managed"
        BOTH = "both", "Both the outcome and the process"

    class Stage(models.TextChoices):
        INFORMAL = "informal", "Informal resolution"
        STAGE_1 = "stage_1", "Stage 1"
        STAGE_2 = "stage_2", "Stage 2"
        OMBUDSMAN = "ombudsman", "Ombudsman"

    class Result(models.TextChoices):
        UPHELD = "upheld", "Upheld"
        PARTLY_UPHELD = "partly_upheld", "Partly upheld"
        NOT_UPHELD = "not_upheld", "Not upheld"
        WITHDRAWN = "withdrawn", "Withdrawn"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="complaints")
    received_on = models.DateField()
    made_by = models.CharField(max_length=16, choices=From.choices)
    complainant = models.CharField(max_length=150, blank=True, help_text="Who complained, and for which agency")
    about = models.CharField(max_length=16, choices=About.choices)
    summary = models.TextField()
    stage = models.CharField(max_length=16, choices=Stage.choices, default=Stage.STAGE_1)
    stage_started_on = models.DateField()
    # The answer at the current stage; blank while it is being looked into.
    result = models.CharField(max_length=16, choices=Result.choices, blank=True)
    answered_on = models.DateField(null=True, blank=True)
    answer = models.TextField(blank=True)
    # None: imported (interchange), with who imported it in its history.
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-received_on", "-pk"]
        indexes = [models.Index(fields=["received_on"], name="complaint_received")]  # the annual report's year

    @property
    def is_open(self) -> bool:
        return not self.result


class CaseAmendment(models.Model):
    """A LADO service manager reopened a closed case, or amended its outcome, and why (002 §2.9: complaints led to
    reconvened meetings and altered outcomes). The annual report counts them; the case's history and timeline
    show them."""

    class Kind(models.TextChoices):
        REOPENED = "reopened", "Case reopened"
        OUTCOME_AMENDED = "outcome_amended", "Outcome amended"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="amendments")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    at = models.DateTimeField(default=timezone.now)
    reason = models.TextField()
    outcome_before = models.CharField(max_length=16, choices=Outcome.choices, blank=True)
    outcome_after = models.CharField(max_length=16, choices=Outcome.choices, blank=True)
    # The complaint that led to it, if one did.
    complaint = models.ForeignKey(Complaint, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    history = HistoricalRecords()

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["at"], name="caseamendment_at")]  # the annual report's year


# --- Cross-border transfers (issue 16 §7) ---------------------------------------------------------------------


class Transfer(models.Model):
    """A referral handed to another authority's LADO service (003 §4, §14, §69–72): to whom, what was sent
    (the handover bundle: a PDF and the referral's export line, kept as documents of the referral, for the
    LADO service only), who leads by agreement, and the receiving service's acknowledgement, a deadline
    (Deadline.Kind.TRANSFER_ACKNOWLEDGEMENT) chased until it is recorded (allegations/transfers.py)."""

    referral = models.OneToOneField(Referral, on_delete=models.CASCADE, related_name="transfer_out")
    authority_name = models.CharField(max_length=200)
    # The receiving LADO service, when it is an agency of the product (then authority_name is its name).
    receiving_service = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    contact_name = models.CharField(max_length=150)
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)
    # Who leads the coordination, agreed between the LADO services (003 §72).
    lead_authority = models.CharField(max_length=200)
    lead_agreed_with = models.CharField(max_length=150)
    lead_agreed_on = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    bundle_pdf = models.ForeignKey("records.Document", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    bundle_jsonl = models.ForeignKey("records.Document", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.CharField(max_length=150, blank=True, help_text="Who acknowledged it, at the receiving service")
    acknowledgement_recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                                    on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(name="transfer_acknowledged_by_someone",
                                   condition=models.Q(acknowledged_at__isnull=True) | ~models.Q(acknowledged_by="")),
        ]
        # reporting.annual counts transfers out by the referral's received_at (its own index); the referral page
        # reads the one row through the one-to-one's unique index.

    def __str__(self):
        return f"Transfer of {self.referral_id}"

    @property
    def is_acknowledged(self) -> bool:
        return self.acknowledged_at is not None


class LetterKind(models.TextChoices):
    """The letters a LADO service sends (issue 17 §3), each from its one template (LetterTemplate)."""

    OUTCOME_PERSON = "outcome_person", "Outcome letter to the person"
    OUTCOME_EMPLOYER = "outcome_employer", "Outcome letter to the employer"
    OUTCOME_PARENTS = "outcome_parents", "Outcome letter to parents or carers"
    INVITATION = "invitation", "Invitation letter"
    # To a provider after a serious concerns meeting (001).
    PROVIDER = "provider", "Letter to a provider after a serious concerns meeting"
    TRANSFER = "transfer", "Transfer letter"


class LetterTemplate(models.Model):
    """The words of one kind of letter, as a LADO manager of the service last set them (allegations/letters.py
    lists the placeholders the body may use; an unknown one is refused when saved)."""

    lado_service = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=24, choices=LetterKind.choices)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["lado_service", "kind"], name="lettertemplate_once")]
        # letters.template_for reads one row through the unique constraint's index.


class Letter(models.Model):
    """One letter drafted from a case and its template, edited, approved by a LADO manager, rendered as PDF and
    Word documents of the case (with their audience) and marked as sent (issue 17 §3)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        APPROVED = "approved", "Approved"
        SENT = "sent", "Sent"

    class SentBy(models.TextChoices):
        POST = "post", "Post"
        EMAIL = "email", "E-mail"
        HAND = "hand", "By hand"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="letters")
    kind = models.CharField(max_length=24, choices=LetterKind.choices)
    recipient = models.CharField(max_length=200)  # who it is to, in words ("The head teacher, Elm School")
    subject = models.CharField(max_length=200)
    body = models.TextField()
    # Who may see the letter's documents on the case (need to know, as any document's audience).
    audience = models.CharField(max_length=16, choices=Audience.choices)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    drafted_at = models.DateTimeField(default=timezone.now)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    pdf = models.ForeignKey("records.Document", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    docx = models.ForeignKey("records.Document", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_by = models.CharField(max_length=8, choices=SentBy.choices, blank=True)
    sent_recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-drafted_at", "-pk"]
        # letters.letters_of lists a case's letters through the foreign key's own index.
        constraints = [
            models.CheckConstraint(name="letter_approved_with_approver",
                                   condition=models.Q(status="draft") | models.Q(approved_by__isnull=False, approved_at__isnull=False)),
            models.CheckConstraint(name="letter_sent_with_how",
                                   condition=~models.Q(status="sent") | (models.Q(sent_at__isnull=False) & ~models.Q(sent_by=""))),
        ]

    def __str__(self):
        return f"Letter {self.pk}"
