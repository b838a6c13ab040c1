"""Sharing a case: the only module of this app that talks to django-guardian.

A case belongs to its referring agency and its LADO service (plain fields, allegations.querysets);
sharing it beyond them is a guardian object permission granted to an agency's group, stored in a
direct foreign-key table (allegations.models.CaseGroupObjectPermission).
"""

from __future__ import annotations

import functools

from guardian.shortcuts import assign_perm, remove_perm

from agencies.models import AccessLevel, Agency
from agencies.permissions import Standing
from config.prepared import KeptSubquery

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
    from .models import CaseGroupObjectPermission  # not at the top: models <- querysets <- here

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
    from .models import CaseGroupObjectPermission  # not at the top: models <- querysets <- here

    return CaseGroupObjectPermission.objects.filter(
        content_object=case, group_id=agency.group_id, permission__codename="view_case").exists()


def shared_case_ids_filter(user_standing: Standing):
    """A Q-able filter value: the cases shared with any of the user's agency groups."""
    # The one built and compiled for these groups (config.prepared.KeptSubquery): its rows are read afresh by each
    # query that uses it.
    return _shared_case_ids_of(user_standing.outside_group_ids)


@functools.lru_cache(maxsize=1024)
def _shared_case_ids_of(group_ids: frozenset[int]):
    """shared_case_ids_filter's subquery for a set of groups, built once per process: it holds the groups' ids and
    nothing read from the database (never evaluated itself), so it cannot go stale (issue 19, as
    meetings.permissions.shared_meeting_ids_filter)."""
    from .models import CaseGroupObjectPermission  # not at the top: models <- querysets <- here

    return KeptSubquery(CaseGroupObjectPermission.objects.filter(
        group_id__in=group_ids, permission__codename="view_case"
    ).values("content_object_id"))


def case_shared_group_ids(*, case) -> list[int]:
    """The groups (of agencies) the case is shared with, at any level (allegations.closing tells them it closed)."""
    from .models import CaseGroupObjectPermission  # not at the top: models <- querysets <- here

    return list(CaseGroupObjectPermission.objects.filter(content_object=case, permission__codename="view_case")
                .values_list("group_id", flat=True).distinct())
