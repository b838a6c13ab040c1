"""A serious concerns meeting works like a case's: invitations share it, minutes from 001's record-keeping
template are approved and circulated (meeting the minutes deadline), notices and PDFs carry the concern's
reference and no names."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from agencies.models import Notification
from meetings import services as meeting_services
from outbox.services import messages_drain
from meetings.agendas import template_for
from meetings.models import MeetingKind
from meetings.pdf import document_context

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(asm, concern):
    return meeting_services.meeting_schedule_for_concern(
        actor=asm, concern=concern, kind=MeetingKind.SERIOUS_CONCERNS_REVIEW,
        scheduled_at=timezone.now() - dt.timedelta(hours=3), chair=asm, location="County Hall")


def _complete(minutes) -> dict:
    sections = {}
    for section in minutes.sections.all():
        sections[section.key] = {"body": f"Recorded: {section.title}", "audience": section.audience, "none_raised": False}
    return sections


def test_a_review_meeting_from_holding_to_circulated_minutes(login, asm, meeting, police_agency, police_user, concern,
                                                             agency_b_outsider):
    assert [s.key for s in meeting.minutes.sections.order_by("order")] == [s.key for s in template_for(meeting.kind)]
    assert meeting.minutes.sections.filter(key="admissions_review").exists()  # 001: review the suspension decision
    invitation = meeting_services.invitation_add(actor=asm, meeting=meeting, user=police_user, agency=police_agency,
                                                 access_level="safeguarding")
    meeting = meeting_services.meeting_hold(actor=asm, meeting=meeting, held_at=timezone.now() - dt.timedelta(hours=2))
    deadline = meeting.minutes_deadline
    assert deadline.kind == "minutes_review"
    days = (timezone.localtime(deadline.due_at).date() - timezone.localtime(meeting.held_at).date()).days
    assert days == 7  # 001: minutes within 7 days of a review meeting

    minutes = meeting_services.minutes_save(actor=asm, minutes=meeting.minutes, revision=meeting.minutes.revision,
                                            sections=_complete(meeting.minutes))
    version = meeting_services.minutes_approve(actor=asm, minutes=minutes, revision=minutes.revision)
    meeting_services.minutes_circulate(actor=asm, minutes=minutes, invitations=[invitation])
    deadline.refresh_from_db()
    assert deadline.status == "open"  # met when the minutes reach the police, not when the button is pressed
    messages_drain()
    deadline.refresh_from_db()
    assert deadline.status == "met"

    # The invited police see the meeting (not the concern); an outsider sees neither.
    assert login(police_user).get(reverse("meetings:meeting_detail", args=[meeting.pk])).status_code == 200
    assert login(police_user).get(reverse("providers:concern_detail", args=[concern.reference])).status_code == 404
    assert login(agency_b_outsider).get(reverse("meetings:meeting_detail", args=[meeting.pk])).status_code == 404

    title = Notification.objects.get(user=police_user).title
    assert f"provider concern {concern.reference}" in title
    context = document_context(version=version, variant="safeguarding", recipient="Testshire Police")
    assert context["reference"] == concern.reference


def test_the_meeting_page_links_back_to_the_concern_for_its_staff(login, asm, meeting, concern):
    page = login(asm).get(reverse("meetings:meeting_detail", args=[meeting.pk])).content.decode()
    assert reverse("providers:concern_detail", args=[concern.reference]) in page
    assert f"Provider concern {concern.reference}" in page
    assert reverse("providers:plan_item_create", args=[concern.reference]) in page  # its actions: the action plan


def test_meetings_are_scheduled_only_while_the_process_is_invoked(asm, concern):
    from django.core.exceptions import ValidationError

    from providers import services
    from tests.providers.factories import ready_to_conclude

    ready_to_conclude(actor=asm, concern=concern)
    services.concern_conclude(actor=asm, concern=concern, outcome="Done.", lessons_learned="Learned.")
    with pytest.raises(ValidationError):
        meeting_services.meeting_schedule_for_concern(
            actor=asm, concern=concern, kind=MeetingKind.OUTCOME_LESSONS_LEARNED, scheduled_at=timezone.now(),
            chair=asm, location="County Hall")
