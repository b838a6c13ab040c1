"""Low-level concerns: an agency records them, need to know decides who sees them, the LADO service is prompted
when concerns about one person form a pattern and opens a referral from the prompt."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.urls import reverse

from agencies.models import Partnership
from allegations.models import Event, Referral
from deadlines.models import Deadline
from lowlevel.models import LowLevelConcern
from lowlevel.selectors import PROMPTS_KEY, prompts_for
from tests.forms import with_dates
from tests.lowlevel.factories import record

pytestmark = pytest.mark.django_db

PROMPT = "consider a referral"
TODAY = dt.date.today()


def _three(actor, agency):
    return [record(actor=actor, agency=agency, occurred_on=TODAY - dt.timedelta(days=days)) for days in (300, 150, 10)]


def test_an_agency_records_a_concern_through_the_page(login, agency_a_manager, agency_a, lado_service):
    client = login(agency_a_manager)
    assert client.get(reverse("lowlevel:concern_create")).status_code == 200
    response = client.post(reverse("lowlevel:concern_create"), with_dates({
        "agency": agency_a.pk, "given_name": "Chris", "family_name": "Lowe", "date_of_birth": "1990-05-04",
        "role": "Teaching assistant", "occurred_on": (TODAY - dt.timedelta(days=3)).isoformat(),
        "what_happened": "Used a pupil's nickname they dislike.", "employer_action": "Reminded of the code of conduct.",
    }))
    concern = LowLevelConcern.objects.get()
    assert response.status_code == 302 and response.url == reverse("lowlevel:concern_detail", args=[concern.pk])
    assert (concern.agency, concern.lado_service, concern.recorded_by) == (agency_a, lado_service, agency_a_manager)
    assert concern.history.get().history_change_reason == "Low-level concern recorded"
    page = client.get(response.url).content.decode()
    assert "Chris Lowe" in page and "Reminded of the code of conduct." in page and "Low-level concern recorded" in page


def test_the_form_keeps_what_was_typed_and_says_what_is_missing(login, agency_a_manager, agency_a):
    response = login(agency_a_manager).post(reverse("lowlevel:concern_create"), {
        "agency": agency_a.pk, "given_name": "Chris", "family_name": "", "role": "Teaching assistant",
        "what_happened": "Typed text", "employer_action": "",
    })
    page = response.content.decode()
    assert response.status_code == 200 and "govuk-error-summary" in page
    assert "Enter the person&#39;s last name." in page and "Enter the date it happened." in page
    assert "Typed text" in page
    assert not LowLevelConcern.objects.exists()


def test_need_to_know_the_agency_and_its_lado_service_only(login, agency_a_manager, agency_a_viewer, agency_a,
                                                           agency_b_outsider, lado_officer, other_officer, police_user,
                                                           analyst):
    concern = record(actor=agency_a_manager, agency=agency_a)
    url = reverse("lowlevel:concern_detail", args=[concern.pk])
    for person in (agency_a_manager, agency_a_viewer, lado_officer):
        assert login(person).get(url).status_code == 200
        assert "Chris Lowe" in login(person).get(reverse("lowlevel:concern_list")).content.decode()
    for person in (agency_b_outsider, other_officer, police_user, analyst):
        assert login(person).get(url).status_code == 404
        assert list(LowLevelConcern.objects.visible_to(person)) == []
    assert login(agency_b_outsider).get(reverse("lowlevel:concern_list")).status_code == 200
    assert "Chris Lowe" not in login(agency_b_outsider).get(reverse("lowlevel:concern_list")).content.decode()
    assert login(analyst).get(reverse("lowlevel:concern_list")).status_code == 403


def test_the_prompt_shows_on_the_triage_queue_when_three_concerns_fall_in_twelve_months(
        login, agency_a_manager, agency_a, lado_officer, lado_service):
    first_two = _three(agency_a_manager, agency_a)[:2]
    LowLevelConcern.objects.exclude(pk__in=[c.pk for c in first_two]).get().delete()
    client = login(lado_officer)
    queue = reverse("allegations:triage_queue")
    assert PROMPT not in client.get(queue).content.decode()
    assert cache.get(PROMPTS_KEY.format(lado_service.pk)) is not None  # kept for the next view
    record(actor=agency_a_manager, agency=agency_a, given="Christopher", occurred_on=TODAY)  # the third, by another name
    page = client.get(queue).content.decode()
    assert PROMPT in page and "Chris" in page and "3 or more concerns within 12 months" in page
    assert PROMPT in client.get(reverse("allegations:my_work")).content.decode()
    # The agency is never prompted: the pattern across its and others' concerns is the LADO service's to see.
    assert prompts_for(agency_a_manager) == []


def test_concerns_from_two_employers_prompt_and_the_setting_changes_the_window(
        login, agency_a_manager, agency_a, agency_b_outsider, agency_b, lado_officer, lado_manager):
    record(actor=agency_a_manager, agency=agency_a, occurred_on=TODAY - dt.timedelta(days=700))
    assert prompts_for(lado_officer) == []
    record(actor=agency_b_outsider, agency=agency_b)
    [prompt] = prompts_for(lado_officer)
    assert prompt.why == "concerns from 2 employers" and prompt.employers == ("Hilltop Academy", "Riverside Primary")

    partnership = Partnership.current()
    partnership.low_level_prompt_concerns, partnership.low_level_prompt_months = 2, 24
    partnership.save()
    [prompt] = prompts_for(lado_officer)
    assert prompt.reasons == ("2 or more concerns within 24 months", "concerns from 2 employers")


def test_three_concerns_over_thirteen_months_do_not_prompt(agency_a_manager, agency_a, lado_officer):
    for days in (400, 200, 1):  # 13 months and more between the first and the last
        record(actor=agency_a_manager, agency=agency_a, occurred_on=TODAY - dt.timedelta(days=days))
    assert prompts_for(lado_officer) == []


def test_the_lado_opens_a_referral_from_the_prompt(login, agency_a_manager, agency_a, agency_b_outsider, agency_b,
                                                   lado_officer, lado_service):
    concerns = _three(agency_a_manager, agency_a)
    client = login(lado_officer)
    [prompt] = prompts_for(lado_officer)
    url = reverse("lowlevel:referral_open", args=[prompt.key])
    page = client.get(url).content.decode()
    assert 'value="Chris"' in page and 'value="Teaching assistant"' in page
    assert "Shouted at a pupil in the dinner hall." in page  # the account, prefilled from the concerns
    # Another agency cannot open it, nor see that the concerns exist.
    assert login(agency_b_outsider).get(url).status_code == 404
    response = client.post(url, with_dates({
        "given_name": "Chris", "family_name": "Lowe", "subject_role": "Teaching assistant",
        "workforce": "children", "category": "emotional", "timing": "contemporaneous",
        "description": "Three concerns about shouting at pupils in a year.",
    }))
    referral = Referral.objects.get()
    assert response.status_code == 302 and response.url == reverse("allegations:referral_detail", args=[referral.reference])
    assert referral.lado_service == lado_service and referral.employer == agency_a and referral.referring_agency is None
    assert referral.subject.full_name == "Chris Lowe" and referral.status == "new"
    assert set(referral.low_level_concerns.all()) == set(concerns)
    assert referral.deadlines.filter(kind=Deadline.Kind.INITIAL_DISCUSSION).exists()
    event = Event.objects.get(referral=referral, verb="low_level_concerns_linked")
    assert event.summary == "Opened from 3 low-level concerns recorded by 1 employer"
    assert event.summary in client.get(reverse("allegations:referral_detail", args=[referral.reference])).content.decode()
    for concern in concerns:
        assert concern.history.order_by("-history_id").first().history_change_reason == f"Linked to referral {referral.reference}"
    assert prompts_for(lado_officer) == []  # linked: the prompt is gone
    assert client.get(url).status_code == 404  # and cannot be opened twice
    # The agency reads that a referral was opened; the referral itself is the LADO service's.
    page = login(agency_a_manager).get(reverse("lowlevel:concern_detail", args=[concerns[0].pk])).content.decode()
    assert "The LADO service opened a referral" in page


def test_a_referral_from_concerns_needs_its_answers(login, agency_a_manager, agency_a, lado_officer):
    _three(agency_a_manager, agency_a)
    [prompt] = prompts_for(lado_officer)
    response = login(lado_officer).post(reverse("lowlevel:referral_open", args=[prompt.key]), {"given_name": "Chris"})
    assert response.status_code == 200 and "Choose the category of the allegation." in response.content.decode()
    assert not Referral.objects.exists()


def test_only_a_senior_manager_of_an_agency_records(login, agency_a_viewer, lado_officer, agency_a):
    from django.core.exceptions import PermissionDenied

    assert login(agency_a_viewer).get(reverse("lowlevel:concern_create")).status_code == 403
    assert login(lado_officer).get(reverse("lowlevel:concern_create")).status_code == 403
    with pytest.raises(PermissionDenied):
        record(actor=agency_a_viewer, agency=agency_a)


def test_the_manager_sets_when_the_low_level_prompt_appears(login, partnership, lado_manager):
    from tests.views_deadlines.test_settings import CURRENT

    client = login(lado_manager)
    url = reverse("settings_deadlines")
    assert "Prompt to consider a referral from low-level concerns" in client.get(url).content.decode()
    response = client.post(url, {**CURRENT, "low_level_prompt_months": "18", "reason": "Agreed at the board"})
    assert response.status_code == 302
    partnership.refresh_from_db()
    assert (partnership.low_level_prompt_concerns, partnership.low_level_prompt_months) == (3, 18)
    assert "Within this many months: 12 → 18" in client.get(url).content.decode()
