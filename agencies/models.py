from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.postgres.fields import ArrayField
from django.db import models
from simple_history.models import HistoricalRecords


class Nation(models.TextChoices):
    ENGLAND = "ENG", "England"
    WALES = "WLS", "Wales"
    SCOTLAND = "SCT", "Scotland"
    NORTHERN_IRELAND = "NIR", "Northern Ireland"


class SpanUnit(models.TextChoices):
    """The three kinds of span of deadlines.md."""

    HOURS = "hours", "Hours"
    WORKING_DAYS = "working_days", "Working days"
    DAYS = "days", "Days"


# The deadline kinds whose span is a partnership setting (deadlines.md: "local procedures differ:
# 003's 7 working days is one authority's rule; others use 72 hours"). Each is a number and a unit:
# fields <kind>_span and <kind>_unit.
# disagreement_step: the answer at each step of a disagreement's escalation (allegations.ladder). Seed 004 §3.5
# found the professional differences protocol's "specified timescales are unclear"; the product gives one clear
# default per step (5 working days), which the partnership sets to its own protocol.
# person_update: regular updates to the person the allegation is about while the case is open (003 §35).
SPAN_SETTINGS = ("strategy_meeting", "minutes_initial", "minutes_review", "case_review", "disagreement_step",
                 "person_update")
# The prompt to consider the serious concerns process (providers.selectors.prompts_for, 001): whole numbers, 1 or more.
PROMPT_SETTINGS = {
    "provider_prompt_referrals": "Referrals about staff at one provider in 12 months",
    "provider_prompt_cluster": "Concerns of the same category at one provider within the cluster window",
    "provider_prompt_cluster_days": "Cluster window, in days",
    # Low-level concerns about one person (lowlevel.selectors.prompts_for, 003 §10): this many within this many months.
    "low_level_prompt_concerns": "Low-level concerns about one person that prompt a referral",
    "low_level_prompt_months": "Within this many months",
}


class Partnership(models.Model):
    """The safeguarding partnership running this product: one row, its settings."""

    name = models.CharField(max_length=200)
    nation = models.CharField(max_length=3, choices=Nation.choices, default=Nation.ENGLAND)
    time_zone = models.CharField(max_length=64, default="Europe/London")
    # Spans of deadlines.md that are partnership settings (SPAN_SETTINGS): a number and a unit each.
    # A change applies to deadlines opened afterwards; existing deadlines keep their due time.
    strategy_meeting_span = models.PositiveSmallIntegerField(default=7)
    strategy_meeting_unit = models.CharField(max_length=16, choices=SpanUnit.choices, default=SpanUnit.WORKING_DAYS)
    minutes_initial_span = models.PositiveSmallIntegerField(default=14)
    minutes_initial_unit = models.CharField(max_length=16, choices=SpanUnit.choices, default=SpanUnit.DAYS)
    minutes_review_span = models.PositiveSmallIntegerField(default=7)
    minutes_review_unit = models.CharField(max_length=16, choices=SpanUnit.choices, default=SpanUnit.DAYS)
    case_review_span = models.PositiveSmallIntegerField(default=28)
    case_review_unit = models.CharField(max_length=16, choices=SpanUnit.choices, default=SpanUnit.DAYS)
    disagreement_step_span = models.PositiveSmallIntegerField(default=5)
    disagreement_step_unit = models.CharField(max_length=16, choices=SpanUnit.choices, default=SpanUnit.WORKING_DAYS)
    # Regular updates to the person the allegation is about while the case is open (issue 16 §2).
    person_update_span = models.PositiveSmallIntegerField(default=28)
    person_update_unit = models.CharField(max_length=16, choices=SpanUnit.choices, default=SpanUnit.DAYS)
    # Provider concerns (001): suggest the serious concerns process when a provider has this many referrals
    # about its staff in 12 months, or this many of the same category within the cluster window.
    provider_prompt_referrals = models.PositiveSmallIntegerField(default=3)
    provider_prompt_cluster = models.PositiveSmallIntegerField(default=2)
    provider_prompt_cluster_days = models.PositiveSmallIntegerField(default=28)
    # Low-level concerns (003 §10): prompt the LADO service when this many concerns about one person fall within
    # this many months (or come from two employers).
    low_level_prompt_concerns = models.PositiveSmallIntegerField(default=3)
    low_level_prompt_months = models.PositiveSmallIntegerField(default=12)
    # The hour of the day (in the partnership's time zone) at which the daily digests of notices go to the people
    # who chose a digest (agencies.digests).
    digest_hour = models.PositiveSmallIntegerField(default=7)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(**{f"{kind}_span__gte": 1}), name=f"partnership_{kind}_span_positive")
            for kind in SPAN_SETTINGS
        ] + [models.CheckConstraint(condition=models.Q(digest_hour__lte=23), name="partnership_digest_hour_of_day")]

    def __str__(self):
        return self.name

    def span(self, kind: str) -> tuple[int, str]:
        """(number, SpanUnit) of a deadline kind that is a setting."""
        if kind not in SPAN_SETTINGS:
            raise ValueError(f"{kind} is not a partnership setting")
        return getattr(self, f"{kind}_span"), getattr(self, f"{kind}_unit")

    @classmethod
    def current(cls) -> "Partnership":
        partnership = cls.objects.order_by("pk").first()
        if partnership is None:
            partnership = cls.objects.create(name="Safeguarding partnership")
        return partnership


class Sector(models.TextChoices):
    """The sectors of interchange.md (and seed 002's tables)."""

    EDUCATION = "education", "Education"
    EARLY_YEARS = "early_years", "Early years"
    FOSTERING = "fostering", "Fostering"
    ADOPTION = "adoption", "Adoption"
    RESIDENTIAL = "residential", "Residential care"
    SOCIAL_CARE = "social_care", "Social care"
    HEALTH = "health", "Health"
    POLICE = "police", "Police"
    SPORTS = "sports", "Sports"
    FAITH = "faith", "Faith"
    TRANSPORT = "transport", "Transport"
    VOLUNTARY = "voluntary", "Voluntary"
    SECURE_ESTATE = "secure_estate", "Secure estate"
    CARE_HOME = "care_home", "Care home"
    HOME_CARE = "home_care", "Home care"
    SUPPORTED_LIVING = "supported_living", "Supported living"
    DAY_SERVICES = "day_services", "Day services"
    OTHER = "other", "Other"


class AgencyKind(models.TextChoices):
    LADO_SERVICE = "lado_service", "LADO / PiPoT service (local authority)"
    CHILDRENS_SOCIAL_CARE = "childrens_social_care", "Children's social care"
    ADULTS_SOCIAL_CARE = "adults_social_care", "Adults' social care"
    POLICE = "police", "Police force"
    NHS_TRUST = "nhs_trust", "NHS trust"
    # Seed 001 leaves NHS Foundation Trusts out of the serious concerns process (they have their own arrangements).
    NHS_FOUNDATION_TRUST = "nhs_foundation_trust", "NHS foundation trust"
    ICB = "icb", "Integrated care board"
    SCHOOL = "school", "School or academy trust"
    COLLEGE = "college", "College"
    EARLY_YEARS = "early_years", "Early years setting"
    FOSTERING_AGENCY = "fostering_agency", "Fostering agency"
    RESIDENTIAL_HOME = "residential_home", "Residential children's home"
    CARE_PROVIDER = "care_provider", "Care provider"
    SPORTS_CLUB = "sports_club", "Sports club"
    FAITH_GROUP = "faith_group", "Faith group"
    VOLUNTARY = "voluntary", "Voluntary organisation"
    TRANSPORT = "transport", "Transport contractor"
    REGULATOR = "regulator", "Regulator"
    BUSINESS_UNIT = "business_unit", "Safeguarding partnership business unit"
    OTHER = "other", "Other"


class Agency(models.Model):
    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=32, choices=AgencyKind.choices)
    sector = models.CharField(max_length=32, choices=Sector.choices, default=Sector.OTHER)
    commissioned_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="commissioned"
    )
    # The LADO service an agency reports to (its local authority's service).
    lado_service = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agencies_served",
        limit_choices_to={"kind": AgencyKind.LADO_SERVICE},
    )
    authority = models.CharField(max_length=120, blank=True, help_text="Local authority area")
    email = models.EmailField(blank=True)
    # Who at the agency receives its meeting invitations and minutes (meetings.selectors.recipients_of): the people
    # who hold one of these roles (issue 17: "its designated safeguarding lead or senior manager; settable per
    # agency"). Empty means the default, MEETING_ROLES_DEFAULT. With nobody in those roles, the agency's e-mail.
    meeting_roles = ArrayField(models.CharField(max_length=32), default=list, blank=True,
                               verbose_name="Who receives meeting invitations and minutes")
    # django-guardian grants shares (cases, meetings) to this group, never to users.
    group = models.OneToOneField(Group, on_delete=models.PROTECT, related_name="agency", editable=False)
    is_active = models.BooleanField(default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self):
        return self.name

    @property
    def is_lado_service(self) -> bool:
        return self.kind == AgencyKind.LADO_SERVICE

    @property
    def meeting_recipient_roles(self) -> list[str]:
        """The roles whose holders receive the agency's meeting invitations and minutes."""
        return list(self.meeting_roles) or list(MEETING_ROLES_DEFAULT)

    def save(self, *args, **kwargs):
        # The permission group is part of the row's identity, not a side effect.
        if self.group_id is None:
            self.group, _ = Group.objects.get_or_create(name=f"agency:{self.name}")
        super().save(*args, **kwargs)


class Role(models.TextChoices):
    """The roles of domain.md §2."""

    LADO_OFFICER = "lado_officer", "LADO / PiPoT officer"
    LADO_MANAGER = "lado_manager", "LADO service manager"
    SENIOR_MANAGER = "senior_manager", "Agency senior manager"
    AGENCY_VIEWER = "agency_viewer", "Agency viewer"
    CHAIR = "chair", "Meeting chair"
    MINUTE_TAKER = "minute_taker", "Minute taker"
    PARTICIPANT = "participant", "Agency participant"
    ANALYST = "analyst", "Business unit analyst"
    ADMINISTRATOR = "administrator", "Partnership administrator"
    # Provider concerns (001): who decides to invoke the serious concerns process, and who is prompted to consider it.
    DIRECTOR = "director", "Director or assistant director (adult services)"
    ADULT_SAFEGUARDING_MANAGER = "adult_safeguarding_manager", "Adults' safeguarding manager"


class AccessLevel(models.TextChoices):
    """How much of a case (or of a meeting's minutes) a person may see: the minutes' levels, used for the whole case.

    The LADO service (and whoever edits the minutes) sees everything ("full"); an agency a case is shared with,
    or a meeting's invitee, sees the safeguarding or the employer part. Defined here, below allegations and
    meetings, because both read it.
    """

    FULL = "full", "Full: every section, including restricted ones"
    SAFEGUARDING = "safeguarding", "Safeguarding professional (police, social care, health): all but restricted sections"
    EMPLOYER = "employer", "Employer or HR: the adult's employment matters and general sections only"


# From the narrowest to the widest; used to pick one level when a person holds several.
ACCESS_ORDER = (AccessLevel.EMPLOYER, AccessLevel.SAFEGUARDING, AccessLevel.FULL)


def widest_level(levels) -> str | None:
    """The widest of some access levels (None when there are none)."""
    levels = set(levels)
    for level in reversed(ACCESS_ORDER):
        if level in levels:
            return level
    return None


# Who receives an agency's meeting invitations and minutes unless the agency says otherwise: its senior manager
# (a school's designated safeguarding lead holds this role). A police force may choose its participants instead.
MEETING_ROLES_DEFAULT = (Role.SENIOR_MANAGER,)
# The roles an agency may choose from (not the business unit's analysts or the administrators).
MEETING_ROLE_CHOICES = [(value, label) for value, label in Role.choices if value not in ("analyst", "administrator")]

# Roles that act for the LADO service: they see all of the service's work.
LADO_ROLES = frozenset({Role.LADO_OFFICER, Role.LADO_MANAGER, Role.CHAIR})
# Roles that may submit referrals for their agency.
REFERRER_ROLES = frozenset({Role.SENIOR_MANAGER})


class MembershipQuerySet(models.QuerySet):
    def people(self):
        """Memberships held by people, not by the accounts partner systems act through (`system`)."""
        return self.filter(system=False)


class Membership(models.Model):
    """A person's role in an agency. One person may hold several."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=32, choices=Role.choices)
    job_title = models.CharField(max_length=120, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    # The account an agency's own system acts through (a partner API client): it has the role's access, but it is
    # nobody to choose, invite, tell or chase. Every list of people reads Membership.objects.people() or filters
    # memberships__system=False beside its other memberships__ conditions (the same membership).
    system = models.BooleanField(default=False)

    objects = MembershipQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "agency", "role"], name="membership_unique_role"),
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()}, {self.agency}"


class Notification(models.Model):
    """An entry in a person's in-product inbox. Carries a link, never names of children or subjects."""

    # Read through notification_once (user, key): no index of its own (issue 19: a sweep writes 10,000 a pass).
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications",
                             db_index=False)
    created_at = models.DateTimeField(auto_now_add=True)
    title = models.CharField(max_length=200)
    link = models.CharField(max_length=300)
    read_at = models.DateTimeField(null=True, blank=True)
    # Makes a notice idempotent: a task that runs twice does not notify twice.
    key = models.CharField(max_length=120)
    # The kind of notice (its e-mail's kind: "deadline_overdue"), which says its group for the person's choice of
    # e-mail now or in the daily digest (agencies.notices); and the reference it is about, for the digest.
    kind = models.CharField(max_length=60, blank=True)
    reference = models.CharField(max_length=40, blank=True)
    # The person chose a daily digest for this kind: the notice waits for the next one (agencies.digests), which
    # is recorded here once sent.
    digest_pending = models.BooleanField(default=False)
    digest = models.ForeignKey("outbox.Delivery", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                               db_index=False)  # Meta's notification_digest: only the notices sent in one

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="notification_once")]
        indexes = [
            # agencies.digests.digests_send: the notices still waiting for a digest, person by person.
            models.Index(fields=["user", "created_at"], name="notification_digest_pending",
                         condition=models.Q(digest_pending=True)),
            models.Index(fields=["digest"], name="notification_digest", condition=models.Q(digest__isnull=False)),
        ]


class NoticeDelivery(models.TextChoices):
    IMMEDIATE = "immediate", "E-mail me each one straight away"
    DIGEST = "digest", "Send me one e-mail a day listing them"


class NoticePreference(models.Model):
    """A person's choice, for one group of notices (agencies.notices.NOTICE_GROUPS), of an e-mail for each notice
    or a daily digest. No row: an e-mail for each. The inbox always has every notice, whatever the choice."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notice_preferences")
    group = models.CharField(max_length=30)
    delivery = models.CharField(max_length=12, choices=NoticeDelivery.choices, default=NoticeDelivery.IMMEDIATE)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "group"], name="notice_preference_once")]

    def __str__(self):
        return f"{self.user}: {self.group} by {self.get_delivery_display().lower()}"
