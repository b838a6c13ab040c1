"""Everyone who must be told is told, and the meeting's page shows it (issue 17 part 1), in a real browser with
axe-core on every page visited: the chair invites an agency where two people hold the role, an external address
and a police officer, and sends the invitations; circulates the minutes; each recipient receives exactly one
message of each; the external person signs in through the link in theirs (two factors, as every guest) and reads
only their level; the minutes deadline is met only once the minutes reach everyone. A delivery that fails (a
receipt says "permanent-failure") shows on the meeting's page and leaves the deadline open until the chair records
why that person could not be reached."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from agencies.models import Role
from deadlines.models import Deadline
from meetings.models import GuestAccess, Meeting
from outbox.delivery import delivery_receipt
from outbox.models import Delivery
from outbox.services import messages_drain
from tests.agencies.factories import UserFactory, give_authenticator, member
from tests.allegations.factories import make_case
from tests.browser.conftest import (PASSWORD, after_navigation, click_and_load, follow, sign_in, sign_out, submit,
                                    visit)
from tests.meetings.factories import approve, circulate, complete_required, hold, invite, schedule

pytestmark = [pytest.mark.browser]

EXTERNAL = "hr@riverside-charity.example.org"
CHILD_TEXT = "Sam told the class teacher about the bruise."
ADULT_TEXT = "The teacher works away from pupils while the school investigates."


def name_of(user) -> str:
    return user.get_full_name() or user.username


def _kind(message) -> str:
    return message.extra_headers.get("X-Managing-Allegations-Kind", "")


def _deadline(meeting) -> Deadline:
    return Deadline.objects.get(pk=Meeting.objects.get(pk=meeting.pk).minutes_deadline_id)


def test_every_recipient_is_reached_once_and_the_deadline_waits_for_them(
        page: Page, chair, lado_officer, referral, agency_a, agency_a_manager, police_user):
    deputy = member(UserFactory(username="a.deputy"), agency_a, Role.SENIOR_MANAGER, "Deputy safeguarding lead")
    case = make_case(officer=lado_officer, referral=referral)
    meeting = schedule(case, actor=lado_officer, chair=chair, when=timezone.now() + dt.timedelta(days=2))
    messages_drain()  # what the case's opening asked for: not what this test counts
    mail.outbox.clear()

    # --- The chair invites the school (two people hold its role), an external person and a police officer ----
    sign_in(page, chair)
    visit(page, f"/meetings/{meeting.pk}/")
    follow(page, "link", "Invite someone")
    page.get_by_label("Agency", exact=True).select_option(label=agency_a.name)
    page.get_by_label(re.compile("Employer or HR")).check()
    submit(page, "Invite")
    follow(page, "link", "Invite someone")
    page.get_by_label("Or: name of someone without an account").fill("Jo Bloggs")
    page.get_by_label("Their role (optional)").fill("HR officer, Riverside Charity")
    page.get_by_label("Their email address (optional)").fill(EXTERNAL)
    page.get_by_label(re.compile("Employer or HR")).check()
    submit(page, "Invite")
    follow(page, "link", "Invite someone")
    page.get_by_label("A person with an account (optional)").select_option(label=name_of(police_user))
    page.get_by_label(re.compile("Safeguarding professional")).check()
    submit(page, "Invite")
    submit(page, "Send the invitations")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Invitations sent to 4 people")
    expect(page.locator("#invitees ~ table")).to_contain_text("Waiting to send")

    messages_drain()  # the worker sends them
    invitations = [m for m in mail.outbox if _kind(m) == "meeting_invitation"]
    everyone = sorted([agency_a_manager.email, deputy.email, EXTERNAL, police_user.email])
    assert sorted(m.to[0] for m in invitations) == everyone  # exactly one each
    assert all(any(a[0] == "meeting.ics" for a in m.attachments) for m in invitations)
    visit(page, f"/meetings/{meeting.pk}/")
    expect(page.locator("#invitees ~ table")).to_contain_text("Sent")
    expect(page.locator("#invitees ~ table")).not_to_contain_text("Waiting to send")

    # --- The meeting is held and its minutes approved; the chair circulates them to everyone -------------------
    hold(meeting, actor=chair, held_at=timezone.now())
    complete_required(meeting, actor=chair, children_involved=CHILD_TEXT, adult_employment=ADULT_TEXT)
    approve(meeting, chair=chair)
    visit(page, f"/meetings/{meeting.pk}/")
    follow(page, "button", "Circulate the minutes")
    submit(page, "Send the minutes")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Version 1 sent to 3 people.")
    expect(page.locator("#circulation ~ table")).to_contain_text("Waiting to send")
    assert _deadline(meeting).status == Deadline.Status.OPEN  # pressing the button is not reaching anyone
    sign_out(page)

    mail.outbox.clear()
    messages_drain()
    minutes = [m for m in mail.outbox if _kind(m) == "minutes"]
    assert sorted(m.to[0] for m in minutes) == everyone  # exactly one each
    assert _deadline(meeting).status == Deadline.Status.MET  # now that they reached everyone

    # --- The external person signs in through the link in their e-mail and reads only their level --------------
    (theirs,) = [m for m in minutes if m.to == [EXTERNAL]]
    link = re.search(re.escape(settings.SITE_URL) + r"(/guest/[^/\s]+/[^/\s]+/)", theirs.body).group(1)
    page.goto(link)  # the link redirects to the form (its token kept out of the address)
    after_navigation(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Set your password")
    page.get_by_label("New password", exact=True).fill(PASSWORD)
    page.get_by_label("Type the new password again").fill(PASSWORD)
    submit(page, "Set password")
    guest = GuestAccess.objects.get(meeting=meeting).user
    assert guest.email == EXTERNAL and guest.has_usable_password()
    assert "/2fa/" in page.url  # asked to set up two-factor authentication before anything else
    give_authenticator(guest)  # set up in their authenticator app, as the product asks of every guest
    page.context.clear_cookies()
    sign_in(page, guest)  # the password, then the code: two factors
    visit(page, f"/meetings/{meeting.pk}/")
    expect(page.locator("#section-adult_employment")).to_contain_text(ADULT_TEXT)
    expect(page.locator("#section-children_involved")).to_have_count(0)
    assert CHILD_TEXT not in page.content()


def _minutes_sent_to_the_police(settings, chair, lado_officer, referral, police_user):
    """A held meeting whose approved minutes were circulated to a police officer, through a backend with receipts
    (GOV.UK Notify's HTTP is the outside world: each message gets a reference). Returns the meeting and the
    delivery, sent and waiting for its receipt."""
    settings.MAILERS = {"default": {"BACKEND": "tests.meetings.test_deliveries.ReceiptBackend"}}
    case = make_case(officer=lado_officer, referral=referral)
    meeting = schedule(case, actor=lado_officer, chair=chair, when=timezone.now() + dt.timedelta(hours=1))
    invitation = invite(meeting, actor=chair, user=police_user)
    hold(meeting, actor=chair, held_at=timezone.now())
    complete_required(meeting, actor=chair)
    approve(meeting, chair=chair)
    circulate(meeting, chair=chair, invitations=[invitation])
    messages_drain()
    (delivery,) = Delivery.objects.filter(kind="minutes")
    return meeting, delivery


def test_a_failed_delivery_shows_and_leaves_the_deadline_open_until_the_chair_says_why(
        page: Page, settings, chair, lado_officer, referral, police_user):
    meeting, delivery = _minutes_sent_to_the_police(settings, chair, lado_officer, referral, police_user)
    assert delivery.provider_reference
    delivery_receipt(reference=delivery.provider_reference, status="permanent-failure")
    assert _deadline(meeting).status == Deadline.Status.OPEN

    sign_in(page, chair)
    visit(page, f"/meetings/{meeting.pk}/")
    table = page.locator("#circulation ~ table")
    expect(table).to_contain_text("Not delivered: the address does not exist")
    expect(table).to_contain_text("Not reached: the minutes deadline waits for them.")
    click_and_load(page, page.get_by_role("link", name=re.compile("^Record why they could not be reached")))
    submit(page, "Save")  # nothing typed: a clear message
    expect(page.locator(".govuk-error-summary")).to_contain_text("Say why they could not be reached.")
    page.get_by_label("Why could they not be reached?").fill("The officer has moved team; told by telephone.")
    submit(page, "Save")
    expect(page.locator("#circulation ~ table")).to_contain_text("told by telephone")
    assert _deadline(meeting).status == Deadline.Status.MET


def test_the_chair_sends_the_minutes_again_after_a_failure_from_the_keyboard(
        page: Page, settings, chair, lado_officer, referral, police_user):
    meeting, first = _minutes_sent_to_the_police(settings, chair, lado_officer, referral, police_user)
    delivery_receipt(reference=first.provider_reference, status="temporary-failure")

    sign_in(page, chair)
    visit(page, f"/meetings/{meeting.pk}/")
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("button", name=re.compile("^Send the minutes again")).focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    after_navigation(page)
    expect(page.locator(".govuk-notification-banner")).to_contain_text("The minutes are being sent again")
    again = Delivery.objects.filter(kind="minutes").exclude(pk=first.pk).get()
    assert again.user_id == police_user.pk and _deadline(meeting).status == Deadline.Status.OPEN
    messages_drain()
    again.refresh_from_db()
    delivery_receipt(reference=again.provider_reference, status="delivered")
    assert _deadline(meeting).status == Deadline.Status.MET

    visit(page, f"/meetings/{meeting.pk}/")
    table = page.locator("#circulation ~ table")
    expect(table).to_contain_text("Delivered")
    expect(table).to_contain_text("Not delivered")  # the first attempt stays on the record
    expect(page.get_by_role("button", name=re.compile("^Send the minutes again"))).to_have_count(0)
