"""The demo partnership's provider concern story (seed_demo): a care home with several PiPoT referrals about
its staff, where the adults' safeguarding manager records serious concerns, the assistant director invokes the
serious concerns process (001), an initial meeting is held, the commissioner suspends new admissions, and a
multi-agency action plan is under way. Invented throughout; no real people or places.

Told at the story's times (demo.clock): the concern recorded eight days ago and decided the next day, the
initial meeting held three days ago, the action plan agreed that day (each item chased as a deadline), the
provider written to and reviews scheduled every four weeks, and the contacts recorded since."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from agencies.models import Agency
from allegations.models import Referral
from meetings import services as meeting_services
from meetings.models import MeetingKind
from providers import services
from providers.models import ProviderConcern

from . import clock


def provider_story(*, provider: Agency, commissioner: Agency, police: Agency, health: Agency, lado_service: Agency,
                   manager, director, chair) -> str:
    """Tell the story once: running it again adds nothing. Returns what it did, for the command's output."""
    if ProviderConcern.objects.filter(provider=provider).exists():
        return "Demo provider concern already exists: none added."
    referrals = list(Referral.objects.filter(lado_service=lado_service, employer=provider).order_by("received_at"))
    recorded, decided, scheduled = clock.ago(8, 11), clock.ago(7, 15), clock.ago(7, 16)
    meeting_at = clock.ago(3, 10)
    held = meeting_at + dt.timedelta(hours=1)
    with clock.at(recorded):
        concern = services.concern_record(
            actor=manager, lado_service=lado_service, provider=provider, referrals=referrals,
            indicators=["series", "several_staff", "cluster", "contract_compliance"],
            summary="Several PiPoT referrals about different members of staff in a year, a cluster of concerns about "
                    "hydration and moving and handling, and a contract compliance visit that found poor medicines "
                    "records.",
        )
    with clock.at(decided):
        concern = services.concern_decide(
            actor=director, concern=concern, invoke=True,
            rationale="Systemic concerns across shifts and staff; the provider has not improved after support from "
                      "commissioning. Agreed with the police and the CQC inspector.",
        )
    with clock.at(scheduled):
        meeting = meeting_services.meeting_schedule_for_concern(
            actor=manager, concern=concern, kind=MeetingKind.SERIOUS_CONCERNS_INITIAL, scheduled_at=meeting_at,
            chair=chair, location="Northshire County Hall, Committee Room 2",
        )
        for agency, level in ((commissioner, "full"), (police, "safeguarding"), (health, "safeguarding")):
            meeting_services.invitation_add(actor=manager, meeting=meeting, agency=agency, access_level=level)
    with clock.at(held):
        meeting = meeting_services.meeting_hold(actor=manager, meeting=meeting, held_at=held)
    today = timezone.localdate()
    with clock.at(held + dt.timedelta(hours=2)):  # agreed at the meeting, recorded after it
        services.suspension_record(
            actor=manager, concern=concern, kind="imposed", imposed_by="commissioner", imposing_agency=commissioner,
            started_on=timezone.localdate(held), review_on=today + dt.timedelta(days=11),
            reason="Agreed at the initial serious concerns meeting while the action plan is delivered.",
        )
        for description, agency, days in (
            ("Unannounced contract compliance visits every week, day and night shifts", commissioner, 28),
            ("Review every resident's hydration and repositioning charts; training for all care staff", provider, 21),
            ("Medicines management audit by the care home support team", health, 14),
        ):
            services.plan_item_add(actor=manager, concern=concern, description=description, agency=agency,
                                   due_on=today + dt.timedelta(days=days))
    with clock.at(held + dt.timedelta(hours=3)):  # 001: the provider is told in writing after the meeting
        letter = services.concern_letter_draft(actor=manager, concern=concern, meeting=meeting,
                                               recipient=f"The registered manager, {provider.name}")
        services.concern_letter_mark_sent(actor=manager, letter=letter, sent_by="email")
        services.review_schedule_set(actor=manager, concern=concern, every_days=28,
                                     first_review_on=today + dt.timedelta(days=25))
    with clock.at(clock.ago(2, 10)):
        services.contact_add(actor=manager, concern=concern, agency=commissioner, name="Commissioning lead",
                             role="Quality and contracts manager", email="contracts@example.org")
        services.contact_add(actor=manager, concern=concern, agency=police, name="Detective inspector",
                             role="Adult safeguarding unit", email="police.safeguarding@example.org")
        services.communication_plan_save(
            actor=manager, concern=concern,
            plan="The chair writes to the provider after each meeting. Social workers tell residents and families of "
                 "funded placements. Other placing authorities and the ICB hear from the commissioning lead. No media "
                 "contact without the agreement of all agencies.",
        )
    return f"Created demo provider concern {concern.reference}."
