"""Who sees provider concerns.

A concern belongs to the local authority's service that runs the process (`lado_service`). It is seen by
that service's LADO / PiPoT staff, and by the directors, assistant directors and adults' safeguarding
managers who work in that authority (a membership in the service itself or in an agency it serves).
Agencies invited to a serious concerns meeting see that meeting (meetings.querysets), not the concern.
"""

from __future__ import annotations

from django.db import models

from agencies.models import Membership, Role

# Roles that act on provider concerns besides the LADO service's own staff (001).
PROVIDER_ROLES = frozenset({Role.DIRECTOR, Role.ADULT_SAFEGUARDING_MANAGER})


def provider_service_ids(user) -> frozenset[int]:
    """The services whose provider concerns the user works on: their LADO services, and the services of the
    agencies where they are a director or an adults' safeguarding manager (no query for anyone else)."""
    from agencies.permissions import standing

    if user is None or not user.is_authenticated:
        return frozenset()
    s = standing(user)
    if not (s.roles & PROVIDER_ROLES):
        return s.lado_service_ids
    cached = getattr(user, "_provider_service_ids", None)
    if cached is not None:
        return cached
    ids = set(s.lado_service_ids)
    for agency_id, kind, lado_service_id in Membership.objects.filter(
        user=user, agency__is_active=True, role__in=list(PROVIDER_ROLES)
    ).values_list("agency_id", "agency__kind", "agency__lado_service_id"):
        ids.add(agency_id if kind == "lado_service" else lado_service_id)
    ids.discard(None)
    result = frozenset(ids)
    user._provider_service_ids = result
    return result


def director_service_ids(user) -> frozenset[int]:
    """The services for which the user may decide to invoke the process (a director or assistant director)."""
    if user is None or not user.is_authenticated:
        return frozenset()
    ids = set()
    for agency_id, kind, lado_service_id in Membership.objects.filter(
        user=user, agency__is_active=True, role=Role.DIRECTOR
    ).values_list("agency_id", "agency__kind", "agency__lado_service_id"):
        ids.add(agency_id if kind == "lado_service" else lado_service_id)
    ids.discard(None)
    return frozenset(ids)


class ProviderConcernQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(lado_service_id__in=provider_service_ids(user))
