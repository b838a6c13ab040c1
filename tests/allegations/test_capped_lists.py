"""Lists that don't count what they don't show (issue 19): past 1,000 rows the triage queue and the
case list say "More than 1,000", page on with next and previous, and offer no last page they have not
counted; the number of queries does not change."""

import copy
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from allegations.models import Case, Referral, ReferralStatus
from deadlines.models import Deadline
from tests.allegations.factories import make_case, make_referral, referral_copies

pytestmark = pytest.mark.django_db

MANY = 1030  # more than the 1,000 a list counts exactly, and more than 41 pages of 25


def _references(page: str) -> list[str]:
    return re.findall(r'href="/(?:referrals|cases)/(MAS-[^/"]+)/"', page)


def _get(client, url):
    """The page and its queries, measured on a second view: the first view of a page keeps the list's
    place (filters, sort, page) in the session, a write made only when the place changes."""
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode(), len(ctx.captured_queries)


def _walk(client, url, total, what):
    """Page 1 says more than 1,000; next and previous page on without repeating a row; the page
    past the counted rows is counted further and the last page has no next."""
    first, queries = _get(client, url)
    assert f"More than 1,000 {what}" in first
    assert f"{MANY:,} {what}" not in first  # not counted to the end
    assert 'href="?page=2"' in first and 'rel="next"' in first
    assert f'?page={MANY // 25 + 1}"' not in first  # no link to a last page it has not counted
    second, queries_2 = _get(client, f"{url}?page=2")
    assert queries_2 == queries
    assert 'href="?page=1"' in second and 'rel="prev"' in second
    one, two = _references(first), _references(second)
    assert len(one) == len(two) == 25 and not set(one) & set(two)

    # Past the first 1,000: the list counts on to the page asked for (and one row more).
    last_number = (total - 1) // 25 + 1
    last, queries_last = _get(client, f"{url}?page={last_number}")
    assert queries_last == queries
    assert len(_references(last)) == total - (last_number - 1) * 25
    assert 'rel="next"' not in last and 'rel="prev"' in last
    assert f"{total:,} {what}" in last
    return queries


def test_the_triage_queue_says_more_than_1000_and_pages_on(lado_officer, agency_a_manager, lado_service, agency_a,
                                                            login):
    referral = make_referral(actor=agency_a_manager, lado_service=lado_service, agency=agency_a)
    referral_copies(referral, MANY - 1)
    client = login(lado_officer)
    queries = _walk(client, reverse("allegations:triage_queue"), MANY, "referrals")

    # At 1,000 exactly the list still counts every row.
    keep = list(Referral.objects.filter(lado_service=lado_service).order_by("pk").values_list("pk", flat=True)[1000:])
    Deadline.objects.filter(referral_id__in=keep).delete()
    Referral.objects.filter(pk__in=keep).delete()
    page, queries_1000 = _get(client, reverse("allegations:triage_queue"))
    assert "1,000 referrals" in page and "More than" not in page
    assert 'href="?page=40"' in page  # the last page, counted
    assert queries_1000 == queries


def test_the_case_list_says_more_than_1000_and_pages_on(lado_officer, agency_a_manager, lado_service, agency_a,
                                                         login):
    case = make_case(officer=lado_officer, referral=make_referral(actor=agency_a_manager, lado_service=lado_service,
                                                                 agency=agency_a))
    referrals = referral_copies(case.referral, MANY - 1, status=ReferralStatus.CASE_OPENED)
    case = Case.objects.get(pk=case.pk)
    clones = []
    for referral in referrals:
        clone = copy.copy(case)
        clone.pk, clone.referral = None, referral
        clones.append(clone)
    Case.objects.bulk_create(clones)
    _walk(login(lado_officer), reverse("allegations:case_list"), MANY, "cases")
