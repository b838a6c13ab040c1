"""Which agency hears of what (need-to-know), and what a payload carries (references, times, links: no names)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from allegations import services as allegations
from allegations.models import EmployerOutcome, Outcome
from deadlines import chasing
from meetings import services as meetings
from tests.allegations.factories import make_case, make_referral, tell_parents
from tests.meetings.factories import approve, circulate, held_meeting_with_minutes, invite
from outbox import services as outbox
from outbox.models import Message
from webhooks import services
from webhooks.events import event_add
from webhooks.models import EVENTS, Delivery, Event
from webhooks.sending import body_of

pytestmark = pytest.mark.django_db

NAMES = ("Zephyrine", "Quillfeather", "Bartholomew", "Xanthopoulos")


@pytest.fixture
def story(agency_a_admin, agency_b_admin, agency_a, agency_b, agency_a_manager, lado_service, lado_officer, chair,
          police_agency):
    """Agency A's referral becomes a case with a meeting, minutes, an action that falls overdue, and closes.
    Agency A and agency B have endpoints for every event."""
    a, _ = services.endpoint_create(actor=agency_a_admin, agency=agency_a, url="https://a.example.org/hooks",
                                    events=list(EVENTS))
    b, _ = services.endpoint_create(actor=agency_b_admin, agency=agency_b, url="https://b.example.org/hooks",
                                    events=list(EVENTS))
    referral = make_referral(actor=agency_a_manager, lado_service=lado_service, agency=agency_a, given=NAMES[0],
                             family=NAMES[1], children=[{"given_name": NAMES[2], "family_name": NAMES[3],
                                                         "relationship": "complainant"}])
    case = make_case(officer=lado_officer, referral=referral)
    allegations.case_share_with(actor=lado_officer, case=case, agency=agency_a, level="safeguarding",
                                reason="The school leads the safeguarding plan")
    allegations.case_share_with(actor=lado_officer, case=case, agency=police_agency, level="safeguarding",
                                reason="Joint working")
    meeting = held_meeting_with_minutes(case, actor=lado_officer, chair=chair)
    invite(meeting, actor=lado_officer, agency=agency_a, access_level="employer")
    invite(meeting, actor=lado_officer, agency=police_agency)
    approve(meeting, chair=chair)
    circulate(meeting, chair=chair)
    # The minutes reach their recipients (the worker sends the e-mails): only then have they been delivered.
    for message in Message.objects.filter(handler="outbox.deliver", done_at__isnull=True).order_by("pk"):
        outbox.message_run(message_id=message.pk)
    action = meetings.action_create(actor=lado_officer, case=case, agency=agency_a, meeting=meeting,
                                    description=f"Take {NAMES[2]} {NAMES[3]}'s account of {NAMES[0]}",
                                    due_on=timezone.localdate() + dt.timedelta(days=1))
    chasing.sweep(now=action.deadline.due_at + dt.timedelta(seconds=1))
    chasing.sweep(now=action.deadline.due_at + dt.timedelta(seconds=2))  # a second sweep tells nobody twice
    case.refresh_from_db()
    allegations.case_record_outcome(actor=lado_officer, case=case, outcome=Outcome.UNFOUNDED,
                                    police_outcome="no_police_action", police_outcome_detail="",
                                    employer_outcome=EmployerOutcome.NO_SANCTION)
    tell_parents(case, lado_officer)
    allegations.case_close(actor=lado_officer, case=case, closed_at=timezone.now(), summary="Concluded.")
    return {"a": a, "b": b, "referral": referral}


def test_an_agency_hears_of_each_event_about_its_own_records_once(story, agency_a):
    events = list(Event.objects.filter(agency=agency_a).order_by("pk"))
    assert sorted({e.type for e in events}) == sorted(EVENTS)
    assert len(events) == len(EVENTS), "each once"
    assert {e.reference for e in events} == {story["referral"].reference}
    assert Delivery.objects.filter(endpoint=story["a"]).count() == len(EVENTS)


def test_another_agency_hears_nothing_of_them(story, agency_b):
    assert not Event.objects.filter(agency=agency_b).exists()
    assert not Delivery.objects.filter(endpoint=story["b"]).exists()


def test_payloads_carry_references_times_and_links_never_names(story, agency_a, settings):
    for event in Event.objects.filter(agency=agency_a):
        body = body_of(event)
        for name in NAMES:
            assert name not in body, f"{event.type} carries a name"
        payload = json.loads(body)
        assert payload["type"] == event.type
        assert set(payload) == {"type", "timestamp", "data"}
        assert payload["data"]["reference"] == story["referral"].reference
        assert payload["data"]["link"].startswith(settings.SITE_URL + "/")
        assert set(payload["data"]) <= {"reference", "occurred_at", "link", "level", "due_on", "starts_at", "version",
                                        "meeting_kind"}


def test_an_event_refuses_free_text(agency_a, agency_a_admin):
    services.endpoint_create(actor=agency_a_admin, agency=agency_a, url="https://a.example.org/hooks",
                             events=["case.shared"])
    with pytest.raises(ValueError, match="plain values"):
        event_add(agency=agency_a, event="case.shared", reference="MAS-2026-00001", link="/cases/MAS-2026-00001/",
                  data={"description": "Take Sam's account"})
    with pytest.raises(ValueError, match="not a plain value"):
        event_add(agency=agency_a, event="case.shared", reference="MAS-2026-00001", link="/cases/MAS-2026-00001/",
                  data={"level": "Alex Morgan's case, safeguarding (see notes)"})
    with pytest.raises(ValueError, match="Not a webhook event"):
        event_add(agency=agency_a, event="case.opened", reference="MAS-2026-00001", link="/cases/MAS-2026-00001/")
