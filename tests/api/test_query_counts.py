"""The cursor-paged lists make the same number of queries on every page, however many rows there are and however
deep the page (benchmarks/api.py times them over 100,000 referrals)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies.models import Role
from tests.allegations.factories import make_case, make_referral

from .helpers import bearer, make_client

pytestmark = pytest.mark.django_db


def _queries(api, url):
    with CaptureQueriesContext(connection) as captured:
        response = api.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries), response.json()


def _make_cases(n, *, agency, manager, lado_service, officer, start=0):
    for i in range(n):
        make_case(officer=officer, referral=make_referral(actor=manager, lado_service=lado_service, agency=agency,
                                                          family=f"Person{start + i}"))


@pytest.mark.parametrize("path", ["/api/v1/cases/", "/api/v1/referrals/"])
def test_each_page_of_a_list_costs_the_same_queries(path, settings, agency_a, agency_a_manager, lado_service,
                                                    lado_officer):
    settings.API_REQUESTS_PER_MINUTE = 10_000
    _make_cases(3, agency=agency_a, manager=agency_a_manager, lado_service=lado_service, officer=lado_officer)
    for index, (role, agency) in enumerate(((Role.SENIOR_MANAGER, agency_a), (Role.LADO_OFFICER, lado_service))):
        api = bearer(make_client(agency, role))
        first, page = _queries(api, f"{path}?page_size=2")
        second, _ = _queries(api, page["next"])
        _make_cases(4, agency=agency_a, manager=agency_a_manager, lado_service=lado_service, officer=lado_officer,
                    start=10 * (index + 1))
        more, page = _queries(api, f"{path}?page_size=5")
        deeper, _ = _queries(api, page["next"])
        assert first == second == more == deeper, (role, first, second, more, deeper)
        assert first <= 12
