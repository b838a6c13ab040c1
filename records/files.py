"""What an uploaded file really is: its content decides, not its name (issue 7 §4).

`filetype` (pinned) reads the magic bytes; our own checks then look at the structure: a .docx must be a
ZIP holding `[Content_Types].xml` and `word/document.xml` (and no macros), a PDF must end with `%%EOF`,
text must be UTF-8 without NUL characters. Programs are refused whatever they are called, and so is a
file whose name says one type while its content is another.

Accepted: PDF, Word (.docx), Excel (.xlsx), OpenDocument text (.odt), PNG, JPEG, plain text (.txt) and
e-mail saved as .eml. Not accepted: Outlook .msg (an OLE container like the old macro-carrying .doc and
.xls formats: save the message as PDF or .eml instead), and anything else.
"""

from __future__ import annotations

import codecs
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

import filetype
from . import conf
from django.core.exceptions import ValidationError

AGAIN = " Choose the file again."


@dataclass(frozen=True)
class FileType:
    key: str
    label: str
    content_type: str
    extensions: tuple[str, ...]


TYPES = {
    t.key: t
    for t in [
        FileType("pdf", "PDF", "application/pdf", (".pdf",)),
        FileType("docx", "Word document", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                 (".docx",)),
        FileType("xlsx", "Excel spreadsheet", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                 (".xlsx",)),
        FileType("odt", "OpenDocument text", "application/vnd.oasis.opendocument.text", (".odt",)),
        FileType("png", "PNG image", "image/png", (".png",)),
        FileType("jpeg", "JPEG image", "image/jpeg", (".jpg", ".jpeg")),
        FileType("txt", "plain text", "text/plain; charset=utf-8", (".txt",)),
        FileType("eml", "e-mail message", "message/rfc822", (".eml",)),
    ]
}
BY_EXTENSION = {ext: t for t in TYPES.values() for ext in t.extensions}
ACCEPTED_IN_WORDS = "PDF, Word (.docx), Excel (.xlsx), OpenDocument text (.odt), PNG, JPEG, plain text (.txt) or e-mail (.eml)"
# What filetype calls the types we accept.
SNIFFED = {"pdf": "pdf", "docx": "docx", "xlsx": "xlsx", "odt": "odt", "png": "png", "jpg": "jpeg"}
PROGRAMS = {"exe", "elf", "wasm", "crx", "deb", "rpm", "swf", "nes", "cab"}
# A ZIP-based document is opened to look inside; one that would expand beyond this is refused (a "zip bomb").
MAX_UNPACKED = 200 * 1024 * 1024
HEAD = 8192


@dataclass(frozen=True)
class Detected:
    type: FileType
    size: int


def max_size() -> int:
    return conf.document_max_size()


def _size_in_words(n: int) -> str:
    return f"{n // (1024 * 1024)} MB"


def _read_head(upload) -> bytes:
    upload.seek(0)
    head = upload.read(HEAD)
    upload.seek(0)
    return head


def _read_tail(upload, size: int, n: int = 2048) -> bytes:
    upload.seek(max(0, size - n))
    tail = upload.read(n)
    upload.seek(0)
    return tail


def detect(upload, name: str) -> Detected:
    """The file's type, from its content, or a ValidationError that says what is wrong (for the file field)."""
    size = upload.size
    if not size:
        raise ValidationError("The selected file is empty." + AGAIN, code="empty")
    if size > max_size():
        raise ValidationError(f"The selected file must be smaller than {_size_in_words(max_size())}." + AGAIN,
                              code="too_big")
    extension = PurePath(name or "").suffix.lower()
    claimed = BY_EXTENSION.get(extension)
    head = _read_head(upload)
    sniffed = filetype.guess(head)
    if head[:2] == b"MZ" or head[:4] == b"\x7fELF" or (sniffed and sniffed.extension in PROGRAMS):
        raise ValidationError("The selected file is a program, not a document. Programs cannot be attached.",
                              code="program")
    if claimed is None:
        raise ValidationError(f"The selected file must be a {ACCEPTED_IN_WORDS}." + AGAIN, code="type")
    found = _binary_type(upload, head, sniffed, size) if sniffed else None
    if claimed.key in ("txt", "eml"):
        if sniffed is not None:
            raise ValidationError(_mismatch(name, claimed, found, sniffed), code="mismatch")
        _check_text(upload, head, eml=claimed.key == "eml")
        return Detected(claimed, size)
    if found is None or found.key != claimed.key:
        raise ValidationError(_mismatch(name, claimed, found, sniffed), code="mismatch")
    return Detected(found, size)


def _mismatch(name: str, claimed: FileType, found: FileType | None, sniffed) -> str:
    shown = PurePath(name).name
    if found is not None:
        what = f"a {found.label}"
    elif sniffed is not None:
        what = f"a .{sniffed.extension} file"
    else:
        what = f"not a real {claimed.label}"
    return (f"The selected file is called {shown} but its content is {what}. "
            f"Attach a {ACCEPTED_IN_WORDS} whose name matches what it is." + AGAIN)


def _binary_type(upload, head: bytes, sniffed, size: int) -> FileType | None:
    """The accepted type the content is, after checking its structure; None if it is none of them."""
    key = SNIFFED.get(sniffed.extension)
    if sniffed.extension == "zip" or key in ("docx", "xlsx", "odt"):
        return _zip_type(upload)
    if key == "pdf":
        return TYPES["pdf"] if head.startswith(b"%PDF-") and b"%%EOF" in _read_tail(upload, size) else None
    if key == "png":
        return TYPES["png"] if head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR" else None
    if key == "jpeg":
        return TYPES["jpeg"] if head[:3] == b"\xff\xd8\xff" else None
    return None


def _zip_type(upload) -> FileType | None:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            infos = archive.infolist()
            names = {i.filename for i in infos}
            if sum(i.file_size for i in infos) > MAX_UNPACKED:
                return None
            if "[Content_Types].xml" in names:
                if "word/document.xml" in names and "word/vbaProject.bin" not in names:
                    return TYPES["docx"]
                if "xl/workbook.xml" in names and "xl/vbaProject.bin" not in names:
                    return TYPES["xlsx"]
                return None
            if "mimetype" in names and "content.xml" in names:
                if archive.read("mimetype").strip() == b"application/vnd.oasis.opendocument.text":
                    return TYPES["odt"]
            return None
    except (zipfile.BadZipFile, OSError, EOFError, KeyError):
        return None
    finally:
        upload.seek(0)


def _check_text(upload, head: bytes, *, eml: bool) -> None:
    decoder = codecs.getincrementaldecoder("utf-8")()
    upload.seek(0)
    try:
        for chunk in upload.chunks():
            if b"\x00" in chunk:
                raise ValidationError("The selected file is not plain text: it holds binary data." + AGAIN,
                                      code="binary")
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise ValidationError("The selected text file must be saved as UTF-8 (plain text)." + AGAIN,
                              code="encoding") from None
    finally:
        upload.seek(0)
    if eml:
        first = head.decode("utf-8", "replace").lstrip().split("\n", 1)[0]
        headers = head.decode("utf-8", "replace").lower()
        if ":" not in first or not any(h in headers for h in ("\nfrom:", "\nsubject:", "from:", "received:")):
            raise ValidationError("The selected .eml file is not an e-mail message." + AGAIN, code="mismatch")
