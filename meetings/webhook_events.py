"""The events of meetings and actions that an agency's own system hears of through its webhooks (issue 20):
the invited agency, the agency an action is for, the agencies minutes are sent to. Each names its record by the
case's reference (or the provider concern's) and links to the agency's own page of it: never names."""

from __future__ import annotations

from django.urls import reverse

from webhooks.events import event_add

from .models import Action


def _reference(meeting) -> str:
    if meeting.case_id:
        return meeting.case.referral.reference
    return meeting.provider_concern.reference


def meeting_invited(invitation) -> None:
    meeting = invitation.meeting
    event_add(agency=invitation.agency, event="meeting.invited", reference=_reference(meeting),
              link=reverse("meetings:meeting_detail", args=[meeting.pk]), key=f"meeting-invited:{invitation.pk}",
              data={"starts_at": meeting.scheduled_at.isoformat(), "meeting_kind": meeting.kind})


def minutes_delivered(version, circulations) -> None:
    """Called when a delivery of the minutes reaches a recipient (meetings.deliveries): "delivered" means the
    version reached the agency, not that the chair pressed the button. Once per version and agency."""
    meeting = version.minutes.meeting
    agencies = {c.invitation.agency_id: c.invitation.agency for c in circulations if c.invitation_id and c.invitation.agency_id}
    for agency_id, agency in sorted(agencies.items()):
        event_add(agency=agency, event="minutes.delivered", reference=_reference(meeting),
                  link=reverse("meetings:minutes_version", args=[meeting.pk, version.number]),
                  key=f"minutes-delivered:{version.pk}:{agency_id}", data={"version": version.number})


def action_assigned(action: Action) -> None:
    event_add(agency=action.agency, event="action.assigned", reference=action.case.referral.reference,
              link=reverse("meetings:action_list"), key=f"action-assigned:{action.pk}",
              data={"due_on": action.due_on.isoformat()})


def action_overdue(deadline) -> None:
    """The deadline sweep found an action's deadline overdue (deadlines.chasing, through deadlines.about)."""
    action = Action.objects.filter(deadline=deadline).select_related("agency", "case__referral").first()
    if action is None or action.case_id is None:
        return
    event_add(agency=action.agency, event="action.overdue", reference=action.case.referral.reference,
              link=reverse("meetings:action_list"), key=f"action-overdue:{action.pk}:{deadline.pk}",
              data={"due_on": action.due_on.isoformat()})
