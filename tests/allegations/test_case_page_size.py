"""The case page reads the same few queries however much the case holds (issue 19, target 2).

The overview (the case at a glance) and the case's pages are measured with one meeting, document, event
and reader, then with ten of each: the counts must be equal, and the overview's at most 12.
"""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from allegations import services
from allegations.models import AccessLog
from tests.allegations.test_query_counts import count_queries
from tests.meetings.factories import schedule
from tests.records.factories import attach

pytestmark = pytest.mark.django_db

CASE_PAGE_MAX_QUERIES = 12  # issue 19: the case page in at most 12 queries, whatever its size


def grow(case, *, officer, chair, n, start):
    """n more meetings, documents, events (decisions write one each) and readers (people who opened the case)."""
    for i in range(start, start + n):
        schedule(case, actor=officer, chair=chair, when=timezone.now() + dt.timedelta(days=2 + i))
        attach(actor=officer, case=case, title=f"Statement {i}")
        services.decision_record(actor=officer, case=case, decision=f"Decision {i}", rationale="Because.",
                                 agreed_with="Police", made_at="between_meetings")
        reader = get_user_model().objects.create_user(username=f"reader{i}", first_name="Reader", last_name=f"R{i}")
        AccessLog.objects.create(user=reader, referral=case.referral, case=case, what="case")


PAGES = ["case_detail", "case_meetings", "case_actions", "case_documents", "case_timeline", "case_access"]


def measure(pages: dict) -> dict:
    counts = {}
    for label, (client, url) in pages.items():
        client.get(url)  # warm process-wide caches (content types, templates) so both measurements are alike
        counts[label], _ = count_queries(client, url)
    return counts


def test_case_pages_read_as_many_queries_with_ten_of_everything_as_with_one(login, lado_officer, chair, case,
                                                                            police_user, police_agency):
    services.case_share_with(actor=lado_officer, case=case, agency=police_agency, level="safeguarding",
                             reason="Police investigation")
    officer, police = login(lado_officer), login(police_user)
    pages = {(name, who): (client, reverse(f"allegations:{name}", args=[case.reference]))
             for name in PAGES for who, client in (("LADO officer", officer), ("police", police))
             if who == "LADO officer" or name != "case_access"}  # who opened it: the LADO service's page
    grow(case, officer=lado_officer, chair=chair, n=1, start=0)
    with_one = measure(pages)
    grow(case, officer=lado_officer, chair=chair, n=9, start=1)
    with_ten = measure(pages)

    assert with_ten == with_one
    assert with_one["case_detail", "LADO officer"] <= CASE_PAGE_MAX_QUERIES, with_one
    page = officer.get(pages["case_timeline", "LADO officer"][1]).content.decode()
    assert page.count("Decision 9") >= 1 and page.count("Decision 0") >= 1  # ten of each were there to read
