"""Assurance rounds (seed 000): the business unit asks chosen agencies a questionnaire; each
agency's senior manager answers for their agency; the answers are read side by side."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from agencies.models import Agency

# Seed 000's six questions ("Audit activity: Dealing with allegations against people in positions
# of trust"), then the two questions its discussion raised about commissioned and contracted services:
# the default set of a new round, which the business unit may edit before sending. The question about
# numbers takes numbers (referrals, cases, outcomes), which the composite totals.
DEFAULT_QUESTIONS = [
    ("Does your organisation have a clear and well understood process to deal with allegations against "
     "staff that would be considered a safeguarding allegation?", "yes_no"),
    ("Does your organisation escalate and report such incidents, including liaising with adult social care "
     "or the police as appropriate?", "yes_no"),
    ("Is there a clear process for reporting through governance routes in the organisation?", "yes_no"),
    ("Does your organisation routinely think about fitness to practise and the link to barring?", "yes_no"),
    ("What have been the numbers of allegations against people in positions of trust in the last three years?",
     "numbers"),
    ("Does your organisation have a lead role similar to the LADO, but for adults?", "yes_no"),
    ("In your contracting and commissioning arrangements, are you sufficiently clear to assure yourselves that "
     "there are adequate safe working practice procedures in place in the organisations you commission?",
     "yes_no"),
    ("Do you ask the providers you commission to report concerns about staffing issues to commissioners?",
     "yes_no"),
]
# How long before the due date an agency that has not submitted is reminded (calendar days).
REMIND_DAYS_BEFORE = 3


class RoundStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SENT = "sent", "Sent to agencies"
    CLOSED = "closed", "Closed"


class AssuranceRound(models.Model):
    title = models.CharField(max_length=200)
    period = models.CharField(max_length=60, help_text="The period the answers cover, e.g. 2025 to 2026")
    due_on = models.DateField()
    introduction = models.TextField(blank=True)
    status = models.CharField(max_length=8, choices=RoundStatus.choices, default=RoundStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.title

    @property
    def is_draft(self) -> bool:
        return self.status == RoundStatus.DRAFT


class Question(models.Model):
    class Kind(models.TextChoices):
        YES_NO = "yes_no", "Yes or no, with comments"
        TEXT = "text", "A written answer"
        NUMBERS = "numbers", "Numbers: referrals, cases and outcomes, with comments"

    round = models.ForeignKey(AssuranceRound, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField()
    text = models.TextField()
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.YES_NO)

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self):
        return self.text

    @property
    def is_yes_no(self) -> bool:
        return self.kind == self.Kind.YES_NO

    @property
    def is_numbers(self) -> bool:
        return self.kind == self.Kind.NUMBERS


class Request(models.Model):
    """The round sent to one agency: its senior managers answer for it."""

    round = models.ForeignKey(AssuranceRound, on_delete=models.CASCADE, related_name="requests")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="assurance_requests")
    sent_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    # Chasing the due date (assurance.chasing): each stage once per request.
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    overdue_sent_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "agency"], name="assurance_request_once")]
        # selectors.requests_for(): an agency's requests (the senior manager's list).
        indexes = [models.Index(fields=["agency", "-sent_at"], name="assurance_request_agency")]

    def __str__(self):
        return f"{self.round} — {self.agency}"

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None


class Answer(models.Model):
    class YesNo(models.TextChoices):
        YES = "yes", "Yes"
        NO = "no", "No"

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    yes_no = models.CharField(max_length=3, choices=YesNo.choices, blank=True)
    # A numbers question (seed 000: "the numbers of allegations … in the last three years").
    referrals = models.PositiveIntegerField(null=True, blank=True)
    cases = models.PositiveIntegerField(null=True, blank=True)
    outcomes = models.PositiveIntegerField(null=True, blank=True)
    text = models.TextField(blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["request", "question"], name="assurance_answer_once")]

    def __str__(self):
        return f"{self.get_yes_no_display()} {self.text}".strip()

    NUMBER_FIELDS = (("referrals", "Referrals"), ("cases", "Cases"), ("outcomes", "Outcomes"))

    @property
    def has_numbers(self) -> bool:
        return any(getattr(self, name) is not None for name, _ in self.NUMBER_FIELDS)

    @property
    def numbers_text(self) -> str:
        return ", ".join(f"{label} {getattr(self, name)}" for name, label in self.NUMBER_FIELDS
                         if getattr(self, name) is not None)

    @property
    def display(self) -> str:
        """The answer in words, for the composite table and downloads."""
        parts = [self.get_yes_no_display()] if self.yes_no else []
        if self.has_numbers:
            parts.append(self.numbers_text)
        if self.text:
            parts.append(self.text)
        return ". ".join(parts)
