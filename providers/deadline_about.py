"""What deadlines/ needs to know about a provider concern (deadlines.about), told in AppConfig.ready().

A provider concern's deadlines (minutes, the review of suspended admissions: 001) are chased to its
lead, else the adults' safeguarding managers of the service; escalation goes to the directors who
decide on the process.
"""

from __future__ import annotations

from django.urls import reverse

from agencies.models import Membership, Role
from agencies.permissions import provider_service_ids
from deadlines import about
from deadlines.models import Deadline

from . import services
from .models import PlanItem


def _reference(deadline) -> str:
    return deadline.provider_concern.reference


def _link(deadline) -> str:
    return reverse("providers:concern_detail", args=[deadline.provider_concern.reference])


def register() -> None:
    about.subject_register(about.Subject(
        field="provider_concern", reference=_reference, link=_link,
        closed_at=services.deadline_closed_at,
        owner_recipients=lambda deadline: services.concern_owner_recipients(deadline.provider_concern),
        escalation_recipients=lambda deadline: services.concern_escalation_recipients(deadline.provider_concern),
        # reference; closing (services.concern_closed_at); the lead, else the service's people
        reads=("provider_concern__reference", "provider_concern__status", "provider_concern__concluded_at",
               "provider_concern__decided_at", "provider_concern__recorded_at", "provider_concern__lead",
               "provider_concern__lado_service"),
        people=("provider_concern__lead",),
    ))
    register_kinds()


def _plan_item_escalation(deadline) -> list:
    """An overdue action plan item escalates also to the senior managers of the agency responsible (as an
    agency's action does, deadlines.md "Chasing")."""
    item = PlanItem.objects.filter(deadline=deadline).first()
    if item is None:
        return []
    return [m.user for m in Membership.objects.people().filter(agency_id=item.agency_id, role=Role.SENIOR_MANAGER,
                                                      user__is_active=True).select_related("user").order_by("user_id")]


def _plan_item_link(deadline, user, link: str) -> str:
    """The agency's people are sent to their actions list; the service running the process to the concern."""
    if deadline.provider_concern.lado_service_id in provider_service_ids(user):
        return link
    return reverse("meetings:action_list")


def register_kinds() -> None:
    about.kind_register(about.KindExtra(kind=Deadline.Kind.PLAN_ITEM, escalation_recipients=_plan_item_escalation,
                                        link_for=_plan_item_link, reads=("provider_concern__lado_service",)))
