"""Low-level concerns: a concern about a named person that does not meet the harm thresholds (003 §10).

003 §10: organisations take professional judgments to tell concerns, complaints and allegations apart, and
keep separate internal procedures for lower-level concerns; advice can always be sought from the LADO. 000
(fitness to practise): agencies agree how low-level or "soft" information can be collated. The agency (the
employer) records each concern here; when concerns about one person form a pattern the LADO service is
prompted (selectors.prompts_for) and may open a referral from them, which links them to it.

A small app of its own beside allegations (pyproject.toml's layers): it reads allegations (the referral it
opens, the person matching) and allegations knows nothing of it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from agencies.models import Agency

from .querysets import LowLevelConcernQuerySet


class LowLevelConcern(models.Model):
    # The employer that recorded it (its people see it) and the LADO service of that agency (which sees all).
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    lado_service = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    # The person: named (a low-level concern is always about someone); the date of birth when known.
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField(null=True, blank=True)
    role = models.CharField(max_length=150)
    # Phonetic keys for telling one person across concerns (allegations.matching.phonetic_key).
    given_key = models.CharField(max_length=32, blank=True, editable=False)
    family_key = models.CharField(max_length=32, blank=True, editable=False)
    occurred_on = models.DateField()
    what_happened = models.TextField()
    employer_action = models.TextField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    # The referral the LADO service opened from a pattern of concerns (services.referral_open_from_concerns).
    referral = models.ForeignKey("allegations.Referral", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="low_level_concerns")
    linked_at = models.DateTimeField(null=True, blank=True)
    # "concerns.csv" for a concern brought in by import_cases --concerns (its history says which line, by whom).
    imported_from = models.CharField(max_length=255, blank=True)

    history = HistoricalRecords()
    objects = LowLevelConcernQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_on", "-pk"]
        indexes = [
            # selectors.prompt rows: a service's concerns not yet linked to a referral.
            models.Index(fields=["lado_service", "referral"], name="llc_service_referral"),
            # selectors.concern_list: an agency's own concerns, newest first.
            models.Index(fields=["agency", "-occurred_on"], name="llc_agency_occurred"),
        ]

    def __str__(self):
        return f"Low-level concern {self.pk}"

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"
