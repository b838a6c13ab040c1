"""CSRF: every URL, POSTed without the token by a signed-in person who may use it, is refused with
Django's CSRF failure (403) and writes nothing. One view is exempt, as it is no browser's: GOV.UK Notify's
delivery receipts, whose credential is a bearer token (NOTIFY_CALLBACK_TOKEN), never a session; a signed-in
person's POST to it is refused too (403) and writes nothing."""

from __future__ import annotations

import pytest
from django.test import Client

from .urls import NoFiller, all_routes
from .test_url_sweep import url_of
from .writes import written_since, writes

pytestmark = pytest.mark.django_db

ROUTES = all_routes()
# Who is signed in for each URL: someone the page is for, so a refusal is the token's doing.
USER_FOR = {"reporting:": "analyst", "assurance:": "analyst"}
# Views called by a service outside, with a credential of their own instead of a session (and so no CSRF token).
CSRF_EXEMPT = {"outbox:notify_receipt"}  # GOV.UK Notify's receipts: outbox/views.py, a bearer token
# The partner API (api/): every operation authenticates by an OAuth 2 bearer token only, never the session's cookie
# (REST_FRAMEWORK's one authentication class), so there is nothing for a forged form to ride on.
API = "api:"


def _csrf_client(world, route) -> Client:
    persona = next((p for prefix, p in USER_FOR.items() if route.name.startswith(prefix)), "lado_manager")
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.people[persona])
    return client


def test_no_view_is_csrf_exempt():
    exempt = {str(r) for r in ROUTES if getattr(r.callback, "csrf_exempt", False)}
    assert {name for name in exempt if not name.startswith(API)} == CSRF_EXEMPT


def test_the_api_accepts_no_session_so_needs_no_csrf_token():
    from django.conf import settings

    assert settings.REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"] == ["api.authentication.ClientTokenAuthentication"]


@pytest.mark.parametrize("route", ROUTES, ids=[str(r) for r in ROUTES])
def test_a_post_without_the_token_is_refused_and_writes_nothing(world, route):
    try:
        url = url_of(route, world)
    except NoFiller as error:
        pytest.fail(str(error))
    client = _csrf_client(world, route)
    before = writes()
    response = client.post(url, {"reason": "Forged", "decision": "approve", "reveal": ["referrer:1"], "year": "2022"})
    if route.name.startswith(API):  # a session is no credential here: refused for want of a bearer token
        assert response.status_code >= 400, f"POST {url} with a session only: {response.status_code}"
        assert written_since(before) == {}
        return
    assert response.status_code == 403, f"POST {url} without a CSRF token: {response.status_code}"
    if route.name in CSRF_EXEMPT:  # refused by its own credential's check: a session is not one
        assert b"Not allowed" in response.content, f"POST {url}: a 403, but not the bearer token's check"
    else:
        assert b"Your form could not be sent" in response.content, f"POST {url}: a 403, but not the CSRF check's"
    assert written_since(before) == {}


def test_the_same_post_with_the_token_gets_past_the_check(world):
    """The control: with a token, the CSRF check lets the request through to the view."""
    route = next(r for r in ROUTES if r.name == "governance:deletion_decide")
    url = url_of(route, world)
    client = _csrf_client(world, route)
    page = client.get(url)
    token = page.cookies["csrftoken"].value if "csrftoken" in page.cookies else client.cookies["csrftoken"].value
    response = client.post(url, {"csrfmiddlewaretoken": token, "decision": ""})
    assert response.status_code != 403 or b"Your form could not be sent" not in response.content
