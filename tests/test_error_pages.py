"""Error pages people can act on (issue 11 §3): 400, 403, 404, 500 and the CSRF failure, in the GOV.UK
layout with the navigation for a signed-in person and a way back (config/errors.py, templates/errors/).
In the browser, with axe: tests/browser/test_error_pages.py."""

from __future__ import annotations

import re

import pytest
from django.test import Client, RequestFactory
from django.urls import get_resolver, reverse

from config import errors

NAV_TRIAGE = 'href="/triage/"'  # the navigation of a LADO officer


def _text(response) -> str:
    return " ".join(response.content.decode().split())


def _without_tokens(html: str) -> str:
    """The page without what differs on every response: the CSRF token and the CSP nonce."""
    return re.sub(r'(name="csrfmiddlewaretoken" value|nonce)="[^"]*"', "", html)


@pytest.mark.django_db
def test_a_page_not_found_has_the_navigation_and_a_way_back(login, lado_officer):
    client = login(lado_officer)
    response = client.get("/no-such-page/", HTTP_REFERER="http://testserver/triage/")
    assert response.status_code == 404
    page = _text(response)
    assert "<h1 class=\"govuk-heading-l\">Page not found</h1>" in page
    assert NAV_TRIAGE in page and "Sign out" in page
    assert '<a href="http://testserver/triage/" class="govuk-back-link">Back</a>' in page
    assert '<a class="govuk-link" href="/">your start page</a>' in page


@pytest.mark.django_db
def test_a_back_link_never_leads_off_the_site(login, lado_officer):
    page = _text(login(lado_officer).get("/no-such-page/", HTTP_REFERER="https://evil.example/phish"))
    assert "evil.example" not in page and "govuk-back-link" not in page


@pytest.mark.django_db
def test_a_case_outside_the_users_agencies_is_the_same_404_as_one_that_does_not_exist(login, case, agency_b_outsider):
    client = login(agency_b_outsider)
    there = client.get(reverse("allegations:case_detail", args=[case.reference]))
    not_there = client.get(reverse("allegations:case_detail", args=["MAS-1999-99999"]))
    assert there.status_code == not_there.status_code == 404
    assert _without_tokens(there.content.decode()) == _without_tokens(not_there.content.decode())
    assert case.reference not in there.content.decode()


@pytest.mark.django_db
def test_a_page_for_other_roles_says_which_roles_and_whom_to_ask(login, lado_officer):
    response = login(lado_officer).get(reverse("reporting:dashboard"))
    assert response.status_code == 403
    page = _text(response)
    assert "<h1 class=\"govuk-heading-l\">You cannot use this page</h1>" in page
    assert "This page is for people with one of these roles:" in page
    assert "<li>Business unit analyst</li> <li>LADO service manager</li>" in page
    assert "ask your LADO service manager or the partnership administrator to give you the role" in page
    assert NAV_TRIAGE in page


@pytest.mark.django_db
def test_an_action_refused_on_a_record_one_can_see_says_so_in_words(login, referral, agency_a_viewer):
    response = login(agency_a_viewer).get(reverse("records:referral_document_upload", args=[referral.reference]))
    assert response.status_code == 403
    page = _text(response)
    assert "You cannot use this page" in page and "Your role does not let you do this." in page
    assert "one of these roles" not in page


@pytest.mark.django_db
def test_a_form_sent_without_its_security_token_says_what_to_do(lado_officer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(lado_officer)
    response = client.post(reverse("inbox"), HTTP_REFERER="http://testserver/inbox/")
    assert response.status_code == 403
    page = _text(response)
    assert "<h1 class=\"govuk-heading-l\">Your form could not be sent</h1>" in page
    assert "reload the page and send the form again" in page
    assert NAV_TRIAGE in page and '<a href="http://testserver/inbox/" class="govuk-back-link">Back</a>' in page


@pytest.mark.django_db
def test_a_request_for_another_host_is_a_400_page():
    response = Client().get("/accounts/login/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "Sorry, there is a problem with that request" in _text(response)


@pytest.mark.django_db
@pytest.mark.urls("tests.error_urls")
def test_a_bad_request_is_a_400_page(login, lado_officer):
    response = login(lado_officer).get("/test-errors/bad/")
    assert response.status_code == 400
    page = _text(response)
    assert "<h1 class=\"govuk-heading-l\">Sorry, there is a problem with that request</h1>" in page
    assert NAV_TRIAGE in page


@pytest.mark.django_db
@pytest.mark.urls("tests.error_urls")
def test_a_bug_is_a_500_page_without_the_persons_details(login, lado_officer):
    client = login(lado_officer)
    client.raise_request_exception = False
    response = client.get("/test-errors/broken/")
    assert response.status_code == 500
    page = _text(response)
    assert "<h1 class=\"govuk-heading-l\">Sorry, there is a problem with the service</h1>" in page
    assert '<a class="govuk-link" href="/">your start page</a>' in page
    assert "Signed in as" not in page and NAV_TRIAGE not in page  # nothing read from the session or database


def test_the_500_page_renders_without_the_database():
    """No django_db mark: any query here would fail the test."""
    assert get_resolver().resolve_error_handler(500) is errors.server_error
    response = errors.server_error(RequestFactory().get("/anything/"))
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.content.decode()


def test_every_error_page_shares_one_layout():
    from pathlib import Path

    from django.conf import settings

    templates = Path(settings.BASE_DIR) / "templates"
    for name in ("400.html", "403.html", "404.html", "500.html", "errors/csrf.html"):
        assert '{% extends "errors/_layout.html" %}' in (templates / name).read_text(), name
    assert settings.CSRF_FAILURE_VIEW == "config.errors.csrf_failure"
