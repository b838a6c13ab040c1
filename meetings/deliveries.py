"""Invitations and minutes delivered to every recipient, and a record of each (issue 17 part 1).

Who receives what an invitation is for (`recipients_of`):
- a person with an account (a guest included): that person;
- an agency: its people who hold the roles it chose for meeting invitations and minutes (agencies.Agency.
  meeting_roles; by default its senior manager, a school's designated safeguarding lead), or the agency's e-mail
  address when nobody holds them;
- an external person (a name and an e-mail address): that address, with a link to a guest account for this one
  meeting (services.guest_for_external makes it when the invitation is sent), which works once and expires.

Each recipient gets one `outbox.Delivery` (kind "meeting_invitation", "meeting_cancellation" or "minutes"), written
in the transaction of the change that asks for it and sent by the worker. Invitations carry a calendar file
(`icalendar`): the date, time, place or link to join, a name-free title (the meeting's kind and the case's
reference), never a name. A change of date, time or place sends an update (same UID, higher SEQUENCE); cancelling
sends a cancellation (METHOD:CANCEL).

The minutes deadline is met when the version reaches every recipient the chair chose (or the chair records why one
could not be reached): `minutes_delivery_changed` runs in the transaction that records a delivery reaching someone
(the worker sending it, or a receipt), registered with the outbox (`on_status_change`), which imports nothing above.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from agencies.models import Membership, Notification, Role
from config.jinja2 import govuk_datetime
from deadlines import services as deadlines
from outbox.delivery import attachments_for, delivery_add, kinds_register, on_status_change, values_at_sending
from outbox.models import Delivery

from . import webhook_events
from .models import Circulation, GuestAccess, Invitation, Meeting, MinutesVersion

INVITATION = "meeting_invitation"
CANCELLATION = "meeting_cancellation"
MINUTES = "minutes"
# GOV.UK Notify needs a template for each kind the product e-mails (outbox.notify checks at start-up).
kinds_register(INVITATION, CANCELLATION, MINUTES)
CALENDAR_MINUTES = 60  # a meeting's length in the calendar: the product records no end time


# --- Who receives it ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    key: str  # stable within the invitation: "user:12", "agency:3"
    label: str  # who, for the record shown to the chair
    address: str
    user: object | None = None


def _person(user) -> str:
    return user.get_full_name() or user.username


def recipients_by_invitation(invitations: list[Invitation]) -> dict[int, list[Recipient]]:
    """Each invitation's recipients, in one query for all the agencies' people."""
    agency_ids = {i.agency_id for i in invitations if i.agency_id and not i.user_id and not i.name}
    people: dict[int, list[Membership]] = defaultdict(list)
    if agency_ids:
        for membership in (Membership.objects.people().filter(agency_id__in=agency_ids, user__is_active=True)
                           .select_related("user").order_by("user__last_name", "user__first_name", "user_id", "pk")):
            people[membership.agency_id].append(membership)
    result = {}
    for invitation in invitations:
        result[invitation.pk] = _recipients(invitation, people)
    return result


def recipients_of(invitation: Invitation) -> list[Recipient]:
    return recipients_by_invitation([invitation])[invitation.pk]


def _recipients(invitation: Invitation, people) -> list[Recipient]:
    if invitation.user_id:
        user = invitation.user
        label = _person(user) + (f", {invitation.agency.name}" if invitation.agency_id else "")
        return [Recipient(f"user:{user.pk}", label, user.email, user)]
    if invitation.name:  # someone without an account: their address (a guest account is made when sent)
        label = invitation.name + (f", {invitation.role}" if invitation.role else "")
        return [Recipient(f"address:{invitation.email.lower()}", label, invitation.email)]
    agency = invitation.agency
    roles = agency.meeting_recipient_roles
    chosen, seen = [], set()
    for membership in people.get(agency.pk, []):
        if membership.role in roles and membership.user_id not in seen:
            seen.add(membership.user_id)
            user = membership.user
            role = membership.job_title or Role(membership.role).label
            chosen.append(Recipient(f"user:{user.pk}", f"{_person(user)}, {role}, {agency.name}", user.email, user))
    if chosen:
        return chosen
    # Nobody holds the role: the agency's own address (an empty one is recorded as not delivered, and shows).
    return [Recipient(f"agency:{agency.pk}", f"{agency.name} (its e-mail address)", agency.email)]


# --- What is in it ------------------------------------------------------------------------------------------


def _site_host() -> str:
    return settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "localhost"


def meeting_title(meeting: Meeting) -> str:
    """Name-free: the meeting's kind and the case's (or provider concern's) reference."""
    if meeting.case_id:
        return f"{meeting.get_kind_display()}, case {meeting.case.referral.reference}"
    if meeting.provider_concern_id:
        return f"{meeting.get_kind_display()}, provider concern {meeting.provider_concern.reference}"
    return meeting.get_kind_display()


def _calendar_values(meeting: Meeting, *, method: str) -> dict:
    return {
        "uid": f"meeting-{meeting.pk}@{_site_host()}",
        "sequence": meeting.calendar_sequence,
        "method": method,
        "start": meeting.scheduled_at.isoformat(),
        "location": meeting.location,
        "online_link": meeting.online_link,
        "title": meeting_title(meeting),
        "when": govuk_datetime(meeting.scheduled_at),
        "url": settings.SITE_URL + reverse("meetings:meeting_detail", args=[meeting.pk]),
    }


def calendar_file(context: dict, address: str = "") -> bytes:
    """An iCalendar file (RFC 5545) from a delivery's plain values: no names of anyone."""
    from icalendar import Calendar, Event, vCalAddress, vText

    calendar = Calendar()
    calendar.add("prodid", "-//Managing allegations//Meetings//EN")
    calendar.add("version", "2.0")
    calendar.add("method", context["method"])
    event = Event()
    start = dt.datetime.fromisoformat(context["start"]).astimezone(dt.timezone.utc)
    event.add("uid", context["uid"])
    event.add("sequence", context["sequence"])
    event.add("dtstamp", timezone.now().astimezone(dt.timezone.utc))
    event.add("dtstart", start)
    event.add("dtend", start + dt.timedelta(minutes=CALENDAR_MINUTES))
    event.add("summary", context["title"])
    place = context.get("location") or ""
    if context.get("online_link"):
        event.add("url", context["online_link"])
        place = place or context["online_link"]
    if place:
        event.add("location", place)
    description = [f"Meeting page (sign in): {context['url']}"]
    if context.get("online_link"):
        description.insert(0, f"Join online: {context['online_link']}")
    event.add("description", "\n".join(description))
    organizer = vCalAddress(f"mailto:{settings.DEFAULT_FROM_EMAIL}")
    organizer.params["cn"] = vText("LADO service")
    event.add("organizer", organizer)
    if address:
        attendee = vCalAddress(f"mailto:{address}")
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        attendee.params["rsvp"] = vText("FALSE")
        event.add("attendee", attendee)
    if context["method"] == "CANCEL":
        event.add("status", "CANCELLED")
    else:
        event.add("status", "CONFIRMED")
    calendar.add_component(event)
    return calendar.to_ical()


@attachments_for(INVITATION)
@attachments_for(CANCELLATION)
def invitation_attachments(delivery: Delivery):
    method = delivery.context.get("method", "REQUEST")
    return [("meeting.ics", calendar_file(delivery.context, delivery.address), f"text/calendar; method={method}")]


def _guest_link_values(delivery: Delivery) -> dict:
    """A guest who has not set a password yet gets a new one-time link in place of the meeting's page (made now,
    never stored)."""
    from .tokens import guest_link

    user = delivery.user
    if user is None or user.has_usable_password():
        return {}
    guest = GuestAccess.objects.filter(user=user, expires_at__gt=timezone.now()).first()
    if guest is None:
        return {}
    return {"url": settings.SITE_URL + guest_link(user), "guest_link": True, "link_days": settings.GUEST_LINK_DAYS,
            "username": user.get_username()}


values_at_sending(INVITATION)(_guest_link_values)
values_at_sending(MINUTES)(_guest_link_values)


# --- Asking for them (inside the services' transactions) ------------------------------------------------------


def _invitation_type() -> ContentType:
    return ContentType.objects.get_for_model(Invitation)


def _circulation_type() -> ContentType:
    return ContentType.objects.get_for_model(Circulation)


def invited_ids(meeting: Meeting) -> set[int]:
    """The invitations that have been sent an invitation (whatever became of it)."""
    ids = meeting.invitations.values_list("pk", flat=True)
    return set(Delivery.objects.filter(about_type=_invitation_type(), about_id__in=list(ids), kind=INVITATION)
               .values_list("about_id", flat=True))


def _invitees_deliver(*, actor, meeting: Meeting, invitation: Invitation, kind: str, template: str,
                      values: dict) -> list[Delivery]:
    """One delivery of a calendar message to each of the invitation's recipients, once per calendar sequence."""
    made = []
    for recipient in recipients_of(invitation):
        delivery = delivery_add(
            key=f"{kind}:{invitation.pk}:{meeting.calendar_sequence}:{recipient.key}", kind=kind,
            address=recipient.address, user=recipient.user, recipient=recipient.label,
            template=template, context=values, about=invitation, created_by=actor)
        if delivery is not None:
            made.append(delivery)
    return made


def invitation_deliver(*, actor, meeting: Meeting, invitation: Invitation, update: bool = False) -> list[Delivery]:
    """One delivery of the invitation (or of its update) to each of its recipients."""
    values = _calendar_values(meeting, method="REQUEST")
    values["update"] = update
    return _invitees_deliver(actor=actor, meeting=meeting, invitation=invitation, kind=INVITATION,
                             template="meetings/email/meeting_invitation", values=values)


def cancellation_deliver(*, actor, meeting: Meeting, invitation: Invitation) -> list[Delivery]:
    values = _calendar_values(meeting, method="CANCEL")
    values["reason"] = ""  # the reason stays on the meeting's page: it may say more than an e-mail should
    return _invitees_deliver(actor=actor, meeting=meeting, invitation=invitation, kind=CANCELLATION,
                             template="meetings/email/meeting_cancelled", values=values)


AGAIN = ":again:"  # a delivery's once-key, sent again: "<the first key>:again:<n>"


def _first_key(delivery: Delivery) -> str:
    """The once-key of the first attempt to this recipient: every attempt to them shares it."""
    return delivery.key.split(AGAIN)[0]


def latest_attempts(rows: list[Delivery]) -> list[Delivery]:
    """Of deliveries in the order they were made, the latest attempt to each recipient: what became of it is what
    counts (a failure sent again and then delivered is delivered)."""
    latest: dict[str, Delivery] = {}
    for delivery in rows:
        latest[_first_key(delivery)] = delivery
    return list(latest.values())


def minutes_deliver(*, actor, circulation: Circulation, recipients: list[Recipient], title: str, link: str) -> list[Delivery]:
    """The minutes to each recipient of a circulation; people with an account also find a notice in their inbox
    (the e-mail is the delivery: one message each)."""
    made = []
    for recipient in recipients:
        delivery = delivery_add(
            key=f"{MINUTES}:{circulation.pk}:{recipient.key}", kind=MINUTES, address=recipient.address,
            user=recipient.user, recipient=recipient.label, template="meetings/email/minutes_circulated",
            context={"title": title, "url": settings.SITE_URL + link}, about=circulation, created_by=actor)
        if delivery is not None:
            made.append(delivery)
        if recipient.user is not None:
            Notification.objects.get_or_create(user=recipient.user, key=f"minutes-circulated:{circulation.version_id}",
                                               defaults={"title": title[:200], "link": link})
    return made


def minutes_deliver_again(*, actor, circulation: Circulation, failed: list[Delivery], recipients: list[Recipient],
                          title: str, link: str) -> list[Delivery]:
    """Send the minutes again to each recipient whose latest attempt failed, at their address as it is now (the
    chair may have corrected it). A recipient the invitation no longer reaches (they left the agency) is not sent
    anything: the chair records why they could not be reached. An invitation with one recipient (a person, an
    external address) is sent to that recipient whatever the address was."""
    by_key = {f"{MINUTES}:{circulation.pk}:{r.key}": r for r in recipients}
    attempts = Counter(_first_key(d) for d in Delivery.objects.filter(
        about_type=_circulation_type(), about_id=circulation.pk).only("key"))
    made = []
    for delivery in failed:
        first = _first_key(delivery)
        recipient = by_key.get(first) or (recipients[0] if len(recipients) == 1 else None)
        if recipient is None:
            continue
        again = delivery_add(
            key=f"{first}{AGAIN}{attempts[first]}", kind=MINUTES, address=recipient.address, user=recipient.user,
            recipient=recipient.label, template="meetings/email/minutes_circulated",
            context={"title": title, "url": settings.SITE_URL + link}, about=circulation, created_by=actor)
        if again is not None:
            made.append(again)
    return made


# --- When they reach someone: the minutes deadline ------------------------------------------------------------


@dataclass
class CirculationState:
    deliveries: list
    resolved: bool  # every recipient reached, or the chair recorded why the recipient could not be reached
    failed: list  # the recipients' latest attempts that failed (an empty list when none did)
    resolved_at: dt.datetime | None


def circulation_states(circulations: list[Circulation]) -> dict[int, CirculationState]:
    """Each circulation's deliveries and whether it is done with: one query."""
    by_circulation: dict[int, list[Delivery]] = defaultdict(list)
    if circulations:
        for delivery in (Delivery.objects.filter(about_type=_circulation_type(),
                                                 about_id__in=[c.pk for c in circulations])
                         .order_by("created_at", "pk")):
            by_circulation[delivery.about_id].append(delivery)
    states = {}
    for circulation in circulations:
        rows = by_circulation.get(circulation.pk, [])
        latest = latest_attempts(rows)
        reached = bool(latest) and all(d.reached for d in latest)
        if circulation.unreached_at is not None:
            resolved, at = True, circulation.unreached_at
            if reached:
                at = min(at, max(d.reached_at for d in latest))
        elif reached:
            resolved, at = True, max(d.reached_at for d in latest)
        else:
            resolved, at = False, None
        states[circulation.pk] = CirculationState(rows, resolved, [d for d in latest if d.failed], at)
    return states


def minutes_deadline_check(*, version: MinutesVersion, actor=None) -> bool:
    """Meet the meeting's minutes deadline if this version has reached every recipient the chair chose (or the
    chair recorded why one could not be). Met at the moment the last one was reached. Returns True if met now."""
    meeting = Meeting.objects.select_related("minutes_deadline").get(pk=version.minutes.meeting_id)
    deadline = meeting.minutes_deadline
    if deadline is None or deadline.met_at is not None:
        return False
    circulations = list(Circulation.objects.select_for_update().filter(version=version).select_related("sent_by"))
    if not circulations:
        return False
    states = circulation_states(circulations)
    if not all(state.resolved for state in states.values()):
        return False
    met_at = max(state.resolved_at for state in states.values())
    deadlines.deadline_meet_one(
        actor=actor or circulations[0].sent_by, deadline=deadline, met_at=met_at,
        reason=f"Minutes (version {version.number}) delivered to every recipient the chair chose")
    return True


@on_status_change(MINUTES)
def minutes_delivery_changed(delivery: Delivery) -> None:
    """A delivery of the minutes reached someone: perhaps the last one (in the worker's or receipt's transaction)."""
    if not delivery.reached:
        return  # a failure leaves the deadline open, and shows on the meeting's page
    circulation = (Circulation.objects.filter(pk=delivery.about_id)
                   .select_related("version__minutes__meeting", "invitation__agency").first())
    if circulation is not None:
        with transaction.atomic():
            minutes_deadline_check(version=circulation.version)
            # The invited agency's own system hears that its minutes arrived (issue 20's webhooks), once per version.
            webhook_events.minutes_delivered(circulation.version, [circulation])


def deliveries_by_invitation(invitations: list[Invitation]) -> dict[int, list[Delivery]]:
    """The invitation deliveries (invitations, updates, cancellations) of each invitation: one query."""
    rows: dict[int, list[Delivery]] = defaultdict(list)
    if invitations:
        for delivery in Delivery.objects.filter(about_type=_invitation_type(),
                                                about_id__in=[i.pk for i in invitations]).order_by("created_at", "pk"):
            rows[delivery.about_id].append(delivery)
    return rows
