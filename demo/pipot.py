"""A PiPoT referral for the demo (seed_demo), in the adults' words: a home care provider's designated adult
safeguarding manager reports a concern about a care worker; the PiPoT lead's initial discussion shows it is a
quality-of-care concern (missed calls across the rota, not this worker's conduct), so triage routes it away
from the PiPoT process to the commissioners. Invented throughout."""

from __future__ import annotations

import datetime as dt

from agencies.models import Agency, Sector
from allegations import services
from allegations.models import Referral, TriageDecision

from . import clock


def pipot_story(*, lado_service: Agency, provider: Agency, referrer, pipot_lead) -> str:
    marker = "Missed and late calls"
    if Referral.objects.filter(lado_service=lado_service, referring_agency=provider, description__startswith=marker).exists():
        return "Demo PiPoT quality-of-care referral already exists: none added."
    # Received this morning, discussed with the referrer two hours later, decided an hour after that.
    received = clock.latest() - dt.timedelta(hours=4)
    with clock.at(received):
        referral = services.referral_submit(
            actor=referrer, lado_service=lado_service, referring_agency=provider,
            subject_fields={"given_name": "Dana", "family_name": "Whitlock"},
            referral_fields={
                "referrer_name": referrer.get_full_name() or referrer.username,
                "referrer_role": "Designated adult safeguarding manager",
                "workforce": "adults", "timing": "contemporaneous", "category": "neglect",
                "concern_kind": "allegation",
                "description": f"{marker} to an adult at risk over two weeks; her daughter says the care worker on the "
                               "rota did not stay the full visit.",
                "how_arose": "child_or_parent", "subject_role": "Home care worker", "employment_type": "paid",
                "employer_name": provider.name, "sector": Sector.CARE_HOME,
            },
            children=[{"given_name": "Maud", "family_name": "Ellery", "relationship": "complainant"}],
        )
    held = received + dt.timedelta(hours=2)
    with clock.at(held):
        services.referral_record_discussion(
            actor=pipot_lead, referral=referral, held_at=held, with_whom="Designated adult safeguarding manager",
            notes="The rota shows the calls were cut short on every shift: a staffing problem, not this worker's conduct.",
        )
    with clock.at(received + dt.timedelta(hours=3)):
        services.referral_triage(
            actor=pipot_lead, referral=referral, decision=TriageDecision.Decision.NOT_ALLEGATION,
            concern_kind="quality_of_care",
            rationale="A quality-of-care concern about the service's rota, not an allegation against the worker: "
                      "passed to the commissioners' contract monitoring with the provider's agreement.",
        )
    return f"Created the demo PiPoT referral {referral.reference}: a quality-of-care concern routed to the commissioners."
