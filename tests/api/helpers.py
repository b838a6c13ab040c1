"""API clients for the personas, and tokens through the real token endpoint (client credentials)."""

from __future__ import annotations

import base64

from django.test import Client

from agencies.models import Role
from api import services
from api.models import Scope
from tests.agencies.factories import UserFactory, member

# The client of each persona's agency and role, with every scope that role may have.
PERSONA_CLIENTS = {
    "lado_officer": ("lado_service", Role.LADO_OFFICER),
    "lado_manager": ("lado_service", Role.LADO_MANAGER),
    "other_officer": ("other_lado_service", Role.LADO_OFFICER),
    "agency_a_manager": ("agency_a", Role.SENIOR_MANAGER),
    "agency_a_viewer": ("agency_a", Role.AGENCY_VIEWER),
    "agency_b_outsider": ("agency_b", Role.SENIOR_MANAGER),
    "police_user": ("police_agency", Role.PARTICIPANT),
    "analyst": ("business_unit", Role.ANALYST),
}


def administrator():
    from agencies.models import Agency

    admin = UserFactory(username="partnership.admin")
    admin.is_superuser = True
    admin.save(update_fields=["is_superuser"])
    return admin


def make_client(agency, role, scopes=None, *, name=None, actor=None):
    scopes = sorted(services.SCOPES_FOR_ROLE[role]) if scopes is None else scopes
    return services.api_client_create(actor=actor or administrator(), name=name or f"{agency.name} {role} system",
                                      agency=agency, role=role, scopes=scopes)


def token_response(client_id: str, secret: str, scope: str | None = None):
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    data = {"grant_type": "client_credentials"}
    if scope:
        data["scope"] = scope
    return Client().post("/api/v1/oauth/token/", data, HTTP_AUTHORIZATION=f"Basic {basic}")


def bearer(made) -> Client:
    """A test client sending the made client's bearer token."""
    response = token_response(made.client_id, made.client_secret)
    assert response.status_code == 200, response.content
    token = response.json()["access_token"]
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


REFERRAL = {
    "request_kind": "referral", "workforce": "children", "referrer_name": "Pat Head",
    "referrer_role": "Designated safeguarding lead", "referrer_email": "pat@example.org",
    "given_name": "Jordan", "family_name": "Testperson", "subject_role": "Teaching assistant",
    "employment_type": "paid", "employer_name": "Riverside Primary", "sector": "education",
    "concern_kind": "allegation", "category": "physical", "description": "Grabbed a pupil's arm in the corridor.",
    "concern_arose_on": "2026-01-05", "how_arose": "child_or_parent", "timing": "contemporaneous",
    "children": [{"given_name": "Sam", "relationship": "complainant"}],
}
