"""PDFs of the minutes (issue part 6): the restricted URL fetcher, what each variant holds (read back with
pdftotext), the redacted version, the render task (idempotent, after commit), the pages, downloads and their
log, passages withheld by the chair, and query counts.

The task is tested by calling its function (STYLE.md); a real worker renders in the browser journey.
"""

import base64
import datetime as dt
import http.server
import json
import re
import subprocess
import threading
import zlib
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from meetings import pdf as renderer
from meetings import services
from meetings.models import MinutesPdf, MinutesVersion, PdfDownload, PdfStatus, Withholding
from meetings.tasks import render_minutes_pdf
from outbox.models import Message
from tests.allegations.test_worker import task_queue  # noqa: F401 — a fixture: this test's own Celery queue
from tests.meetings.factories import approve, circulate, held_meeting_with_minutes, invite, make_strategy_case

CHILD_TEXT = "Sam disclosed at school that the teacher grabbed them; Sam lives with mum at 4 Elm Road."
ADULT_TEXT = "The teacher is on alternative duties away from pupils; HR to hold an investigation meeting."
RESTRICTED_TEXT = "Police intelligence about an earlier partner: not to be shared."
GENERAL_TEXT = "The meeting was convened to evaluate the allegation."
WITHHELD_PASSAGE = "HR to hold an investigation meeting"


# --- Helpers ---------------------------------------------------------------------------------------

def pdf_text(data: bytes) -> str:
    """The PDF's text as poppler's pdftotext reads it (pages separated by form feeds)."""
    result = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True)
    return result.stdout.decode()


def pdf_info(data: bytes, *extra: str) -> str:
    return subprocess.run(["pdfinfo", *extra, "-"], input=data, capture_output=True, check=True).stdout.decode(errors="replace")


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def all_bytes(data: bytes) -> bytes:
    """The raw PDF plus every stream decompressed: whatever is anywhere in the file."""
    chunks = [data]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            chunks.append(zlib.decompress(match.group(1)))
        except zlib.error:
            pass
    return b"\n".join(chunks)


def assert_absent_everywhere(data: bytes, passage: str) -> None:
    assert passage not in flat(pdf_text(data))
    assert passage not in pdf_info(data)
    assert passage not in pdf_info(data, "-meta")
    everything = all_bytes(data)
    assert passage.encode() not in everything
    assert passage.encode("utf-16-be") not in everything


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def strategy_meeting(referral, lado_officer, chair):
    """A held strategy discussion with general, child, adult and restricted text, approved as version 1."""
    case = make_strategy_case(officer=lado_officer, referral=referral)
    meeting = held_meeting_with_minutes(
        case, actor=lado_officer, chair=chair, kind="strategy_discussion",
        purpose=GENERAL_TEXT, child_information=CHILD_TEXT, adult_employment=ADULT_TEXT, restricted_notes=RESTRICTED_TEXT,
    )
    approve(meeting, chair=chair)
    return meeting


@pytest.fixture
def employer_invite(strategy_meeting, chair, agency_a_manager):
    return invite(strategy_meeting, actor=chair, user=agency_a_manager, access_level="employer")


@pytest.fixture
def police_invite(strategy_meeting, chair, police_user):
    return invite(strategy_meeting, actor=chair, user=police_user, access_level="safeguarding")


def version_of(meeting, number=1) -> MinutesVersion:
    return MinutesVersion.objects.get(minutes__meeting=meeting, number=number)


def rendered(pdf: MinutesPdf) -> bytes:
    render_minutes_pdf(pdf.pk)
    pdf.refresh_from_db()
    assert pdf.status == PdfStatus.DONE, pdf.error
    with pdf.file.open("rb") as handle:
        return handle.read()


# --- The restricted URL fetcher -------------------------------------------------------------------------

class TestStaticFilesOnlyFetcher:
    @pytest.fixture
    def root(self, tmp_path):
        root = tmp_path / "static"
        (root / "pdf").mkdir(parents=True)
        (root / "pdf" / "a.css").write_text("body { color: black }")
        (tmp_path / "secret.txt").write_text("secret")
        (root / "link.txt").symlink_to(tmp_path / "secret.txt")
        return root

    def test_it_serves_a_file_under_static(self, root):
        fetcher = renderer.StaticFilesOnlyFetcher(root)

        response = fetcher.fetch((root / "pdf" / "a.css").as_uri())

        assert response.read() == b"body { color: black }"
        assert response.content_type == "text/css"
        assert fetcher.served == [root / "pdf" / "a.css"]

    @pytest.mark.parametrize("url", [
        "http://example.org/x.png",
        "https://example.org/x.css",
        "ftp://example.org/x.css",
        "data:text/css,body{color:red}",
        "file:///etc/passwd",
        "file://example.org/etc/passwd",
        "relative/a.css",
    ])
    def test_it_refuses_the_network_and_files_elsewhere(self, root, url):
        fetcher = renderer.StaticFilesOnlyFetcher(root)

        with pytest.raises(renderer.RefusedFetch):
            fetcher.fetch(url)

        assert fetcher.refused == [url]
        assert fetcher.served == []

    def test_it_refuses_going_up_out_of_static_however_spelt(self, root):
        fetcher = renderer.StaticFilesOnlyFetcher(root)
        for url in (
            root.as_uri() + "/pdf/../../secret.txt",
            root.as_uri() + "/pdf/%2e%2e/%2e%2e/secret.txt",
            root.as_uri() + "/pdf/../pdf/a.css",  # even when it would come back inside
        ):
            with pytest.raises(renderer.RefusedFetch):
                fetcher.fetch(url)
        assert fetcher.served == []

    def test_it_refuses_a_symbolic_link_leading_out_a_directory_and_a_missing_file(self, root):
        fetcher = renderer.StaticFilesOnlyFetcher(root)
        for url in ((root / "link.txt").as_uri(), (root / "pdf").as_uri(), (root / "missing.css").as_uri()):
            with pytest.raises(renderer.RefusedFetch):
                fetcher.fetch(url)
        assert fetcher.served == []

    def test_the_urllib_entry_point_is_checked_too(self, root):
        fetcher = renderer.StaticFilesOnlyFetcher(root)
        with pytest.raises(renderer.RefusedFetch):
            fetcher.open("http://example.org/x.png")


class _CountingHandler(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802
        type(self).hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def http_server():
    """A real HTTP server on this machine: it counts any request the renderer might make."""
    _CountingHandler.hits = []
    server = http.server.HTTPServer(("127.0.0.1", 0), _CountingHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", _CountingHandler.hits
    server.shutdown()
    server.server_close()


def test_a_document_referring_to_the_network_or_other_files_renders_and_fetches_nothing(http_server):
    base, hits = http_server
    html = f"""<!DOCTYPE html><html lang="en"><head><title>t</title>
      <link rel="stylesheet" href="pdf/minutes.css">
      <link rel="stylesheet" href="file:///etc/passwd">
      <link rel="stylesheet" href="{base}/evil.css">
      <style>@import url("{base}/imported.css"); body {{ background: url("{base}/bg.png") }}</style></head>
      <body><p>Text</p><img src="http://example.org/x.png" alt="x"><img src="{base}/x.png" alt="y">
      <img src="../../../../etc/passwd" alt="z"><img src="file:///etc/hostname" alt="w"></body></html>"""

    result = renderer.render_pdf(html)

    assert result.data.startswith(b"%PDF")
    assert "Text" in pdf_text(result.data)
    assert hits == []  # not one request reached the server
    assert result.fetcher.served == [renderer.static_dir() / "pdf" / "minutes.css"]
    refused = " ".join(result.fetcher.refused)
    for url in ("file:///etc/passwd", f"{base}/evil.css", "http://example.org/x.png", f"{base}/x.png",
                "file:///etc/hostname"):
        assert url in refused


# --- Redaction -----------------------------------------------------------------------------------------------

def test_redact_replaces_every_occurrence_and_overlapping_passages_as_one():
    text = "Sam lives at 4 Elm Road, Testtown. Sam lives at 4 Elm Road."
    assert renderer.redact(text, ["4 Elm Road"]) == "Sam lives at [withheld], Testtown. Sam lives at [withheld]."
    assert renderer.redact(text, ["lives at 4 Elm", "Elm Road, Testtown"]) == \
        "Sam [withheld]. Sam [withheld] Road."


def test_a_passage_matches_across_line_breaks_as_pasted():
    text = "First paragraph ends here.\nSecond paragraph starts here."
    assert renderer.passage_occurs(text, "ends here. Second paragraph")
    assert renderer.redact(text, ["ends here.  Second"]) == "First paragraph [withheld] paragraph starts here."
    assert not renderer.passage_occurs(text, "   ")


# --- What each PDF holds -----------------------------------------------------------------------------------

@pytest.mark.django_db
def test_an_employer_level_pdf_holds_only_general_and_employment_sections_with_markings_on_every_page(
    media_root, strategy_meeting, chair, employer_invite
):
    # Long enough for several pages, so that the markings are seen on more than the first one.
    long_text = " ".join(f"Employment point {n}: the arrangements were reviewed." for n in range(1, 160))
    minutes = strategy_meeting.minutes
    minutes.refresh_from_db()
    services.minutes_save(actor=chair, minutes=minutes, revision=minutes.revision,
                          sections={"employer_process": {"body": long_text}})
    version = approve(strategy_meeting, chair=chair)

    pdf = services.minutes_pdf_request(actor=chair, version=version, variant="employer", invitation=employer_invite)
    data = rendered(pdf)

    text = pdf_text(data)
    pages = [p for p in text.split("\f") if p.strip()]
    assert len(pages) >= 2
    recipient = pdf.recipient
    assert recipient.startswith(employer_invite.display_name)
    for page in pages:
        assert "OFFICIAL-SENSITIVE" in page
        assert f"Prepared for: {recipient}" in flat(page)
        assert "Version 2, approved" in page
    flat_text = flat(text)
    assert "Strategy discussion (section 47)" in flat_text
    assert ADULT_TEXT in flat_text and GENERAL_TEXT in flat_text
    assert "Employment point 159" in flat_text
    assert "Sam disclosed" not in flat_text and "Elm Road" not in flat_text
    assert "Police intelligence" not in flat_text
    assert pdf.pages == len(pages)
    # Stored under MEDIA_ROOT/pdfs, outside static/, with no public URL.
    path = Path(pdf.file.path)
    assert path.is_relative_to(media_root / "pdfs") and path.is_file()
    assert not path.is_relative_to(Path(settings.BASE_DIR) / "static")
    with pytest.raises(ValueError):
        pdf.file.url


@pytest.mark.django_db
def test_a_safeguarding_pdf_adds_the_child_sections_and_a_full_pdf_the_restricted_ones(
    media_root, strategy_meeting, chair, police_invite
):
    version = version_of(strategy_meeting)
    safeguarding = flat(pdf_text(rendered(
        services.minutes_pdf_request(actor=chair, version=version, variant="safeguarding", invitation=police_invite))))
    full = flat(pdf_text(rendered(
        services.minutes_pdf_request(actor=chair, version=version, variant="full", recipient="The case file"))))

    assert CHILD_TEXT in safeguarding and ADULT_TEXT in safeguarding and RESTRICTED_TEXT not in safeguarding
    for text in (CHILD_TEXT, ADULT_TEXT, RESTRICTED_TEXT, GENERAL_TEXT):
        assert text in full
    assert "Prepared for: The case file" in full


@pytest.mark.django_db
def test_the_redacted_pdf_lacks_the_withheld_passage_everywhere_and_the_child_sections(
    media_root, strategy_meeting, chair
):
    version = version_of(strategy_meeting)
    withholding = services.withholding_add(actor=chair, version=version, text=WITHHELD_PASSAGE,
                                           reason="The employer's own process is not for the subject.")

    pdf = services.minutes_pdf_request(actor=chair, version=version, variant="redacted",
                                       recipient="Alex Morgan (the subject), on request")
    data = rendered(pdf)

    text = flat(pdf_text(data))
    assert "The teacher is on alternative duties away from pupils; [withheld]." in text
    assert "This is a redacted version" in text
    assert "Prepared for: Alex Morgan (the subject), on request" in text
    assert_absent_everywhere(data, WITHHELD_PASSAGE)
    assert_absent_everywhere(data, "Sam disclosed at school")
    assert_absent_everywhere(data, "Police intelligence")
    assert pdf.withheld == [withholding.pk]


# --- Requests: who may ask for what ---------------------------------------------------------------------------

@pytest.mark.django_db
def test_an_invitee_gets_a_pdf_at_their_own_level_only_and_asking_again_returns_the_same_one(
    strategy_meeting, chair, employer_invite, agency_a_manager
):
    version = version_of(strategy_meeting)
    with pytest.raises(PermissionDenied):  # not sent to them yet
        services.minutes_pdf_request(actor=agency_a_manager, version=version, variant="employer")
    circulate(strategy_meeting, chair=chair)

    with pytest.raises(PermissionDenied):
        services.minutes_pdf_request(actor=agency_a_manager, version=version, variant="safeguarding")
    first = services.minutes_pdf_request(actor=agency_a_manager, version=version, variant="employer")
    again = services.minutes_pdf_request(actor=agency_a_manager, version=version, variant="employer")

    assert again.pk == first.pk
    assert first.invitation == employer_invite
    assert first.recipient.startswith(agency_a_manager.get_full_name())
    assert first.recipient.endswith("Riverside Primary")
    assert first.history.first().history_user == agency_a_manager


@pytest.mark.django_db
def test_only_the_chair_releases_the_redacted_version_and_no_invitee_gets_more_than_their_level(
    strategy_meeting, chair, lado_officer, employer_invite
):
    version = version_of(strategy_meeting)
    with pytest.raises(PermissionDenied):
        services.minutes_pdf_request(actor=lado_officer, version=version, variant="redacted", recipient="The subject")
    with pytest.raises(ValidationError) as error:
        services.minutes_pdf_request(actor=chair, version=version, variant="full", invitation=employer_invite)
    assert "access is ‘Employer or HR’" in str(error.value)
    with pytest.raises(ValidationError):
        services.minutes_pdf_request(actor=chair, version=version, variant="employer")  # for nobody
    # The LADO service prepares per-level PDFs.
    assert services.minutes_pdf_request(actor=lado_officer, version=version, variant="employer",
                                        invitation=employer_invite).variant == "employer"


@pytest.mark.django_db
def test_requesting_a_pdf_enqueues_the_render_only_after_commit(
    django_capture_on_commit_callbacks, task_queue, strategy_meeting, chair  # noqa: F811
):
    version = version_of(strategy_meeting)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        pdf = services.minutes_pdf_request(actor=chair, version=version, variant="full", recipient="The case file")

    assert len(callbacks) == 1
    assert pdf.status == PdfStatus.QUEUED
    message = Message.objects.get(key=f"minutes-pdf:{pdf.pk}")  # recorded with the request
    assert (message.handler, message.arguments) == ("meetings.minutes_pdf", {"pdf_id": pdf.pk})
    callbacks[0]()
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    try:
        messages = [json.loads(raw) for raw in broker.lrange(task_queue, 0, -1)]
    finally:
        broker.close()
    assert [m["headers"]["task"] for m in messages] == ["outbox.tasks.deliver"]
    args, kwargs, _ = json.loads(base64.b64decode(messages[0]["body"]))
    assert (args, kwargs) == ([message.pk], {})


# --- The task -----------------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_task_is_idempotent_a_done_pdf_is_not_rendered_again(media_root, strategy_meeting, chair):
    pdf = services.minutes_pdf_request(actor=chair, version=version_of(strategy_meeting), variant="full",
                                       recipient="The case file")
    assert render_minutes_pdf(pdf.pk) == PdfStatus.DONE
    pdf.refresh_from_db()
    name, finished, history = pdf.file.name, pdf.finished_at, pdf.history.count()

    assert render_minutes_pdf(pdf.pk) == PdfStatus.DONE

    pdf.refresh_from_db()
    assert (pdf.file.name, pdf.finished_at, pdf.history.count()) == (name, finished, history)
    assert [p.name for p in (media_root / "pdfs").iterdir()] == [Path(name).name]
    assert pdf.history.first().history_user == chair  # the worker's changes are attributed


@pytest.mark.django_db
def test_a_pdf_another_worker_is_rendering_is_left_alone_unless_that_worker_was_lost(
    media_root, strategy_meeting, chair
):
    pdf = services.minutes_pdf_request(actor=chair, version=version_of(strategy_meeting), variant="full",
                                       recipient="The case file")
    pdf.status, pdf.started_at = PdfStatus.RENDERING, timezone.now()
    pdf.save()
    assert render_minutes_pdf(pdf.pk) == PdfStatus.RENDERING  # someone is on it

    pdf.started_at = timezone.now() - services.PDF_STALE_AFTER - dt.timedelta(seconds=1)
    pdf.save()
    assert render_minutes_pdf(pdf.pk) == PdfStatus.DONE  # abandoned: taken over


@pytest.mark.django_db
def test_a_pdf_that_cannot_be_rendered_is_marked_failed_with_a_message(media_root, strategy_meeting, chair):
    version = version_of(strategy_meeting)
    broken = MinutesVersion.objects.create(minutes=version.minutes, number=99, approved_by=chair,
                                           sections=[{"key": "x", "title": "Broken", "audience": "general"}])
    pdf = services.minutes_pdf_request(actor=chair, version=broken, variant="redacted", recipient="The subject")

    assert render_minutes_pdf(pdf.pk) == PdfStatus.FAILED

    pdf.refresh_from_db()
    assert not pdf.file
    assert "could not be made" in pdf.error
    assert not (media_root / "pdfs").exists() or not any((media_root / "pdfs").iterdir())


# --- Withholding passages -----------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_chair_can_withhold_only_a_passage_that_is_in_the_version(strategy_meeting, chair, lado_officer):
    version = version_of(strategy_meeting)
    with pytest.raises(ValidationError) as error:
        services.withholding_add(actor=chair, version=version, text="Words that are not there", reason="r")
    assert "not in version 1" in str(error.value)
    with pytest.raises(ValidationError):
        services.withholding_add(actor=chair, version=version, text=WITHHELD_PASSAGE, reason="  ")
    with pytest.raises(PermissionDenied):
        services.withholding_add(actor=lado_officer, version=version, text=WITHHELD_PASSAGE, reason="r")

    w = services.withholding_add(actor=chair, version=version, text=WITHHELD_PASSAGE, reason="Not for the subject.")

    assert w.section_key == "adult_employment"
    assert w.history.first().history_user == chair


# --- Pages --------------------------------------------------------------------------------------------------------

def pdf_url(meeting, pdf, name="meetings:pdf_detail"):
    return reverse(name, args=[meeting.pk, pdf.pk])


@pytest.mark.django_db
def test_an_invitee_asks_for_their_pdf_sees_it_made_and_downloads_it_logged(
    media_root, login, strategy_meeting, chair, employer_invite, agency_a_manager
):
    circulate(strategy_meeting, chair=chair)
    client = login(agency_a_manager)
    detail = client.get(reverse("meetings:meeting_detail", args=[strategy_meeting.pk])).content.decode()
    assert "Get a PDF of these minutes" in detail

    response = client.post(reverse("meetings:pdf_request_mine", args=[strategy_meeting.pk, 1]))
    pdf = MinutesPdf.objects.get()
    assert response.status_code == 302 and response.url == pdf_url(strategy_meeting, pdf)
    assert pdf.variant == "employer"
    waiting = client.get(pdf_url(strategy_meeting, pdf)).content.decode()
    assert "Waiting to be made" in waiting and "Check again whether it is ready" in waiting
    assert client.get(pdf_url(strategy_meeting, pdf, "meetings:pdf_download")).status_code == 302  # not ready

    render_minutes_pdf(pdf.pk)
    ready = client.get(pdf_url(strategy_meeting, pdf)).content.decode()
    assert "Download the PDF" in ready
    download = client.get(pdf_url(strategy_meeting, pdf, "meetings:pdf_download"))

    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert "attachment" in download["Content-Disposition"]
    data = b"".join(download.streaming_content)
    assert ADULT_TEXT in flat(pdf_text(data)) and "Sam disclosed" not in flat(pdf_text(data))
    log = PdfDownload.objects.get()
    assert (log.pdf, log.user) == (pdf, agency_a_manager)
    # The chair sees who downloaded it.
    chair_page = login(chair).get(pdf_url(strategy_meeting, pdf)).content.decode()
    assert agency_a_manager.get_full_name() in chair_page.split('id="downloads"')[1]


@pytest.mark.django_db
def test_outsiders_and_guessed_numbers_get_404_for_pdfs(
    media_root, login, strategy_meeting, chair, employer_invite, agency_a_manager, agency_b_outsider,
    lado_officer, referral
):
    circulate(strategy_meeting, chair=chair)
    version = version_of(strategy_meeting)
    full = services.minutes_pdf_request(actor=chair, version=version, variant="full", recipient="The case file")
    render_minutes_pdf(full.pk)
    mine = services.minutes_pdf_request(actor=agency_a_manager, version=version, variant="employer")
    render_minutes_pdf(mine.pk)
    other_meeting = held_meeting_with_minutes(strategy_meeting.case, actor=lado_officer, chair=chair, kind="review")

    outsider = login(agency_b_outsider)
    invitee = login(agency_a_manager)
    for name in ("meetings:pdf_detail", "meetings:pdf_download"):
        assert outsider.get(pdf_url(strategy_meeting, mine, name)).status_code == 404
        assert outsider.get(pdf_url(strategy_meeting, full, name)).status_code == 404
        # The invitee may not have the chair's full PDF, nor reach theirs through another meeting's address.
        assert invitee.get(pdf_url(strategy_meeting, full, name)).status_code == 404
        assert login(chair).get(pdf_url(other_meeting, mine, name)).status_code == 404
        assert invitee.get(pdf_url(strategy_meeting, mine, name)).status_code in (200, 302)
    assert outsider.post(reverse("meetings:pdf_request_mine", args=[strategy_meeting.pk, 1])).status_code == 404
    assert outsider.get(reverse("meetings:pdf_request", args=[strategy_meeting.pk, 1])).status_code == 404
    assert invitee.get(reverse("meetings:pdf_request", args=[strategy_meeting.pk, 1])).status_code == 403
    assert PdfDownload.objects.filter(user=agency_b_outsider).count() == 0


@pytest.mark.django_db
def test_an_invitee_whose_access_was_narrowed_loses_their_wider_pdf(
    media_root, login, strategy_meeting, chair, police_invite, police_user
):
    circulate(strategy_meeting, chair=chair)
    pdf = services.minutes_pdf_request(actor=police_user, version=version_of(strategy_meeting), variant="safeguarding")
    render_minutes_pdf(pdf.pk)
    services.invitation_update(actor=chair, invitation=police_invite, access_level="employer")

    assert login(police_user).get(pdf_url(strategy_meeting, pdf, "meetings:pdf_download")).status_code == 404


@pytest.mark.django_db
def test_the_chair_prepares_a_redacted_pdf_and_withholds_passages_from_the_version_page(
    media_root, login, strategy_meeting, chair, lado_officer, employer_invite, agency_b_outsider
):
    client = login(chair)
    version_url = reverse("meetings:minutes_version", args=[strategy_meeting.pk, 1])
    withhold_url = reverse("meetings:withholding_create", args=[strategy_meeting.pk, 1])
    page = client.get(version_url).content.decode()
    assert "Withhold a passage" in page and "Prepare the redacted PDF" in page

    bad = client.post(withhold_url, {"text": "Not in the minutes", "reason": "x"})
    assert bad.status_code == 200 and "not in version 1" in bad.content.decode()
    good = client.post(withhold_url, {"text": WITHHELD_PASSAGE, "reason": "Not for the subject."})
    assert good.status_code == 302
    assert Withholding.objects.get().text == WITHHELD_PASSAGE
    assert WITHHELD_PASSAGE in client.get(version_url).content.decode().split('id="withheld"')[1]

    response = client.post(reverse("meetings:pdf_request", args=[strategy_meeting.pk, 1]),
                           {"variant": "redacted", "recipient": "The subject, on request"})
    pdf = MinutesPdf.objects.get()
    assert response.status_code == 302 and pdf.variant == "redacted"
    assert_absent_everywhere(rendered(pdf), WITHHELD_PASSAGE)

    # The LADO officer (not the chair) may not withhold or release the redacted version; outsiders get 404.
    officer = login(lado_officer)
    assert officer.get(withhold_url).status_code == 403
    refused = officer.post(reverse("meetings:pdf_request", args=[strategy_meeting.pk, 1]),
                           {"variant": "redacted", "recipient": "The subject"})
    assert refused.status_code == 200 and MinutesPdf.objects.count() == 1
    assert login(agency_b_outsider).get(withhold_url).status_code == 404


@pytest.mark.django_db
def test_the_version_page_query_count_does_not_grow_with_its_pdfs(login, strategy_meeting, chair):
    client = login(chair)
    url = reverse("meetings:minutes_version", args=[strategy_meeting.pk, 1])
    version = version_of(strategy_meeting)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    services.minutes_pdf_request(actor=chair, version=version, variant="full", recipient="File 1")
    one = count()
    for n in range(2, 7):
        pdf = services.minutes_pdf_request(actor=chair, version=version, variant="employer", recipient=f"File {n}")
        PdfDownload.objects.create(pdf=pdf, user=chair)
    assert count() == one
