"""The agencies of a case's meetings and actions: told when the case closes (allegations.closing, registered in
apps.py)."""

from __future__ import annotations

from agencies.models import Membership

from .models import Action, Invitation, MeetingStatus


def agencies_of_case(case) -> set[int]:
    """Agencies invited to the case's meetings (an invitation to a person with an account: their agencies), and
    agencies owning actions on the case. A cancelled meeting's invitees took no part."""
    invitations = Invitation.objects.filter(meeting__case=case).exclude(meeting__status=MeetingStatus.CANCELLED)
    ids = set(invitations.exclude(agency=None).values_list("agency_id", flat=True))
    people = invitations.filter(agency=None).exclude(user=None).values("user_id")
    ids |= set(Membership.objects.filter(user_id__in=people).values_list("agency_id", flat=True))
    ids |= set(Action.objects.filter(case=case).values_list("agency_id", flat=True))
    return ids
