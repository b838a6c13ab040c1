"""What agencies outside the LADO service see of a case, and dates that cannot be real."""

import pytest
from django.urls import reverse

from allegations import services
from allegations.models import Suspension
from tests.forms import typed

pytestmark = pytest.mark.django_db


def test_referring_agency_sees_milestones_not_the_lados_reasoning(login, case, lado_officer, agency_a_manager):
    services.decision_record(actor=lado_officer, case=case, decision="Ask the school to move the teacher",
                             rationale="PRIVATE-RATIONALE-TEXT", made_at="between_meetings")
    page = login(agency_a_manager).get(reverse("allegations:case_timeline", args=[case.reference])).content.decode()
    timeline = page.split('id="timeline"')[1]
    assert "Case opened" in timeline
    assert "Triage decision" not in timeline
    assert "PRIVATE-RATIONALE-TEXT" not in timeline
    officer_page = login(lado_officer).get(reverse("allegations:case_timeline", args=[case.reference])).content.decode()
    assert "Triage decision" in officer_page.split('id="timeline"')[1]


def test_referring_agency_sees_the_children_it_named_on_the_case(login, case, agency_a_manager, police_user,
                                                                   police_agency, lado_officer):
    url = reverse("allegations:referral_detail", args=[case.reference])  # the case's overview links to it
    assert "Sam Child" in login(agency_a_manager).get(url).content.decode()
    services.case_share_with(actor=lado_officer, case=case, agency=police_agency, level="employer", reason="Police strand")
    response = login(police_user).get(url)
    assert response.status_code == 200
    assert "Sam Child" not in response.content.decode()


def test_a_date_before_1900_is_refused_with_a_message(login, case, lado_officer):
    response = login(lado_officer).post(
        reverse("allegations:case_action", args=[case.reference, "suspension"]),
        {"arrangement": "suspended", **typed("decided_on", "1", "1", "1850"), "decided_by": "Head teacher"},
    )
    assert response.status_code == 200
    assert "must be after 1900" in response.content.decode()
    assert not Suspension.objects.filter(case=case).exists()
