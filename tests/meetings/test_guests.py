"""External participants (issue part 7): the chair or an administrator gives a named external invitee a
guest account limited to one meeting, at their invitation's access level, until it expires. The e-mail
carries a one-time link to set a password, and no names."""

import datetime as dt
import re

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agencies.models import Role
from meetings import services
from meetings.models import GuestAccess, Invitation, MinutesPdf
from meetings.notifications import guest_invitation_send
from tests.agencies.factories import UserFactory, give_authenticator, member
from tests.meetings.factories import approve, circulate, held_meeting_with_minutes, invite
from tests.forms import with_dates

pytestmark = pytest.mark.django_db

CHILD_TEXT = "Sam disclosed at school that the teacher grabbed them."
ADULT_TEXT = "The teacher is on alternative duties away from pupils."
GUEST_EMAIL = "hr@riverside-charity.example.org"
PASSWORD = "a-long-guest-password-2024"


@pytest.fixture
def meeting(case, lado_officer, chair):
    meeting = held_meeting_with_minutes(case, actor=lado_officer, chair=chair, children_involved=CHILD_TEXT,
                                        adult_employment=ADULT_TEXT)
    approve(meeting, chair=chair)
    return meeting


@pytest.fixture
def external(meeting, chair):
    """An HR officer of a small charity, with no account: invited by name, role and e-mail."""
    return invite(meeting, actor=chair, name="Jo Bloggs", role="HR officer, Riverside Charity", email=GUEST_EMAIL,
                  access_level="employer")


@pytest.fixture
def administrator(business_unit):
    return member(UserFactory(username="admin"), business_unit, Role.ADMINISTRATOR)


def grant(chair, external, **kw):
    return services.guest_access_grant(actor=chair, invitation=external, **kw)


def set_password_link(message) -> str:
    match = re.search(re.escape(settings.SITE_URL) + r"(/guest/[^/\s]+/[^/\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def signed_in_guest(guest) -> Client:
    give_authenticator(guest.user)  # guests have set up two-factor authentication like everyone
    client = Client()
    client.force_login(guest.user)
    return client


# --- Granting ------------------------------------------------------------------------------------------

def test_the_chair_gives_an_external_invitee_a_guest_account_for_30_days(
    meeting, chair, external, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        guest = grant(chair, external)

    user = guest.user
    assert user.username == user.email == GUEST_EMAIL
    assert (user.first_name, user.last_name) == ("Jo", "Bloggs")
    assert not user.has_usable_password()
    assert not user.memberships.exists()
    assert guest.meeting == meeting and guest.granted_by == chair
    assert abs(guest.expires_at - (timezone.now() + dt.timedelta(days=30))) < dt.timedelta(minutes=1)
    external.refresh_from_db()
    assert external.user == user and external.access_level == "employer"
    assert guest.history.first().history_user == chair
    assert len(callbacks) == 1  # the e-mail goes after commit
    assert not mail.outbox


def test_guest_access_is_refused_without_a_name_or_an_e_mail_or_for_someone_with_an_account(
    meeting, chair, agency_a_manager
):
    nameless = invite(meeting, actor=chair, agency=agency_a_manager.memberships.get().agency, access_level="employer")
    no_email = invite(meeting, actor=chair, name="Pat Nomail", access_level="employer")
    has_account = invite(meeting, actor=chair, name="Alex Taken", email=agency_a_manager.email, access_level="employer")
    account = invite(meeting, actor=chair, user=agency_a_manager, access_level="employer")

    for invitation, message in (
        (nameless, "Only a named person"),
        (no_email, "Add their e-mail address"),
        (has_account, "already has an account"),
        (account, "already have an account"),
    ):
        with pytest.raises(ValidationError) as error:
            grant(chair, invitation)
        assert message in str(error.value)
    with pytest.raises(ValidationError):
        grant(chair, no_email, expires_at=timezone.now() - dt.timedelta(days=1))
    assert not GuestAccess.objects.exists()


def test_only_the_chair_or_an_administrator_gives_guest_accounts(
    meeting, chair, lado_officer, administrator, external, login, agency_b_outsider
):
    with pytest.raises(PermissionDenied):
        grant(lado_officer, external)
    url = reverse("meetings:guest_grant", args=[meeting.pk, external.pk])
    assert login(lado_officer).get(url).status_code == 403
    assert login(agency_b_outsider).get(url).status_code == 404

    # An administrator sees no cases, but may give the account from this page.
    admin = login(administrator)
    assert admin.get(url).status_code == 200
    expires = timezone.localdate() + dt.timedelta(days=10)
    response = admin.post(url, with_dates({"expires_on": expires.isoformat()}))

    assert response.status_code == 302
    guest = GuestAccess.objects.get()
    assert guest.granted_by == administrator
    assert timezone.localtime(guest.expires_at).date() == expires + dt.timedelta(days=1)  # the end of that day


def test_the_chair_gives_the_account_from_the_meeting_page_with_a_chosen_expiry(meeting, chair, external, login):
    client = login(chair)
    page = client.get(reverse("meetings:meeting_detail", args=[meeting.pk])).content.decode()
    url = reverse("meetings:guest_grant", args=[meeting.pk, external.pk])
    assert url in page

    form = client.get(url).content.decode()
    default = timezone.localdate() + dt.timedelta(days=30)
    for part in ("day", "month", "year"):  # the suggested end is typed in for them
        assert f'name="expires_on_{part}" type="text" value="{getattr(default, part)}"' in form
    past = client.post(url, with_dates({"expires_on": timezone.localdate().isoformat()}))
    assert past.status_code == 200 and "The access must end in the future." in past.content.decode()
    assert client.post(url, with_dates({"expires_on": default})).status_code == 302

    page = client.get(reverse("meetings:meeting_detail", args=[meeting.pk])).content.decode()
    assert "Guest account until" in page


# --- The e-mail and the one-time link -------------------------------------------------------------------

def test_the_e_mail_carries_only_a_one_time_link_and_names_no_child_or_subject(meeting, chair, external, case):
    guest = grant(chair, external)

    assert guest_invitation_send(guest_access_id=guest.pk) is True
    assert guest_invitation_send(guest_access_id=guest.pk) is False  # once only

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [GUEST_EMAIL]
    assert GUEST_EMAIL in message.body  # their username
    set_password_link(message)
    referral = case.referral
    for name in (referral.subject.given_name, referral.subject.family_name, "Sam", "Child", CHILD_TEXT, ADULT_TEXT):
        assert name not in message.subject and name not in message.body
    guest.refresh_from_db()
    assert guest.link_sent_at is not None


def test_the_link_sets_a_password_signs_in_and_sends_the_guest_to_their_meeting_once(meeting, chair, external):
    guest = grant(chair, external)
    guest_invitation_send(guest_access_id=guest.pk)
    link = set_password_link(mail.outbox[0])
    client = Client()

    form_page = client.get(link, follow=True)
    assert "Set your password" in form_page.content.decode()
    set_url = form_page.redirect_chain[-1][0]
    response = client.post(set_url, {"new_password1": PASSWORD, "new_password2": PASSWORD})

    assert response.status_code == 302 and response.url == reverse("home")
    # Guests too must set up two-factor authentication before anything else (accounts/middleware.py).
    assert client.get(reverse("home")).url == reverse("mfa_activate_totp")
    give_authenticator(guest.user)
    assert client.get(reverse("home")).url == reverse("meetings:meeting_detail", args=[meeting.pk])
    guest.user.refresh_from_db()
    assert guest.user.check_password(PASSWORD)
    # Used once: the same link no longer works.
    again = Client().get(link, follow=True).content.decode()
    assert "This link does not work" in again


def test_the_set_password_link_is_for_guest_accounts_only(agency_a_manager):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    link = reverse("meetings:guest_set_password", args=[urlsafe_base64_encode(force_bytes(agency_a_manager.pk)),
                                                         default_token_generator.make_token(agency_a_manager)])
    assert "This link does not work" in Client().get(link, follow=True).content.decode()


# --- What a guest sees ------------------------------------------------------------------------------------

def test_a_guest_sees_their_meeting_at_their_invitations_level_only(meeting, chair, external, login):
    guest = grant(chair, external)
    circulate(meeting, chair=chair, invitations=[external])
    client = signed_in_guest(guest)

    page = client.get(reverse("meetings:meeting_detail", args=[meeting.pk])).content.decode()

    assert ADULT_TEXT in page
    assert CHILD_TEXT not in page
    assert "Get a PDF of these minutes" in page
    response = client.post(reverse("meetings:pdf_request_mine", args=[meeting.pk, 1]))
    assert response.status_code == 302
    pdf = MinutesPdf.objects.get(requested_by=guest.user)
    assert pdf.variant == "employer" and pdf.recipient.startswith("Jo Bloggs")


def test_a_guest_sees_nothing_else_in_the_product(meeting, chair, external, case, lado_officer, referral):
    guest = grant(chair, external)
    other = held_meeting_with_minutes(case, actor=lado_officer, chair=chair, kind="review")
    client = signed_in_guest(guest)

    for url in (
        reverse("allegations:case_detail", args=[case.reference]),
        reverse("allegations:referral_detail", args=[referral.reference]),
        reverse("meetings:meeting_detail", args=[other.pk]),
    ):
        assert client.get(url).status_code == 404, url
    for url in (  # lists for roles a guest does not have: a 403 saying whose they are
        reverse("allegations:triage_queue"),
        reverse("allegations:case_list"),
        reverse("allegations:referral_list"),
        reverse("meetings:action_list"),
    ):
        assert client.get(url).status_code == 403, url
    assert client.get(reverse("meetings:minutes_edit", args=[meeting.pk])).status_code == 403  # sees it, may not edit
    assert client.get(reverse("home")).url == reverse("meetings:meeting_detail", args=[meeting.pk])


def test_after_expiry_the_meeting_is_404_and_home_says_there_is_no_role(meeting, chair, external):
    guest = grant(chair, external)
    client = signed_in_guest(guest)
    assert client.get(reverse("meetings:meeting_detail", args=[meeting.pk])).status_code == 200

    guest.expires_at = timezone.now() - dt.timedelta(seconds=1)
    guest.save()

    assert client.get(reverse("meetings:meeting_detail", args=[meeting.pk])).status_code == 404
    assert client.post(reverse("meetings:pdf_request_mine", args=[meeting.pk, 1])).status_code == 404
    home = client.get(reverse("home"))
    assert home.status_code == 200 and "You do not have a role yet" in home.content.decode()


def test_ending_the_access_or_withdrawing_the_invitation_ends_it_on_the_next_request(meeting, chair, external, login):
    guest = grant(chair, external)
    client = signed_in_guest(guest)
    url = reverse("meetings:meeting_detail", args=[meeting.pk])

    assert login(chair).post(reverse("meetings:guest_end", args=[meeting.pk, external.pk])).status_code == 302
    assert client.get(url).status_code == 404
    assert guest.history.first().history_user == chair

    guest.expires_at = timezone.now() + dt.timedelta(days=1)
    guest.save()
    assert client.get(url).status_code == 200
    services.invitation_remove(actor=chair, invitation=Invitation.objects.get(pk=external.pk))
    assert not GuestAccess.objects.exists()
    assert client.get(url).status_code == 404
    assert get_user_model().objects.filter(pk=guest.user_id).exists()  # the account stays, with nothing to see
