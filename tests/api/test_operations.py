"""The agency's actions (list, mark done with evidence and a document) and meetings (calendar file, the minutes
versions sent to it), the business unit's figures and the LADO service's export, through the API."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from icalendar import Calendar

from agencies.models import Role
from meetings import services as meeting_services
from meetings.models import ActionStatus
from records.models import Document
from tests.allegations.factories import make_case, make_referral
from tests.meetings.factories import approve, circulate, held_meeting_with_minutes, invite

from .helpers import bearer, make_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(agency_a, agency_a_manager, lado_service, lado_officer):
    return make_case(officer=lado_officer, referral=make_referral(actor=agency_a_manager, lado_service=lado_service,
                                                                  agency=agency_a))


def test_the_agency_lists_its_actions_and_marks_one_done_with_evidence(case, agency_a, agency_b, lado_officer):
    ours = meeting_services.action_create(actor=lado_officer, case=case, description="Send the rota.", agency=agency_a,
                                          due_on=timezone.localdate() + dt.timedelta(days=3))
    meeting_services.action_create(actor=lado_officer, case=case, description="Not ours.", agency=agency_b,
                                   due_on=timezone.localdate())
    api = bearer(make_client(agency_a, Role.SENIOR_MANAGER))
    listed = api.get("/api/v1/actions/").json()["results"]
    assert [a["description"] for a in listed] == ["Send the rota."]
    name = listed[0]["id"]
    assert name == f"{case.referral.reference}-A1"
    progress = api.post(f"/api/v1/actions/{name}/progress/", json.dumps({"note": "Rota drafted."}),
                        content_type="application/json")
    assert progress.status_code == 200 and progress.json()["progress"] == "Rota drafted."
    blank = api.post(f"/api/v1/actions/{name}/progress/", json.dumps({"note": ""}), content_type="application/json")
    assert blank.json()["errors"] == [{"field": "note", "message": "Say how the action is going."}]
    refused = api.post(f"/api/v1/actions/{name}/done/", json.dumps({"evidence": "  "}), content_type="application/json")
    assert refused.status_code == 400
    assert refused.json()["errors"] == [{"field": "evidence", "message": "Describe the evidence that the action was done."}]
    pdf = SimpleUploadedFile("rota.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "application/pdf")
    done = api.post(f"/api/v1/actions/{name}/done/", {"evidence": "Rota sent on Monday.", "document": pdf})
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "done" and done.json()["completed_at"].endswith("Z")
    ours.refresh_from_db()
    assert ours.status == ActionStatus.DONE and ours.evidence == "Rota sent on Monday."
    assert Document.objects.filter(referral=case.referral, kind="evidence").exists()
    # agency B's action of the same case: 404 for agency A, like a missing one.
    assert api.get(f"/api/v1/actions/{case.referral.reference}-A2/").status_code == 404
    assert api.get(f"/api/v1/actions/{case.referral.reference}-A9/").status_code == 404


def test_the_agency_reads_its_meetings_their_calendar_file_and_the_minutes_sent_to_it(
        case, agency_a, lado_officer, chair):
    meeting = held_meeting_with_minutes(case, actor=lado_officer, chair=chair)
    invitation = invite(meeting, actor=lado_officer, agency=agency_a, access_level="employer")
    approve(meeting, chair=chair)
    meeting.refresh_from_db()
    api = bearer(make_client(agency_a, Role.SENIOR_MANAGER))
    listed = api.get("/api/v1/meetings/").json()["results"]
    assert len(listed) == 1 and listed[0]["id"] == f"{case.referral.reference}-M1"
    assert listed[0]["minutes_versions"] == []  # approved, not yet sent to the school
    circulate(meeting, chair=chair, invitations=[invitation])
    shown = api.get(f"/api/v1/meetings/{listed[0]['id']}/").json()
    assert [v["number"] for v in shown["minutes_versions"]] == [1]
    ics = api.get(shown["calendar"])
    assert ics.status_code == 200 and ics["Content-Type"].startswith("text/calendar")
    event = next(c for c in Calendar.from_ical(ics.content).walk() if c.name == "VEVENT")
    assert case.referral.reference in str(event["summary"]) and "Morgan" not in ics.content.decode()


def test_the_business_unit_reads_figures_and_an_annual_report(agency_a_manager, lado_service, agency_a, business_unit):
    make_referral(actor=agency_a_manager, lado_service=lado_service, agency=agency_a)
    api = bearer(make_client(business_unit, Role.ANALYST))
    figures = api.get("/api/v1/figures/")
    assert figures.status_code == 200 and sum(r["n"] for r in figures.json()["rows"]) == 1
    assert api.get(f"/api/v1/figures/?year={timezone.localdate().year - 1}").status_code == 200
    assert api.get("/api/v1/figures/?year=abc").status_code == 400
    assert api.get("/api/v1/cases/").status_code == 403  # numbers only


def test_the_lado_service_manager_exports_its_cases_as_json_lines(case, lado_service, other_lado_service, agency_a):
    made = make_client(lado_service, Role.LADO_MANAGER)
    api = bearer(made)
    response = api.get("/api/v1/export.jsonl")
    assert response.status_code == 200 and response["Content-Type"] == "application/jsonl"
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert [json.loads(line)["reference"] for line in lines] == [case.referral.reference]
    # Each referral sent is a read in the access log, under the client's name (its service account).
    from allegations.models import AccessLog

    (read,) = AccessLog.objects.filter(what="case_export")
    assert read.referral == case.referral and read.case == case and read.user == made.client.user
    elsewhere = bearer(make_client(other_lado_service, Role.LADO_MANAGER, name="Elsewhere"))
    assert b"".join(elsewhere.get("/api/v1/export.jsonl").streaming_content) == b""
    assert bearer(make_client(agency_a, Role.SENIOR_MANAGER)).get("/api/v1/export.jsonl").status_code == 403
