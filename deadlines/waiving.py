"""Waiving a deadline that no longer applies, with who and why (deadlines.md "Status": waived)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from agencies.permissions import standing

from . import about
from .models import Deadline
from .services import deadline_waive_one


def deadline_waive(*, actor, deadline: Deadline, reason: str) -> Deadline:
    """Waive one deadline not yet due. One that fell due unmet was missed: it stays overdue.
    The business log entry is written by the app the deadline is about (deadlines.about, "deadline_waived")."""
    referral = deadline.referral
    if referral.lado_service_id not in standing(actor).lado_service_ids:
        raise PermissionDenied("Only the LADO service holding this referral can waive its deadlines.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Enter why this deadline no longer applies"})
    with transaction.atomic(durable=True):
        waived = deadline_waive_one(actor=actor, deadline=deadline, reason=reason)
        if waived.status != Deadline.Status.WAIVED or waived.waived_by_id != actor.pk:
            raise ValidationError(why_not(waived))
        about.fact("deadline_waived")(actor=actor, deadline=waived, reason=reason)
    return waived


def why_not(deadline: Deadline) -> str:
    if deadline.status == Deadline.Status.WAIVED:
        return "This deadline has already been waived."
    if deadline.met_at is not None:
        return "This deadline has been met: there is nothing to waive."
    if deadline.due_at <= timezone.now():
        return (f"This deadline fell due on {timezone.localtime(deadline.due_at):%-d %B %Y at %H:%M} without being met. "
                "It stays overdue: a missed deadline cannot be waived.")
    return "This deadline cannot be waived."
