"""The demo partnership's assurance round (seed_demo): the business unit asks four agencies seed 000's six
questions and its two commissioning questions (the numbers question answered in numbers); the care home's manager has answered, the primary school's has a draft, two have not started.
Answers paraphrase the kinds of answer seed 000 records; the agencies and people are invented.

Told at the story's times (demo.clock): the round sent ten days ago, the care home's answers three days ago,
the school's draft yesterday; the answers are due three weeks from today."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from agencies.models import Agency
from assurance import services
from assurance.models import AssuranceRound, Request

from . import clock

TITLE = "Allegations against people in positions of trust: partner agency assurance"

CARE_HOME_ANSWERS = [
    ("yes", "Our safeguarding adults policy covers allegations against staff and volunteers, with a flowchart "
            "for managers."),
    ("yes", "Every allegation is reported to the PiPoT lead and, where it may be a crime, to the police."),
    ("yes", "Through the quality committee and the board's quarterly safeguarding report."),
    ("yes", "Registered nurses are referred to the NMC; for care workers we refer to the DBS when the duty applies."),
    ("", "Four in the last three years; one person had two allegations."),
    ("yes", "Our registered manager is the designated adult safeguarding manager."),
    ("yes", "Our contracts with agency staff suppliers require safe working practice procedures."),
    ("no", "Not yet: we will add staffing concerns to our monthly report to the commissioners."),
]
# The numbers question (referrals, cases, outcomes in the last three years), totalled in the composite.
CARE_HOME_NUMBERS = {"referrals": 4, "cases": 3, "outcomes": 3}


def assurance_story(*, agencies: list[Agency], analyst, answerers: dict[str, object]) -> str:
    """Tell the story once. `answerers` maps an agency name to its senior manager; the first answers in full,
    the second saves a draft. Returns what it did, for the command's output."""
    if AssuranceRound.objects.filter(title=TITLE).exists():
        return "Demo assurance round already exists: none added."
    # Sent ten days ago; the care home answered three days ago, the school saved a draft yesterday.
    due_on = timezone.localdate() + dt.timedelta(days=21)  # three weeks from today, as the demo always had it
    with clock.at(clock.ago(10, 9, 30)):
        round_ = services.round_create(actor=analyst, title=TITLE, period="April 2025 to March 2026", due_on=due_on,
                                       introduction="Following the Executive's discussion, please tell us how your "
                                                    "agency deals with allegations against people in positions of trust.")
        services.round_set_agencies(actor=analyst, round_=round_, agencies=agencies)
        round_ = services.round_send(actor=analyst, round_=round_)
    questions = list(round_.questions.all())
    names = list(answerers)
    full = Request.objects.get(round=round_, agency__name=names[0])
    with clock.at(clock.ago(3, 14)):
        services.request_answer(
            actor=answerers[names[0]], request=full, submit=True,
            answers={q.pk: {"yes_no": yes_no, "text": text, **(CARE_HOME_NUMBERS if q.is_numbers else {})}
                     for q, (yes_no, text) in zip(questions, CARE_HOME_ANSWERS, strict=True)},
        )
    if len(names) > 1:
        draft = Request.objects.get(round=round_, agency__name=names[1])
        with clock.at(clock.ago(1, 16)):
            services.request_answer(
                actor=answerers[names[1]], request=draft, submit=False,
                answers={questions[0].pk: {"yes_no": "yes", "text": "Part of our safeguarding policy; the designated "
                                                                       "safeguarding lead holds it."}},
            )
    return f"Created the demo assurance round: sent to {len(agencies)} agencies, 1 answered, 1 draft."
