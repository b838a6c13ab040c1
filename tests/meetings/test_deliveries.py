"""Invitations and minutes delivered to every recipient, recorded (issue 17 part 1): who receives them, the
calendar file (no names), the external invitee's one-time link, and the minutes deadline met only when the
minutes reach every recipient the chair chose (or the chair records why one could not be reached)."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.mail.backends.locmem import EmailBackend
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from agencies.models import Role
from deadlines.models import Deadline
from meetings import deliveries, services
from meetings.models import Circulation, GuestAccess
from meetings.tokens import guest_link_tokens
from outbox.delivery import delivery_receipt
from outbox.models import Delivery, DeliveryStatus
from outbox.services import messages_drain
from tests.agencies.factories import UserFactory, member
from tests.meetings.factories import approve, circulate, held_meeting_with_minutes, invite, schedule

pytestmark = pytest.mark.django_db

EXTERNAL = "hr@riverside-charity.example.org"


class ReceiptBackend(EmailBackend):
    """Stands in for a backend with receipts (GOV.UK Notify's HTTP is the outside world): it gives each message
    a reference, as outbox.delivery expects of such a backend."""

    def send_messages(self, messages):
        for message in messages:
            message.provider_reference = str(uuid.uuid4())
        return super().send_messages(messages)


def _drain():
    messages_drain()
    return mail.outbox


def _invitation_mails():
    return [m for m in mail.outbox if m.extra_headers.get("X-Managing-Allegations-Kind") in
            ("meeting_invitation", "meeting_cancellation")]


def _calendar(message):
    files = [a for a in message.attachments if a[0].endswith(".ics")]
    assert len(files) == 1
    name, content, mimetype = files[0]
    return Calendar.from_ical(content), content if isinstance(content, str) else content.decode()


@pytest.fixture
def two_leads(agency_a, agency_a_manager):
    """The school: two people hold the senior manager's role (the designated lead and a deputy); a viewer does not."""
    deputy = member(UserFactory(username="a.deputy"), agency_a, Role.SENIOR_MANAGER, "Deputy safeguarding lead")
    viewer = member(UserFactory(username="a.viewer2"), agency_a, Role.AGENCY_VIEWER)
    return agency_a_manager, deputy, viewer


# --- Who receives it -------------------------------------------------------------------------------------------


def test_an_agency_is_reached_through_the_people_who_hold_its_chosen_roles(case, lado_officer, chair, agency_a,
                                                                           two_leads, police_agency, police_user):
    lead, deputy, viewer = two_leads
    meeting = schedule(case, actor=lado_officer, chair=chair)
    school = invite(meeting, actor=chair, agency=agency_a, access_level="employer")
    police = invite(meeting, actor=chair, agency=police_agency)
    by_default = deliveries.recipients_of(school)
    assert {r.user for r in by_default} == {lead, deputy}  # the senior managers, not the viewer
    assert all(r.address and agency_a.name in r.label for r in by_default)
    # The police force has no senior manager and no address: recorded as nobody to send to (it shows).
    (nobody,) = deliveries.recipients_of(police)
    assert nobody.user is None and nobody.address == ""
    # The force chooses its participants; an agency with nobody in the roles is sent it at its own address.
    police_agency.meeting_roles = [Role.PARTICIPANT]
    police_agency.save()
    police.agency.refresh_from_db()
    assert [r.user for r in deliveries.recipients_of(police)] == [police_user]
    agency_a.meeting_roles, agency_a.email = [Role.CHAIR], "office@school.example"
    agency_a.save()
    school.agency.refresh_from_db()
    (office,) = deliveries.recipients_of(school)
    assert office.address == "office@school.example" and office.user is None


def test_a_person_with_an_account_and_an_external_person(case, lado_officer, chair, police_user):
    meeting = schedule(case, actor=lado_officer, chair=chair)
    officer = invite(meeting, actor=chair, user=police_user)
    external = invite(meeting, actor=chair, name="Jo Bloggs", role="HR officer", email=EXTERNAL, access_level="employer")
    assert [(r.user, r.address) for r in deliveries.recipients_of(officer)] == [(police_user, police_user.email)]
    assert [(r.user, r.address) for r in deliveries.recipients_of(external)] == [(None, EXTERNAL)]


def test_the_agency_administration_sets_who_receives_meeting_invitations(agency_a, business_unit, login):
    from agencies.admin import AgencyForm

    form = AgencyForm(instance=agency_a)
    assert "meeting_roles" in form.fields
    admin = UserFactory(username="admin.17a", is_staff=True, is_superuser=True)
    page = login(admin).get(reverse("admin:agencies_agency_change", args=[agency_a.pk])).content.decode()
    assert "Who receives meeting invitations and minutes" in page and 'value="participant"' in page


# --- Invitations, changes and cancellations, with a calendar file -------------------------------------------------


def test_sending_invitations_sends_each_recipient_one_message_with_a_calendar_file_and_no_names(
        case, lado_officer, chair, agency_a, two_leads, police_user):
    lead, deputy, _ = two_leads
    meeting = schedule(case, actor=lado_officer, chair=chair, location="Room 4, County Hall",
                       online_link="https://meet.example.org/abc")
    invite(meeting, actor=chair, agency=agency_a, access_level="employer")
    invite(meeting, actor=chair, user=police_user)
    invite(meeting, actor=chair, name="Jo Bloggs", role="HR officer", email=EXTERNAL, access_level="employer")
    messages_drain()
    mail.outbox.clear()

    made = services.invitations_send(actor=chair, meeting=meeting)
    assert len(made) == 4 and {d.kind for d in made} == {"meeting_invitation"}
    with pytest.raises(ValidationError, match="already been sent"):
        services.invitations_send(actor=chair, meeting=meeting)
    _drain()
    sent = _invitation_mails()
    assert sorted(m.to[0] for m in sent) == sorted([lead.email, deputy.email, police_user.email, EXTERNAL])
    assert all(d.status == DeliveryStatus.SENT for d in Delivery.objects.filter(kind="meeting_invitation"))

    calendar, text = _calendar(sent[0])
    (event,) = calendar.walk("VEVENT")
    assert str(calendar["METHOD"]) == "REQUEST" and int(event["SEQUENCE"]) == 0
    assert str(event["UID"]) == f"meeting-{meeting.pk}@127.0.0.1"
    assert event.decoded("DTSTART") == meeting.scheduled_at.astimezone(dt.timezone.utc).replace(microsecond=0)
    assert str(event["LOCATION"]) == "Room 4, County Hall" and "https://meet.example.org/abc" in text
    assert case.referral.reference in str(event["SUMMARY"])
    referral = case.referral
    names = [referral.subject.given_name, referral.subject.family_name, "Jo Bloggs", "Bloggs",
             chair.last_name, lead.last_name, police_user.last_name]
    names += [c.name for c in referral.children.all() if getattr(c, "name", "")]
    for message in sent:
        everything = message.subject + message.body + _calendar(message)[1]
        for name in names:
            assert name not in everything, name


def test_a_change_of_time_sends_an_update_and_cancelling_a_cancellation(case, lado_officer, chair, police_user):
    meeting = schedule(case, actor=lado_officer, chair=chair)
    invite(meeting, actor=chair, user=police_user)
    services.invitations_send(actor=chair, meeting=meeting)
    _drain()
    (first,) = _invitation_mails()
    uid = str(_calendar(first)[0].walk("VEVENT")[0]["UID"])
    mail.outbox.clear()

    later = meeting.scheduled_at + dt.timedelta(days=1)
    services.meeting_reschedule(actor=chair, meeting=meeting, scheduled_at=later, location="Room 5, County Hall")
    _drain()
    (update,) = _invitation_mails()
    calendar = _calendar(update)[0]
    event = calendar.walk("VEVENT")[0]
    assert str(calendar["METHOD"]) == "REQUEST" and str(event["UID"]) == uid and int(event["SEQUENCE"]) == 1
    assert event.decoded("DTSTART") == later.astimezone(dt.timezone.utc).replace(microsecond=0) and update.subject.startswith("Changed")
    mail.outbox.clear()

    services.meeting_cancel(actor=chair, meeting=meeting, reason="The police asked for a delay.")
    _drain()
    (cancellation,) = _invitation_mails()
    calendar = _calendar(cancellation)[0]
    event = calendar.walk("VEVENT")[0]
    assert str(calendar["METHOD"]) == "CANCEL" and str(event["UID"]) == uid and int(event["SEQUENCE"]) == 2
    assert "police asked" not in cancellation.body  # the reason stays on the meeting's page


# --- The external invitee's link: once, and for 14 days ----------------------------------------------------------


def _link(message) -> str:
    match = re.search(re.escape(settings.SITE_URL) + r"(/guest/[^/\s]+/[^/\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_an_external_invitee_gets_a_link_that_works_once_and_expires(case, lado_officer, chair, monkeypatch):
    meeting = schedule(case, actor=lado_officer, chair=chair)
    external = invite(meeting, actor=chair, name="Jo Bloggs", email=EXTERNAL, access_level="employer")
    services.invitations_send(actor=chair, meeting=meeting)
    guest = GuestAccess.objects.get(invitation=external)
    assert guest.meeting == meeting and guest.user.email == EXTERNAL and not guest.user.has_usable_password()
    _drain()
    (message,) = _invitation_mails()
    link = _link(message)
    assert "works once, for 14 days" in message.body

    # Fifteen days on, the link no longer works.
    real_now = guest_link_tokens._now
    monkeypatch.setattr(guest_link_tokens, "_now", lambda: real_now() + dt.timedelta(days=15))
    assert "This link does not work" in Client().get(link, follow=True).content.decode()
    monkeypatch.setattr(guest_link_tokens, "_now", real_now)

    client = Client()
    form_page = client.get(link, follow=True)
    assert "Set your password" in form_page.content.decode()
    password = "a-long-guest-password-2024"
    response = client.post(form_page.redirect_chain[-1][0], {"new_password1": password, "new_password2": password})
    assert response.status_code == 302
    assert client.get(reverse("home")).url == reverse("mfa_activate_totp")  # two-factor, as every guest
    assert "This link does not work" in Client().get(link, follow=True).content.decode()  # once


# --- The minutes deadline: met when the minutes reach every recipient ----------------------------------------------


def test_the_deadline_waits_for_every_recipient_and_a_failure_keeps_it_open(case, lado_officer, chair, police_user,
                                                                          agency_a, two_leads, settings):
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.ReceiptBackend"}}
    meeting = held_meeting_with_minutes(case, actor=lado_officer, chair=chair)
    invite(meeting, actor=chair, agency=agency_a, access_level="employer")
    invite(meeting, actor=chair, user=police_user)
    approve(meeting, chair=chair)
    circulate(meeting, chair=chair)
    deadline = meeting.minutes_deadline
    _drain()
    rows = list(Delivery.objects.filter(kind="minutes").order_by("pk"))
    assert len(rows) == 3 and all(d.status == DeliveryStatus.SENDING and d.provider_reference for d in rows)
    deadline.refresh_from_db()
    assert deadline.status == Deadline.Status.OPEN  # sent, but not known to have arrived

    delivery_receipt(reference=rows[0].provider_reference, status="delivered")
    delivery_receipt(reference=rows[1].provider_reference, status="permanent-failure")
    delivery_receipt(reference=rows[2].provider_reference, status="delivered")
    deadline.refresh_from_db()
    assert deadline.status == Deadline.Status.OPEN  # one did not arrive

    failed = Circulation.objects.get(pk=rows[1].about_id)
    services.circulation_unreached(actor=chair, circulation=failed, reason="Left the school; the post is vacant.")
    deadline.refresh_from_db()
    assert deadline.status == Deadline.Status.MET


def test_only_the_chair_records_why_someone_could_not_be_reached_and_says_why(case, lado_officer, chair, police_user,
                                                                              login):
    meeting = held_meeting_with_minutes(case, actor=lado_officer, chair=chair)
    invite(meeting, actor=chair, name="Ofsted")  # no address: it cannot be sent
    approve(meeting, chair=chair)
    (circulation,) = circulate(meeting, chair=chair)
    _drain()
    (delivery,) = Delivery.objects.filter(kind="minutes")
    assert delivery.failed and delivery.failure == "No address to send to"
    page = login(chair).get(reverse("meetings:meeting_detail", args=[meeting.pk])).content.decode()
    assert "Not delivered: a fault in sending" in page and "Record why they could not be reached" in page
    url = reverse("meetings:circulation_unreached", args=[meeting.pk, circulation.pk])
    assert login(lado_officer).get(url).status_code == 403
    response = login(chair).post(url, {"reason": ""})
    assert "Say why they could not be reached." in response.content.decode()
    assert login(chair).post(url, {"reason": "Ofsted was told by telephone."}).status_code == 302
    meeting.minutes_deadline.refresh_from_db()
    assert meeting.minutes_deadline.status == Deadline.Status.MET
    assert "Ofsted was told by telephone." in login(chair).get(
        reverse("meetings:meeting_detail", args=[meeting.pk])).content.decode()


# --- Sending again after a failure -----------------------------------------------------------------------------------


def test_the_chair_corrects_an_address_and_sends_the_minutes_again_and_the_deadline_follows_the_new_attempt(
        case, lado_officer, chair, login):
    meeting = held_meeting_with_minutes(case, actor=lado_officer, chair=chair)
    invitation = invite(meeting, actor=chair, name="Ofsted", role="Regulatory inspector")  # no address yet
    approve(meeting, chair=chair)
    (circulation,) = circulate(meeting, chair=chair)
    _drain()
    (first,) = Delivery.objects.filter(kind="minutes")
    assert first.failed
    page_url = reverse("meetings:meeting_detail", args=[meeting.pk])
    again_url = reverse("meetings:circulation_send_again", args=[meeting.pk, circulation.pk])
    assert "Send the minutes again" in login(chair).get(page_url).content.decode()

    # Only the chair sends again; asking for it with a GET changes nothing.
    assert login(lado_officer).post(again_url).status_code == 403
    assert login(chair).get(again_url).status_code == 405
    assert Delivery.objects.filter(kind="minutes").count() == 1

    services.invitation_update(actor=chair, invitation=invitation, access_level=invitation.access_level,
                               name="Ofsted", role="Regulatory inspector", email=EXTERNAL)
    mail.outbox.clear()
    response = login(chair).post(again_url)
    assert response.status_code == 302 and response.url.endswith("#circulation")
    _drain()
    second = Delivery.objects.filter(kind="minutes").exclude(pk=first.pk).get()
    assert second.key == f"{first.key}{deliveries.AGAIN}1" and second.address == EXTERNAL and second.reached
    assert [m.to for m in mail.outbox] == [[EXTERNAL]]
    meeting.minutes_deadline.refresh_from_db()
    assert meeting.minutes_deadline.status == Deadline.Status.MET  # the latest attempt reached them

    page = login(chair).get(page_url).content.decode()
    assert "Not delivered: a fault in sending" in page  # the failed attempt stays on the record
    assert "Send the minutes again" not in page and "Record why they could not be reached" not in page
    with pytest.raises(ValidationError, match="Nothing to send again"):
        services.minutes_send_again(actor=chair, circulation=circulation)


def test_sending_again_goes_only_to_the_agency_people_whose_delivery_failed(case, lado_officer, chair, agency_a,
                                                                            two_leads, settings):
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.ReceiptBackend"}}
    meeting = held_meeting_with_minutes(case, actor=lado_officer, chair=chair)
    invite(meeting, actor=chair, agency=agency_a, access_level="employer")
    approve(meeting, chair=chair)
    (circulation,) = circulate(meeting, chair=chair)
    _drain()
    lead, deputy = Delivery.objects.filter(kind="minutes").order_by("pk")
    delivery_receipt(reference=lead.provider_reference, status="delivered")
    delivery_receipt(reference=deputy.provider_reference, status="temporary-failure")

    (again,) = services.minutes_send_again(actor=chair, circulation=circulation)
    assert again.user_id == deputy.user_id and again.key == f"{deputy.key}{deliveries.AGAIN}1"
    _drain()
    again.refresh_from_db()
    delivery_receipt(reference=again.provider_reference, status="permanent-failure")
    meeting.minutes_deadline.refresh_from_db()
    assert meeting.minutes_deadline.status == Deadline.Status.OPEN

    (third,) = services.minutes_send_again(actor=chair, circulation=circulation)
    assert third.key == f"{deputy.key}{deliveries.AGAIN}2"
    _drain()
    third.refresh_from_db()
    delivery_receipt(reference=third.provider_reference, status="delivered")
    meeting.minutes_deadline.refresh_from_db()
    assert meeting.minutes_deadline.status == Deadline.Status.MET
    state = deliveries.circulation_states([circulation])[circulation.pk]
    assert len(state.deliveries) == 4 and state.resolved and state.failed == []
