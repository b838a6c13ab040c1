"""The partner API: tokens, a referral sent through it (the form's checks and words), reading the agency's
referrals and cases at its level, problem details, paging and the access log."""

from __future__ import annotations

import json

import pytest

from agencies.models import Role
from allegations.models import AccessLog, Referral
from api.models import ApiClient, IdempotentRequest, Scope
from tests.allegations.factories import make_case, make_referral

from .helpers import REFERRAL, bearer, make_client, token_response

pytestmark = pytest.mark.django_db


def post_json(client, url, body, **headers):
    return client.post(url, json.dumps(body), content_type="application/json", **headers)


def test_a_token_is_given_for_the_client_credentials_and_the_secret_is_kept_hashed(agency_a):
    made = make_client(agency_a, Role.SENIOR_MANAGER)
    stored = ApiClient.objects.get(pk=made.client.pk).application.client_secret
    assert made.client_secret not in stored and stored.startswith(("md5$", "pbkdf2"))
    response = token_response(made.client_id, made.client_secret)
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] <= 600
    assert set(body["scope"].split()) == {"refer", "cases", "actions", "meetings"}
    assert token_response(made.client_id, "wrong").status_code == 401


def test_without_a_token_the_api_answers_401_as_a_problem(agency_a):
    from django.test import Client

    response = Client().get("/api/v1/cases/")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"].startswith("Bearer")
    body = response.json()
    assert body["status"] == 401 and body["title"] == "Unauthorized" and body["instance"] == "/api/v1/cases/"


def test_a_referral_sent_through_the_api_is_made_once_for_a_retried_key(agency_a, lado_service):
    made = make_client(agency_a, Role.SENIOR_MANAGER)
    api = bearer(made)
    first = post_json(api, "/api/v1/referrals/", REFERRAL, HTTP_IDEMPOTENCY_KEY="key-1")
    assert first.status_code == 201, first.content
    reference = first.json()["reference"]
    assert first["Location"] == f"/api/v1/referrals/{reference}/"
    again = post_json(api, "/api/v1/referrals/", REFERRAL, HTTP_IDEMPOTENCY_KEY="key-1")
    assert again.status_code == 200 and again.json()["reference"] == reference
    assert Referral.objects.count() == 1
    referral = Referral.objects.get()
    assert referral.referring_agency == agency_a and referral.submitted_by == made.client.user
    assert referral.lado_service == lado_service and referral.children.count() == 1
    # The same key with another body: refused, nothing made.
    other = post_json(api, "/api/v1/referrals/", {**REFERRAL, "family_name": "Other"}, HTTP_IDEMPOTENCY_KEY="key-1")
    assert other.status_code == 422 and other["Content-Type"] == "application/problem+json"
    assert Referral.objects.count() == 1 and IdempotentRequest.objects.count() == 1


def test_a_referral_with_errors_gets_the_forms_messages_per_field_and_makes_nothing(agency_a):
    api = bearer(make_client(agency_a, Role.SENIOR_MANAGER))
    body = {**REFERRAL, "family_name": "", "category": "", "concern_arose_on": "27/03/2026",
            "children": [{"given_name": "", "family_name": "Child", "relationship": "complainant"}], "shoe_size": 9}
    response = post_json(api, "/api/v1/referrals/", body)
    assert response.status_code == 400 and response["Content-Type"] == "application/problem+json"
    errors = {(e["field"], e["message"]) for e in response.json()["errors"]}
    assert ("shoe_size", "This is not a field of a referral.") in errors
    assert ("concern_arose_on", "Enter the date as YYYY-MM-DD, for example 2026-03-27.") in errors
    body = {k: v for k, v in body.items() if k != "shoe_size"} | {"concern_arose_on": "2026-01-27"}
    response = post_json(api, "/api/v1/referrals/", body)
    errors = {(e["field"], e["message"]) for e in response.json()["errors"]}
    assert ("family_name", "Enter the person's last name.") in errors
    assert ("category", "Choose the category of the allegation.") in errors
    assert ("children[0].given_name", "Enter the child's or adult's first name, or leave the whole row empty.") in errors
    assert not Referral.objects.exists()


def test_a_client_without_the_refer_scope_or_role_cannot_refer(agency_a, police_agency):
    viewer = bearer(make_client(agency_a, Role.AGENCY_VIEWER))
    response = post_json(viewer, "/api/v1/referrals/", REFERRAL)
    assert response.status_code == 403 and response["Content-Type"] == "application/problem+json"
    reader = bearer(make_client(agency_a, Role.SENIOR_MANAGER, [Scope.CASES], name="Reader"))
    assert post_json(reader, "/api/v1/referrals/", REFERRAL).status_code == 403
    assert not Referral.objects.exists()


def test_the_agency_reads_its_cases_at_its_level_and_each_read_is_logged(agency_a, agency_b, agency_a_manager,
                                                                       agency_b_outsider, lado_service, lado_officer):
    ours = make_case(officer=lado_officer, referral=make_referral(actor=agency_a_manager, lado_service=lado_service,
                                                                  agency=agency_a))
    theirs = make_case(officer=lado_officer, referral=make_referral(actor=agency_b_outsider, lado_service=lado_service,
                                                                    agency=agency_b, family="Other"))
    made = make_client(agency_a, Role.SENIOR_MANAGER)
    api = bearer(made)
    listed = api.get("/api/v1/cases/")
    assert listed.status_code == 200
    references = [c["reference"] for c in listed.json()["results"]]
    assert references == [ours.referral.reference]
    detail = api.get(f"/api/v1/cases/{ours.referral.reference}/").json()
    assert detail["level"] == "employer" and detail["status"] == "open"
    assert {s["kind"] for s in detail["strands"]} <= {"employer"}
    assert detail["opened_at"].endswith("Z")
    # Another agency's reference: 404, like the pages.
    missing = api.get(f"/api/v1/cases/{theirs.referral.reference}/")
    assert missing.status_code == 404 and missing["Content-Type"] == "application/problem+json"
    assert api.get(f"/api/v1/referrals/{theirs.referral.reference}/").status_code == 404
    logged = AccessLog.objects.filter(user=made.client.user)
    assert logged.filter(case=ours, what="case").count() == 2  # listed, then opened
    assert not logged.filter(referral=theirs.referral).exists()
    assert made.client.user.get_full_name().startswith(made.client.name)


def test_cases_are_paged_by_cursor(agency_a, agency_a_manager, lado_service, lado_officer):
    cases = [make_case(officer=lado_officer, referral=make_referral(actor=agency_a_manager, lado_service=lado_service,
                                                                    agency=agency_a, family=f"Person{i}"))
             for i in range(3)]
    api = bearer(make_client(agency_a, Role.SENIOR_MANAGER))
    seen, url = [], "/api/v1/cases/?page_size=2"
    while url:
        page = api.get(url).json()
        seen += [c["reference"] for c in page["results"]]
        url = page["next"]
    assert sorted(seen) == sorted(c.referral.reference for c in cases) and len(seen) == 3
    bad = api.get("/api/v1/cases/?cursor=not-a-cursor")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "cursor"


def test_a_revoked_client_is_refused_at_once(agency_a):
    from api.services import api_client_revoke
    from .helpers import administrator

    made = make_client(agency_a, Role.SENIOR_MANAGER)
    api = bearer(made)
    assert api.get("/api/v1/cases/").status_code == 200
    api_client_revoke(actor=administrator(), client=made.client, reason="System retired")
    assert api.get("/api/v1/cases/").status_code == 401
    assert token_response(made.client_id, made.client_secret).status_code in (400, 401)


def test_too_many_requests_get_429_with_retry_after(agency_a, settings):
    settings.API_REQUESTS_PER_MINUTE = 2
    api = bearer(make_client(agency_a, Role.SENIOR_MANAGER))
    assert [api.get("/api/v1/cases/").status_code for _ in range(2)] == [200, 200]
    refused = api.get("/api/v1/cases/")
    assert refused.status_code == 429 and int(refused["Retry-After"]) >= 1
    assert refused["Content-Type"] == "application/problem+json"
