"""Personas and the partnership they work in (STYLE.md: LADO officer, agency A senior
manager, agency A viewer, agency B outsider, chair, analyst)."""

import os

import pytest
from django.test import Client

from agencies.models import AgencyKind, Partnership, Role, Sector
from tests.agencies.factories import AgencyFactory, UserFactory, member
from tests.allegations.factories import make_case, make_referral

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _fresh_sign_in_cache(request, django_db_blocker):
    """allauth's rate limits (30 sign-in attempts a minute from one address) and used TOTP codes
    live in the default cache: Django's database cache, a table of the test database. A test inside
    a transaction leaves nothing behind; one that commits (a live server, a worker) has the table
    emptied after it, so each test starts with none."""
    yield
    marker = request.node.get_closest_marker("django_db")
    if {"transactional_db", "live_server"} & set(request.fixturenames) or (marker and marker.kwargs.get("transaction")):
        from django.core.cache import cache

        with django_db_blocker.unblock():
            cache.clear()


@pytest.fixture
def partnership(db):
    return Partnership.objects.create(name="Testshire Partnership")


@pytest.fixture
def lado_service(partnership):
    return AgencyFactory(name="Testshire LADO Service", kind=AgencyKind.LADO_SERVICE, sector=Sector.SOCIAL_CARE)


@pytest.fixture
def other_lado_service(partnership):
    return AgencyFactory(name="Elsewhere LADO Service", kind=AgencyKind.LADO_SERVICE, sector=Sector.SOCIAL_CARE)


@pytest.fixture
def agency_a(lado_service):
    return AgencyFactory(name="Riverside Primary", kind=AgencyKind.SCHOOL, sector=Sector.EDUCATION, lado_service=lado_service)


@pytest.fixture
def agency_b(lado_service):
    return AgencyFactory(name="Hilltop Academy", kind=AgencyKind.SCHOOL, sector=Sector.EDUCATION, lado_service=lado_service)


@pytest.fixture
def police_agency(lado_service):
    return AgencyFactory(name="Testshire Police", kind=AgencyKind.POLICE, sector=Sector.POLICE, lado_service=lado_service)


@pytest.fixture
def business_unit(lado_service):
    return AgencyFactory(name="Business Unit", kind=AgencyKind.BUSINESS_UNIT, sector=Sector.OTHER, lado_service=lado_service)


@pytest.fixture
def lado_officer(lado_service):
    return member(UserFactory(username="officer"), lado_service, Role.LADO_OFFICER)


@pytest.fixture
def lado_manager(lado_service):
    return member(UserFactory(username="manager"), lado_service, Role.LADO_MANAGER)


@pytest.fixture
def other_officer(other_lado_service):
    return member(UserFactory(username="elsewhere"), other_lado_service, Role.LADO_OFFICER)


@pytest.fixture
def agency_a_manager(agency_a):
    return member(UserFactory(username="a.manager"), agency_a, Role.SENIOR_MANAGER, "Designated safeguarding lead")


@pytest.fixture
def agency_a_viewer(agency_a):
    return member(UserFactory(username="a.viewer"), agency_a, Role.AGENCY_VIEWER)


@pytest.fixture
def agency_b_outsider(agency_b):
    return member(UserFactory(username="b.manager"), agency_b, Role.SENIOR_MANAGER)


@pytest.fixture
def police_user(police_agency):
    return member(UserFactory(username="police"), police_agency, Role.PARTICIPANT)


@pytest.fixture
def chair(lado_service):
    return member(UserFactory(username="chair"), lado_service, Role.CHAIR)


@pytest.fixture
def analyst(business_unit):
    return member(UserFactory(username="analyst"), business_unit, Role.ANALYST)


@pytest.fixture
def login():
    """A test client signed in as the given user."""

    def _login(user):
        client = Client()
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def referral(agency_a_manager, lado_service, agency_a):
    return make_referral(actor=agency_a_manager, lado_service=lado_service, agency=agency_a)


@pytest.fixture
def case(referral, lado_officer):
    return make_case(officer=lado_officer, referral=referral)
