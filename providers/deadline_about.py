"""What deadlines/ needs to know about a provider concern (deadlines.about), told in AppConfig.ready().

A provider concern's deadlines (minutes, the review of suspended admissions: 001) are chased to its
lead, else the adults' safeguarding managers of the service; escalation goes to the directors who
decide on the process.
"""

from __future__ import annotations

from django.urls import reverse

from deadlines import about

from . import services


def _reference(deadline) -> str:
    return deadline.provider_concern.reference


def _link(deadline) -> str:
    return reverse("providers:concern_detail", args=[deadline.provider_concern.reference])


def register() -> None:
    about.subject_register(about.Subject(
        field="provider_concern", reference=_reference, link=_link,
        closed_at=lambda deadline: services.concern_closed_at(deadline.provider_concern),
        owner_recipients=lambda deadline: services.concern_owner_recipients(deadline.provider_concern),
        escalation_recipients=lambda deadline: services.concern_escalation_recipients(deadline.provider_concern),
    ))
