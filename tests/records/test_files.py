"""The content decides what a file is: type, structure and size checks (records.files)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from records import files
from tests.records.factories import PDF, docx, exe, jpeg, odt, png, upload, xlsx, zip_of


@pytest.mark.parametrize(("name", "content", "key", "content_type"), [
    ("statement.pdf", PDF, "pdf", "application/pdf"),
    ("Statement.PDF", PDF, "pdf", "application/pdf"),
    ("notes.docx", docx(), "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("timeline.xlsx", xlsx(), "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("letter.odt", odt(), "odt", "application/vnd.oasis.opendocument.text"),
    ("photo.png", png(), "png", "image/png"),
    ("photo.jpeg", jpeg(), "jpeg", "image/jpeg"),
    ("photo.jpg", jpeg(), "jpeg", "image/jpeg"),
    ("notes.txt", "Phoned the school at 10:05 — café visit agreed.\n".encode(), "txt", "text/plain; charset=utf-8"),
    ("reply.eml", b"From: head@school.example\nSubject: Reply\n\nThank you.\n", "eml", "message/rfc822"),
])
def test_accepted_files(name, content, key, content_type):
    detected = files.detect(upload(name, content), name)
    assert detected.type.key == key
    assert detected.type.content_type == content_type
    assert detected.size == len(content)


def _refused(name, content) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        files.detect(upload(name, content), name)
    return caught.value


@pytest.mark.parametrize("name", ["report.pdf", "report.docx", "photo.png", "notes.txt", "setup.exe", "report.pdf.exe"])
def test_a_program_is_refused_whatever_it_is_called(name):
    error = _refused(name, exe())
    assert error.code == "program"
    assert "program" in error.messages[0]


def test_an_elf_program_is_refused():
    assert _refused("tool.pdf", b"\x7fELF\x02\x01\x01" + b"\x00" * 100).code == "program"


def test_a_png_called_pdf_is_refused_and_the_message_says_what_it_is():
    error = _refused("scan.pdf", png())
    assert error.code == "mismatch"
    assert "scan.pdf" in error.messages[0] and "PNG image" in error.messages[0]
    assert "Choose the file again" in error.messages[0]


@pytest.mark.parametrize(("name", "content"), [
    ("notes.docx", xlsx()),  # a spreadsheet called a Word document
    ("notes.docx", b"PK\x03\x04 not really a zip"),
    ("notes.docx", docx(macros=True)),  # macros: not a plain .docx
    ("photo.jpg", png()),
    ("letter.pdf", b"Dear LADO, this is text with a .pdf name.\n"),
    ("letter.pdf", b"%PDF-1.4 truncated, no end of file marker"),
    ("notes.txt", PDF),
    ("notes.txt", png()),
    ("archive.docx", zip_of({"a.txt": b"hello"})),
])
def test_content_that_does_not_match_the_name_is_refused(name, content):
    assert _refused(name, content).code == "mismatch"


@pytest.mark.parametrize("name", ["virus.js", "macro.docm", "old.doc", "mail.msg", "noextension", "page.html"])
def test_types_not_accepted(name):
    error = _refused(name, b"some content")
    assert error.code == "type"
    assert "PDF, Word (.docx)" in error.messages[0]


def test_text_must_be_utf8_without_nul():
    assert _refused("notes.txt", "caf\u00e9".encode("latin-1")).code == "encoding"
    assert _refused("notes.txt", b"abc\x00def").code == "binary"


def test_an_eml_must_look_like_an_email():
    assert _refused("message.eml", b"just some words\n").code == "mismatch"


def test_empty_and_too_big(settings):
    assert _refused("empty.pdf", b"").code == "empty"
    settings.DOCUMENT_MAX_SIZE = 1024
    error = _refused("big.pdf", PDF + b" " * 2000)
    assert error.code == "too_big"
    assert "smaller than" in error.messages[0]


def test_the_default_limit_is_20_mb(settings):
    del settings.DOCUMENT_MAX_SIZE
    assert files.max_size() == 20 * 1024 * 1024


def test_a_zip_bomb_is_refused():
    """A small .docx that would expand beyond 200 MB is not a document we accept."""
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("word/document.xml", b"<w:document/>")
        with archive.open("word/media/padding.bin", "w") as entry:
            block = bytes(1024 * 1024)
            for _ in range(files.MAX_UNPACKED // len(block) + 1):
                entry.write(block)
    content = buffer.getvalue()
    assert len(content) < 2 * 1024 * 1024
    assert _refused("notes.docx", content).code == "mismatch"
