import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_lado_sees_queue_referral_and_case(login, lado_officer, case):
    client = login(lado_officer)
    ref = case.referral.reference
    for url in [
        reverse("allegations:triage_queue") + "?status=all",  # the queue shows open work unless asked for all
        reverse("allegations:referral_detail", args=[ref]),
        reverse("allegations:case_list"),
        reverse("allegations:case_detail", args=[ref]),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert ref.encode() in response.content


def test_referral_form_renders(login, agency_a_manager):
    response = login(agency_a_manager).get(reverse("allegations:referral_create"))
    assert response.status_code == 200
    assert b"Make a referral" in response.content
