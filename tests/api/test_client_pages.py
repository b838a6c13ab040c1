"""The partnership administrator's API clients pages: make a client (its secret shown once, kept hashed),
list, revoke; nobody else may use them."""

from __future__ import annotations

import pytest

from agencies.models import Role
from api.models import ApiClient

from .helpers import administrator, token_response

pytestmark = pytest.mark.django_db


def test_the_administrator_makes_a_client_and_sees_its_secret_once(login, agency_a):
    admin = login(administrator())
    assert admin.get("/api-clients/").status_code == 200
    page = admin.post("/api-clients/new/", {"name": "Riverside HR", "agency": agency_a.pk, "role": Role.SENIOR_MANAGER,
                                            "scopes": ["refer", "cases"]})
    assert page.status_code == 200 and b"API client made" in page.content
    client = ApiClient.objects.get(name="Riverside HR")
    assert client.user.memberships.get().agency == agency_a and not client.user.has_usable_password()
    secret = page.content.decode().split('id="client-secret">')[1].split("<")[0]
    assert secret not in client.application.client_secret  # kept hashed
    assert token_response(client.application.client_id, secret).status_code == 200
    listing = admin.get("/api-clients/")
    assert b"Riverside HR" in listing.content and secret.encode() not in listing.content
    revoked = admin.post(f"/api-clients/{client.pk}/revoke/", {"reason": "Replaced"})
    assert revoked.status_code == 302
    client.refresh_from_db()
    assert client.revoked_at is not None and not client.user.is_active


def test_a_scope_the_role_cannot_have_is_refused_with_a_message(login, agency_a):
    admin = login(administrator())
    page = admin.post("/api-clients/new/", {"name": "Viewer", "agency": agency_a.pk, "role": Role.AGENCY_VIEWER,
                                            "scopes": ["refer"]})
    assert page.status_code == 200 and b"cannot: submit referrals" in page.content
    assert not ApiClient.objects.exists()


def test_nobody_else_may_use_the_pages(login, agency_a_manager, lado_manager):
    for user in (agency_a_manager, lado_manager):
        client = login(user)
        assert client.get("/api-clients/").status_code == 403
        assert client.post("/api-clients/new/", {"name": "X"}).status_code == 403
    assert not ApiClient.objects.exists()
