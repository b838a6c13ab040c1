"""The referral form checks before it sends: a valid form leads to a check-your-answers page, "Change" goes back to
the form with every answer kept, and the referral is made only by "Send referral" on the check page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from allegations.models import Referral
from outbox.models import FormSubmission
from tests.allegations.test_bad_input import children_rows, referral_form
from tests.forms import typed

pytestmark = pytest.mark.django_db

FORM = "/referrals/new/"
CHECK = "/referrals/new/check/"


@pytest.fixture
def client(login, agency_a_manager):
    return login(agency_a_manager)


def _to_check(client, data):
    response = client.post(FORM, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response.url.startswith(CHECK + "?draft=")
    return response.url


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_a_valid_form_shows_the_answers_and_makes_nothing_yet(client, agency_a):
    check_url = _to_check(client, referral_form(agency_a))
    assert Referral.objects.count() == 0
    assert not FormSubmission.objects.exists()

    page = client.get(check_url)
    assert page.status_code == 200
    html = page.content.decode()
    text = _text(html)
    assert "Check your answers before sending the referral" in text
    assert "govuk-summary-list" in html
    assert "Alexandra" in text and "Quillfeather" in text
    assert "27 March 1980" in text  # the date of birth in words, read day-first
    assert "Riverside Primary" in text
    assert "Category Physical" in text  # the category's words, not its code
    assert "Sam Pupil" in text
    assert "Send referral" in text
    assert Referral.objects.count() == 0


def test_change_links_go_back_to_the_form_with_every_answer_kept(client, agency_a):
    data = {**referral_form(agency_a, referrer_role="Head of year", known_history="Warned in 2019."),
            **children_rows({"given_name": "Sam", "family_name": "Pupil", **typed("date_of_birth", "1", "6", "2015")})}
    check_url = _to_check(client, data)
    html = client.get(check_url).content.decode()
    draft = check_url.split("draft=")[1]
    change = f"{FORM}?draft={draft}"
    assert f'href="{change}#id_referrer_role"' in html
    assert f'href="{change}#id_date_of_birth_day"' in html
    assert f'href="{change}#id_children-0-given_name"' in html

    form = client.get(change).content.decode()
    assert 'value="Head of year"' in form
    assert "Warned in 2019." in form
    assert re.search(r'name="date_of_birth_day" type="text" value="27"', form)
    assert re.search(r'name="date_of_birth_month" type="text" value="3"', form)
    assert re.search(r'name="children-0-date_of_birth_year" type="text" value="2015"', form)
    assert 'value="Sam"' in form
    assert "govuk-error-summary" not in form
    assert Referral.objects.count() == 0


def test_a_change_made_on_the_form_is_what_is_sent(client, agency_a):
    check_url = _to_check(client, referral_form(agency_a))
    draft = check_url.split("draft=")[1]
    changed = client.post(f"{FORM}?draft={draft}", referral_form(agency_a, subject_role="Teaching assistant",
                                                                   form_token=draft))
    assert changed.status_code == 302 and changed.url == check_url  # the same answers, changed in place
    assert "Teaching assistant" in client.get(check_url).content.decode()

    sent = client.post(CHECK, {"draft": draft})
    referral = Referral.objects.get()
    assert sent.url == reverse("allegations:referral_confirmation", args=[referral.reference])
    assert referral.subject_role == "Teaching assistant"
    assert referral.subject.date_of_birth == dt.date(1980, 3, 27)
    assert referral.concern_arose_at.date() == timezone.localdate() - dt.timedelta(days=1)


def test_answers_are_forgotten_once_sent(client, agency_a):
    check_url = _to_check(client, referral_form(agency_a))
    draft = check_url.split("draft=")[1]
    client.post(CHECK, {"draft": draft})
    assert draft not in client.session.get("referral_drafts", {})
    again = client.get(check_url)  # the check page of a referral already sent shows the referral
    assert again.status_code == 302
    assert again.url == reverse("allegations:referral_confirmation", args=[Referral.objects.get().reference])


def test_a_check_page_without_kept_answers_goes_back_to_the_form(client):
    response = client.get(CHECK + "?draft=nothing-kept")
    assert response.status_code == 302 and response.url == reverse("allegations:referral_create")
    assert client.post(CHECK, {"draft": "nothing-kept"}).status_code == 302
    assert Referral.objects.count() == 0


def test_someone_elses_answers_are_not_theirs_to_see_or_send(client, agency_a, login, agency_b_outsider):
    check_url = _to_check(client, referral_form(agency_a))
    draft = check_url.split("draft=")[1]
    other = login(agency_b_outsider)  # another session: the answers are kept in the referrer's own session
    response = other.get(check_url)
    assert response.status_code == 302 and "Alexandra" not in response.content.decode()
    other.post(CHECK, {"draft": draft})
    assert Referral.objects.count() == 0


def test_the_form_page_says_the_answers_are_checked_before_sending(client):
    html = client.get(FORM).content.decode()
    assert "Continue" in html
    assert "You can check your answers before you send the referral." in html
