"""Sharing a meeting: the only module of this app that talks to django-guardian.

An agency invited to a meeting is granted view_meeting on it for its group, stored in a direct
foreign-key table (meetings.models.MeetingGroupObjectPermission).
"""

from __future__ import annotations

import functools

from guardian.shortcuts import assign_perm, remove_perm

from agencies.models import Agency
from agencies.permissions import Standing
from config.prepared import KeptSubquery


def meeting_share(*, meeting, agency: Agency) -> None:
    """An invited agency's people may see the meeting (which minute sections: their invitation's access level)."""
    assign_perm("meetings.view_meeting", agency.group, meeting)


def meeting_unshare(*, meeting, agency: Agency) -> None:
    remove_perm("meetings.view_meeting", agency.group, meeting)


def shared_meeting_ids_filter(user_standing: Standing):
    """A Q-able filter value: the meetings shared with any of the user's agency groups."""
    # The one built and compiled for these groups (config.prepared.KeptSubquery): its rows are read afresh by each
    # query that uses it.
    return _shared_meeting_ids_of(user_standing.group_ids)


@functools.lru_cache(maxsize=1024)
def _shared_meeting_ids_of(group_ids: frozenset[int]):
    """shared_meeting_ids_filter's subquery for a set of groups, built once per process: it holds the groups' ids and
    nothing read from the database (never evaluated itself), so it cannot go stale. Building its join to the
    permission was a fifth of a millisecond of every page that reads meetings (issue 19), and compiling it more."""
    from .models import MeetingGroupObjectPermission  # not at the top: models <- querysets <- here

    return KeptSubquery(MeetingGroupObjectPermission.objects.filter(
        group_id__in=group_ids, permission__codename="view_meeting"
    ).values("content_object_id"))
