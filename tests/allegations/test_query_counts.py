"""A page's query count must not grow with the number of rows (STYLE.md, Tests).

Each test measures a page with a few rows, adds more, and measures again: the two
counts must be equal. The larger page's count is also pinned, so that a change that
adds queries to every page shows up here as a visible, reviewed number.
"""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from allegations import services
from allegations.models import Disagreement, RiskAssessment, Suspension
from tests.allegations.factories import discuss, make_case, make_referral, tell_parents

pytestmark = pytest.mark.django_db

FEW = 3
MORE = 20

# Pinned counts for the larger page (the session with its user in one read (accounts/sessions.py), standing, the
# page's own reads).
TRIAGE_QUEUE_QUERIES = 7  # + the inbox's unread count in the navigation; the provider and low-level concerns' prompts from the cache, in one read of the database cache (allegations.pages); the 24-hour clocks in the page's own query (issue 19: at most 8)
CASE_LIST_QUERIES = 5  # with the inbox's unread count in the navigation
AGENCY_REFERRAL_LIST_QUERIES = 5
# The case's overview (the case at a glance): the session with its user, standing, the inbox's unread count; the case with its
# items' audiences (need to know, in the case's own query: selectors._with_part_audiences), the reading logged; its deadlines, meetings and actions (what it waits on), and
# referrals to a regulator. Each part of the case has its own page, with its own bounded count.
CASE_OVERVIEW_QUERIES = 9
# Linked cases and other people alleged against (in "Who", issue 16 §1) are read only when the case has some (the
# case's own query says whether it has): issue 19, at most 12.
CASE_OVERVIEW_QUERIES_WITH_LINKS_AND_OTHERS = 11
CASE_STRANDS_QUERIES = 10  # the same chrome; strands, arrangements, reviews, risk assessments, the support offered to the person


def count_queries(client, url) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries), response.content.decode()


def assert_constant_queries(pages, add_rows, rows_before, rows_after, row_marker) -> dict[str, int]:
    """Measure each page with a few rows, add more, measure again: each page's counts must be equal.

    pages maps a label to (signed-in client, url). Returns the counts with more rows.
    """
    before = {}
    for label, (client, url) in pages.items():
        client.get(url)  # warm process-wide caches (content types, templates) so both measurements are alike
        before[label], page = count_queries(client, url)
        assert page.count(row_marker) == rows_before, label
    add_rows()
    after = {}
    for label, (client, url) in pages.items():
        # Warm again: the new rows deleted the cached provider prompts, which the first view works out
        # again and keeps for a minute (providers.selectors.prompts_for).
        client.get(url)
        after[label], page = count_queries(client, url)
        assert page.count(row_marker) == rows_after, label
    assert after == before, f"queries with {rows_before} rows: {before}; with {rows_after} rows: {after}"
    return after


@pytest.fixture
def refer(agency_a_manager, lado_service, agency_a):
    counter = iter(range(1000))

    def _refer():
        n = next(counter)
        return make_referral(actor=agency_a_manager, lado_service=lado_service, agency=agency_a,
                             given=f"Person{n}", family=f"Surname{n}")

    return _refer


@pytest.fixture
def varied_referrals(refer, lado_officer, lado_manager):
    """Referrals in every state a list shows: new, discussed (assigned), case opened, case closed."""

    def _make(n):
        made = []
        for i in range(n):
            referral = refer()
            if i % 4 == 1:
                referral = discuss(referral, lado_manager)
            elif i % 4 >= 2:
                case = make_case(officer=lado_officer, referral=referral)  # discusses, then opens a case
                if i % 4 == 3:
                    close(case, lado_officer)
            made.append(referral)
        return made

    return _make


def close(case, officer):
    case = services.case_record_outcome(actor=officer, case=case, outcome="unfounded", police_outcome="no_police_action",
                                        police_outcome_detail="", employer_outcome="no_sanction")
    tell_parents(case, officer)
    return services.case_close(actor=officer, case=case, closed_at=timezone.now(), summary="Unfounded; closed.")


# --- Lists ----------------------------------------------------------------------------


def test_referral_lists_query_counts_do_not_grow_with_referrals(login, lado_officer, agency_a_manager,
                                                                varied_referrals, django_assert_num_queries):
    varied_referrals(FEW)
    officer, manager = login(lado_officer), login(agency_a_manager)
    # every state, not only the open work the queue shows by default
    triage_url, ours_url = reverse("allegations:triage_queue") + "?status=all", reverse("allegations:referral_list")
    pages = {"triage queue": (officer, triage_url), "agency referral list": (manager, ours_url)}

    assert_constant_queries(pages, lambda: varied_referrals(MORE), FEW, FEW + MORE, 'href="/referrals/MAS-')

    with django_assert_num_queries(TRIAGE_QUEUE_QUERIES):
        officer.get(triage_url)
    with django_assert_num_queries(AGENCY_REFERRAL_LIST_QUERIES):
        manager.get(ours_url)


def test_case_list_query_count_does_not_grow_with_cases(login, lado_officer, agency_a_manager, refer,
                                                        django_assert_num_queries):
    def make_cases(n):
        for i in range(n):
            case = make_case(officer=lado_officer, referral=refer())
            if i % 3 == 0:
                close(case, lado_officer)

    make_cases(FEW)
    officer, manager = login(lado_officer), login(agency_a_manager)
    url = reverse("allegations:case_list")
    pages = {"LADO officer": (officer, url), "referring agency": (manager, url)}

    assert_constant_queries(pages, lambda: make_cases(MORE), FEW, FEW + MORE, 'href="/cases/MAS-')

    with django_assert_num_queries(CASE_LIST_QUERIES):
        officer.get(url)
    with django_assert_num_queries(CASE_LIST_QUERIES):
        manager.get(url)


# --- Case detail ------------------------------------------------------------------------


def add_case_records(case, officer, n):
    today = timezone.localdate()
    for i in range(n):
        services.decision_record(actor=officer, case=case, decision=f"Decision {i}", rationale="Because.",
                                 agreed_with="Police", made_at="between_meetings")
        services.risk_assessment_record(actor=officer, case=case, level=RiskAssessment.Level.MEDIUM,
                                        summary=f"Assessment {i}", controls="Supervised contact only.")
        disagreement = services.disagreement_record(
            actor=officer, case=case, kind=Disagreement.Kind.CHALLENGE, raised_on=today - dt.timedelta(days=i),
            raised_by="Police", about=f"Challenge {i}",
        )
        services.review_record(actor=officer, case=case, kind="case", held_on=today, summary=f"Review {i}")
        if i % 2:
            services.disagreement_resolve(actor=officer, disagreement=disagreement, status="resolved",
                                          resolution="Agreed after discussion.", escalated_to="", resolved_on=today)
        services.suspension_record(actor=officer, case=case, arrangement=Suspension.Arrangement.ALTERNATIVE_DUTIES,
                                   decided_on=today - dt.timedelta(days=i), decided_by="Head teacher",
                                   lado_informed_on=today, notes="")


def test_case_detail_query_count_does_not_grow_with_case_records(login, lado_officer, agency_a_manager, case,
                                                                 police_user, police_agency, django_assert_num_queries):
    add_case_records(case, lado_officer, 1)
    services.case_share_with(actor=lado_officer, case=case, agency=police_agency, level="safeguarding",
                             reason="Police investigation")
    officer = login(lado_officer)
    url = reverse("allegations:case_strands", args=[case.reference])
    # Risk assessments are for the safeguarding level (issue 12 §1): the LADO officer and the police read them.
    pages = {"LADO officer": (officer, url), "police": (login(police_user), url)}
    assert_constant_queries(pages, lambda: add_case_records(case, lado_officer, 4), 1, 5, "Supervised contact only.")
    # The referring agency (employer level) reads the arrangements, not the risk assessments.
    employer = {"referring agency": (login(agency_a_manager), url)}
    assert_constant_queries(employer, lambda: add_case_records(case, lado_officer, 4), 5, 9, "by Head teacher</dd>")
    # The decisions have their own page, the same for any number of them.
    decisions = reverse("allegations:case_decisions", args=[case.reference])
    assert_constant_queries({"LADO officer": (officer, decisions)}, lambda: add_case_records(case, lado_officer, 4),
                            9, 13, "<strong>Decision ")

    with django_assert_num_queries(CASE_STRANDS_QUERIES):
        officer.get(url)


def test_the_case_overview_reads_a_bounded_few(login, lado_officer, case, police_user, police_agency,
                                               django_assert_num_queries):
    """The case at a glance reads none of the case's items but its referrals to a regulator: its count stays the
    same however much is recorded, and small."""
    services.case_share_with(actor=lado_officer, case=case, agency=police_agency, level="safeguarding",
                             reason="Police investigation")
    officer = login(lado_officer)
    url = reverse("allegations:case_detail", args=[case.reference])
    pages = {"LADO officer": (officer, url), "police": (login(police_user), url)}
    assert_constant_queries(pages, lambda: add_case_records(case, lado_officer, 5), 1, 1, 'id="summary"')
    with django_assert_num_queries(CASE_OVERVIEW_QUERIES):
        officer.get(url)


def test_the_case_overview_reads_linked_cases_and_other_people_only_when_there_are_some(
        login, lado_officer, case, agency_a_manager, lado_service, agency_a, django_assert_num_queries):
    from allegations import facts

    officer = login(lado_officer)
    url = reverse("allegations:case_detail", args=[case.reference])
    with django_assert_num_queries(CASE_OVERVIEW_QUERIES):
        page = officer.get(url).content.decode()
    assert "Teaching assistant" not in page

    other_case = make_case(officer=lado_officer, referral=make_referral(
        actor=agency_a_manager, lado_service=lado_service, agency=agency_a, given="Bo", family="Linked"))
    services.case_link(actor=lado_officer, case=case, linked_case=other_case, reason="Same school")
    facts.other_subject_add(actor=lado_officer, referral=case.referral, reason="Named by the child.",
                            given_name="Chris", family_name="Dale", subject_role="Teaching assistant",
                            employment_type="paid")
    with django_assert_num_queries(CASE_OVERVIEW_QUERIES_WITH_LINKS_AND_OTHERS):
        page = officer.get(url).content.decode()
    assert f">{other_case.reference}</a>: Same school" in page
    assert "<strong>Chris Dale</strong> (also alleged against): Teaching assistant" in page
