"""Documents in a real browser, from the keyboard only, with axe-core on every page: the LADO officer attaches
a file that is not what its name says (refused, the title and kind kept), then the right file, and downloads
it; the download is logged and shows in "who has opened this case"; the LADO manager exports the log."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from records.models import Document, ViewLog
from tests.browser.conftest import after_navigation, sign_in, sign_out, visit
from tests.records.factories import PDF, png

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def document_root(settings, tmp_path):
    settings.DOCUMENT_ROOT = str(tmp_path / "documents")  # the live server runs in this process
    return tmp_path / "documents"


@pytest.fixture(autouse=True)
def file_choosers(page: Page):
    """Playwright turns on catching the browser's file chooser when a page first has a listener for it, in a
    message it does not wait for; a key pressed straight after can reach the browser first, and the chooser
    then opens unseen. Listening from the start, before signing in, turns it on once and long before."""
    page.on("filechooser", lambda chooser: None)
    return page


def press_and_load(page: Page, key: str = "Enter") -> None:
    with page.expect_navigation():
        page.keyboard.press(key)
    after_navigation(page)


def choose_file(page: Page, name: str, content: bytes, mime: str) -> None:
    """Tab onto the file input and open the file chooser with the keyboard (Space)."""
    page.get_by_label("Upload a file").focus()
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Space")
    chooser.value.set_files({"name": name, "mimeType": mime, "buffer": content})


def test_attach_and_download_a_document_with_the_keyboard(page: Page, lado_officer, lado_manager, case):
    sign_in(page, lado_officer)
    visit(page, f"/cases/{case.reference}/documents/")
    expect(page.get_by_text("No documents attached.")).to_be_visible()
    page.get_by_role("link", name="Attach a document").focus()
    press_and_load(page)
    expect(page.get_by_role("heading", name="Attach a document")).to_be_visible()

    # A PNG called .pdf: refused, with the other answers kept.
    page.get_by_label("Title").focus()
    page.keyboard.type("Statement from the head teacher")
    page.get_by_label("Evidence").focus()
    page.keyboard.press("Space")
    choose_file(page, "statement.pdf", png(), "application/pdf")
    page.get_by_role("button", name="Attach the document").focus()
    press_and_load(page)
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()  # GOV.UK Frontend moves focus to the summary
    expect(summary).to_contain_text("its content is a PNG image")
    expect(summary).to_contain_text("Choose the file again")
    expect(page.get_by_label("Title")).to_have_value("Statement from the head teacher")
    expect(page.get_by_label("Evidence")).to_be_checked()
    assert not Document.objects.exists()

    # The error links to the file input; from there choose the real PDF and send.
    summary.get_by_role("link").first.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Upload a file")).to_be_focused()
    choose_file(page, "statement.pdf", PDF, "application/pdf")
    page.get_by_role("button", name="Attach the document").focus()
    press_and_load(page)
    expect(page.get_by_text("Document attached.")).to_be_visible()
    document = Document.objects.get()
    link = page.get_by_role("link", name="Statement from the head teacher (download)")
    expect(link).to_be_visible()

    link.focus()
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    assert download.value.suggested_filename == "statement.pdf"
    assert open(download.value.path(), "rb").read() == PDF
    assert ViewLog.objects.filter(document=document, user=lado_officer, what="document").count() == 1

    visit(page, f"/cases/{case.reference}/access/")
    expect(page.locator("li", has_text="downloaded a document").first).to_be_visible()
    sign_out(page)

    # The LADO manager finds the download in the access log and downloads the CSV.
    sign_in(page, lado_manager)
    visit(page, f"/records/access-log/?reference={case.reference}")
    expect(page.get_by_role("cell", name="Downloaded a document")).to_be_visible()
    page.get_by_role("link", name="Download these rows as CSV").focus()
    with page.expect_download() as export:
        page.keyboard.press("Enter")
    text = open(export.value.path(), encoding="utf-8").read()
    assert "Downloaded a document" in text and case.reference in text
