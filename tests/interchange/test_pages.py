"""The pages of an imported record render: no chair, no triage decision, no minutes of the product's own."""

from __future__ import annotations

import pytest
from django.urls import reverse

from allegations.models import Case, CaseStatus, Referral
from meetings.models import Meeting

from .conftest import CASES, MEETINGS, run_import

pytestmark = pytest.mark.django_db


@pytest.fixture
def imported(lado_officer):
    run = run_import(cases=CASES, meetings=MEETINGS)
    assert run.ok, run.err


def test_referral_page_of_an_imported_advice_contact(imported, lado_officer, login):
    client = login(lado_officer)
    response = client.get(reverse("allegations:referral_detail", args=["MAS-2018-00007"]))
    assert response.status_code == 200
    assert "Imported from cases.csv line 3" in response.content.decode()


def test_case_page_of_an_imported_case_with_chairless_meetings(imported, lado_officer, login):
    case = Case.objects.filter(meetings__isnull=False, status=CaseStatus.CLOSED).distinct().first()
    client = login(lado_officer)
    response = client.get(reverse("allegations:case_detail", args=[case.referral.reference]))
    assert response.status_code == 200
    page = response.content.decode()
    assert case.referral.reference in page


def test_pages_of_an_open_imported_case(imported, lado_officer, login):
    case = Case.objects.filter(status=CaseStatus.OPEN).first()
    client = login(lado_officer)
    for name in ("allegations:referral_detail", "allegations:case_detail"):
        response = client.get(reverse(name, args=[case.referral.reference]))
        assert response.status_code == 200, name


def test_meeting_page_and_list_of_an_imported_meeting(imported, lado_officer, login):
    meeting = Meeting.objects.first()
    client = login(lado_officer)
    response = client.get(reverse("meetings:meeting_detail", args=[meeting.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "imported from an earlier case system: its minutes are not held here" in page
    # No chair: the page says so rather than failing.
    assert "Not recorded" in page
    # The minutes cannot be edited: there are none in the product.
    assert client.get(reverse("meetings:minutes_edit", args=[meeting.pk])).status_code == 404
    response = client.get(reverse("meetings:meeting_list"))
    assert response.status_code == 200


def test_outsiders_still_get_404(imported, agency_b_outsider, login):
    referral = Referral.objects.get(reference="MAS-2018-00026")
    client = login(agency_b_outsider)
    assert client.get(reverse("allegations:referral_detail", args=[referral.reference])).status_code == 404
    assert client.get(reverse("allegations:case_detail", args=[referral.reference])).status_code == 404


@pytest.mark.parametrize("path", ["/", "/my-work/", "/team/", "/triage/", "/cases/", "/referrals/", "/meetings/",
                                  "/triage/?status=open", "/cases/?status=open"])
def test_lists_render_with_imported_records(imported, lado_officer, lado_manager, login, path):
    """Imported cases have no owner and imported meetings no chair: the lists must not assume either."""
    for user in (lado_officer, lado_manager) if path != "/team/" else (lado_manager,):  # the team view: managers
        response = login(user).get(path, follow=True)
        assert response.status_code == 200, (path, user)


def test_reporting_pages_render_with_imported_records(imported, analyst, login):
    client = login(analyst)
    for path in ("/reporting/figures/", "/reporting/dashboard/", "/reporting/annual/"):
        assert client.get(path, follow=True).status_code == 200, path
