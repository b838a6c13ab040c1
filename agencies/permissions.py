"""Who a user is in the partnership, and the only module that talks to django-guardian.

Ownership is a plain field (a referral belongs to its referring agency and its LADO
service); sharing beyond that is a guardian object permission granted to an agency's
group, stored in direct foreign-key tables (see allegations.models.CaseGroupObjectPermission).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from guardian.shortcuts import assign_perm, remove_perm

from .models import LADO_ROLES, REFERRER_ROLES, AccessLevel, Agency, AgencyKind, Membership, Role


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
    rows = list(
        Membership.objects.filter(user=user, agency__is_active=True).values_list(
            "agency_id", "agency__kind", "agency__group_id", "role"
        )
    )
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


# A case is shared at a level (issue 12 §1): view_case opens it at employer level; view_case_safeguarding,
# held beside it, widens that to the safeguarding level. Never "everything": that is the LADO service's alone.
SHARE_LEVELS = (AccessLevel.EMPLOYER, AccessLevel.SAFEGUARDING)
_SAFEGUARDING_PERM = "view_case_safeguarding"


def case_share(*, case, agency: Agency, level: str) -> None:
    """Share a case with an agency's group at the employer or the safeguarding level (sharing again changes it)."""
    if level not in SHARE_LEVELS:
        raise ValueError(f"A case is shared at the employer or the safeguarding level, not {level!r}")
    assign_perm("allegations.view_case", agency.group, case)
    if level == AccessLevel.SAFEGUARDING:
        assign_perm(f"allegations.{_SAFEGUARDING_PERM}", agency.group, case)
    else:
        remove_perm(f"allegations.{_SAFEGUARDING_PERM}", agency.group, case)


def case_unshare(*, case, agency: Agency) -> None:
    remove_perm(f"allegations.{_SAFEGUARDING_PERM}", agency.group, case)
    remove_perm("allegations.view_case", agency.group, case)


def case_share_levels(*, case, group_ids) -> dict[int, str]:
    """The level at which the case is shared with each of these groups (one query): {group id: level}."""
    from allegations.models import CaseGroupObjectPermission

    levels: dict[int, str] = {}
    rows = CaseGroupObjectPermission.objects.filter(
        content_object=case, group_id__in=group_ids, permission__codename__in=["view_case", _SAFEGUARDING_PERM]
    ).values_list("group_id", "permission__codename")
    for group_id, codename in rows:
        if codename == _SAFEGUARDING_PERM:
            levels[group_id] = AccessLevel.SAFEGUARDING
        else:
            levels.setdefault(group_id, AccessLevel.EMPLOYER)
    return levels


def case_shared_with(*, case, agency: Agency) -> bool:
    from allegations.models import CaseGroupObjectPermission

    return CaseGroupObjectPermission.objects.filter(
        content_object=case, group_id=agency.group_id, permission__codename="view_case").exists()


def shared_case_ids_filter(user_standing: Standing):
    """A Q-able filter value: the cases shared with any of the user's agency groups."""
    from allegations.models import CaseGroupObjectPermission

    return CaseGroupObjectPermission.objects.filter(
        group_id__in=user_standing.outside_group_ids, permission__codename="view_case"
    ).values("content_object_id")


def meeting_share(*, meeting, agency: Agency) -> None:
    """An invited agency's people may see the meeting (which minute sections: their invitation's access level)."""
    assign_perm("meetings.view_meeting", agency.group, meeting)


def meeting_unshare(*, meeting, agency: Agency) -> None:
    remove_perm("meetings.view_meeting", agency.group, meeting)


def shared_meeting_ids_filter(user_standing: Standing):
    """A Q-able filter value: the meetings shared with any of the user's agency groups."""
    from meetings.models import MeetingGroupObjectPermission

    return MeetingGroupObjectPermission.objects.filter(
        group_id__in=user_standing.group_ids, permission__codename="view_meeting"
    ).values("content_object_id")
