"""Who may open and do what: every URL of the governance app for every persona (the explicit matrix;
tests/security/test_url_sweep.py sweeps every URL of every app on top of it).

Retention and subject access are the LADO service manager's: anyone else gets 404 for a record (a
deletion or subject access request), and 403 for the lists, which say which roles they are for. An administrator sees the deletions waiting and may approve one; the manager of another
LADO service has the pages but none of this service's records. A URL added to governance/urls.py
without a row here fails test_every_governance_url_is_in_the_matrix."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.test import Client
from django.urls import get_resolver, reverse
from django.utils import timezone

from agencies.models import Role
from governance.models import DeletionRequest, SarRelease, SubjectAccessRequest
from tests.agencies.factories import UserFactory, member

pytestmark = pytest.mark.django_db

PERSONAS = ["lado_manager", "second_manager", "other_manager", "administrator", "lado_officer", "chair",
            "agency_a_manager", "agency_a_viewer", "agency_b_outsider", "police_user", "analyst", "anonymous"]
LOGIN = "->login"


def _row(manager, second, other, admin, rest=404):
    return dict(zip(PERSONAS, [manager, second, other, admin] + [rest] * 7 + [LOGIN]))


# (method, expected per persona)
MATRIX = {
    "governance:retention": ("get", _row(200, 200, 200, 200, rest=403)),
    "governance:retention_rules": ("get", _row(200, 200, 200, 403, rest=403)),
    "governance:deletion_request": ("get", _row(200, 200, 404, 404)),
    "governance:deletion_decide": ("get", _row(200, 200, 404, 200)),
    "governance:sar_list": ("get", _row(200, 200, 200, 403, rest=403)),
    "governance:sar_detail": ("get", _row(200, 200, 404, 404)),
    # Releasing is a POST (it is logged); a GET is refused before anything else.
    "governance:sar_release": ("post", _row(200, 200, 404, 404)),
}


@pytest.fixture
def people(request, lado_manager, lado_officer, chair, agency_a_manager, agency_a_viewer, agency_b_outsider,
           police_user, analyst, lado_service, other_lado_service, business_unit):
    return {
        "lado_manager": lado_manager, "lado_officer": lado_officer, "chair": chair,
        "agency_a_manager": agency_a_manager, "agency_a_viewer": agency_a_viewer,
        "agency_b_outsider": agency_b_outsider, "police_user": police_user, "analyst": analyst,
        "second_manager": member(UserFactory(username="manager2"), lado_service, Role.LADO_MANAGER),
        "other_manager": member(UserFactory(username="elsewhere.manager"), other_lado_service, Role.LADO_MANAGER),
        "administrator": member(UserFactory(username="admin.person"), business_unit, Role.ADMINISTRATOR),
    }


@pytest.fixture
def args(case, lado_manager, lado_service):
    referral = case.referral
    item = DeletionRequest.objects.create(referral=referral, lado_service=lado_service, reference=referral.reference,
                                          record_type="closed_case", due_on=timezone.localdate(), reason="Test",
                                          requested_by=lado_manager)
    sar = SubjectAccessRequest.objects.create(subject=referral.subject, lado_service=lado_service,
                                              requested_by=lado_manager)
    return {
        "governance:deletion_request": [referral.reference], "governance:deletion_decide": [item.pk],
        "governance:sar_detail": [sar.pk], "governance:sar_release": [sar.pk, "html"],
    }


def _outcome(response):
    if response.status_code in (301, 302) and urlparse(response.url).path.startswith(settings.LOGIN_URL):
        return LOGIN
    return response.status_code


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_governance_matrix(people, args, login, name):
    method, expected = MATRIX[name]
    url = reverse(name, args=args.get(name, []))
    got = {}
    for persona in PERSONAS:
        client = Client() if persona == "anonymous" else login(people[persona])
        got[persona] = _outcome(getattr(client, method)(url))
        if method == "post" and persona != "anonymous":
            assert client.get(url).status_code == 405
    assert got == expected
    if name == "governance:sar_release":
        assert SarRelease.objects.count() == 2  # the two managers of the service: each release logged


def test_every_governance_url_is_in_the_matrix():
    names = {f"governance:{p.name}" for p in get_resolver().namespace_dict["governance"][1].url_patterns}
    assert names == set(MATRIX)
