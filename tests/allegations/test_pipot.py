"""PiPoT (issue 6 §8, seed 000): the adults' workforce goes through the same referral, triage and case
flow in its own words (adult at risk, designated adult safeguarding manager, PiPoT lead), and triage
keeps an allegation apart from a quality-of-care concern and a complaint."""

import html as htmllib
import re

import pytest
from django.core import mail
from django.urls import reverse

from allegations.models import ConcernKind, Event, ReferralStatus
from allegations.notifications import referral_received_notify
from allegations.wording import adapt, wording
from outbox.services import messages_drain as outbox_drain
from tests.allegations.factories import discuss, make_case, make_referral

pytestmark = pytest.mark.django_db

ADULTS = {"workforce": "adults", "sector": "care_home", "subject_role": "Care worker", "employer_name": "Elm House",
          "description": "A resident said the care worker pushed her into a chair.", "how_arose": "colleague",
          "referrer_role": "Designated adult safeguarding manager"}


def _text(response) -> str:
    """The page's main content as words (no markup, no menu)."""
    html = response.content.decode()
    main = html[html.index('<main'):html.index('</main>')]
    return htmllib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main)))


def _children_words(text: str) -> list[str]:
    return re.findall(r"\bchild(?:ren)?\b|\bLADO\b|designated safeguarding lead", text, flags=re.IGNORECASE)


@pytest.fixture
def adults_referral(agency_a_manager, lado_service, agency_a):
    return make_referral(actor=agency_a_manager, lado_service=lado_service, agency=agency_a,
                         children=[{"given_name": "Rose", "family_name": "Resident", "relationship": "complainant"}],
                         **ADULTS)


def test_wording_follows_the_workforce():
    assert wording("adults")["person"] == "adult at risk"
    assert wording("adults")["lead"] == "designated adult safeguarding manager"
    assert wording("children")["service"] == "LADO"
    assert wording(None)["People"] == "Children or adults at risk"  # before the referrer has said
    assert adapt("Employer to deal with it, monitored by the LADO", "adults") == \
        "Employer to deal with it, monitored by the PiPoT lead"
    assert adapt("Employer to deal with it, monitored by the LADO", "children").endswith("the LADO")


def test_the_referral_form_asks_the_workforce_first_and_adapts_once_answered(login, agency_a_manager):
    client = login(agency_a_manager)
    page = client.get(reverse("allegations:referral_create")).content.decode()
    assert page.index('name="workforce"') < page.index('name="request_kind"') < page.index('name="given_name"')
    assert "Children or adults at risk" in page and "designated adult safeguarding manager" in page
    # A form sent back with errors speaks the adults' words once the referrer said adults.
    again = _text(client.post(reverse("allegations:referral_create"), {"workforce": "adults"}))
    assert "Make a referral to the PiPoT service" in again
    assert "Adults at risk" in again and "Children or adults at risk" not in again


def _case_pages_text(client, case) -> str:
    from allegations.views import CASE_PAGES, case_page_url

    pages = [client.get(case_page_url(case.reference, slug)) for slug in CASE_PAGES]
    return " ".join(_text(page) for page in pages if page.status_code == 200)


def test_an_adults_referral_and_case_speak_of_the_adult_at_risk(login, adults_referral, lado_officer,
                                                                agency_a_manager):
    officer = login(lado_officer)
    detail = _text(officer.get(reverse("allegations:referral_detail", args=[adults_referral.reference])))
    assert "PiPoT referral (adults' workforce)" in detail
    assert "Adults at risk" in detail and "Number of adults at risk involved" in detail
    assert _children_words(detail) == []
    case = make_case(officer=lado_officer, referral=adults_referral, route="employer")
    page = _case_pages_text(officer, case)  # the overview and every page of the case
    assert "PiPoT case (adults' workforce)" in page
    assert "monitored by the PiPoT lead" in page
    assert "Only the PiPoT service and the referring agency." in page
    assert _children_words(page) == [], "children's words on an adults' case page"
    # The referring agency's view of the same case too.
    assert _children_words(_case_pages_text(login(agency_a_manager), case)) == []


def test_a_childrens_case_keeps_the_childrens_words(login, case, lado_officer):
    page = _case_pages_text(login(lado_officer), case)
    assert "Only the LADO service" in page
    assert "PiPoT" not in page


def test_adults_triage_asks_allegation_quality_of_care_or_complaint(login, adults_referral, lado_officer):
    discuss(adults_referral, lado_officer)
    client = login(lado_officer)
    url = reverse("allegations:referral_decision", args=[adults_referral.reference])
    page = _text(client.get(url))
    assert "Having discussed it, what is it?" in page
    assert "the PiPoT process applies to an allegation against them, not to a concern about the quality of care" in page
    assert "may have harmed, or may pose a risk to, an adult at risk" in page
    assert "safeguarding adults enquiry (section 42)" in page and "section 47" not in page
    assert "adults with care and support needs" in page and _children_words(page) == []

    # The officer must say what it is.
    response = client.post(url, {"decision": "not_allegation", "rationale": "Care home practice issue."})
    assert "Say whether it is an allegation, a quality-of-care concern or a complaint." in response.content.decode()
    # A quality-of-care concern cannot open a PiPoT case.
    response = client.post(url, {"concern_kind": "quality_of_care", "decision": "threshold_met", "harmed": "on",
                                 "route": "employer", "rationale": "Pushed."})
    assert "does not open a case" in response.content.decode()
    adults_referral.refresh_from_db()
    assert adults_referral.status == ReferralStatus.DISCUSSED
    # Routed away, with the distinction kept on the record.
    response = client.post(url, {"concern_kind": "quality_of_care", "decision": "not_allegation",
                                 "rationale": "Staffing levels at night, not this worker's conduct: to the commissioners."})
    assert response.status_code == 302
    adults_referral.refresh_from_db()
    assert adults_referral.status == ReferralStatus.NOT_ALLEGATION
    assert adults_referral.concern_kind == ConcernKind.QUALITY_OF_CARE
    assert adults_referral.history.first().history_user == lado_officer
    event = Event.objects.get(referral=adults_referral, verb="triage_decision")
    assert "quality-of-care concern" in event.summary and "commissioners' contract monitoring" in event.summary
    detail = _text(client.get(reverse("allegations:referral_detail", args=[adults_referral.reference])))
    assert "routed away from PiPoT" in detail


def test_adults_triage_that_confirms_an_allegation_opens_a_pipot_case(login, adults_referral, lado_officer):
    discuss(adults_referral, lado_officer)
    response = login(lado_officer).post(
        reverse("allegations:referral_decision", args=[adults_referral.reference]),
        {"concern_kind": "allegation", "decision": "threshold_met", "harmed": "on", "route": "position_of_trust",
         "rationale": "Threshold 1: the resident may have been harmed."})
    assert response["Location"] == reverse("allegations:case_detail", args=[adults_referral.reference])


def test_childrens_triage_leaves_the_question_optional(login, referral, lado_officer):
    discuss(referral, lado_officer)
    response = login(lado_officer).post(
        reverse("allegations:referral_decision", args=[referral.reference]),
        {"decision": "threshold_met", "harmed": "on", "route": "position_of_trust", "rationale": "Threshold 1."})
    assert response.status_code == 302


def test_the_new_referral_email_names_the_pipot_service_and_nobody(adults_referral, lado_officer):
    mail.outbox.clear()
    assert referral_received_notify(referral_id=adults_referral.pk) >= 1
    outbox_drain()  # the e-mails go through the outbox, as the worker sends them
    body = mail.outbox[0].body
    assert "your PiPoT service" in body
    assert "Rose" not in body and "Morgan" not in body and "Resident" not in body
