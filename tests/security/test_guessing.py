"""Guessing identifiers: agency B's manager walks the ids and references around agency A's records —
minutes versions, minutes PDFs and their downloads, meetings, cases, referrals, the annual report's PDF,
documents — and gets 404 for every one, existing or not, and nothing is logged as a view of them (no
access log, PDF download or view log row: nothing at all is written)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from .writes import written_since, writes

pytestmark = pytest.mark.django_db


def _guesses(world):
    ref = world.referral.reference
    prefix, number = ref.rsplit("-", 1)
    refs = [f"{prefix}-{int(number) + d:0{len(number)}d}" for d in (-1, 0, 1, 2)] + [ref.lower(), ref + "/", "../" + ref]
    ids = range(max(1, world.meeting.pk - 2), world.meeting.pk + 3)
    for r in refs:
        yield reverse("allegations:referral_detail", args=[r.strip("/").replace("../", "")])
        yield reverse("allegations:case_detail", args=[r.strip("/").replace("../", "")])
    for m in ids:
        yield reverse("meetings:meeting_detail", args=[m])
        yield reverse("meetings:minutes_edit", args=[m])
        for number in (0, 1, 2):
            yield reverse("meetings:minutes_version", args=[m, number])
        for p in range(max(1, world.pdf.pk - 2), world.pdf.pk + 3):
            yield reverse("meetings:pdf_detail", args=[m, p])
            yield reverse("meetings:pdf_download", args=[m, p])
    for p in range(max(1, world.report_pdf.pk - 2), world.report_pdf.pk + 3):
        yield reverse("reporting:annual_pdf", args=[p])
        yield reverse("reporting:annual_pdf_download", args=[p])
    documents = [d.pk for d in (world.records.get("document"), world.records.get("meeting_document")) if d]
    for d in range(max(1, min(documents, default=1) - 2), max(documents, default=1) + 3):
        try:
            yield reverse("records:document_download", args=[d])
        except Exception:  # the records app has no documents in this checkout: nothing to guess
            break


@pytest.mark.parametrize("persona", ["agency_b_outsider", "other_officer"])
def test_guessed_identifiers_are_404_and_logged_nowhere(world, login, persona):
    client = login(world.people[persona])
    urls = list(_guesses(world))
    assert len(urls) > 40
    if world.records.get("document"):
        assert any("/documents/" in u for u in urls)
    before = writes()
    wrong = {url: status for url in urls if (status := client.get(url).status_code) != 404}
    assert wrong == {}
    assert written_since(before) == {}


def test_the_same_urls_work_for_the_owner(world, login):
    """The control: the guessed URLs are the real ones — agency A's LADO service opens them."""
    client = login(world.people["lado_officer"])
    assert client.get(reverse("allegations:case_detail", args=[world.referral.reference])).status_code == 200
    assert client.get(reverse("meetings:minutes_version", args=[world.meeting.pk, 1])).status_code == 200
    assert client.get(reverse("meetings:pdf_download", args=[world.meeting.pk, world.pdf.pk])).status_code == 200
    analyst = login(world.people["analyst"])
    assert analyst.get(reverse("reporting:annual_pdf", args=[world.report_pdf.pk])).status_code == 200
