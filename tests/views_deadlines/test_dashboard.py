"""The live dashboard: counts by aggregate queries, for the analyst and the LADO manager; no names."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from deadlines import services as deadlines
from deadlines.models import Deadline
from reporting import dashboard
from tests.allegations.factories import make_case, make_referral

pytestmark = pytest.mark.django_db


@pytest.fixture
def figures(lado_officer, agency_a_manager, lado_service, agency_a, agency_b):
    from meetings.models import Action

    cases = [
        make_case(officer=lado_officer, referral=make_referral(actor=agency_a_manager, lado_service=lado_service,
                                                               agency=agency_a, given=f"Pemberton{i}", family=f"Sallowfield{i}",
                                                               sector=sector))
        for i, sector in enumerate(["education", "education", "health"])
    ]
    today = timezone.localdate()
    for case, days in zip(cases, (-5, -1, 3)):
        deadlines.deadline_open_on_date(actor=lado_officer, referral=case.referral, kind=Deadline.Kind.POLICE_REVIEW,
                                        case=case, due_on=today + dt.timedelta(days=days),
                                        anchor=timezone.now() - dt.timedelta(days=20), reason="test")
    late = Deadline.objects.filter(kind=Deadline.Kind.POLICE_REVIEW).order_by("due_at").first()
    deadlines.deadline_meet_one(actor=lado_officer, deadline=late, met_at=timezone.now(), reason="done")
    for agency, days in ((agency_a, -2), (agency_a, -1), (agency_b, -3), (agency_b, 4)):
        Action.objects.create(case=cases[0], description="x", agency=agency, due_on=today + dt.timedelta(days=days),
                              created_by=lado_officer)
    return cases


def _cells(table, label):
    return [c.n for c in next(r for r in table.rows if r.label == label).cells]


def test_the_figures(figures, analyst):
    data = dashboard.dashboard(user=analyst)
    assert _cells(data["by_sector"], "Education") == [2]
    assert _cells(data["by_sector"], "Health") == [1]
    assert _cells(data["by_workforce"], "Works with children (LADO)") == [3]
    # Timeliness of the 3 referrals received now (the factory's concern date is not set: not known).
    assert sum(_cells(data["timeliness"], "All referrals")) == 3
    # Police reviews that fell due: one met late, one overdue; the one due in 3 days is not counted yet.
    assert _cells(data["deadlines"], "Police review") == [0, 1, 1]
    row = next(r for r in data["deadlines"].rows if r.label == "Police review")
    assert [c.pct for c in row.cells] == [0, 50, 50]
    assert _cells(data["actions"], "Riverside Primary") == [2, 2]
    assert _cells(data["actions"], "Hilltop Academy") == [1, 2]
    assert data["actions"].rows[0].label == "Riverside Primary"  # most overdue first


def test_the_page_shows_counts_and_no_references_or_names(figures, login, analyst):
    page = login(analyst).get(reverse("reporting:dashboard")).content.decode()
    assert "Open cases by sector" in page
    assert "Overdue actions by agency" in page
    assert 'aria-hidden="true"' in page  # the bars repeat the table's numbers
    for case in figures:
        assert case.reference not in page
        assert case.referral.subject.family_name not in page
    assert "Sam" not in page  # the children's names


def test_the_lado_manager_sees_only_their_services(figures, login, lado_manager, other_lado_service):
    from tests.agencies.factories import UserFactory, member
    from agencies.models import Role

    elsewhere = member(UserFactory(username="elsewhere.manager"), other_lado_service, Role.LADO_MANAGER)
    assert login(lado_manager).get(reverse("reporting:dashboard")).status_code == 200
    data = dashboard.dashboard(user=elsewhere)
    assert data["by_sector"].rows == []
    assert data["actions"].rows == []


@pytest.mark.parametrize("persona", ["lado_officer", "agency_a_manager", "police_user", "chair"])
def test_others_are_told_which_roles_use_it_and_whom_to_ask(request, login, persona):
    response = login(request.getfixturevalue(persona)).get(reverse("reporting:dashboard"))
    assert response.status_code == 403
    page = " ".join(response.content.decode().split())
    assert "You cannot use this page" in page
    assert "<li>Business unit analyst</li>" in page and "<li>LADO service manager</li>" in page
    assert "ask your LADO service manager or the partnership administrator" in page


def test_the_query_count_does_not_grow_with_the_data(figures, login, analyst, lado_officer, agency_a_manager,
                                                     lado_service, agency_a):
    client = login(analyst)
    url = reverse("reporting:dashboard")
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for i in range(5):
        make_case(officer=lado_officer, referral=make_referral(actor=agency_a_manager, lado_service=lado_service,
                                                               agency=agency_a, given=f"Quenby{i}", family=f"Trevanion{i}",
                                                               sector="sports"))
    with CaptureQueriesContext(connection) as after:
        client.get(url)
    assert len(after.captured_queries) == len(before.captured_queries)
    assert len(after.captured_queries) == DASHBOARD_QUERIES, [q["sql"][:120] for q in after.captured_queries]


DASHBOARD_QUERIES = 8  # the session with its user (one read: accounts/sessions.py), standing, unread count, and five aggregates
