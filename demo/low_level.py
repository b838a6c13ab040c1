"""The demo's low-level concerns (issue 16 part 8, 003 §10): a teaching assistant about whom Hilltop Academy
recorded a concern eight months ago and Riverside Primary two since, three within twelve months and from two
employers, so the LADO service sees the prompt on its triage queue; and one concern about another person that
forms no pattern. Told at the story's times (demo.clock); the people are invented."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from lowlevel import services
from lowlevel.models import LowLevelConcern

from . import clock

CONCERNS = [  # (days ago, agency key, given, family, role, what happened, employer's action)
    (240, "hilltop", "Jordan", "Pike", "Teaching assistant",
     "Gave a pupil a lift home without telling the school.", "Reminded of the staff code of conduct on lifts."),
    (95, "riverside", "Jordan", "Pike", "Teaching assistant",
     "Followed a pupil on a personal social media account.", "Asked to remove the connection; online safety training."),
    (20, "riverside", "Jordan", "Pike", "Teaching assistant",
     "Kept a pupil back alone in a classroom at lunchtime, door closed.", "Spoken to by the head teacher; noted on file."),
    (40, "riverside", "Sam", "Okafor", "Lunchtime supervisor",
     "Raised their voice at pupils in the playground.", "Talked through calm de-escalation with the supervisor."),
]


def low_level_story(*, managers: dict[str, object], agencies: dict[str, object]) -> str:
    if LowLevelConcern.objects.exists():
        return "Demo low-level concerns already exist: none added."
    for days, key, given, family, role, what, action in CONCERNS:
        with clock.at(clock.ago(days, 11)):
            services.concern_record(actor=managers[key], agency=agencies[key], given_name=given, family_name=family,
                                    role=role, occurred_on=timezone.localdate() - dt.timedelta(days=1),
                                    what_happened=what, employer_action=action)
    return f"Demo low-level concerns: {len(CONCERNS)} added (a pattern about one teaching assistant)."
