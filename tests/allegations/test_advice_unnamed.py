"""An advice request (a consultation) may leave the person unnamed and describe them; a referral names them."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from allegations import services
from allegations.models import Referral, TriageDecision
from reporting.annual import annual_report, report_history
from reporting.tables import report_tables
from tests.allegations.factories import discuss, make_referral
from tests.allegations.test_bad_input import referral_form
from tests.forms import referral_send

pytestmark = pytest.mark.django_db

UNNAMED = {"given_name": "", "family_name": "", "subject_role": "", "employment_type": "", "previous_family_name": "",
           "date_of_birth": ""}


def test_an_advice_request_describes_the_person_instead_of_naming_them(login, agency_a_manager, agency_a, lado_officer):
    client = login(agency_a_manager)
    response = referral_send(client, referral_form(agency_a, request_kind="advice", category="",
                                                   described_as="a teaching assistant", **UNNAMED))
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.contact_type == "advice"
    subject = referral.subject
    assert (subject.given_name, subject.family_name, subject.described_as) == ("", "", "a teaching assistant")
    assert not subject.is_named and subject.full_name == "Not named: a teaching assistant"
    assert "Not named: a teaching assistant" in login(lado_officer).get(f"/referrals/{referral.reference}/").content.decode()


def test_an_unnamed_advice_request_must_describe_the_person(form_client_a, agency_a):
    response = form_client_a.post("/referrals/new/", referral_form(agency_a, request_kind="advice", category="",
                                                                   **UNNAMED))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Describe the person, for example a teaching assistant, or enter their name." in page
    assert not Referral.objects.exists()


def test_a_referral_still_names_the_person_with_their_role_and_engagement(form_client_a, agency_a):
    response = form_client_a.post("/referrals/new/", referral_form(agency_a, described_as="a teaching assistant",
                                                                   **UNNAMED))
    page = response.content.decode()
    assert response.status_code == 200
    for message in ("Enter the person&#39;s first name.", "Enter the person&#39;s last name.",
                    "Enter the person&#39;s role, for example teacher or foster carer.",
                    "Say how the person is engaged."):
        assert message in page, message
    assert 'value="a teaching assistant"' in page  # what was typed is kept
    assert not Referral.objects.exists()


@pytest.fixture
def form_client_a(login, agency_a_manager):
    return login(agency_a_manager)


def _unnamed_advice(actor, lado_service, agency, **fields):
    return services.referral_submit(
        actor=actor, lado_service=lado_service, referring_agency=agency,
        subject_fields={"given_name": "", "family_name": "", "described_as": "a teaching assistant"},
        referral_fields={"referrer_name": "Pat", "workforce": "children", "timing": "contemporaneous",
                         "contact_type": "advice", "description": "Is this for the LADO?", "employer_name": "Riverside",
                         "sector": "education", **fields},
        children=[],
    )


def test_no_case_opens_for_an_unnamed_person(agency_a_manager, lado_service, agency_a, lado_officer):
    referral = discuss(_unnamed_advice(agency_a_manager, lado_service, agency_a), lado_officer)
    with pytest.raises(ValidationError) as refused:
        services.referral_triage(actor=lado_officer, referral=referral, decision=TriageDecision.Decision.THRESHOLD_MET,
                                 rationale="Met.", harmed=True, route="position_of_trust")
    assert "The person is not named" in str(refused.value)
    services.referral_triage(actor=lado_officer, referral=referral, decision=TriageDecision.Decision.ADVICE,
                             rationale="Advice given to the employer.")
    referral.refresh_from_db()
    assert referral.status == "advice"


def test_the_annual_report_counts_consultations_without_a_name_as_advice(agency_a_manager, lado_service, agency_a):
    from django.utils import timezone

    received = timezone.make_aware(dt.datetime(2024, 5, 2, 10, 0))
    _unnamed_advice(agency_a_manager, lado_service, agency_a, received_at=received)
    make_referral(actor=agency_a_manager, lado_service=lado_service, agency=agency_a, contact_type="advice",
                  category="", received_at=received)
    make_referral(actor=agency_a_manager, lado_service=lado_service, agency=agency_a, received_at=received)
    report = annual_report(2024)
    assert report["advice"]["total"] == 2  # the unnamed one is advice like any other
    assert "consultations_without_a_name" not in report  # the JSON's keys are the specification's
    history = report_history(2024)
    assert history["consultations_without_a_name"] == [0, 0, 0, 0, 1]
    [table] = [t for t in report_tables(report, history) if t.key == "consultations_without_a_name"]
    assert table.rows == [["Advice requests", 0, 0, 0, 0, 2], ["Of which the person was not named", 0, 0, 0, 0, 1]]
    assert table.section == "1. Work coming in"
