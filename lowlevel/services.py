"""Writes of low-level concerns: an agency records one; the LADO service opens a referral from a pattern.

Each saves with its history user and reason; opening a referral and linking its concerns is one transaction
(allegations.services.referral_submit's, with its initial-discussion deadline and notice).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from agencies.models import Agency
from agencies.permissions import standing
from allegations import matching
from allegations import services as allegations
from allegations.models import ConcernKind, ContactType, HowArose, Referral

from .models import LowLevelConcern


@transaction.atomic
def concern_record(*, actor, agency: Agency, given_name: str, family_name: str, role: str, occurred_on: dt.date,
                   what_happened: str, employer_action: str, date_of_birth: dt.date | None = None) -> LowLevelConcern:
    """An agency's senior manager records a concern about one of its people that does not meet the harm
    thresholds (003 §10). It goes to the agency's LADO service, which sees the concerns of all its agencies."""
    s = standing(actor)
    if agency.pk not in s.referrer_agency_ids or agency.pk in s.lado_service_ids:
        raise PermissionDenied("Only a senior manager of the agency can record its low-level concerns.")
    if agency.lado_service_id is None:
        raise ValidationError({"agency": "This agency is not linked to a LADO service. Contact the LADO service."})
    concern = LowLevelConcern(
        agency=agency, lado_service_id=agency.lado_service_id, given_name=given_name.strip(),
        family_name=family_name.strip(), date_of_birth=date_of_birth, role=role.strip(), occurred_on=occurred_on,
        what_happened=what_happened, employer_action=employer_action, recorded_by=actor,
    )
    concern.given_key = matching.phonetic_key(concern.given_name)
    concern.family_key = matching.phonetic_key(concern.family_name)
    allegations.save_with_history(concern, actor=actor, reason="Low-level concern recorded")
    return concern


def referral_description(concerns: list[LowLevelConcern]) -> str:
    """The referral's account, prefilled from the concerns: each one's date, employer, what happened and action."""
    parts = []
    for c in concerns:
        parts.append(f"{c.occurred_on:%-d %B %Y}, {c.agency.name} ({c.role}): {c.what_happened.strip()}\n"
                     f"Action taken by the employer: {c.employer_action.strip()}")
    return "Low-level concerns recorded by employers:\n\n" + "\n\n".join(parts)


@transaction.atomic
def referral_open_from_concerns(*, actor, concerns: list[LowLevelConcern], workforce: str, timing: str,
                                category: str, description: str, given_name: str, family_name: str,
                                date_of_birth: dt.date | None, subject_role: str, form_token: str = "") -> Referral:
    """The LADO service opens a referral from a pattern of concerns about one person (selectors.prompts_for):
    the referral is taken as the service's own (as a phone referral is), about the employer of the latest
    concern, and the concerns are linked to it, with history and an event on its timeline."""
    if not concerns:
        raise ValidationError("Choose the concerns to open a referral from.")
    service_ids = {c.lado_service_id for c in concerns}
    if len(service_ids) != 1 or not service_ids <= standing(actor).lado_service_ids:
        raise PermissionDenied("Only the LADO service of these concerns can open a referral from them.")
    locked = list(LowLevelConcern.objects.select_for_update().filter(pk__in=[c.pk for c in concerns]).order_by("pk"))
    if len(locked) != len(concerns) or any(c.referral_id for c in locked):
        raise ValidationError("These concerns are already linked to a referral.")
    by_pk = {c.pk: c for c in concerns}
    latest = max(concerns, key=lambda c: (c.occurred_on, c.pk))
    employer = latest.agency
    referral = allegations.referral_submit(
        actor=actor,
        lado_service=latest.lado_service,
        referring_agency=None,
        taken_by_phone=True,
        subject_fields={"given_name": given_name, "family_name": family_name, "date_of_birth": date_of_birth},
        referral_fields={
            "contact_type": ContactType.REFERRAL, "concern_kind": ConcernKind.ALLEGATION,
            "referrer_name": actor.get_full_name() or actor.username,
            "referrer_role": "LADO service, from a pattern of low-level concerns",
            "referrer_email": actor.email, "workforce": workforce, "timing": timing, "category": category,
            "description": description, "how_arose": HowArose.EMPLOYMENT,
            "concern_arose_at": dt.datetime.combine(latest.occurred_on, dt.time(12, 0),
                                                    tzinfo=timezone.get_current_timezone()),
            "subject_role": subject_role, "employer": employer, "employer_name": employer.name,
            "sector": employer.sector, "other_settings": "\n".join(sorted({c.agency.name for c in concerns})),
        },
        children=[],
        form_token=form_token,
    )
    now = timezone.now()
    for concern in locked:
        concern.referral, concern.linked_at = referral, now
        allegations.save_with_history(concern, actor=actor, reason=f"Linked to referral {referral.reference}")
    employers = len({c.agency_id for c in by_pk.values()})
    allegations.event_record(
        actor=actor, referral=referral, verb="low_level_concerns_linked",
        summary=f"Opened from {len(locked)} low-level concern{'s' if len(locked) != 1 else ''} recorded by "
                f"{employers} employer{'s' if employers != 1 else ''}",
    )
    return referral
