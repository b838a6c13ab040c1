"""Search across everything the user may see: a reference or any part of it, the person's names and previous
names with typing mistakes, the employer, a child's first name for the LADO service only; grouped by kind of
record, each group through that record's visible_to; bounded, in a constant number of queries; the query never
in a URL or a log."""

import logging

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from allegations import services as case_services
from allegations.models import SubjectName
from meetings.models import Meeting
from search import selectors
from tests.allegations.factories import make_case, make_referral, referral_copies
from tests.meetings.factories import invite, schedule
from tests.providers.factories import care_home, invoked_concern, safeguarding_manager_of, director_of


def found(results, key):
    group = next(g for g in results.groups if g.key == key)
    return [r.reference for r in group.rows]


def everything(results):
    return {r.reference for g in results.groups for r in g.rows}


@pytest.fixture
def hilltop_referral(agency_b_outsider, lado_service, agency_b):
    """Another agency's referral, about someone with a previous surname."""
    referral = make_referral(actor=agency_b_outsider, lado_service=lado_service, agency=agency_b, given="Jordan",
                             family="Pemberton", employer_name="Hilltop Academy",
                             children=[{"given_name": "Tegan", "family_name": "Pupil", "relationship": "complainant"}])
    SubjectName.objects.create(subject=referral.subject, given_name="Jordan", family_name="Ashworth")
    return referral


# --- What it finds ----------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_a_part_of_a_reference_finds_the_referral(lado_officer, referral, hilltop_referral):
    fragment = referral.reference.rsplit("-", 1)[1]  # "00001" of MAS-2026-00001

    results = selectors.search(user=lado_officer, query=fragment)

    assert found(results, "referrals") == [referral.reference]
    assert found(results, "cases") == []
    assert selectors.search(user=lado_officer, query=referral.reference.lower()).groups[0].rows[0].reference == referral.reference


@pytest.mark.django_db
def test_the_employer_finds_its_referrals(lado_officer, referral, hilltop_referral):
    results = selectors.search(user=lado_officer, query="Riverside")

    assert found(results, "referrals") == [referral.reference]
    row = results.groups[0].rows[0]
    assert (row.person, row.employer, row.status) == ("Alex Morgan", "Riverside Primary", "New")
    assert row.url == reverse("allegations:referral_detail", args=[referral.reference])


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["Morgen", "morgan", "Alex Morgn", "Morga"])
def test_a_misspelt_or_partial_surname_finds_the_person(lado_officer, referral, hilltop_referral, query):
    assert found(selectors.search(user=lado_officer, query=query), "referrals") == [referral.reference]


@pytest.mark.django_db
def test_an_unrelated_name_finds_nothing_nor_a_merely_similar_looking_one(lado_officer, referral, hilltop_referral):
    assert everything(selectors.search(user=lado_officer, query="Quigley")) == set()
    assert everything(selectors.search(user=lado_officer, query="Morris")) == set()


@pytest.mark.django_db
def test_a_name_spelt_as_it_sounds_finds_the_person_and_the_closest_come_first(lado_officer, lado_service, referral):
    smith = make_referral(actor=lado_officer, lado_service=lado_service, phone=True, given="Robin", family="Smith")
    smithers = make_referral(actor=lado_officer, lado_service=lado_service, phone=True, given="Robin",
                             family="Smithson")

    assert found(selectors.search(user=lado_officer, query="Smyth"), "referrals") == [smith.reference]
    assert found(selectors.search(user=lado_officer, query="Smith"), "referrals") == [smith.reference, smithers.reference]


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["Ashworth", "Ashwort", "Ashworht", "Jordan Ashworth"])
def test_a_previous_name_finds_the_person_even_misspelt(lado_officer, referral, hilltop_referral, query):
    assert found(selectors.search(user=lado_officer, query=query), "referrals") == [hilltop_referral.reference]


@pytest.mark.django_db
def test_the_lado_service_finds_a_referral_by_a_childs_first_name_but_not_by_their_surname(
    lado_officer, referral, hilltop_referral
):
    assert found(selectors.search(user=lado_officer, query="Tegan"), "referrals") == [hilltop_referral.reference]
    assert found(selectors.search(user=lado_officer, query="Pupil"), "referrals") == []


@pytest.mark.django_db
def test_an_agency_never_finds_a_referral_by_a_childs_name_even_its_own_or_a_shared_case(
    agency_b_outsider, lado_officer, police_user, police_agency, hilltop_referral
):
    case = make_case(officer=lado_officer, referral=hilltop_referral)
    case_services.case_share_with(actor=lado_officer, case=case, agency=police_agency, level="safeguarding",
                                  reason="Police strand")
    assert found(selectors.search(user=agency_b_outsider, query="Pemberton"), "cases") == [case.referral.reference]
    assert found(selectors.search(user=police_user, query="Pemberton"), "cases") == [case.referral.reference]

    assert everything(selectors.search(user=agency_b_outsider, query="Tegan")) == set()
    assert everything(selectors.search(user=police_user, query="Tegan")) == set()


@pytest.mark.django_db
def test_another_agencys_or_services_record_is_never_found(
    agency_a_manager, other_officer, analyst, referral, hilltop_referral, lado_officer
):
    make_case(officer=lado_officer, referral=hilltop_referral)
    for query in ("Pemberton", "Ashworth", "Hilltop", hilltop_referral.reference, "Tegan"):
        assert hilltop_referral.reference not in everything(selectors.search(user=agency_a_manager, query=query))
    for user in (other_officer, analyst):
        for query in ("Morgan", "Riverside", referral.reference, "Sam", "Pemberton"):
            assert everything(selectors.search(user=user, query=query)) == set()


@pytest.mark.django_db
def test_a_restricted_referral_is_not_found_by_an_officer_not_named_on_it(lado_officer, lado_manager, referral):
    case_services.referral_restrict(actor=lado_manager, referral=referral, may_open=[lado_manager],
                                    reason="The person works in the LADO service.")
    assert everything(selectors.search(user=lado_officer, query="Morgan")) == set()
    assert found(selectors.search(user=lado_manager, query="Morgan"), "referrals") == [referral.reference]


@pytest.mark.django_db
def test_results_are_grouped_a_case_under_cases_its_meetings_under_meetings_a_provider_concern_apart(
    lado_officer, chair, referral, lado_service
):
    case = make_case(officer=lado_officer, referral=referral)
    meeting = schedule(case, actor=lado_officer, chair=chair)
    provider = care_home(lado_service, name="Riverside Lodge Care Home")
    concern = invoked_concern(actor=safeguarding_manager_of(lado_service), director=director_of(lado_service),
                              lado_service=lado_service, provider=provider)

    results = selectors.search(user=lado_officer, query="Riverside")

    assert [g.title for g in results.groups] == ["Referrals", "Cases", "Meetings", "Provider concerns"]
    assert found(results, "referrals") == []  # a referral that became a case is listed as the case
    assert found(results, "cases") == [referral.reference]
    assert found(results, "meetings") == [referral.reference]
    assert found(results, "concerns") == [concern.reference]
    meeting_row = results.groups[2].rows[0]
    assert meeting_row.url == reverse("meetings:meeting_detail", args=[meeting.pk])
    assert (meeting_row.person, meeting_row.employer) == ("Alex Morgan", "Riverside Primary")
    concern_row = results.groups[3].rows[0]
    assert (concern_row.employer, concern_row.url) == (provider.name, reverse("providers:concern_detail", args=[concern.reference]))
    assert found(selectors.search(user=lado_officer, query=concern.reference), "concerns") == [concern.reference]


@pytest.mark.django_db
def test_an_invitee_who_cannot_see_the_case_finds_the_meeting_by_reference_only_and_not_whose_it_is(
    lado_officer, chair, referral, agency_b, agency_b_outsider
):
    case = make_case(officer=lado_officer, referral=referral)
    meeting = schedule(case, actor=lado_officer, chair=chair)
    invite(meeting, actor=chair, agency=agency_b, access_level="employer")

    by_reference = selectors.search(user=agency_b_outsider, query=referral.reference)

    assert found(by_reference, "cases") == []
    assert found(by_reference, "meetings") == [referral.reference]
    row = by_reference.groups[2].rows[0]
    assert (row.person, row.employer) == ("", "")
    assert everything(selectors.search(user=agency_b_outsider, query="Morgan")) == set()
    assert everything(selectors.search(user=agency_b_outsider, query="Riverside")) == set()


# --- Bounded, in a constant number of queries ---------------------------------------------------------------

def _queries(user, query):
    user = type(user).objects.get(pk=user.pk)  # a fresh user: nothing cached from an earlier search
    with CaptureQueriesContext(connection) as ctx:
        results = selectors.search(user=user, query=query)
    return len(ctx.captured_queries), results


@pytest.mark.django_db
def test_each_group_holds_at_most_the_limit_and_says_there_are_more_in_the_same_number_of_queries(
    lado_officer, chair, referral
):
    case = make_case(officer=lado_officer, referral=referral)
    schedule(case, actor=lado_officer, chair=chair)
    other = make_referral(actor=lado_officer, lado_service=referral.lado_service, phone=True)
    few_queries, few = _queries(lado_officer, "Morgan")
    assert len(few.groups[0].rows) == 1 and not few.groups[0].more

    referral_copies(other, selectors.LIMIT + 5)
    many_queries, many = _queries(lado_officer, "Morgan")

    assert len(many.groups[0].rows) == selectors.LIMIT and many.groups[0].more
    assert not many.groups[1].more
    assert many_queries == few_queries


# --- The page -----------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_page_needs_sign_in(client):
    response = client.get(reverse("search:search"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize("query, message", [
    ("", "Enter a reference, a name or an employer to search for"),
    ("   ", "Enter a reference, a name or an employer to search for"),
    ("ab", "Enter at least 3 letters or numbers to search for"),
    ("x" * 101, "Search must be 100 characters or fewer"),
])
def test_an_empty_or_too_short_query_gets_a_clear_message(login, lado_officer, query, message):
    response = login(lado_officer).post(reverse("search:search"), {"q": query})

    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert "govuk-error-summary" in page
    assert 'href="#id_q"' in page or 'href="#q"' in page


@pytest.mark.django_db
def test_a_search_posts_redirects_to_its_results_and_keeps_the_query_out_of_urls_and_logs(
    login, lado_officer, referral, caplog
):
    client = login(lado_officer)
    caplog.set_level(logging.DEBUG)

    response = client.post(reverse("search:search"), {"q": "Morgen"})
    assert response.status_code == 302
    assert "Morgen" not in response["Location"]
    page = client.get(response["Location"])

    html = page.content.decode()
    assert page.status_code == 200
    assert f'href="{reverse("allegations:referral_detail", args=[referral.reference])}"' in html
    assert "Alex Morgan" in html and "Riverside Primary" in html
    assert "Results for ‘Morgen’" in html
    assert not [r for r in caplog.records if "Morgen" in r.getMessage()]
    # The search box alone (the header link) starts afresh.
    assert "Alex Morgan" not in client.get(reverse("search:search")).content.decode()


@pytest.mark.django_db
def test_the_page_says_when_nothing_matches_and_when_a_group_has_more_than_it_shows(login, lado_officer, referral):
    client = login(lado_officer)
    client.post(reverse("search:search"), {"q": "Quigley"})
    html = client.get(reverse("search:search") + "?results").content.decode()
    assert "Nothing you can see matches ‘Quigley’" in html

    referral_copies(referral, selectors.LIMIT + 1)
    client.post(reverse("search:search"), {"q": "Morgan"})
    html = client.get(reverse("search:search") + "?results").content.decode()
    assert f"Referrals</a>: more than {selectors.LIMIT}" in html
    assert f"More than {selectors.LIMIT} referrals match" in html


@pytest.mark.django_db
def test_the_header_links_to_search(login, agency_a_manager):
    html = login(agency_a_manager).get(reverse("home"), follow=True).content.decode()
    assert f'href="{reverse("search:search")}"' in html


# --- The indexes ----------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_name_employer_and_reference_matches_can_use_the_trigram_indexes(lado_officer, referral):
    """The search's expressions are the indexes' (UPPER(column)): with sequential scans off, PostgreSQL reads
    the trigram indexes rather than refusing them (a mismatched expression could not use them at all)."""
    from allegations.models import Referral

    def plan(queryset) -> str:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
        return queryset.explain()

    names = plan(selectors.matching_subjects("Morgen").values("pk"))
    assert "subject_family_trgm" in names and "subjectname_family_trgm" in names
    from django.db.models.functions import Upper
    employer = plan(Referral.objects.alias(employer_upper=Upper("employer_name"))
                    .filter(employer_upper__trigram_word_similar="RIVERSIDE").values("pk"))
    assert "referral_employer_trgm" in employer
    assert "referral_reference_trgm" in plan(Referral.objects.filter(reference__icontains="00052").values("pk"))
