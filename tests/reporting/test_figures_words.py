"""The figures page names each type of contact in words, as the referral form does, not by its stored code."""

import pytest
from django.urls import reverse
from django.utils import timezone

from allegations.models import ContactType
from tests.reporting.factories import contact

pytestmark = pytest.mark.django_db


def test_the_figures_name_each_type_in_words(login, analyst, lado_service):
    now = timezone.now()
    contact(lado_service=lado_service, received_at=now, contact_type=ContactType.NOT_ALLEGATION)
    contact(lado_service=lado_service, received_at=now, contact_type=ContactType.REFERRAL)
    html = login(analyst).get(reverse("reporting:figures")).content.decode()
    assert "Not an allegation (complaint or conduct matter)" in html
    assert "Referral (harm threshold met)" in html
    assert "not allegation" not in html and "not_allegation" not in html
