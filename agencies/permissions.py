"""Who a user is in the partnership: their memberships, roles and standing.

Ownership is a plain field (a referral belongs to its referring agency and its LADO
service); sharing beyond that is a guardian object permission granted to an agency's
group. Sharing a case lives with cases (allegations.permissions), sharing a meeting with
meetings (meetings.permissions): this app knows nothing of either.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser

from config.prepared import Prepared

from .models import LADO_ROLES, REFERRER_ROLES, AgencyKind, Membership, Role

# A person's memberships of active agencies: read on every signed-in page, so compiled once (config/prepared.py).
_MEMBERSHIPS = Prepared(
    lambda user_id: Membership.objects.filter(user_id=user_id, agency__is_active=True).values_list(
        "agency_id", "agency__kind", "agency__group_id", "role"
    )
)


@dataclass(frozen=True)
class Standing:
    """What a user may do, from their memberships. Computed once per request."""

    lado_service_ids: frozenset[int]
    managed_service_ids: frozenset[int]
    agency_ids: frozenset[int]
    referrer_agency_ids: frozenset[int]
    group_ids: frozenset[int]
    roles: frozenset[str]
    is_superuser: bool = False
    # The agencies (and their groups) a user sees cases through *besides* the LADO services
    # they work for: a LADO service already sees all its own work, so these filters are
    # left out for a duty officer, which keeps their lists to one indexed condition.
    outside_agency_ids: frozenset[int] = frozenset()
    outside_group_ids: frozenset[int] = frozenset()

    @property
    def is_lado(self) -> bool:
        return bool(self.lado_service_ids)

    @property
    def is_lado_manager(self) -> bool:
        return bool(self.managed_service_ids)

    @property
    def is_analyst(self) -> bool:
        return Role.ANALYST in self.roles

    @property
    def is_administrator(self) -> bool:
        return Role.ADMINISTRATOR in self.roles or self.is_superuser

    @property
    def can_refer(self) -> bool:
        return bool(self.referrer_agency_ids) or self.is_lado

    @property
    def sees_cases(self) -> bool:
        """Analysts and administrators alone see no case records."""
        return self.is_lado or bool(self.agency_ids)


_EMPTY = Standing(frozenset(), frozenset(), frozenset(), frozenset(), frozenset(), frozenset())


def standing(user) -> Standing:
    """The user's standing, cached on the user object for the request."""
    if user is None or isinstance(user, AnonymousUser) or not user.is_authenticated:
        return _EMPTY
    cached = getattr(user, "_standing", None)
    if cached is not None:
        return cached
    rows = _MEMBERSHIPS.rows(user.pk)
    lado = frozenset(a for a, kind, _, role in rows if kind == AgencyKind.LADO_SERVICE and role in LADO_ROLES)
    managed = frozenset(a for a, kind, _, role in rows if kind == AgencyKind.LADO_SERVICE and role == Role.LADO_MANAGER)
    # Analysts and administrators hold their role in an agency but see no cases through it.
    case_roles = {r for r in Role.values if r not in (Role.ANALYST, Role.ADMINISTRATOR)}
    agencies = frozenset(a for a, _, _, role in rows if role in case_roles)
    result = Standing(
        lado_service_ids=lado,
        managed_service_ids=managed,
        agency_ids=agencies,
        referrer_agency_ids=frozenset(a for a, _, _, role in rows if role in REFERRER_ROLES),
        group_ids=frozenset(g for a, _, g, role in rows if role in case_roles),
        roles=frozenset(role for *_, role in rows),
        is_superuser=user.is_superuser,
        outside_agency_ids=agencies - lado,
        outside_group_ids=frozenset(g for a, _, g, role in rows if role in case_roles and a not in lado),
    )
    user._standing = result
    return result


def forget_standing(user) -> None:
    user.__dict__.pop("_standing", None)


# --- Provider concerns (the serious concerns process, 001) ---------------------------------------------

# Roles that act on provider concerns besides the LADO service's own staff (001).
PROVIDER_ROLES = frozenset({Role.DIRECTOR, Role.ADULT_SAFEGUARDING_MANAGER})


def provider_service_ids(user) -> frozenset[int]:
    """The services whose provider concerns the user works on: their LADO services, and the services of the
    agencies where they are a director or an adults' safeguarding manager (no query for anyone else)."""
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
