"""Documents on referrals, cases and meetings: upload through the page, storage, download, permissions, withdrawal."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from allegations.models import Event
from records.models import Document, ViewLog
from tests.meetings.factories import invite, schedule
from tests.records.factories import PDF, attach, docx, exe, png, upload

pytestmark = pytest.mark.django_db


def _upload_url(case):
    return reverse("records:case_document_upload", args=[case.referral.reference])


def test_the_lado_attaches_a_docx_to_a_case_and_it_is_stored_under_a_random_name(login, case, lado_officer):
    content = docx()
    response = login(lado_officer).post(_upload_url(case), {
        "title": "Statement from the head teacher", "kind": "evidence",
        "file": upload("../../etc/Statement of A.docx", content),
    })
    assert response.status_code == 302
    assert response.url.endswith(f"/cases/{case.referral.reference}/documents/#documents")
    document = Document.objects.get()
    assert (document.case, document.referral, document.meeting) == (case, None, None)
    assert document.original_name == "Statement of A.docx"  # shown, never a path
    assert document.file_type == "docx" and document.size == len(content)
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    stored = Path(settings.DOCUMENT_ROOT) / document.stored_name
    assert stored.read_bytes() == content
    assert len(document.stored_name) == 32 and "Statement" not in document.stored_name
    assert stored.stat().st_mode & 0o077 == 0
    assert document.history.get().history_change_reason == "Document attached"
    event = Event.objects.get(verb="document_added")
    assert "Statement" not in event.summary  # the title may name someone: events feed reports


def test_documents_are_kept_outside_the_static_files_and_have_no_url_of_their_own():
    from records import conf

    root = conf.document_root().resolve()
    for static in [Path(settings.STATIC_ROOT), *map(Path, settings.STATICFILES_DIRS)]:
        assert not root.is_relative_to(static.resolve())
    assert not root.is_relative_to((Path(settings.BASE_DIR) / "static").resolve())
    # The default, without a setting, is under MEDIA_ROOT, which no URL serves.
    from django.urls import Resolver404, resolve

    with pytest.raises(Resolver404):
        resolve((settings.MEDIA_URL or "/media/") + "documents/x")


def test_the_default_document_root_is_under_media_root(settings):
    from records import conf

    del settings.DOCUMENT_ROOT
    assert conf.document_root() == Path(settings.MEDIA_ROOT) / "documents"


def test_a_refused_file_keeps_the_other_answers_and_asks_for_the_file_again(login, case, lado_officer):
    response = login(lado_officer).post(_upload_url(case), {
        "title": "Photo of the classroom", "kind": "evidence", "file": upload("photo.pdf", png()),
    })
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert "its content is a PNG image" in html and "Choose the file again" in html
    assert 'value="Photo of the classroom"' in html
    assert 'value="evidence" checked' in html
    assert 'enctype="multipart/form-data"' in html
    assert not Document.objects.exists()
    root = Path(settings.DOCUMENT_ROOT)
    assert not root.exists() or not any(root.iterdir())  # nothing stored for a refused file


def test_a_renamed_program_is_refused(login, case, lado_officer):
    response = login(lado_officer).post(_upload_url(case), {"title": "Report", "kind": "report",
                                                            "file": upload("report.pdf", exe())})
    assert response.status_code == 200
    assert "is a program" in response.content.decode()
    assert not Document.objects.exists()


def test_missing_answers(login, case, lado_officer):
    response = login(lado_officer).post(_upload_url(case), {})
    html = response.content.decode()
    for message in ("Enter a title for the document.", "Select what kind of document this is.", "Select a file."):
        assert message in html


def _for_the_employer(document, *, lado_officer):
    """A case document is for the safeguarding level by default (issue 12 §1): the LADO service widens it to the
    employer level, which the referring agency A holds."""
    from allegations import services as case_services

    case = document.case
    case_services.case_part_set_audience(actor=lado_officer, case=case, part="document", part_id=document.pk,
                                         audience="employer", reason="The school needs the statement")


def test_download_sends_the_file_safely_and_logs_it(login, case, lado_officer, agency_a_viewer):
    document = attach(actor=lado_officer, case=case, name="statement.pdf", content=PDF)
    _for_the_employer(document, lado_officer=lado_officer)
    url = reverse("records:document_download", args=[document.pk])
    for user in (lado_officer, agency_a_viewer):  # agency A sees the case, and this document was widened to it
        response = login(user).get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment;")
        assert 'filename="statement.pdf"' in response["Content-Disposition"]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "no-store" in response["Cache-Control"]
        assert "sandbox" in response["Content-Security-Policy"]  # opened in a browser tab anyway: no scripts
    logged = list(ViewLog.objects.filter(document=document).order_by("at").values_list("user__username", "what",
                                                                                       "referral_id"))
    assert logged == [("officer", "document", case.referral_id), ("a.viewer", "document", case.referral_id)]


def test_an_outsider_guessing_a_document_id_gets_404_and_nothing_is_logged(login, case, lado_officer,
                                                                          agency_b_outsider, other_officer, police_user):
    document = attach(actor=lado_officer, case=case)
    for user in (agency_b_outsider, other_officer, police_user):
        client = login(user)
        assert client.get(reverse("records:document_download", args=[document.pk])).status_code == 404
        assert client.get(reverse("records:document_download", args=[document.pk + 1000])).status_code == 404
        assert client.get(reverse("records:document_withdraw", args=[document.pk])).status_code == 404
    assert not ViewLog.objects.exists()


def test_the_case_page_lists_the_case_and_referral_documents(login, case, lado_officer, agency_a_manager):
    on_referral = attach(actor=agency_a_manager, referral=case.referral, title="Referral letter",
                         kind="correspondence", name="letter.pdf")
    on_case = attach(actor=lado_officer, case=case, title="Police summary", kind="report", name="summary.png",
                     content=png())
    html = login(lado_officer).get(reverse("allegations:case_documents", args=[case.referral.reference])).content.decode()
    for document in (on_referral, on_case):
        assert reverse("records:document_download", args=[document.pk]) in html
        assert reverse("records:document_withdraw", args=[document.pk]) in html
    assert "Referral letter" in html and "Police summary" in html and "Attach a document" in html
    # Agency A (employer level) reads the letter it attached to its referral, not the case's document, which is
    # for the safeguarding level (issue 12 §1; before, it read both); it neither attaches to the case nor withdraws.
    html = login(agency_a_manager).get(reverse("allegations:case_documents", args=[case.referral.reference])).content.decode()
    assert "Referral letter" in html and "Police summary" not in html
    assert "Attach a document" not in html and "Withdraw" not in html


def test_the_referrer_attaches_to_their_own_referral(login, referral, agency_a_manager, agency_a_viewer):
    url = reverse("records:referral_document_upload", args=[referral.reference])
    response = login(agency_a_manager).post(url, {"title": "Incident log", "kind": "evidence",
                                                  "file": upload("log.txt", b"10:00 incident in class\n")})
    assert response.status_code == 302
    assert Document.objects.get().referral == referral
    assert login(agency_a_viewer).get(url).status_code == 403  # a viewer sees the referral but does not refer


def test_withdrawing_needs_a_reason_leaves_history_and_stops_downloads(login, case, lado_officer, agency_a_viewer):
    document = attach(actor=lado_officer, case=case)
    url = reverse("records:document_withdraw", args=[document.pk])
    assert login(agency_a_viewer).get(url).status_code == 404  # a safeguarding-level document: not theirs to see
    _for_the_employer(document, lado_officer=lado_officer)
    assert login(agency_a_viewer).get(url).status_code == 403
    client = login(lado_officer)
    assert "Enter why the document is being withdrawn." in client.post(url, {"reason": ""}).content.decode()
    assert client.post(url, {"reason": "Uploaded to the wrong case"}).status_code == 302
    document.refresh_from_db()
    assert document.is_withdrawn and document.withdrawn_by == lado_officer
    assert document.history.first().history_change_reason == "Uploaded to the wrong case"
    assert Event.objects.filter(verb="document_withdrawn", reason="Uploaded to the wrong case").exists()
    assert client.get(reverse("records:document_download", args=[document.pk])).status_code == 404
    page = client.get(reverse("allegations:case_documents", args=[case.referral.reference])).content.decode()
    assert "Withdrawn" in page and "Uploaded to the wrong case" in page
    viewer_page = login(agency_a_viewer).get(reverse("allegations:case_documents", args=[case.referral.reference]))
    assert document.title not in viewer_page.content.decode()


def test_meeting_documents_go_to_invitees_only_when_shared(login, case, lado_officer, chair, police_user,
                                                         police_agency):
    meeting = schedule(case, actor=lado_officer, chair=chair)
    invite(meeting, actor=lado_officer, agency=police_agency, access_level="safeguarding")
    private = attach(actor=chair, meeting=meeting, title="Chair's notes", name="notes.txt", content=b"Notes\n")
    shared = attach(actor=chair, meeting=meeting, title="Agenda", name="agenda.pdf", shared_with_invitees=True)
    police = login(police_user)
    assert police.get(reverse("records:document_download", args=[private.pk])).status_code == 404
    assert police.get(reverse("records:document_download", args=[shared.pk])).status_code == 200
    html = police.get(reverse("meetings:meeting_detail", args=[meeting.pk])).content.decode()
    assert "Agenda" in html and "Chair&#39;s notes" not in html and "Chair's notes" not in html
    assert police.get(reverse("records:meeting_document_upload", args=[meeting.pk])).status_code == 403
    html = login(lado_officer).get(reverse("meetings:meeting_detail", args=[meeting.pk])).content.decode()
    assert "Agenda" in html and "Chair&#39;s notes" in html
    log = ViewLog.objects.get(document=shared)
    assert (log.user, log.meeting, log.referral) == (police_user, meeting, case.referral)


def test_the_chair_uploads_to_the_meeting_through_the_page(login, case, lado_officer, chair):
    meeting = schedule(case, actor=lado_officer, chair=chair)
    response = login(chair).post(reverse("records:meeting_document_upload", args=[meeting.pk]), {
        "title": "Agenda", "kind": "other", "shared_with_invitees": "on", "file": upload("agenda.pdf", PDF),
    })
    assert response.status_code == 302
    assert Document.objects.get().shared_with_invitees


def test_a_file_too_big_for_the_limit(login, case, lado_officer, settings):
    settings.DOCUMENT_MAX_SIZE = 1024 * 1024
    response = login(lado_officer).post(_upload_url(case), {
        "title": "Scan", "kind": "evidence", "file": upload("scan.pdf", PDF + b" " * (1024 * 1024))})
    html = response.content.decode()
    assert "The selected file must be smaller than 1 MB. Choose the file again." in html
    assert "Select a file." not in html  # records.uploads dropped it as it arrived, and the form says why
    assert 'value="Scan"' in html
    assert not Document.objects.exists()


def test_a_file_of_exactly_the_limit_is_accepted(login, case, lado_officer, settings):
    content = PDF.replace(b"%%EOF", b" " * (64 * 1024 - len(PDF)) + b"%%EOF")
    assert len(content) == 64 * 1024
    settings.DOCUMENT_MAX_SIZE = len(content)
    response = login(lado_officer).post(_upload_url(case), {"title": "Scan", "kind": "evidence",
                                                            "file": upload("scan.pdf", content)})
    assert response.status_code == 302
    assert Document.objects.get().size == len(content)


def test_the_case_page_query_count_does_not_grow_with_documents(login, case, lado_officer):
    client = login(lado_officer)
    url = reverse("allegations:case_documents", args=[case.referral.reference])
    attach(actor=lado_officer, case=case)
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for n in range(5):
        attach(actor=lado_officer, case=case, title=f"Document {n}")
    with CaptureQueriesContext(connection) as six:
        client.get(url)
    assert len(six) == len(one)
