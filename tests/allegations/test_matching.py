"""Previous allegations about the same person: suggestions (matching.candidates) and the
officer's confirm / reject flow. Nothing is ever merged without an officer's POST."""

import datetime as dt

import pytest
from django.urls import reverse

from allegations import matching, services
from allegations.models import Referral, Subject, SubjectMatch
from tests.allegations.factories import make_referral

pytestmark = pytest.mark.django_db

DOB = dt.date(1980, 3, 27)


@pytest.fixture
def make_subject(lado_officer):
    def _make(given, family, dob=None, previous_family_name=""):
        subject = services.subject_create(
            actor=lado_officer, given_name=given, family_name=family, date_of_birth=dob, reason="Test record"
        )
        if previous_family_name:
            services.subject_add_name(
                actor=lado_officer, subject=subject, given_name=given, family_name=previous_family_name,
                kind="previous", reason="Test record",
            )
        return subject

    return _make


def suggested(given, family, dob=None, exclude_ids=()):
    return [m.subject for m in matching.candidates(given=given, family=family, date_of_birth=dob, exclude_ids=exclude_ids)]


# --- candidates() ------------------------------------------------------------------


def test_nickname_with_the_same_date_of_birth_finds_the_earlier_record(make_subject):
    robert = make_subject("Robert", "Smith", DOB)

    matches = matching.candidates(given="Bob", family="Smith", date_of_birth=DOB)

    assert [m.subject for m in matches] == [robert]
    assert "same date of birth" in matches[0].reasons
    assert "same given name or nickname" in matches[0].reasons


def test_typos_in_both_names_still_find_the_earlier_record(make_subject):
    john = make_subject("John", "Smith")

    assert suggested("Jon", "Smyth") == [john]


def test_searching_a_previous_surname_finds_the_person_under_their_current_name(make_subject):
    sarah = make_subject("Sarah", "Jones", DOB, previous_family_name="Evans")

    matches = matching.candidates(given="Sarah", family="Evans")

    assert [m.subject for m in matches] == [sarah]
    assert "same previous name Evans" in matches[0].reasons


def test_a_new_surname_with_the_same_given_name_and_date_of_birth_finds_the_earlier_record(make_subject):
    # Married since: nobody told the referrer her previous name.
    earlier = make_subject("Sarah", "Evans", DOB)

    matches = matching.candidates(given="Sarah", family="Jones", date_of_birth=DOB)

    assert [m.subject for m in matches] == [earlier]
    assert matches[0].score >= 0.75


def test_an_exact_date_of_birth_match_ranks_above_a_name_only_match(make_subject):
    name_only = make_subject("Robert", "Smith")  # created first: the lower pk
    same_dob = make_subject("Robert", "Smith", DOB)

    matches = matching.candidates(given="Robert", family="Smith", date_of_birth=DOB)

    assert [m.subject for m in matches] == [same_dob, name_only]
    assert matches[0].score > matches[1].score


def test_a_different_person_is_not_suggested(make_subject):
    make_subject("Karen", "Smith", dt.date(1975, 1, 1))  # shares the surname's sound: looked at, then ranked out
    make_subject("Priya", "Patel", dt.date(1990, 7, 12))

    assert suggested("Robert", "Smith", DOB) == []


def test_a_subject_already_merged_into_another_is_not_suggested(make_subject, lado_officer):
    earlier = make_subject("Robert", "Smith", DOB)
    duplicate = make_subject("Bob", "Smith", DOB)
    duplicate.merged_into = earlier
    services.save_with_history(duplicate, actor=lado_officer, reason="Confirmed as the same person")

    assert suggested("Robert", "Smith", DOB) == [earlier]


def test_excluded_records_are_not_suggested(make_subject):
    current = make_subject("Robert", "Smith", DOB)
    earlier = make_subject("Robert", "Smith", DOB)

    assert suggested("Robert", "Smith", DOB, exclude_ids=[current.pk]) == [earlier]


def test_phonetic_keys_are_set_by_the_services(make_subject):
    subject = make_subject("Sarah", "Jones", DOB, previous_family_name="Evans")

    assert (subject.given_key, subject.family_key) == (matching.phonetic_key("Sarah"), matching.phonetic_key("Jones"))
    assert subject.other_names.get().family_key == matching.phonetic_key("Evans")


# --- The officer's decision ---------------------------------------------------------------


@pytest.fixture
def earlier(agency_a_manager, lado_service, agency_a):
    return make_referral(actor=agency_a_manager, lado_service=lado_service, agency=agency_a,
                         given="Robert", family="Smith", dob=DOB)


@pytest.fixture
def later(earlier, agency_a_manager, lado_service, agency_a):
    return make_referral(actor=agency_a_manager, lado_service=lado_service, agency=agency_a,
                         given="Bob", family="Smith", dob=DOB)


def _match_url(referral):
    return reverse("allegations:referral_match", args=[referral.reference])


def test_lado_officer_sees_the_earlier_record_as_a_suggestion(login, lado_officer, earlier, later):
    response = login(lado_officer).get(reverse("allegations:referral_detail", args=[later.reference]))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Possible earlier records of this person" in page
    assert "Robert Smith" in page
    assert earlier.reference in page
    assert f'name="candidate" value="{earlier.subject_id}"' in page


def test_the_referring_agency_is_not_shown_suggestions(login, agency_a_manager, earlier, later):
    response = login(agency_a_manager).get(reverse("allegations:referral_detail", args=[later.reference]))

    assert response.status_code == 200
    assert "Possible earlier records of this person" not in response.content.decode()


def test_confirming_a_suggestion_links_the_referral_to_the_earlier_person(login, lado_officer, earlier, later):
    provisional = later.subject
    client = login(lado_officer)

    response = client.post(_match_url(later), {"candidate": earlier.subject_id, "decision": "confirmed"})

    assert response.status_code == 302
    later.refresh_from_db()
    provisional.refresh_from_db()
    assert later.subject_id == earlier.subject_id
    assert provisional.merged_into_id == earlier.subject_id
    assert SubjectMatch.objects.get(referral=later).decision == SubjectMatch.Decision.CONFIRMED
    assert later.events.filter(verb="subject_matched").exists()
    # The name given in this referral is kept as an alias of the person.
    assert earlier.subject.other_names.filter(given_name="Bob", family_name="Smith", kind="alias").exists()

    page = client.get(reverse("allegations:referral_detail", args=[later.reference])).content.decode()
    assert "Previous allegations about this person" in page
    assert earlier.reference in page
    assert "Possible earlier records of this person" not in page


def test_rejecting_a_suggestion_hides_it_and_merges_nothing(login, lado_officer, earlier, later):
    provisional = later.subject
    client = login(lado_officer)

    response = client.post(_match_url(later), {"candidate": earlier.subject_id, "decision": "rejected"})

    assert response.status_code == 302
    later.refresh_from_db()
    provisional.refresh_from_db()
    assert later.subject_id == provisional.pk
    assert provisional.merged_into_id is None
    assert Subject.objects.get(pk=earlier.subject_id).merged_into_id is None
    assert SubjectMatch.objects.get(referral=later).decision == SubjectMatch.Decision.REJECTED

    page = client.get(reverse("allegations:referral_detail", args=[later.reference])).content.decode()
    assert "Possible earlier records of this person" not in page
    assert "Previous allegations about this person" not in page


def test_a_new_referral_about_the_same_person_creates_a_new_subject_until_confirmed(
    login, lado_officer, agency_a_manager, lado_service, agency_a, earlier
):
    again = make_referral(actor=agency_a_manager, lado_service=lado_service, agency=agency_a,
                          given="Robert", family="Smith", dob=DOB)
    # Looking at the suggestion changes nothing either.
    login(lado_officer).get(reverse("allegations:referral_detail", args=[again.reference]))

    assert again.subject_id != earlier.subject_id
    assert Subject.objects.filter(given_name="Robert", family_name="Smith", date_of_birth=DOB).count() == 2
    assert not Subject.objects.filter(merged_into__isnull=False).exists()
    assert not SubjectMatch.objects.exists()
    assert Referral.objects.filter(subject=earlier.subject).count() == 1


def test_the_referring_agency_may_not_decide_a_match(login, agency_a_manager, earlier, later):
    response = login(agency_a_manager).post(_match_url(later), {"candidate": earlier.subject_id, "decision": "confirmed"})

    assert response.status_code == 403
    later.refresh_from_db()
    assert later.subject_id != earlier.subject_id
    assert not SubjectMatch.objects.exists()


@pytest.mark.parametrize("persona", ["agency_b_outsider", "other_officer", "analyst"])
def test_outsiders_get_404_when_deciding_a_match(request, login, persona, earlier, later):
    user = request.getfixturevalue(persona)

    response = login(user).post(_match_url(later), {"candidate": earlier.subject_id, "decision": "confirmed"})

    assert response.status_code == 404
    assert not SubjectMatch.objects.exists()


def test_a_merged_record_is_no_longer_suggested_for_a_third_referral(
    login, lado_officer, agency_a_manager, lado_service, agency_a, earlier, later
):
    provisional = later.subject
    login(lado_officer).post(_match_url(later), {"candidate": earlier.subject_id, "decision": "confirmed"})

    third = make_referral(actor=agency_a_manager, lado_service=lado_service, agency=agency_a,
                          given="Robert", family="Smith", dob=DOB)

    found = suggested("Robert", "Smith", DOB, exclude_ids=[third.subject_id])
    assert found == [earlier.subject]
    assert provisional not in found
