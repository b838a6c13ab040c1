"""Bad input: forms say what is wrong (GOV.UK error summary linked to the fields,
what was typed shown again), services refuse what breaks a rule and save nothing,
and garbage in a URL or a hidden field is a 404, never a 500."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from allegations import services
from allegations.models import (
    Case,
    Decision,
    Disagreement,
    Event,
    Referral,
    ReferralStatus,
    Strand,
    SubjectMatch,
    TriageDecision,
)
from deadlines.models import Deadline
from tests.allegations.factories import discuss, make_case, make_referral, tell_parents
from tests.forms import referral_send, typed, with_dates

pytestmark = pytest.mark.django_db


# --- Reading the page ----------------------------------------------------------

class _Page(HTMLParser):
    """The ids on a page and the links inside its GOV.UK error summary."""

    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()
        self.summary_links: list[str] = []
        self._summary_depth = 0  # >0 while inside <div class="govuk-error-summary">

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        classes = (attrs.get("class") or "").split()
        if self._summary_depth:
            if tag == "div":
                self._summary_depth += 1
            if tag == "a" and attrs.get("href"):
                self.summary_links.append(attrs["href"])
        elif tag == "div" and "govuk-error-summary" in classes:
            self._summary_depth = 1

    def handle_endtag(self, tag):
        if self._summary_depth and tag == "div":
            self._summary_depth -= 1


def assert_error_summary_links_work(response) -> list[str]:
    """The page has an error summary whose every link points at an element on the page."""
    html = response.content.decode()
    assert "govuk-error-summary" in html
    page = _Page()
    page.feed(html)
    assert page.summary_links, "the error summary links to no field"
    for href in page.summary_links:
        assert href.startswith("#"), href
        assert href[1:] in page.ids, f"error summary link {href} has no element with that id"
    return page.summary_links


def days_ago(n: int) -> str:
    return (timezone.localdate() - dt.timedelta(days=n)).isoformat()


# --- The referral form -------------------------------------------------------------

def children_rows(*rows: dict) -> dict:
    data = {"children-TOTAL_FORMS": "3", "children-INITIAL_FORMS": "0", "children-MIN_NUM_FORMS": "0",
            "children-MAX_NUM_FORMS": "3"}
    for index in range(3):
        row = rows[index] if index < len(rows) else {}
        # The browser always sends the select's value, even for a row left empty.
        data.update({f"children-{index}-given_name": "", f"children-{index}-family_name": "",
                     **typed(f"children-{index}-date_of_birth"), f"children-{index}-relationship": "complainant"})
        data.update({f"children-{index}-{k}": v for k, v in row.items()})
    return data


def referral_form(agency, **overrides) -> dict:
    data = {
        "request_kind": "referral", "referring_agency": agency.pk, "referrer_name": "Pat Referrer",
        "referrer_role": "Designated safeguarding lead", "referrer_phone": "01234 567890",
        "referrer_email": "pat@example.org", "workforce": "children",
        "given_name": "Alexandra", "family_name": "Quillfeather", "known_as": "", "previous_family_name": "Smith",
        "date_of_birth": "1980-03-27", "address": "", "subject_role": "Teacher", "employment_type": "paid",
        "employer_name": "Riverside Primary", "sector": "education", "registration_body": "", "registration_number": "",
        "concern_kind": "allegation", "category": "physical",
        "description": "A pupil said the teacher grabbed their arm in the corridor.",
        "concern_arose_on": days_ago(1), "how_arose": "child_or_parent", "timing": "contemporaneous",
        "children_count": "", "subject_works_in": "", "subject_lives_in": "", "other_settings": "", "known_history": "",
        **children_rows({"given_name": "Sam", "family_name": "Pupil", "date_of_birth": "2015-06-01"}),
    }
    data.update(overrides)
    return with_dates(data)


@pytest.fixture
def form_client(login, agency_a_manager):
    return login(agency_a_manager)


NEW_REFERRAL = "/referrals/new/"


def test_missing_required_fields_show_a_linked_error_summary_and_keep_what_was_typed(form_client):
    typed = {
        "given_name": "Alexandra",
        "description": "The coach shouted at a child & pushed them — witnessed by two parents.",
        "known_history": "A previous warning in 2019.",
        **children_rows({"family_name": "Pupilson"}),  # a child row with no first name
    }
    response = form_client.post(NEW_REFERRAL, typed)
    assert response.status_code == 200
    links = assert_error_summary_links_work(response)
    html = response.content.decode()
    for message in ["Say whether you are making a referral or asking for advice.", "Enter your name.",
                    "Enter the person&#39;s last name.", "Enter the date the concern arose.",
                    "Say how the concern came to light.", "Choose the sector.",
                    "Enter the child&#39;s or adult&#39;s first name, or leave the whole row empty."]:
        assert message in html, message
    assert "#id_family_name" in links
    assert "#id_request_kind" in links  # a radio group: the link goes to its first radio
    assert "#id_children-0-given_name" in links
    # What was typed is shown again (escaped), so nothing has to be retyped.
    assert 'value="Alexandra"' in html
    assert "The coach shouted at a child &amp; pushed them — witnessed by two parents." in html
    assert "A previous warning in 2019." in html
    assert 'value="Pupilson"' in html
    assert Referral.objects.count() == 0


def test_choices_already_made_are_kept_checked_when_other_fields_are_wrong(form_client, agency_a):
    response = form_client.post(NEW_REFERRAL, referral_form(agency_a, family_name="", employment_type="volunteer"))
    assert response.status_code == 200
    assert_error_summary_links_work(response)
    html = response.content.decode()
    assert re.search(r'<input[^>]*value="volunteer"[^>]*checked', html)
    assert re.search(r'<option value="education" selected', html)
    assert 'value="Sam"' in html and 'value="Pupil"' in html
    assert Referral.objects.count() == 0


@pytest.mark.parametrize(("field", "message"), [
    ("date_of_birth", "The date of birth must be today or in the past"),
    ("concern_arose_on", "The date the concern arose must be today or in the past"),
    ("children-0-date_of_birth", "The date of birth must be today or in the past"),
])
def test_future_dates_are_refused_with_a_clear_message(form_client, agency_a, field, message):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = form_client.post(NEW_REFERRAL, referral_form(agency_a, **{field: tomorrow}))
    assert response.status_code == 200
    assert f"#id_{field}_day" in assert_error_summary_links_work(response)
    html = response.content.decode()
    assert message in html
    for part, value in (("day", tomorrow.day), ("month", tomorrow.month), ("year", tomorrow.year)):
        assert re.search(rf'id="id_{field}_{part}" name="{field}_{part}" type="text" value="{value}"', html)
    assert Referral.objects.count() == 0


@pytest.mark.parametrize(("boxes", "message", "wrong"), [
    (("1", "1", "1850"), "Date of birth must be after 1900", "year"),
    (("45", "13", "1980"), "Date of birth must be a real date", "month"),
    (("31", "2", "1980"), "Date of birth must be a real date", "day"),
    (("not", "a", "date"), "Date of birth must be a real date", "day"),
    (("27", "", "1980"), "Date of birth must include a month", "month"),
    (("27", "3", "80"), "Year must include 4 numbers", "year"),
])
def test_impossible_dates_of_birth_are_refused(form_client, agency_a, boxes, message, wrong):
    response = form_client.post(NEW_REFERRAL, {**referral_form(agency_a), **typed("date_of_birth", *boxes)})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert f"#id_date_of_birth_{wrong}" in assert_error_summary_links_work(response)
    assert Referral.objects.count() == 0


def test_a_referral_for_an_agency_the_manager_does_not_belong_to_is_refused(form_client, agency_b):
    response = form_client.post(NEW_REFERRAL, referral_form(agency_b))
    assert response.status_code == 200
    assert "Choose an agency from the list." in response.content.decode()
    assert Referral.objects.count() == 0


def test_an_allegation_needs_a_category(form_client, agency_a):
    response = form_client.post(NEW_REFERRAL, referral_form(agency_a, category=""))
    assert response.status_code == 200
    assert "#id_category" in assert_error_summary_links_work(response)
    assert "Choose the category of the allegation." in response.content.decode()


def test_a_valid_referral_is_saved_with_its_children_and_its_24_hour_clock(form_client, agency_a, agency_a_manager,
                                                                          lado_service):
    response = referral_send(form_client, referral_form(agency_a))
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert response.url == reverse("allegations:referral_confirmation", args=[referral.reference])
    assert re.fullmatch(r"MAS-\d{4}-\d{5}", referral.reference)
    assert referral.reference.startswith(f"MAS-{timezone.localtime(referral.received_at).year}-")

    confirmation = form_client.get(response.url)
    assert confirmation.status_code == 200
    assert referral.reference in confirmation.content.decode()

    assert referral.lado_service == lado_service
    assert referral.referring_agency == agency_a
    assert referral.submitted_by == agency_a_manager
    assert referral.status == ReferralStatus.NEW
    assert referral.subject.full_name == "Alexandra Quillfeather"
    assert [str(n) for n in referral.subject.other_names.all()] == ["Alexandra Smith"]
    assert [(c.given_name, c.family_name, c.date_of_birth) for c in referral.children.all()] == [
        ("Sam", "Pupil", dt.date(2015, 6, 1))
    ]
    assert referral.children_count == 1
    deadline = referral.deadlines.get()
    assert deadline.kind == Deadline.Kind.INITIAL_DISCUSSION
    assert deadline.anchor_at == referral.received_at
    assert deadline.due_at == referral.received_at + dt.timedelta(hours=24)
    assert deadline.status == Deadline.Status.OPEN


def test_an_advice_request_needs_no_category(form_client, agency_a):
    response = referral_send(form_client, referral_form(agency_a, request_kind="advice", category=""))
    assert response.status_code == 302
    assert Referral.objects.get().contact_type == "advice"


# --- Triage ---------------------------------------------------------------------------

@pytest.fixture
def discussed(referral, lado_officer):
    return discuss(referral, lado_officer)


def _decide(client, referral, **data):
    return client.post(reverse("allegations:referral_decision", args=[referral.reference]),
                       {"rationale": "Rationale typed by the officer.", **data})


def _nothing_decided(referral, status=ReferralStatus.DISCUSSED):
    referral.refresh_from_db()
    assert referral.status == status
    assert not TriageDecision.objects.filter(referral=referral).exists()
    assert not Case.objects.filter(referral=referral).exists()
    assert not Event.objects.filter(referral=referral, verb="triage_decision").exists()


@pytest.mark.parametrize(("data", "message", "link"), [
    ({"decision": "threshold_met", "route": "position_of_trust"},
     "Say which of the four thresholds is met, or choose another decision.", "#id_harmed"),
    ({"decision": "strategy"}, "Say which of the four thresholds is met, or choose another decision.", "#id_harmed"),
    ({"decision": "advice", "criminal_offence": "on"},
     "You said a harm threshold is met: choose ‘threshold met’ or the strategy discussion route.", "#id_decision"),
    ({"decision": "not_allegation", "unsuitable": "on"},
     "You said a harm threshold is met: choose ‘threshold met’ or the strategy discussion route.", "#id_decision"),
    ({"decision": "transfer"}, "Enter the authority the referral is transferred to.", "#id_transfer_to"),
    ({"decision": "threshold_met", "harmed": "on"}, "Choose how the case will be managed.", "#id_route"),
    ({"rationale": "", "decision": "advice"}, "Give the rationale for the decision.", "#id_rationale"),
    ({}, "Choose a decision.", "#id_decision"),
], ids=["threshold-met-without-threshold", "strategy-without-threshold", "advice-with-threshold",
        "not-allegation-with-threshold", "transfer-without-authority", "threshold-met-without-route",
        "no-rationale", "no-decision"])
def test_a_triage_decision_that_breaks_a_rule_is_refused_and_nothing_is_saved(login, lado_officer, discussed, data,
                                                                              message, link):
    response = _decide(login(lado_officer), discussed, **data)
    assert response.status_code == 200
    assert link in assert_error_summary_links_work(response)
    html = response.content.decode()
    assert message in html
    if data.get("rationale", "x"):
        assert "Rationale typed by the officer." in html
    _nothing_decided(discussed)


def test_a_triage_decision_before_the_initial_discussion_is_refused(login, lado_officer, referral):
    response = _decide(login(lado_officer), referral, decision="advice")
    assert response.status_code == 200
    assert "This referral is new: it cannot move to" in response.content.decode()
    _nothing_decided(referral, status=ReferralStatus.NEW)


def test_a_valid_triage_opens_a_case_with_three_strands(login, lado_officer, discussed):
    response = _decide(login(lado_officer), discussed, decision="threshold_met", harmed="on", risk_of_harm="on",
                       route="position_of_trust")
    assert response.status_code == 302
    assert response.url == reverse("allegations:case_detail", args=[discussed.reference])
    case = Case.objects.get(referral=discussed)
    assert case.route == "position_of_trust"
    assert sorted(case.strands.values_list("kind", flat=True)) == sorted(Strand.Kind.values)
    assert set(case.strands.values_list("status", flat=True)) == {Strand.Status.NOT_STARTED}
    triage = TriageDecision.objects.get(referral=discussed)
    assert (triage.harmed, triage.criminal_offence, triage.risk_of_harm, triage.unsuitable) == (True, False, True, False)
    discussed.refresh_from_db()
    assert discussed.status == ReferralStatus.CASE_OPENED


def test_a_transfer_with_an_authority_closes_the_referral_without_a_case(login, lado_officer, discussed):
    response = _decide(login(lado_officer), discussed, decision="transfer", transfer_to="Elsewhere County Council")
    assert response.status_code == 302
    discussed.refresh_from_db()
    assert discussed.status == ReferralStatus.TRANSFERRED
    assert discussed.triage.transfer_to == "Elsewhere County Council"
    assert not Case.objects.filter(referral=discussed).exists()


# --- Closing a case -------------------------------------------------------------------

@pytest.fixture
def older_case(agency_a_manager, lado_service, agency_a, lado_officer):
    """A case whose referral came in two days ago, so 'now' is a valid closure time."""
    referral = make_referral(actor=agency_a_manager, lado_service=lado_service, agency=agency_a,
                             received_at=timezone.now() - dt.timedelta(days=2))
    case = make_case(officer=lado_officer, referral=referral)
    tell_parents(case, lado_officer)  # closing also asks this of each child (tests/allegations/test_facts.py)
    return case


def _close(client, case, closed_at=None, **data):
    closed_at = closed_at or timezone.localtime() - dt.timedelta(minutes=5)
    return client.post(reverse("allegations:case_action", args=[case.reference, "close"]),
                       with_dates({"closed_at": closed_at.strftime("%Y-%m-%dT%H:%M"), "summary": "Closing summary typed.", **data}))


def _outcome(case, officer, outcome="unfounded", employer_outcome="no_sanction"):
    services.case_record_outcome(actor=officer, case=case, outcome=outcome, police_outcome="no_police_action",
                                 police_outcome_detail="", employer_outcome=employer_outcome)


def _still_open(case):
    case.refresh_from_db()
    assert case.is_open
    assert case.closed_at is None
    assert not Event.objects.filter(case=case, verb="case_closed").exists()


def test_a_case_cannot_close_without_an_outcome(login, lado_officer, older_case):
    response = _close(login(lado_officer), older_case)
    assert response.status_code == 200
    assert "#id_closed_at_day" in assert_error_summary_links_work(response)
    assert "Record the outcome before closing the case." in response.content.decode()
    assert "Closing summary typed." in response.content.decode()
    _still_open(older_case)


def test_every_reason_not_to_close_is_shown_at_once(login, lado_officer, older_case):
    before_referral = older_case.referral.received_at - dt.timedelta(days=1)
    response = _close(login(lado_officer), older_case, closed_at=timezone.localtime(before_referral))
    html = response.content.decode()
    assert "Record the outcome before closing the case." in html
    assert "The closure date cannot be before the referral was received." in html
    _still_open(older_case)


def test_a_case_cannot_close_in_the_future(login, lado_officer, older_case):
    _outcome(older_case, lado_officer)
    response = _close(login(lado_officer), older_case, closed_at=timezone.localtime() + dt.timedelta(days=1))
    assert response.status_code == 200
    assert "The closure date cannot be in the future." in response.content.decode()
    _still_open(older_case)


def test_a_case_with_a_dbs_duty_cannot_close_until_the_dbs_referral_is_recorded(login, lado_officer, older_case):
    client = login(lado_officer)
    _outcome(older_case, lado_officer, outcome="substantiated", employer_outcome="dismissed")
    response = _close(client, older_case)
    assert response.status_code == 200
    assert_error_summary_links_work(response)
    assert ("The employer has a duty to refer to the DBS: record the referral, or why it was not made, first."
            in response.content.decode())
    _still_open(older_case)

    dbs_url = reverse("allegations:case_action", args=[older_case.reference, "dbs"])
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = client.post(dbs_url, with_dates({"referred_on": tomorrow, "notes": ""}))
    assert response.status_code == 200
    assert "The date of the DBS referral cannot be in the future." in response.content.decode()
    older_case.refresh_from_db()
    assert older_case.dbs_referral_on is None
    _close(client, older_case)
    _still_open(older_case)

    assert client.post(dbs_url, with_dates({"referred_on": timezone.localdate().isoformat(), "notes": ""})).status_code == 302
    assert _close(client, older_case).status_code == 302
    older_case.refresh_from_db()
    assert not older_case.is_open


def test_nothing_more_is_recorded_on_a_closed_case(login, lado_officer, older_case):
    _outcome(older_case, lado_officer)
    client = login(lado_officer)
    assert _close(client, older_case).status_code == 302
    response = client.post(reverse("allegations:case_action", args=[older_case.reference, "decision"]),
                           with_dates({"decision": "Late decision", "rationale": "Why", "made_at": "between_meetings"}))
    assert response.status_code == 200
    assert "This case is closed." in response.content.decode()
    assert not Decision.objects.filter(case=older_case).exists()
    response = client.post(reverse("allegations:strand_edit", args=[older_case.reference, "police"]),
                           {"status": "active"})
    assert response.status_code == 200
    assert "This case is closed." in response.content.decode()
    assert older_case.strands.get(kind="police").status == Strand.Status.NOT_STARTED


def test_a_concluded_strand_needs_its_date(login, lado_officer, case):
    response = login(lado_officer).post(reverse("allegations:strand_edit", args=[case.reference, "employer"]),
                                        {"status": "concluded", "lead": "HR, Riverside Primary"})
    assert response.status_code == 200
    assert "#id_concluded_on_day" in assert_error_summary_links_work(response)
    assert 'value="HR, Riverside Primary"' in response.content.decode()
    assert case.strands.get(kind="employer").status == Strand.Status.NOT_STARTED


# --- Garbage in URLs and hidden fields: 404, never 500 ------------------------------------

@pytest.fixture
def officer_client(login, lado_officer):
    client = login(lado_officer)
    client.raise_request_exception = False  # a 500 must show as a status code, not an exception
    return client


@pytest.mark.parametrize("url", [
    "/referrals/NOPE/",
    "/referrals/NOPE/decision/",
    "/cases/MAS-0000-00000/",
    "/cases/MAS-0000-00000/close/",
    "/cases/{ref}/unknown-action/",
    "/cases/{ref}/strands/bogus/",
    "/cases/{ref}/strands/Police/",
    "/referrals/MAS%002026/",
    "/cases/MAS%00/close/",
    "/cases/%F0%9F%92%A9/",
    "/referrals/" + "9" * 3000 + "/",
])
def test_garbage_in_the_url_is_a_404(officer_client, case, url):
    url = url.format(ref=case.reference)
    assert officer_client.get(url).status_code == 404
    assert officer_client.post(url, {"anything": "x"}).status_code == 404


def test_resolving_another_cases_disagreement_is_a_404(officer_client, case, lado_officer, agency_a_manager,
                                                       lado_service, agency_a):
    other = make_case(officer=lado_officer, referral=make_referral(
        actor=agency_a_manager, lado_service=lado_service, agency=agency_a, given="Jo", family="Other"))
    theirs = services.disagreement_record(actor=lado_officer, case=other, kind="disagreement",
                                          raised_on=timezone.localdate(), raised_by="Police", about="Suspension")
    url = reverse("allegations:disagreement_resolve", args=[case.reference])
    data = with_dates({"status": "resolved", "resolution": "Agreed.", "resolved_on": timezone.localdate()})
    assert officer_client.post(url, {**data, "disagreement": theirs.pk}).status_code == 404
    assert officer_client.post(url, {**data, "disagreement": "99999999999999999999"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Disagreement.Status.OPEN
    # A non-number is a form error on a hidden field (no link to follow), not a crash.
    response = officer_client.post(url, {**data, "disagreement": "abc"})
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    assert officer_client.get(url + "?id=not-a-number").status_code == 200


@pytest.mark.parametrize("candidate", ["not-a-number", "", "-1", "99999999999999999999", "1.5"])
def test_a_nonsense_match_candidate_is_a_404(officer_client, referral, candidate):
    url = reverse("allegations:referral_match", args=[referral.reference])
    assert officer_client.post(url, {"candidate": candidate, "decision": "confirmed"}).status_code == 404
    assert not SubjectMatch.objects.exists()


def test_a_match_candidate_the_officer_cannot_see_is_a_404(officer_client, referral, other_officer, other_lado_service):
    elsewhere = make_referral(actor=other_officer, lado_service=other_lado_service, phone=True, given="Alex",
                              family="Morgan")
    url = reverse("allegations:referral_match", args=[referral.reference])
    assert officer_client.post(url, {"candidate": elsewhere.subject_id, "decision": "confirmed"}).status_code == 404
    assert officer_client.post(url, {"candidate": elsewhere.subject_id, "decision": "nonsense"}).status_code == 404
    assert not SubjectMatch.objects.exists()
    referral.refresh_from_db()
    assert referral.subject_id != elsewhere.subject_id


def test_a_match_with_the_referrals_own_subject_is_refused_not_a_crash(officer_client, referral):
    url = reverse("allegations:referral_match", args=[referral.reference])
    response = officer_client.post(url, {"candidate": referral.subject_id, "decision": "confirmed"})
    assert response.status_code == 302
    assert not SubjectMatch.objects.exists()


@pytest.mark.parametrize("query", ["?page=abc", "?page=-3", "?officer=abc&status=zzz", "?q=%00",
                                   "?officer=99999999999999999999", "?sector=nope&workforce=nope"])
def test_garbage_in_list_filters_does_not_crash(officer_client, referral, query):
    assert officer_client.get(reverse("allegations:triage_queue") + query).status_code == 200
    assert officer_client.get(reverse("allegations:case_list") + query).status_code == 200


def test_assigning_to_someone_outside_the_service_is_refused(officer_client, referral, other_officer):
    url = reverse("allegations:referral_assign", args=[referral.reference])
    for officer in (other_officer.pk, "abc", "99999999999999999999"):
        response = officer_client.post(url, {"officer": officer}, follow=True)
        assert response.status_code == 200
        assert "Choose an officer from the list." in response.content.decode()
    referral.refresh_from_db()
    assert referral.assigned_to is None


# --- Two officers at once -------------------------------------------------------------------

def test_the_second_of_two_racing_initial_discussions_is_refused_not_duplicated(referral, lado_officer, lado_manager):
    # Both officers loaded the referral while it was new.
    first, second = Referral.objects.get(pk=referral.pk), Referral.objects.get(pk=referral.pk)
    held = timezone.now()
    services.referral_record_discussion(actor=lado_officer, referral=first, held_at=held, with_whom="Pat",
                                        notes="First officer's notes")
    with pytest.raises(ValidationError, match="cannot move to"):
        services.referral_record_discussion(actor=lado_manager, referral=second, held_at=held, with_whom="Pat",
                                            notes="Second officer's notes")
    referral.refresh_from_db()
    assert referral.initial_discussion_notes == "First officer's notes"
    assert Event.objects.filter(referral=referral, verb="initial_discussion").count() == 1
    assert referral.history.filter(history_change_reason="Initial discussion recorded").count() == 1


def test_the_second_of_two_racing_triage_decisions_is_refused_not_a_second_case(discussed, lado_officer, lado_manager):
    stale = Referral.objects.get(pk=discussed.pk)
    services.referral_triage(actor=lado_officer, referral=discussed, decision="threshold_met", rationale="T1",
                             harmed=True, route="position_of_trust")
    with pytest.raises(ValidationError, match="cannot move to"):
        services.referral_triage(actor=lado_manager, referral=stale, decision="advice", rationale="Advice only")
    assert Case.objects.filter(referral=discussed).count() == 1
    assert TriageDecision.objects.get(referral=discussed).decided_by == lado_officer
