"""Who has seen this: every read logged, "who has opened this case" across the logs, and the audit export."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from agencies.models import Role
from allegations.models import AccessLog
from meetings.models import MinutesPdf, MinutesVersion, PdfDownload
from records.models import ViewLog
from tests.agencies.factories import UserFactory, member
from tests.meetings.factories import approve, circulate, held_meeting_with_minutes, invite
from tests.records.factories import attach
from tests.forms import with_dates

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(case, lado_officer, chair, police_user):
    meeting = held_meeting_with_minutes(case, actor=lado_officer, chair=chair, purpose="To share information.")
    approve(meeting, chair=chair)
    invite(meeting, actor=chair, user=police_user, access_level="safeguarding")
    circulate(meeting, chair=chair)
    return meeting


@pytest.fixture
def administrator(business_unit):
    return member(UserFactory(username="admin.person"), business_unit, Role.ADMINISTRATOR)


def test_opening_the_minutes_to_edit_is_logged(login, meeting, lado_officer):
    login(lado_officer).get(reverse("meetings:minutes_edit", args=[meeting.pk]))
    log = ViewLog.objects.get(what="minutes_edit")
    assert (log.user, log.meeting, log.referral) == (lado_officer, meeting, meeting.case.referral)


def test_who_has_opened_this_case_includes_minutes_pdfs_and_documents(login, case, meeting, lado_officer,
                                                                       police_user, agency_a_viewer):
    document = attach(actor=lado_officer, case=case)
    from allegations import services as case_services

    # Widened to the employer level, which agency A holds (a case's document is for the safeguarding level).
    case_services.case_part_set_audience(actor=lado_officer, case=case, part="document", part_id=document.pk,
                                         audience="employer", reason="For the school")
    police = login(police_user)
    police.get(reverse("meetings:minutes_version", args=[meeting.pk, 1]))
    version = MinutesVersion.objects.get(minutes__meeting=meeting, number=1)
    pdf = MinutesPdf.objects.create(version=version, variant="safeguarding", recipient="DS Patel",
                                    requested_by=police_user)
    PdfDownload.objects.create(pdf=pdf, user=police_user)
    login(agency_a_viewer).get(reverse("records:document_download", args=[document.pk]))
    html = login(lado_officer).get(reverse("allegations:case_access", args=[case.referral.reference])).content.decode()
    section = html.split("Who has opened this case", 1)[1]
    police_name = police_user.get_full_name() or police_user.username
    viewer_name = agency_a_viewer.get_full_name() or agency_a_viewer.username
    assert f"{police_name}, " in section and "read the minutes" in section
    assert "downloaded a pdf of the minutes" in section
    assert f"{viewer_name}, " in section and "downloaded a document" in section
    assert "opened the case" in section
    # The referral page shows the same log.
    html = login(lado_officer).get(reverse("allegations:referral_detail", args=[case.referral.reference])).content.decode()
    assert "downloaded a document" in html.split("Who has opened this", 1)[1]


def test_the_audit_page_is_for_the_lado_manager_and_the_administrator(login, case, lado_officer, lado_manager,
                                                                     administrator, agency_a_manager, analyst,
                                                                     other_officer):
    url = reverse("records:access_log")
    csv_url = reverse("records:access_log_csv")
    for user in (lado_officer, agency_a_manager, analyst, other_officer):
        assert login(user).get(url).status_code == 403
        assert login(user).get(csv_url).status_code == 403
    for user in (lado_manager, administrator):
        assert login(user).get(url).status_code == 200


def _csv(response) -> list[dict]:
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def test_the_csv_combines_every_log_and_filters(login, case, meeting, lado_officer, lado_manager, police_user,
                                                agency_a_viewer, agency_a_manager, other_lado_service):
    reference = case.referral.reference
    document = attach(actor=lado_officer, case=case, title="Statement of Alex Morgan")
    from allegations import services as case_services

    # Widened to the employer level, which agency A holds (a case's document is for the safeguarding level).
    case_services.case_part_set_audience(actor=lado_officer, case=case, part="document", part_id=document.pk,
                                         audience="employer", reason="For the school")
    login(lado_officer).get(reverse("allegations:case_detail", args=[reference]))
    login(police_user).get(reverse("meetings:minutes_version", args=[meeting.pk, 1]))
    login(lado_officer).get(reverse("meetings:minutes_edit", args=[meeting.pk]))
    login(agency_a_viewer).get(reverse("records:document_download", args=[document.pk]))
    version = MinutesVersion.objects.get(minutes__meeting=meeting, number=1)
    pdf = MinutesPdf.objects.create(version=version, variant="full", recipient="Chair", requested_by=lado_officer)
    PdfDownload.objects.create(pdf=pdf, user=lado_officer)
    # Another LADO service's reads are not this manager's to audit.
    stranger = member(UserFactory(username="elsewhere.officer"), other_lado_service, Role.LADO_OFFICER)
    other = attach(actor=agency_a_manager, referral=case.referral)  # same referral: counted
    assert other.referral_id == case.referral_id
    AccessLog.objects.create(user=stranger, referral=case.referral, what="referral")

    client = login(lado_manager)
    response = client.get(reverse("records:access_log_csv"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="access-log-')
    rows = _csv(response)
    whats = {(r["User name"], r["What"]) for r in rows}
    assert ("officer", "Opened the case") in whats
    assert ("police", "Read the minutes") in whats
    assert ("officer", "Opened the minutes to edit") in whats
    assert ("a.viewer", "Downloaded a document") in whats
    assert ("officer", "Downloaded a PDF of the minutes") in whats
    assert all(r["Reference"] == reference for r in rows)
    download = next(r for r in rows if r["What"] == "Downloaded a document")
    assert (download["Document"], download["Detail"], download["Meeting"]) == (str(document.pk), "evidence", "")
    pdf_row = next(r for r in rows if r["What"] == "Downloaded a PDF of the minutes")
    assert pdf_row["Meeting"] == str(meeting.pk) and pdf_row["Detail"] == "version 1, full"
    assert "Statement of" not in str(rows)  # a document by its number and kind: its title may name someone
    assert case.referral.subject.family_name not in {r["Name"] for r in rows} | {r["Detail"] for r in rows}
    # Newest first.
    times = [r["When"] for r in rows]
    assert times == sorted(times, reverse=True)

    # Filters: by person, by reference, by dates.
    assert {r["User name"] for r in _csv(client.get(reverse("records:access_log_csv"), {"person": "police"}))} == {"police"}
    assert _csv(client.get(reverse("records:access_log_csv"), {"reference": "MAS-1999-00001"})) == []
    today = timezone.localdate()
    assert _csv(client.get(reverse("records:access_log_csv"), with_dates({"date_to": (today - dt.timedelta(days=1)).isoformat()}))) == []
    assert len(_csv(client.get(reverse("records:access_log_csv"), with_dates({"date_from": today.isoformat(),
                                                                    "date_to": today.isoformat()})))) >= 5
    # The export itself is recorded.
    assert ViewLog.objects.filter(what="export", user=lado_manager).count() == 5


def test_the_page_shows_and_filters_the_rows(login, case, lado_officer, lado_manager):
    login(lado_officer).get(reverse("allegations:case_detail", args=[case.referral.reference]))
    client = login(lado_manager)
    html = client.get(reverse("records:access_log"), {"reference": case.referral.reference}).content.decode()
    assert "Opened the case" in html and case.referral.reference in html
    assert "access-log/export.csv?reference=" in html
    html = client.get(reverse("records:access_log"), with_dates({"date_from": "2026-02-02", "date_to": "2026-01-01"})).content.decode()
    assert "There is a problem" in html and "The end date must be the same as or after the start date." in html


def test_another_services_manager_sees_nothing_of_this_service(login, case, lado_officer, other_lado_service):
    login(lado_officer).get(reverse("allegations:case_detail", args=[case.referral.reference]))
    manager = member(UserFactory(username="elsewhere.manager"), other_lado_service, Role.LADO_MANAGER)
    assert _csv(login(manager).get(reverse("records:access_log_csv"))) == []


def test_the_administrator_sees_everything(login, case, lado_officer, administrator):
    login(lado_officer).get(reverse("allegations:case_detail", args=[case.referral.reference]))
    rows = _csv(login(administrator).get(reverse("records:access_log_csv")))
    assert ("officer", "Opened the case") in {(r["User name"], r["What"]) for r in rows}


def test_a_cell_that_a_spreadsheet_would_run_is_defused(login, case, lado_manager, lado_service):
    mischief = member(UserFactory(username="mischief", first_name="=HYPERLINK(\"x\")", last_name=""), lado_service,
                      Role.LADO_OFFICER)
    login(mischief).get(reverse("allegations:case_detail", args=[case.referral.reference]))
    rows = _csv(login(lado_manager).get(reverse("records:access_log_csv")))
    assert rows[0]["Name"].startswith("'=")


def test_the_audit_query_count_does_not_grow(login, case, lado_officer, lado_manager):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(lado_manager)
    url = reverse("records:access_log")
    login(lado_officer).get(reverse("allegations:case_detail", args=[case.referral.reference]))
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for _ in range(10):
        login(lado_officer).get(reverse("allegations:case_detail", args=[case.referral.reference]))
    with CaptureQueriesContext(connection) as after:
        client.get(url)
    assert len(after) == len(before)


def test_a_meeting_without_a_case_is_logged_too(login, chair, administrator):
    """An imported meeting (no case): the reads go to records.ViewLog, which the administrator audits."""
    from meetings.models import Meeting

    meeting = Meeting.objects.create(kind="initial", scheduled_at=timezone.now(), chair=chair)
    assert login(chair).get(reverse("meetings:meeting_detail", args=[meeting.pk])).status_code == 200
    log = ViewLog.objects.get()
    assert (log.user, log.what, log.meeting, log.referral) == (chair, "meeting", meeting, None)
    rows = _csv(login(administrator).get(reverse("records:access_log_csv")))
    assert [(r["User name"], r["What"], r["Meeting"]) for r in rows] == [
        ("admin.person", "Exported the access log", ""),  # the export is recorded before it is read
        ("chair", "Opened the meeting", str(meeting.pk)),
    ]


def test_the_csv_never_hands_a_spreadsheet_a_formula(login, case, lado_officer, lado_manager):
    """A name typed into a person's account ("=cmd|...") comes out as text."""
    lado_officer.first_name, lado_officer.last_name = "=cmd|' /C calc'!A0", "-2+3"
    lado_officer.save()
    login(lado_officer).get(reverse("allegations:case_detail", args=[case.referral.reference]))
    rows = _csv(login(lado_manager).get(reverse("records:access_log_csv")))
    names = {r["Name"] for r in rows if r["User name"] == "officer"}
    assert names == {"'=cmd|' /C calc'!A0 -2+3"}
