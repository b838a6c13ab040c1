"""Kinds of notice, their groups, and each person's choice of an e-mail for each notice or a daily digest.

A notice's kind is its e-mail's kind (the name of its e-mail template: "deadline_overdue"). The kinds below are
those the apps send today (the keys of notice_once's calls: allegations/notifications.py, allegations/closing.py,
deadlines/chasing.py, meetings/notifications.py, providers/services.py, assurance/services.py), named here as
plain strings: agencies imports nothing above it. A kind not listed is a case update.

The inbox always has every notice: the choice changes only when the e-mail goes.
"""

from __future__ import annotations

import dataclasses

from django.core.exceptions import ValidationError
from django.db import transaction

from .models import NoticeDelivery, NoticePreference


@dataclasses.dataclass(frozen=True)
class NoticeGroup:
    name: str
    label: str
    hint: str
    kinds: tuple[str, ...]


UPDATES = "updates"

NOTICE_GROUPS = (
    NoticeGroup("referrals", "New referrals",
                "A referral or request for advice has arrived for your service.",
                ("referral_received",)),
    NoticeGroup("deadlines", "Deadlines due and overdue",
                "Reminders before a deadline, notices when it is overdue, escalations to managers, and "
                "overdue work across the team.",
                ("deadline_reminder", "deadline_overdue", "deadline_escalation", "deadline_backlog")),
    NoticeGroup("meetings", "Meetings and minutes",
                "Minutes of a meeting sent to you.",
                ("minutes_circulated",)),
    NoticeGroup(UPDATES, "Case updates",
                "Cases closed, restricted cases opened, provider concerns, assurance questionnaires and other "
                "updates.",
                ("case_closed", "restricted_opened", "concern_notice", "assurance_request")),
)
GROUPS = {group.name: group for group in NOTICE_GROUPS}
# Every kind of notice e-mail (outbox.delivery.kinds_register: GOV.UK Notify needs a template for each).
NOTICE_KINDS = tuple(kind for group in NOTICE_GROUPS for kind in group.kinds)
DIGEST_KIND = "digest"
# What each kind says in a digest's line, beside its reference and link (never a name).
KIND_LABELS = {
    "referral_received": "New referral",
    "deadline_reminder": "Deadline coming up",
    "deadline_overdue": "Deadline overdue",
    "deadline_escalation": "Overdue deadline escalated to you",
    "deadline_backlog": "Overdue work in the team",
    "minutes_circulated": "Minutes sent to you",
    "case_closed": "Case closed",
    "restricted_opened": "Restricted case opened",
    "concern_notice": "Provider concern update",
    "assurance_request": "Assurance questionnaire to answer",
}


def group_of(kind: str) -> str:
    for group in NOTICE_GROUPS:
        if kind in group.kinds:
            return group.name
    return UPDATES


def wants_digest(user, kind: str) -> bool:
    return NoticePreference.objects.filter(user=user, group=group_of(kind), delivery=NoticeDelivery.DIGEST).exists()


def preferences_of(user) -> dict[str, str]:
    """{group name: NoticeDelivery} for every group, immediate where the person has not chosen."""
    chosen = dict(NoticePreference.objects.filter(user=user).values_list("group", "delivery"))
    return {group.name: chosen.get(group.name, NoticeDelivery.IMMEDIATE) for group in NOTICE_GROUPS}


def notice_preferences_update(*, actor, choices: dict[str, str]) -> dict[str, str]:
    """Set the person's own choice per group. A notice already waiting for a digest still goes in it."""
    unknown = set(choices) - set(GROUPS)
    if unknown:
        raise ValidationError(f"Not kinds of notice: {sorted(unknown)}")
    for name, delivery in choices.items():
        if delivery not in NoticeDelivery.values:
            raise ValidationError({name: f"Choose how to be told of {GROUPS[name].label.lower()}"})
    with transaction.atomic():
        for name, delivery in choices.items():
            NoticePreference.objects.update_or_create(user=actor, group=name, defaults={"delivery": delivery})
    return preferences_of(actor)
