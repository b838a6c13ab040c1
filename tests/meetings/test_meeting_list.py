"""The meetings list: each person sees the meetings they may see, in working order, with constant queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.allegations.factories import make_case, make_referral
from tests.meetings.factories import hold, invite, schedule

pytestmark = pytest.mark.django_db


def _list(client) -> str:
    response = client.get(reverse("meetings:meeting_list"))
    assert response.status_code == 200
    return response.content.decode()


def test_each_person_sees_only_the_meetings_they_may_see(login, case, lado_officer, chair, agency_b_outsider,
                                                         police_user, police_agency, analyst):
    meeting = schedule(case, actor=lado_officer, chair=chair)
    detail = reverse("meetings:meeting_detail", args=[meeting.pk])
    assert detail in _list(login(lado_officer))
    assert detail in _list(login(chair))
    assert detail not in _list(login(agency_b_outsider))
    assert detail not in _list(login(analyst))
    assert detail not in _list(login(police_user))
    invite(meeting, actor=lado_officer, agency=police_agency, access_level="safeguarding")
    assert detail in _list(login(police_user))


def test_meetings_to_be_held_come_first_soonest_first(login, case, lado_officer, chair):
    now = timezone.now()
    later = schedule(case, actor=lado_officer, chair=chair, when=now + dt.timedelta(days=9))
    sooner = schedule(case, actor=lado_officer, chair=chair, when=now + dt.timedelta(days=2))
    held = schedule(case, actor=lado_officer, chair=chair, when=timezone.now(), kind="review")
    hold(held, actor=lado_officer)
    html = _list(login(lado_officer))
    positions = [html.index(reverse("meetings:meeting_detail", args=[m.pk])) for m in (sooner, later, held)]
    assert positions == sorted(positions)


def test_the_list_keeps_a_constant_number_of_queries(login, lado_officer, chair, agency_a_manager, lado_service, agency_a):
    client = login(lado_officer)

    def add_meetings(n):
        for i in range(n):
            referral = make_referral(actor=agency_a_manager, lado_service=lado_service, agency=agency_a, family=f"Case{i}")
            schedule(make_case(officer=lado_officer, referral=referral), actor=lado_officer, chair=chair)

    add_meetings(2)
    with CaptureQueriesContext(connection) as few:
        _list(client)
    add_meetings(6)
    with CaptureQueriesContext(connection) as many:
        _list(client)
    assert len(many) == len(few)
