"""Who may manage which endpoints: an agency's administrators (a membership with the administrator role), each
for their own agency only. Anyone else gets 404 for an endpoint, whether it exists or not."""

from __future__ import annotations

from django.db.models import Prefetch

from agencies.models import Membership, Role

from .models import Attempt, Delivery, Endpoint

DELIVERIES_SHOWN = 50


def administered_agency_ids(user) -> frozenset[int]:
    if user is None or not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_webhook_agency_ids", None)
    if cached is None:
        cached = user._webhook_agency_ids = frozenset(Membership.objects.filter(
            user=user, role=Role.ADMINISTRATOR, agency__is_active=True).values_list("agency_id", flat=True))
    return cached


def may_manage_webhooks(user) -> bool:
    return bool(administered_agency_ids(user))


def endpoints_for(user):
    return (Endpoint.objects.filter(agency_id__in=administered_agency_ids(user))
            .select_related("agency").order_by("agency__name", "created_at", "pk"))


def endpoint_get(user, pk) -> Endpoint | None:
    return endpoints_for(user).filter(pk=pk).first()


def deliveries_of(endpoint: Endpoint, *, limit: int = DELIVERIES_SHOWN) -> list[Delivery]:
    """The endpoint's latest deliveries with their attempts (three queries, whatever the number)."""
    return list(endpoint.deliveries.select_related("event").prefetch_related(
        Prefetch("attempt_rows", queryset=Attempt.objects.order_by("number", "pk")))
        .order_by("-created_at", "-pk")[:limit])


def administrators_of(agency_id: int) -> list:
    """The agency's active administrators: they are told when its endpoint is paused."""
    return [m.user for m in Membership.objects.people().filter(agency_id=agency_id, role=Role.ADMINISTRATOR,
                                                      user__is_active=True).select_related("user").order_by("user_id")]
