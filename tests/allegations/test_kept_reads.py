"""The triage queue's count and page keep their SQL per key (selectors.TRIAGE_QUEUE_READS, issue 19): the SQL kept
is the SQL the ORM writes for the same request, two people or two sets of filters never share it, and only SQL is
kept: a restriction, a filter or a person's services changed since are seen on the next request."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agencies.models import Membership, Role
from allegations import selectors, services
from allegations.models import Referral
from config.prepared import KeptReads
from tests.agencies.factories import UserFactory, member
from tests.allegations.factories import discuss, make_referral

pytestmark = pytest.mark.django_db

QUEUE = reverse("allegations:triage_queue")


def _queue_reads(client, url: str) -> tuple[list[tuple], str]:
    """The queries on the referrals' table a request of the queue makes (SQL and parameters) and its page."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    reads = [q["sql"] for q in queries.captured_queries
             if q["sql"].startswith(('SELECT COUNT(*) FROM (SELECT "allegations_referral"."id"',
                                     'SELECT "allegations_referral"."reference"'))]
    html = re.sub(r'value="[^"]{64}"|nonce="[^"]*"', "", response.content.decode())  # the CSRF token, the nonce
    return reads, html


@pytest.fixture
def colleague(lado_service):
    return member(UserFactory(username="colleague", first_name="Cal", last_name="Colleague"), lado_service,
                  Role.LADO_OFFICER)


@pytest.fixture
def referrals(agency_a_manager, lado_service, agency_a, lado_officer):
    made = [make_referral(actor=agency_a_manager, lado_service=lado_service, agency=agency_a, family=f"Person{i}",
                          sector="education" if i % 2 else "health", workforce="adults" if i % 3 else "children")
            for i in range(7)]
    discuss(made[0], lado_officer)
    Referral.objects.filter(pk=made[1].pk).update(assigned_to=lado_officer)
    return made


SHAPES = ["", "?status=open", "?status=all", "?status=new", "?status=discussed", "?sector=health",
          "?workforce=adults", "?status=all&sort=person&dir=desc", "?status=all&sort=received", "?officer={officer}",
          "?status=all&page=2", "?page=99", "?sector=nonsense", "?q=Person3", "?status=all&sort=officer&page=1"]


def test_the_kept_sql_is_the_sql_the_orm_writes_and_the_page_is_the_same(referrals, lado_officer, login):
    client = login(lado_officer)
    for shape in SHAPES:
        url = QUEUE + shape.format(officer=lado_officer.pk)
        selectors.TRIAGE_QUEUE_READS.forget()
        built, built_html = _queue_reads(client, url)  # compiled by the ORM
        kept, kept_html = _queue_reads(client, url)  # run from what was kept
        assert kept == built and len(built) == 2, shape  # the count and the page
        assert kept_html == built_html, shape
    # A search is never kept (what a person typed), nor a form with an error.
    selectors.TRIAGE_QUEUE_READS.forget()
    for shape in ("?q=Person3", "?sector=nonsense", "?officer=999999"):
        client.get(QUEUE + shape)
    assert not selectors.TRIAGE_QUEUE_READS._kept


def test_the_kept_rows_and_count_are_the_querysets(referrals, lado_officer):
    reads = KeptReads(Referral)
    queryset = selectors.triage_queue(user=lado_officer)
    for low, high in ((0, 3), (3, 6), (6, 9), (0, 0)):
        def build():
            return queryset[low:high].values_list(*selectors.QUEUE_VALUES)

        for _ in range(2):  # compiled, then kept
            assert reads.rows(("page", low, high), build) == list(build())
    for cap in (2, 5, 1000):
        for _ in range(2):
            assert reads.count(("count", cap), lambda: queryset.values("pk")[:cap]) == min(cap, len(referrals))
    with pytest.raises(ValueError):
        reads.rows(("models",), lambda: queryset[:2])


def test_two_people_never_share_a_kept_read_and_a_restriction_shows_at_once(referrals, lado_officer, colleague,
                                                                          lado_manager, login):
    restricted = referrals[2]
    link = f"/{restricted.reference}/"
    officer, other = login(lado_officer), login(colleague)
    for _ in range(2):  # compiled, then kept
        assert link in officer.get(QUEUE).content.decode()
        assert link in other.get(QUEUE).content.decode()
    services.referral_restrict(actor=lado_manager, referral=restricted, reason="About one of our own.",
                               may_open=[lado_officer])
    for _ in range(2):
        assert link in officer.get(QUEUE).content.decode()
        assert link not in other.get(QUEUE).content.decode()
        assert "6 referrals" in other.get(QUEUE + "?status=all").content.decode()
        assert "7 referrals" in officer.get(QUEUE + "?status=all").content.decode()
    services.referral_restrict(actor=lado_manager, referral=restricted, reason="About one of our own.",
                               may_open=[colleague])
    assert link not in officer.get(QUEUE).content.decode()  # the same kept SQL, the restriction read afresh
    assert link in other.get(QUEUE).content.decode()
    assert selectors.triage_queue_key(lado_officer) != selectors.triage_queue_key(colleague)


def test_a_changed_filter_or_referral_is_seen_on_the_next_request(referrals, lado_officer, colleague, login):
    client = login(lado_officer)
    assigned = f"/{referrals[1].reference}/"
    for _ in range(2):
        assert assigned in client.get(QUEUE + f"?officer={lado_officer.pk}").content.decode()
        assert assigned not in client.get(QUEUE + f"?officer={colleague.pk}").content.decode()
    Referral.objects.filter(pk=referrals[1].pk).update(assigned_to=colleague)
    assert assigned not in client.get(QUEUE + f"?officer={lado_officer.pk}").content.decode()
    assert assigned in client.get(QUEUE + f"?officer={colleague.pk}").content.decode()
    discussed = f"/{referrals[0].reference}/"
    for _ in range(2):
        assert discussed in client.get(QUEUE + "?status=discussed").content.decode()
        assert discussed not in client.get(QUEUE + "?status=new").content.decode()


def test_services_withdrawn_or_changed_are_seen_on_the_next_request(referrals, lado_officer, other_lado_service,
                                                                  other_officer, login):
    client = login(lado_officer)
    ours = f"/{referrals[0].reference}/"
    theirs = make_referral(actor=other_officer, lado_service=other_lado_service, family="Elsewhere", phone=True)
    for _ in range(2):
        html = client.get(QUEUE).content.decode()
        assert ours in html and f"/{theirs.reference}/" not in html
    Membership.objects.filter(user=lado_officer).update(agency=other_lado_service)
    for _ in range(2):
        html = client.get(QUEUE).content.decode()
        assert ours not in html and f"/{theirs.reference}/" in html
    Membership.objects.filter(user=lado_officer).delete()  # (the person's last role: signed out)
    response = client.get(QUEUE)
    assert response.status_code != 200 and ours not in response.content.decode()
