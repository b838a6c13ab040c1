"""The person is read in the session's own query (accounts/sessions.py) and Django's checks still hold:
a changed password, a deactivated account and a session row naming someone else all count as before."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import UserSession
from tests.agencies.factories import UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
PAGE = "allegations:case_list"


def test_a_signed_in_request_reads_the_session_and_its_person_in_one_query(lado_officer, login):
    client = login(lado_officer)
    client.get(reverse(PAGE))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(PAGE))
    assert response.status_code == 200
    assert response.wsgi_request.user == lado_officer
    sql = [q["sql"] for q in queries.captured_queries]
    assert 'FROM "accounts_usersession" s LEFT JOIN "auth_user" u' in sql[0]
    assert not [s for s in sql if s.startswith('SELECT "auth_user"."id"') and '"auth_user"."id" = ' in s]
    assert f"Signed in as <strong>{lado_officer.get_full_name() or lado_officer.username}</strong>" in (
        response.content.decode()
    )


def test_the_person_read_with_the_session_is_the_row_django_would_read(lado_officer, login):
    client = login(lado_officer)
    user = client.get(reverse(PAGE)).wsgi_request.user
    fresh = get_user_model().objects.get(pk=lado_officer.pk)
    fields = [f.attname for f in get_user_model()._meta.concrete_fields]
    assert [getattr(user, f) for f in fields] == [getattr(fresh, f) for f in fields]
    assert not user._state.adding and user._state.db == "default"


def test_a_changed_password_still_signs_out_other_sessions(lado_officer, login):
    client = login(lado_officer)
    assert client.get(reverse(PAGE)).status_code == 200
    lado_officer.set_password("a-new-password-entirely-1")
    lado_officer.save()
    assert client.get(reverse(PAGE)).url.startswith(LOGIN)


def test_a_deactivated_person_is_signed_out_even_if_their_session_row_is_left(lado_officer, login):
    client = login(lado_officer)
    assert client.get(reverse(PAGE)).status_code == 200
    get_user_model().objects.filter(pk=lado_officer.pk).update(is_active=False)  # no signal: the row stays
    assert UserSession.objects.filter(user_id=lado_officer.pk).exists()
    assert client.get(reverse(PAGE)).url.startswith(LOGIN)


def test_the_session_data_decides_who_is_signed_in_not_the_user_id_column(lado_officer, login):
    someone_else = UserFactory(username="someone-else")
    client = login(lado_officer)
    client.get(reverse(PAGE))
    UserSession.objects.filter(pk=client.session.session_key).update(user_id=someone_else.pk)
    response = client.get(reverse(PAGE))
    assert response.status_code == 200 and response.wsgi_request.user == lado_officer
