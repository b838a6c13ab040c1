"""Sign-in you can trust (issue 7 §1): password then code, lockout, enforcement by role,
inactivity, the sign-in record, CSRF on every sign-in POST."""

from __future__ import annotations

import csv
import io
import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY
from axes.models import AccessAttempt
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client, override_settings
from django.urls import reverse

from demo.authenticator import DEMO_TOTP_SECRET, totp_code
from accounts.models import SignInEvent, SignInEventKind as Kind
from accounts.receivers import LAST_SEEN_AT, SIGNED_IN_AT
from agencies.models import Role
from tests.agencies.factories import TOTP_SECRET, UserFactory, member

pytestmark = pytest.mark.django_db

PASSWORD = "test-password-123"
LOGIN = "/accounts/login/"
CODE_PAGE = "/accounts/2fa/authenticate/"
SETUP = "/accounts/2fa/totp/activate/"
BROWSER = "Mozilla/5.0 (test browser)"


def _client(**kwargs) -> Client:
    return Client(HTTP_USER_AGENT=BROWSER, **kwargs)


def _password(client, username, password=PASSWORD, **extra):
    return client.post(LOGIN, {"login": username, "password": password}, **extra)


def _events(*kinds):
    return list(SignInEvent.objects.filter(kind__in=kinds).order_by("pk"))


# --- Password, then code ---------------------------------------------------------------------

def test_sign_in_needs_the_password_and_then_the_code(lado_officer):
    client = _client()
    response = _password(client, "officer")
    assert response.status_code == 302 and response.url == CODE_PAGE
    # Not signed in yet: every page sends them back to the sign-in page.
    assert client.get(reverse("home")).url.startswith(LOGIN)

    page = client.get(CODE_PAGE)
    assert page.status_code == 200
    assert "Enter the code from your authenticator app" in page.content.decode()
    response = client.post(CODE_PAGE, {"code": totp_code(TOTP_SECRET)})
    assert response.status_code == 302
    assert client.get(reverse("home")).url == reverse("allegations:my_work")

    [event] = _events(Kind.SIGNED_IN)
    assert (event.user, event.username, event.ip_address, event.user_agent) == (lado_officer, "officer", "127.0.0.1", BROWSER)


def test_a_wrong_code_is_refused_and_recorded(lado_officer):
    client = _client()
    _password(client, "officer")
    wrong = f"{(int(totp_code(TOTP_SECRET)) + 1) % 1_000_000:06d}"
    response = client.post(CODE_PAGE, {"code": wrong})
    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body and 'href="#id_code"' in body
    assert client.get(reverse("home")).url.startswith(LOGIN)
    [event] = _events(Kind.CODE_FAILED)
    assert event.user == lado_officer and event.ip_address == "127.0.0.1"
    assert not _events(Kind.SIGNED_IN)


def test_a_recovery_code_works_instead_of_the_app(lado_officer):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    code = RecoveryCodes.activate(lado_officer).get_unused_codes()[0]
    client = _client()
    _password(client, "officer")
    assert client.post(CODE_PAGE, {"code": code}).status_code == 302
    assert client.get(reverse("home")).url == reverse("allegations:my_work")


def test_a_wrong_password_is_one_message_whether_or_not_the_username_exists(lado_officer):
    known = _password(_client(), "officer", "not-the-password").content.decode()
    unknown = _password(_client(), "nobody-at-all", "not-the-password").content.decode()
    for body in (known, unknown):
        assert "Enter a correct username and password" in body
    # A username that names no account is not kept: it may be a password typed in the wrong box.
    assert [e.username for e in _events(Kind.PASSWORD_FAILED)] == ["officer", ""]
    assert _events(Kind.PASSWORD_FAILED)[0].user is None  # a failure names what was typed, not an account


# --- Lockout ---------------------------------------------------------------------------------

def _fail(client, username, times, **extra):
    for _ in range(times):
        _password(client, username, "wrong-password", **extra)


@pytest.mark.parametrize("username", ["officer", "no-such-person"])
def test_five_failures_lock_the_username_from_that_address_without_saying_whether_it_exists(lado_officer, username):
    client = _client()
    _fail(client, username, 5)
    # Now even the right password is refused, and the page says why.
    response = _password(client, username)
    assert response.status_code == 429
    body = response.content.decode()
    assert "Too many failed attempts" in body and "30 minutes" in body
    assert username not in body
    assert _events(Kind.LOCKED_OUT)
    # Another username from the same address is not locked.
    assert _password(_client(), "officer" if username != "officer" else "someone-else", "x").status_code == 200


def test_a_forged_x_forwarded_for_does_not_reset_the_count(lado_officer):
    client = _client()
    for n in range(5):
        _password(client, "officer", "wrong-password", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")
    response = _password(client, "officer", HTTP_X_FORWARDED_FOR="192.0.2.99")
    assert response.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"127.0.0.1"}


@override_settings(BEHIND_TLS_PROXY=True)
def test_behind_our_proxy_only_the_address_the_proxy_added_counts(lado_officer):
    """The proxy appends the address it saw; whatever the client put before it is ignored."""
    client = _client()
    for n in range(5):
        _password(client, "officer", "wrong-password", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}, 203.0.113.7")
    assert _password(client, "officer", HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.7").status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.7"}
    assert SignInEvent.objects.filter(kind=Kind.PASSWORD_FAILED).values_list("ip_address", flat=True).distinct().get() \
        == "203.0.113.7"


def test_a_lado_manager_sees_locked_accounts_and_unlocks_one(lado_officer, lado_manager, login):
    _fail(_client(), "officer", 5)
    manager = login(lado_manager)
    page = manager.get(reverse("accounts:locked")).content.decode()
    assert "officer" in page and "127.0.0.1" in page
    attempt = AccessAttempt.objects.get(username="officer")
    response = manager.post(reverse("accounts:locked"), {"attempt": attempt.pk})
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    [event] = _events(Kind.UNLOCKED)
    assert (event.user, event.actor) == (lado_officer, lado_manager)
    # They can sign in again.
    assert _password(_client(), "officer").url == CODE_PAGE


def test_only_lado_managers_and_administrators_see_locks_and_the_record(lado_officer, agency_a_manager, login):
    for user in (lado_officer, agency_a_manager):
        client = login(user)
        for name in ("accounts:locked", "accounts:sign_ins", "accounts:sign_ins_csv"):
            assert client.get(reverse(name)).status_code == 403
        assert client.post(reverse("accounts:locked"), {"attempt": 1}).status_code == 403
    admin = member(UserFactory(username="partnership.admin"), agency_a_manager.memberships.first().agency,
                   Role.ADMINISTRATOR)
    assert login(admin).get(reverse("accounts:sign_ins")).status_code == 200


# --- Two-factor authentication is required ---------------------------------------------------

def test_someone_without_an_authenticator_is_sent_to_set_one_up_first(lado_service, login,
                                                                     django_capture_on_commit_callbacks):
    user = member(UserFactory(username="newcomer", authenticator=False), lado_service, Role.LADO_OFFICER)
    client = login(user)
    for path in (reverse("home"), reverse("allegations:case_list"), reverse("accounts:home")):
        assert client.get(path).url == SETUP, path
    assert client.get("/static/govuk/app.css").status_code == 200

    page = client.get(SETUP)
    body = page.content.decode()
    assert page.status_code == 200
    assert 'src="data:image/svg+xml;base64,' in body  # the QR code, inline (CSP: img-src data:)
    secret = client.session[SECRET_SESSION_KEY]  # the key allauth made for this set-up
    assert " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)) in body  # the key as text, for typing

    assert client.post(SETUP, {"code": "000000" if totp_code(secret) != "000000" else "111111"}).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(SETUP, {"code": totp_code(secret)})
    assert response.status_code == 302 and response.url == reverse("mfa_view_recovery_codes")
    assert "Your recovery codes" in client.get(response.url).content.decode()
    assert client.get(reverse("home")).url == reverse("allegations:my_work")
    assert _events(Kind.MFA_ADDED)[0].user == user


@override_settings(MFA_REQUIRED_ROLES=[Role.LADO_OFFICER])
def test_the_roles_that_need_it_are_a_setting(agency_a, lado_service, login):
    viewer = member(UserFactory(username="viewer2", authenticator=False), agency_a, Role.AGENCY_VIEWER)
    officer = member(UserFactory(username="officer2", authenticator=False), lado_service, Role.LADO_OFFICER)
    assert login(viewer).get(reverse("home")).url == reverse("allegations:case_list")
    assert login(officer).get(reverse("home")).url == SETUP


def test_removing_the_authenticator_is_recorded_and_sends_them_back_to_set_up(lado_officer,
                                                                              django_capture_on_commit_callbacks):
    client = _client()
    _password(client, "officer")
    client.post(CODE_PAGE, {"code": totp_code(TOTP_SECRET)})
    page = client.get(reverse("mfa_deactivate_totp"))
    assert page.url.startswith("/accounts/reauthenticate/")  # the password again before changing how you sign in
    assert client.post(page.url, {"password": PASSWORD}).status_code == 302
    assert "Remove your authenticator app" in client.get(reverse("mfa_deactivate_totp")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("mfa_deactivate_totp")).status_code == 302
    assert not Authenticator.objects.filter(user=lado_officer, type=Authenticator.Type.TOTP).exists()
    assert _events(Kind.MFA_REMOVED)[0].user == lado_officer
    assert client.get(reverse("home")).url == SETUP


# --- Inactivity ------------------------------------------------------------------------------

def _age_session(client, **seconds_ago):
    session = client.session
    for key, ago in seconds_ago.items():
        session[key] = int(time.time()) - ago
    session.save()


def test_thirty_minutes_without_a_request_signs_you_out(lado_officer, login):
    client = login(lado_officer)
    assert client.get(reverse("home")).status_code == 302
    _age_session(client, **{LAST_SEEN_AT: 29 * 60})
    assert client.get(reverse("allegations:case_list")).status_code == 200  # still within the half hour

    _age_session(client, **{LAST_SEEN_AT: 31 * 60})
    response = client.get(reverse("allegations:case_list"))
    assert response.status_code == 302 and response.url == f"{LOGIN}?signed_out=inactive"
    page = client.get(response.url).content.decode()
    assert "signed out because you had not used the service for 30 minutes" in page
    assert client.get(reverse("allegations:case_list")).url.startswith(LOGIN)
    assert _events(Kind.TIMED_OUT)[0].user == lado_officer


def test_eight_hours_after_signing_in_you_are_signed_out_however_busy(lado_officer, login):
    client = login(lado_officer)
    _age_session(client, **{SIGNED_IN_AT: 8 * 3600 + 60, LAST_SEEN_AT: 10})
    response = client.get(reverse("allegations:case_list"))
    assert response.url == f"{LOGIN}?signed_out=expired"
    assert "signed in for 8 hours" in client.get(response.url).content.decode()
    assert _events(Kind.SESSION_ENDED)


def test_an_ordinary_request_does_not_rewrite_the_session(lado_officer, login, django_assert_num_queries):
    client = login(lado_officer)
    client.get(reverse("accounts:home"))
    key = client.session.session_key
    from accounts.models import UserSession

    before = UserSession.objects.get(pk=key).session_data
    client.get(reverse("accounts:home"))
    assert UserSession.objects.get(pk=key).session_data == before


# --- CSRF ------------------------------------------------------------------------------------

def test_csrf_is_enforced_on_the_password_and_code_posts(lado_officer):
    client = _client(enforce_csrf_checks=True)
    assert _password(client, "officer").status_code == 403
    client.get(LOGIN)
    token = client.cookies["csrftoken"].value
    response = client.post(LOGIN, {"login": "officer", "password": PASSWORD, "csrfmiddlewaretoken": token})
    assert response.url == CODE_PAGE
    assert client.post(CODE_PAGE, {"code": totp_code(TOTP_SECRET)}).status_code == 403
    assert client.get(reverse("home")).url.startswith(LOGIN)
    response = client.post(CODE_PAGE, {"code": totp_code(TOTP_SECRET), "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert client.get(reverse("home")).url == reverse("allegations:my_work")
    assert client.post("/accounts/logout/").status_code == 403  # signing out is a POST with a token too
    assert client.post(reverse("mfa_deactivate_totp")).status_code == 403


# --- The record ------------------------------------------------------------------------------

def test_sign_out_is_recorded_and_you_see_your_own_sign_ins(lado_officer):
    client = _client()
    _password(client, "officer")
    client.post(CODE_PAGE, {"code": totp_code(TOTP_SECRET)})
    page = client.get(reverse("accounts:home")).content.decode()
    assert "Your recent sign-ins" in page and "Signed in" in page and BROWSER in page
    client.post("/accounts/logout/")
    assert _events(Kind.SIGNED_OUT)[0].user == lado_officer


def test_the_record_downloads_as_csv_with_nothing_a_spreadsheet_would_run(lado_manager, login):
    UserFactory(username="=HYPERLINK(\"http://evil\")")  # an account with a hostile name
    _password(_client(), "=HYPERLINK(\"http://evil\")", "x")
    _password(_client(), "officer-typo", "x")  # names no account: kept without the typed name
    client = login(lado_manager)
    page = client.get(reverse("accounts:sign_ins"), {"kind": "password_failed"}).content.decode()
    assert "officer-typo" not in page
    response = client.get(reverse("accounts:sign_ins_csv"), {"kind": "password_failed"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["Time (UTC)", "Event", "Username tried"]
    tried = sorted(r[2] for r in rows[1:])
    assert tried == sorted(["'=HYPERLINK(\"http://evil\")", ""])
    assert all(r[1] == "Sign-in failed (username or password)" and r[4] == "127.0.0.1" for r in rows[1:])


# --- The demo authenticator ------------------------------------------------------------------

@override_settings(DEBUG=False, DEMO_DATA=False)
def test_demo_code_refuses_unless_demo_data_is_on():
    with pytest.raises(CommandError, match="Refused"):
        call_command("demo_code")


@override_settings(DEMO_DATA=True, SITE_URL="https://lado.example.org")
def test_demo_code_and_seed_demo_refuse_on_https():
    with pytest.raises(CommandError, match="Refused"):
        call_command("demo_code")
    with pytest.raises(CommandError, match="SITE_URL is https"):
        call_command("seed_demo")


@override_settings(DEMO_DATA=True)
def test_demo_code_prints_the_current_code(capsys):
    call_command("demo_code")
    assert capsys.readouterr().out.strip() in {totp_code(DEMO_TOTP_SECRET, step=s) for s in (0, -1)}


def test_every_accounts_url_is_in_the_authorization_matrix():
    from django.urls import get_resolver

    from tests.allegations.test_permissions import MATRIX

    names = {p.name for p in get_resolver().namespace_dict["accounts"][1].url_patterns}
    assert names and {f"accounts:{n}" for n in names} <= set(MATRIX)


def test_the_admin_sign_in_cannot_skip_the_code(lado_service):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client = _client()
    response = client.post("/admin/login/?next=/admin/", {"username": "root", "password": PASSWORD})
    assert response.status_code == 302 and response.url.startswith(LOGIN)
    assert client.get("/admin/").url.startswith("/admin/login/")
    _password(client, "root")
    client.post(CODE_PAGE, {"code": totp_code(TOTP_SECRET)})
    assert client.get("/admin/").status_code == 200
    assert admin.sign_in_events.filter(kind=Kind.SIGNED_IN).count() == 1


def test_wrong_codes_count_towards_the_lockout_too(lado_officer):
    client = _client()
    _password(client, "officer")
    wrong = f"{(int(totp_code(TOTP_SECRET)) + 500_000) % 1_000_000:06d}"
    statuses = [client.post(CODE_PAGE, {"code": wrong}).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    # The sign-in already begun cannot go on guessing, even with the right code.
    response = client.post(CODE_PAGE, {"code": totp_code(TOTP_SECRET)})
    assert "Too many failed attempts" in response.content.decode()
    assert client.get(reverse("home")).url.startswith(LOGIN)
    assert len(_events(Kind.CODE_FAILED)) == 5 and _events(Kind.LOCKED_OUT)
    # Nor can a new one: the username is locked from this address.
    assert _password(_client(), "officer").status_code == 429


def test_administrators_read_the_record_in_the_admin_too(lado_service, login):
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    UserFactory(username="someone")
    _password(_client(), "someone", "x")
    _password(_client(), "typed-in-the-wrong-box", "x")
    page = login(root).get("/admin/accounts/signinevent/")
    assert page.status_code == 200 and "someone" in page.content.decode()
    assert "typed-in-the-wrong-box" not in page.content.decode()
