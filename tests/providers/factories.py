"""Provider concerns for tests: a care home of the LADO service's area, and a concern about it."""

from __future__ import annotations

from agencies.models import AgencyKind, Role, Sector
from providers import services
from tests.agencies.factories import AgencyFactory, UserFactory, member
from tests.allegations.factories import make_referral


def care_home(lado_service, name="Meadowbank Care Home"):
    return AgencyFactory(name=name, kind=AgencyKind.CARE_PROVIDER, sector=Sector.CARE_HOME, lado_service=lado_service)


def adults_services(lado_service):
    return AgencyFactory(name="Testshire Adult Social Care", kind=AgencyKind.ADULTS_SOCIAL_CARE,
                         sector=Sector.SOCIAL_CARE, lado_service=lado_service)


def director_of(lado_service, username="director"):
    return member(UserFactory(username=username), adults_services(lado_service), Role.DIRECTOR, "Assistant Director, Adult Services")


def safeguarding_manager_of(lado_service, username="asm"):
    return member(UserFactory(username=username), adults_services(lado_service), Role.ADULT_SAFEGUARDING_MANAGER,
                  "Adult Safeguarding Manager")


def pipot_referral(*, actor, lado_service, provider, category="neglect", **overrides):
    """A PiPoT referral about a member of staff at the provider, taken by phone by a LADO officer (`actor`)."""
    fields = {"workforce": "adults", "category": category, "employer": provider, "employer_name": provider.name,
              "sector": "care_home", "subject_role": "Care assistant",
              "description": "A resident was left without fluids for a day."}
    fields.update(overrides)
    return make_referral(actor=actor, lado_service=lado_service, given="Kim", family="Carer", children=[], phone=True, **fields)


def make_concern(*, actor, lado_service, provider, referrals=(), indicators=("series", "cluster")):
    return services.concern_record(actor=actor, lado_service=lado_service, provider=provider, indicators=list(indicators),
                                   summary="Several concerns about hydration and moving and handling.", referrals=referrals)


def invoked_concern(*, actor, director, lado_service, provider):
    concern = make_concern(actor=actor, lado_service=lado_service, provider=provider)
    return services.concern_decide(actor=director, concern=concern, invoke=True, rationale="Systemic issues; CQC concerns.")


def held_meeting(*, actor, concern, kind="outcome_lessons_learned", hours_ago=2):
    """A serious concerns meeting of the concern, held `hours_ago` hours ago."""
    import datetime as dt

    from django.utils import timezone

    from meetings import services as meeting_services

    meeting = meeting_services.meeting_schedule_for_concern(
        actor=actor, concern=concern, kind=kind, scheduled_at=timezone.now() - dt.timedelta(hours=hours_ago),
        chair=actor, location="County Hall")
    return meeting_services.meeting_hold(actor=actor, meeting=meeting,
                                         held_at=timezone.now() - dt.timedelta(hours=hours_ago))


def provider_written_to(*, actor, concern):
    """A letter to the provider drafted and recorded as sent (by post) after every held meeting."""
    for meeting in services.letters_missing(concern):
        letter = services.concern_letter_draft(actor=actor, concern=concern, meeting=meeting,
                                               recipient=f"The registered manager, {concern.provider.name}")
        services.concern_letter_mark_sent(actor=actor, letter=letter, sent_by="post")


def ready_to_conclude(*, actor, concern):
    """What 001 asks before the process concludes: the outcome and lessons learned meeting held and the provider
    written to after each meeting (the action plan is the caller's: complete or carried)."""
    held_meeting(actor=actor, concern=concern)
    provider_written_to(actor=actor, concern=concern)
    return concern
