"""Access that ends when it should, and nothing that lingers (issue 12 §3 and §4): deactivating a
person or removing their last role ends their sessions; every page and download says no-store;
the sign-in record keeps no username that names no account; a LADO manager unlocks only the
people of their own service."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from accounts.models import SignInEvent, SignInEventKind, UserSession
from agencies.models import Membership, Role
from tests.agencies.factories import UserFactory, member

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def _signed_in(login, user) -> Client:
    client = login(user)
    assert client.get(reverse("allegations:case_list")).status_code == 200
    assert UserSession.objects.filter(user_id=user.pk).exists()
    return client


def _signed_out(client) -> bool:
    return client.get(reverse("allegations:case_list")).url.startswith(LOGIN)


def _admin(login, lado_service):
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    return login(root)


# --- Sessions end with the account or its last role ------------------------------------------

def test_deactivating_someone_ends_their_sessions_and_reactivating_does_not_revive_them(lado_officer, login):
    first, second = _signed_in(login, lado_officer), _signed_in(login, lado_officer)
    lado_officer.is_active = False
    lado_officer.save()
    assert not UserSession.objects.filter(user_id=lado_officer.pk).exists()
    lado_officer.is_active = True
    lado_officer.save()
    assert _signed_out(first) and _signed_out(second)


def test_removing_the_last_role_ends_their_sessions(lado_officer, agency_a_manager, login):
    client = _signed_in(login, agency_a_manager)
    other = _signed_in(login, lado_officer)
    Membership.objects.get(user=agency_a_manager).delete()
    assert _signed_out(client)
    # Their role given back: the old cookie still does not work; other people are untouched.
    member(agency_a_manager, lado_officer.memberships.get().agency, Role.LADO_OFFICER)
    assert _signed_out(client)
    assert other.get(reverse("allegations:case_list")).status_code == 200


def test_removing_one_of_several_roles_keeps_the_session(lado_officer, agency_a, login):
    member(lado_officer, agency_a, Role.AGENCY_VIEWER)
    client = _signed_in(login, lado_officer)
    Membership.objects.get(user=lado_officer, agency=agency_a).delete()
    assert client.get(reverse("allegations:case_list")).status_code == 200


def test_deactivating_an_agency_ends_the_sessions_of_those_it_leaves_without_a_role(agency_a_manager, login):
    client = _signed_in(login, agency_a_manager)
    agency = agency_a_manager.memberships.get().agency
    agency.is_active = False
    agency.save()
    assert _signed_out(client)


def test_deactivating_in_the_administration_ends_their_sessions(lado_officer, lado_service, login):
    client = _signed_in(login, lado_officer)
    admin = _admin(login, lado_service)
    url = reverse("admin:auth_user_change", args=[lado_officer.pk])
    membership = lado_officer.memberships.get()
    data = {
        "username": lado_officer.username, "first_name": "A", "last_name": "B", "email": "a@example.org",
        "is_active": "", "date_joined_0": "2026-01-01", "date_joined_1": "09:00:00",
        "memberships-TOTAL_FORMS": "1", "memberships-INITIAL_FORMS": "1", "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000", "memberships-0-id": membership.pk, "memberships-0-user": lado_officer.pk,
        "memberships-0-agency": membership.agency_id, "memberships-0-role": membership.role,
    }
    response = admin.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    lado_officer.refresh_from_db()
    assert not lado_officer.is_active
    assert _signed_out(client)
    # Made active again in the administration: the old cookie stays dead.
    data["is_active"] = "on"
    assert admin.post(url, data).status_code == 302
    assert _signed_out(client)


def test_removing_the_last_role_in_the_administration_ends_their_sessions(agency_a_manager, lado_service, login):
    client = _signed_in(login, agency_a_manager)
    membership = agency_a_manager.memberships.get()
    response = _admin(login, lado_service).post(
        reverse("admin:agencies_membership_delete", args=[membership.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert _signed_out(client)


# --- Nothing kept by a browser or a proxy ----------------------------------------------------------

@pytest.mark.parametrize("name", ["allegations:case_list", "allegations:my_work", "accounts:home", "inbox"])
def test_signed_in_pages_are_not_stored(lado_officer, login, name):
    response = login(lado_officer).get(reverse(name))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store, private"


def test_downloads_are_not_stored(lado_manager, login):
    client = login(lado_manager)
    for name in ("accounts:sign_ins_csv", "records:access_log_csv", "reporting:annual_csv"):
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        assert response["Cache-Control"] == "no-store, private", name


# --- The sign-in record and unlocking ----------------------------------------------------------------

def test_a_typed_username_that_names_no_account_is_never_shown(lado_officer, lado_manager, login):
    client = Client()
    client.post(LOGIN, {"login": "hunter2-my-password", "password": "x"})
    client.post(LOGIN, {"login": "OFFICER", "password": "x"})  # an account's name, typed in capitals
    assert not SignInEvent.objects.filter(username__icontains="hunter2").exists()
    assert set(SignInEvent.objects.filter(kind=SignInEventKind.PASSWORD_FAILED).values_list("username", flat=True)) == {
        "", "officer"}
    manager = login(lado_manager)
    for name in ("accounts:sign_ins", "accounts:sign_ins_csv"):
        response = manager.get(reverse(name))
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert b"hunter2" not in body


def _lock(username):
    client = Client()
    for _ in range(5):
        client.post(LOGIN, {"login": username, "password": "wrong"})
    return AccessAttempt.objects.get(username=username)


def test_a_lado_manager_unlocks_only_the_people_of_their_own_service(lado_manager, lado_officer, agency_a_manager,
                                                                      other_officer, login):
    ours, served, theirs, nobody = (_lock("officer"), _lock("a.manager"), _lock("elsewhere"),
                                    _lock("no-such-account"))
    client = login(lado_manager)
    page = client.get(reverse("accounts:locked")).content.decode()
    assert "officer" in page and "a.manager" in page
    assert "elsewhere" not in page and "no-such-account" not in page
    # Unlocking another service's person does nothing, whatever is posted.
    for attempt in (theirs, nobody):
        client.post(reverse("accounts:locked"), {"attempt": attempt.pk})
        assert AccessAttempt.objects.filter(pk=attempt.pk).exists()
    for attempt in (ours, served):
        client.post(reverse("accounts:locked"), {"attempt": attempt.pk})
        assert not AccessAttempt.objects.filter(pk=attempt.pk).exists()
    # The other service's manager unlocks their own officer.
    other_manager = member(UserFactory(username="elsewhere.manager"), other_officer.memberships.get().agency,
                           Role.LADO_MANAGER)
    login(other_manager).post(reverse("accounts:locked"), {"attempt": theirs.pk})
    assert not AccessAttempt.objects.filter(pk=theirs.pk).exists()


def test_upgrading_blanks_the_unknown_usernames_already_recorded(lado_officer):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("accounts.migrations.0002_user_sessions_and_unknown_usernames")
    SignInEvent.objects.create(kind=SignInEventKind.PASSWORD_FAILED, username="my-secret-password")
    SignInEvent.objects.create(kind=SignInEventKind.PASSWORD_FAILED, username="Officer")
    migration.forget_unknown_usernames(apps, None)
    assert sorted(SignInEvent.objects.values_list("username", flat=True)) == ["", "Officer"]
