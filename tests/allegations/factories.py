"""Referrals and cases made through the services, so history and events are real."""

import copy
import datetime as dt

from django.utils import timezone

from allegations import services
from allegations.models import Case, Referral, ReferralStatus, TriageDecision
from deadlines.models import Deadline


def referral_fields(**overrides):
    fields = {
        "referrer_name": "Pat Referrer",
        "referrer_role": "Designated safeguarding lead",
        "workforce": "children",
        "timing": "contemporaneous",
        "category": "physical",
        "concern_kind": "allegation",
        "description": "A pupil said the teacher grabbed their arm hard in the corridor.",
        "how_arose": "child_or_parent",
        "subject_role": "Teacher",
        "employment_type": "paid",
        "employer_name": "Riverside Primary",
        "sector": "education",
    }
    fields.update(overrides)
    return fields


def make_referral(*, actor, lado_service, agency=None, given="Alex", family="Morgan", dob=None, phone=False,
                  children=None, **overrides):
    return services.referral_submit(
        actor=actor,
        lado_service=lado_service,
        referring_agency=agency,
        taken_by_phone=phone,
        subject_fields={"given_name": given, "family_name": family, "date_of_birth": dob},
        referral_fields=referral_fields(**overrides),
        children=children if children is not None else [{"given_name": "Sam", "family_name": "Child", "relationship": "complainant"}],
    )


def discuss(referral, officer):
    return services.referral_record_discussion(
        actor=officer, referral=referral, held_at=max(referral.received_at, timezone.now() - dt.timedelta(minutes=1)),
        with_whom="Pat Referrer", notes="Discussed facts; no one to be interviewed yet.",
    )


def make_case(*, officer, referral, route="position_of_trust"):
    referral = discuss(referral, officer)
    services.referral_triage(
        actor=officer, referral=referral, decision=TriageDecision.Decision.THRESHOLD_MET, rationale="Threshold 1 met.",
        harmed=True, route=route,
    )
    referral.refresh_from_db()
    return referral.case


def tell_parents(case, officer):
    """Record that each child's parents or carers were told (closing a case asks it of each child: issue 16 §3)."""
    from allegations import facts

    for child in facts.children_without_answer(case.referral):
        facts.parents_told_record(actor=officer, child=child, told=True, told_by="Designated safeguarding lead",
                                  told_on=timezone.localdate(), what_told="That an allegation was made.")


def referral_copies(template: Referral, n: int, **fields) -> list[Referral]:
    """n copies of a referral made through the services, written with bulk_create (for speed, bypassing
    the services and history): only the rows the lists read (the referral, its initial-discussion deadline)."""
    template = Referral.objects.get(pk=template.pk)
    clones = []
    for i in range(n):
        clone = copy.copy(template)
        clone.pk = None
        clone.reference = f"{template.reference}-B{i:04d}"
        for name, value in fields.items():
            setattr(clone, name, value)
        clones.append(clone)
    made = Referral.objects.bulk_create(clones)
    deadline = template.deadlines.get(kind=Deadline.Kind.INITIAL_DISCUSSION)
    Deadline.objects.bulk_create([
        Deadline(referral=r, kind=deadline.kind, anchor_at=deadline.anchor_at, due_at=deadline.due_at) for r in made
    ])
    return made


def case_copies(template: Case, n: int) -> list[Case]:
    """n copies of a case, each on a copy of its referral (referral_copies), opened the same moment: the case
    list's rows, written with bulk_create."""
    template = Case.objects.get(pk=template.pk)
    clones = []
    for referral in referral_copies(template.referral, n, status=ReferralStatus.CASE_OPENED):
        clone = copy.copy(template)
        clone.pk, clone.referral = None, referral
        clones.append(clone)
    return Case.objects.bulk_create(clones)
