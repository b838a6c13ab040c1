"""What deadlines/ needs to know about an action agreed in a meeting (deadlines.about), told in AppConfig.ready().

An `action` deadline escalates also to the action agency's senior managers and the chair of the
meeting that agreed it (deadlines.md "Chasing"); those who are not LADO staff of the referral are
sent a link to their actions list rather than to the case.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.urls import reverse

from agencies.models import LADO_ROLES, Membership, Role
from allegations.deadline_about import lado_members
from deadlines import about
from deadlines.models import Deadline

from .models import Action, ActionStatus


def _escalation_recipients(deadline) -> list:
    if not deadline.referral_id:
        return []
    action = Action.objects.filter(deadline=deadline).select_related("meeting__chair").first()
    if action is None:
        return []
    managers = [
        m.user for m in Membership.objects.people().filter(
            agency_id=action.agency_id, role=Role.SENIOR_MANAGER, user__is_active=True
        ).select_related("user").order_by("user_id")
    ]
    chair = action.meeting.chair if action.meeting_id else None
    if chair is not None and chair.is_active:
        managers.append(chair)
    return managers


def _link_for(deadline, user, link: str) -> str:
    """An agency's manager or a chair gets their actions list, not the case."""
    if not deadline.referral_id:
        return link
    lado_ids = getattr(deadline, "_lado_ids", None)
    if lado_ids is None:  # once per deadline, whatever the number of recipients
        lado_ids = deadline._lado_ids = {u.pk for u in lado_members(deadline, LADO_ROLES)}
    return link if user.pk in lado_ids else reverse("meetings:action_list")


def agency_actions_due(*, agency_ids, today, soon_days: int) -> list[dict]:
    """Per agency: open actions overdue and due in the next `soon_days` days (004 §3.12)."""
    return list(
        Action.objects.filter(agency_id__in=agency_ids, status=ActionStatus.OPEN)
        .values("agency_id", "agency__name")
        .annotate(
            overdue=Count("pk", filter=Q(due_on__lt=today)),
            due_soon=Count("pk", filter=Q(due_on__gte=today, due_on__lte=today + dt.timedelta(days=soon_days))),
        )
        .order_by("agency__name")
    )


def register() -> None:
    from .webhook_events import action_overdue

    about.kind_register(about.KindExtra(kind=Deadline.Kind.ACTION, escalation_recipients=_escalation_recipients,
                                        link_for=_link_for, on_overdue=action_overdue,
                                        reads=("referral__lado_service",)))  # lado_members
    about.fact_register("agency_actions_due", agency_actions_due)
