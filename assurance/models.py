"""Assurance rounds (seed 000): the business unit asks chosen agencies a questionnaire; each
agency's senior manager answers for their agency; the answers are read side by side."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from agencies.models import Agency

# Seed 000's six questions ("Audit activity: Dealing with allegations against people in positions
# of trust"): the default set of a new round, which the business unit may edit before sending.
DEFAULT_QUESTIONS = [
    ("Does your organisation have a clear and well understood process to deal with allegations against "
     "staff that would be considered a safeguarding allegation?", "yes_no"),
    ("Does your organisation escalate and report such incidents, including liaising with adult social care "
     "or the police as appropriate?", "yes_no"),
    ("Is there a clear process for reporting through governance routes in the organisation?", "yes_no"),
    ("Does your organisation routinely think about fitness to practise and the link to barring?", "yes_no"),
    ("What have been the numbers of allegations against people in positions of trust in the last three years?",
     "text"),
    ("Does your organisation have a lead role similar to the LADO, but for adults?", "yes_no"),
]


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


class Request(models.Model):
    """The round sent to one agency: its senior managers answer for it."""

    round = models.ForeignKey(AssuranceRound, on_delete=models.CASCADE, related_name="requests")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="assurance_requests")
    sent_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

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
    text = models.TextField(blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["request", "question"], name="assurance_answer_once")]

    def __str__(self):
        return f"{self.get_yes_no_display()} {self.text}".strip()

    @property
    def display(self) -> str:
        """The answer in words, for the composite table and downloads."""
        parts = [self.get_yes_no_display()] if self.yes_no else []
        if self.text:
            parts.append(self.text)
        return ". ".join(parts)
