"""seed_demo tells the assurance round (partly answered) and a PiPoT referral in the adults' words."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from allegations.models import ConcernKind, Referral, ReferralStatus
from assurance.models import AssuranceRound, RoundStatus

pytestmark = pytest.mark.django_db


def test_seed_demo_has_a_partly_answered_round_and_a_pipot_referral(client):
    call_command("seed_demo", stdout=io.StringIO())
    round_ = AssuranceRound.objects.get()
    assert round_.status == RoundStatus.SENT and round_.questions.count() == 8  # with 000's commissioning questions
    requests = {r.agency.name: r for r in round_.requests.select_related("agency")}
    assert len(requests) == 4
    assert sum(1 for r in requests.values() if r.answered_at) == 1
    assert requests["Riverside Primary School"].answers.count() == 1  # a draft
    pipot = Referral.objects.get(description__startswith="Missed and late calls")
    assert pipot.workforce == "adults" and pipot.concern_kind == ConcernKind.QUALITY_OF_CARE
    assert pipot.status == ReferralStatus.NOT_ALLEGATION
    assert pipot.referrer_role == "Designated adult safeguarding manager"
    # The business unit's composite shows the answered agency's words; running again adds nothing.
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="analyst"))
    page = client.get(reverse("assurance:composite", args=[round_.pk])).content.decode()
    assert "designated adult safeguarding manager" in page
    assert "Totals for question 5" in page and "Referrals 4, Cases 3, Outcomes 3" in page
    call_command("seed_demo", stdout=io.StringIO())
    assert AssuranceRound.objects.count() == 1
    assert Referral.objects.filter(description__startswith="Missed and late calls").count() == 1
