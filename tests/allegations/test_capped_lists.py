"""Lists that don't count what they don't show (issue 19): past 1,000 rows the triage queue and the
case list say "More than 1,000", page on with next and previous, and offer no last page they have not
counted; the number of queries does not change."""

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from allegations.models import Case, Referral
from deadlines.models import Deadline
from tests.allegations.factories import case_copies, make_case, make_referral, referral_copies

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
    case_copies(case, MANY - 1)
    _walk(login(lado_officer), reverse("allegations:case_list"), MANY, "cases")


def _link(page: str, rel: str) -> str:
    """The address of the pagination's previous or next link, unescaped."""
    return html.unescape(re.search(rf'href="([^"]*)" rel="{rel}"', page)[1])


def test_the_case_list_pages_on_by_position_past_its_first_1000(lado_officer, agency_a_manager, lado_service,
                                                                 agency_a, login):
    """Beyond the first 40 pages "next" and "previous" carry the key of the last or first case shown (an
    offset there grows with the page); every case is shown once, in order, in the same number of queries.
    The cases are copies opened the same moment, so the key's last part, the case's own number, decides."""
    case = make_case(officer=lado_officer, referral=make_referral(actor=agency_a_manager, lado_service=lado_service,
                                                                 agency=agency_a))
    case_copies(case, MANY - 1)
    in_order = list(Case.objects.order_by("-status", "-opened_at", "-pk").values_list("referral__reference", flat=True))
    client, url = login(lado_officer), reverse("allegations:case_list")

    first, queries = _get(client, url)
    page_40, queries_40 = _get(client, f"{url}?page=40")
    assert _references(page_40) == in_order[975:1000] and queries_40 == queries
    after = _link(page_40, "next")
    assert after.startswith("?after=") and "page=" not in after
    assert 'href="?page=41"' in page_40  # the numbered links stay for the first pages

    page_41, queries_41 = _get(client, url + after)
    assert _references(page_41) == in_order[1000:1025] and queries_41 == queries
    assert "More than 1,000 cases" in page_41
    assert 'href="?page=1"' in page_41 and "govuk-pagination__item--current" not in page_41  # a page with no number
    page_42, _ = _get(client, url + _link(page_41, "next"))
    assert _references(page_42) == in_order[1025:] and 'rel="next"' not in page_42

    back, queries_back = _get(client, url + _link(page_42, "prev"))
    assert _references(back) == in_order[1000:1025] and queries_back == queries
    back, _ = _get(client, url + _link(back, "prev"))
    assert _references(back) == in_order[975:1000]
    assert _link(back, "prev").startswith("?before=")

    # A key that is no key of this list shows the first page.
    for bad in ("nonsense", "open.x.1", "open.1.2.3", "open%3B.1.2"):
        page, _ = _get(client, f"{url}?after={bad}")
        assert _references(page) == in_order[:25]


def test_paging_by_position_keeps_the_filters(lado_officer, agency_a_manager, lado_service, agency_a, login):
    case = make_case(officer=lado_officer, referral=make_referral(actor=agency_a_manager, lado_service=lado_service,
                                                                 agency=agency_a))
    references = [case.referral.reference]
    client = login(lado_officer)
    page, _ = _get(client, reverse("allegations:case_list") + "?status=closed&after=open.1.999999999")
    assert _references(page) == []  # the filter holds: the one case is open
    page, _ = _get(client, reverse("allegations:case_list") + "?status=open&before=closed.0.1")
    assert _references(page) == references
