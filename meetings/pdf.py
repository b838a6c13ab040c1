"""Minutes as PDF, with WeasyPrint (STYLE.md "Background work"; issue part 6).

- The HTML comes from the Jinja2 template meetings/pdf/minutes.html, styled by static/pdf/minutes.css.
- The renderer reads files only through StaticFilesOnlyFetcher: files under the project's static/
  directory, nothing from the network, no file:// elsewhere, no redirects.
- A redacted PDF (003 §49–50) is built from the employer-level sections with every withheld passage
  replaced by "[withheld]" *before* the HTML is made, so the passage is nowhere in the PDF: not in its
  text, its bookmarks or its metadata.
- Tagged PDF/UA-1 (the accessibility regulations cover PDFs), fonts from the system (Liberation Sans).

Pure functions of their arguments: the task (services.minutes_pdf_render) loads the rows, and the
benchmark (benchmarks/minutes_pdf.py) passes unsaved ones.
"""

from __future__ import annotations

import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from .agendas import audience_labels
from .models import AUDIENCES_FOR, VARIANT_LEVEL, AccessLevel, Attendance, MinutesVersion, PdfVariant

TEMPLATE = "meetings/pdf/minutes.html"
WITHHELD = "[withheld]"
PDF_VARIANT = "pdf/ua-1"


def static_dir() -> Path:
    return Path(settings.BASE_DIR, "static").resolve()


# --- The restricted URL fetcher ----------------------------------------------------------------


class RefusedFetch(ValueError):
    """A resource the renderer may not read. WeasyPrint logs it and renders without it."""


class StaticFilesOnlyFetcher(URLFetcher):
    """Serves only existing files under `root` (the project's static/ directory).

    WeasyPrint 70 calls `fetcher(url)` -> `fetch(url)` for every stylesheet, image and font; an exception
    other than FatalURLFetchingError makes it skip that resource and go on. We never call the parent's
    `fetch` (urllib's opener with its HTTP, FTP, file and redirect handlers), so nothing else is reachable:
    no network scheme, no data: or file:// outside static/, no `..`, no symbolic link leading out.
    `served` and `refused` record what was asked for, for tests and logs.
    """

    def __init__(self, root: Path | None = None):
        super().__init__(timeout=5, allowed_protocols=("file",), allow_redirects=False, fail_on_errors=False)
        self.root = Path(root or static_dir()).resolve()
        self.served: list[Path] = []
        self.refused: list[str] = []

    def path_for(self, url: str) -> Path:
        parts = urlsplit(url)
        if parts.scheme.lower() != "file":
            raise RefusedFetch(f"Only files under static/ may be read, not {parts.scheme or 'a relative'} URLs")
        if parts.netloc not in ("", "localhost"):
            raise RefusedFetch("Only local files may be read")
        raw = unquote(parts.path)
        if "\x00" in raw or ".." in raw.replace("\\", "/").split("/"):
            raise RefusedFetch("Paths may not go up a directory")
        try:
            path = Path(raw).resolve(strict=True)  # follows symbolic links
        except (OSError, RuntimeError):
            raise RefusedFetch("No such file") from None
        if not path.is_relative_to(self.root) or not path.is_file():
            raise RefusedFetch("Only files under static/ may be read")
        return path

    def fetch(self, url, headers=None):
        try:
            path = self.path_for(url)
        except RefusedFetch:
            self.refused.append(url)
            raise
        self.served.append(path)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if content_type == "text/css":
            content_type += "; charset=utf-8"
        return URLFetcherResponse(path.as_uri(), body=path.read_bytes(), headers={"Content-Type": content_type})

    def open(self, url, data=None, timeout=None):
        # urllib-style use goes through the same check (never through the parent's handlers).
        return self.fetch(url if isinstance(url, str) else url.full_url)


# --- Redaction ------------------------------------------------------------------------------------


def _passage_pattern(passage: str) -> re.Pattern | None:
    """The passage as typed or pasted, matching any run of white space (line breaks, paragraphs) in the text."""
    words = passage.split()
    if not words:
        return None
    return re.compile(r"\s+".join(re.escape(w) for w in words))


def passage_occurs(text: str, passage: str) -> bool:
    pattern = _passage_pattern(passage)
    return bool(pattern and pattern.search(text or ""))


def redact(text: str, passages) -> str:
    """Every occurrence of every passage replaced by [withheld]. Overlapping passages are withheld as one
    stretch, so no part of either is left behind."""
    if not text:
        return text
    spans = []
    for passage in passages:
        pattern = _passage_pattern(passage)
        if pattern is not None:
            spans.extend(m.span() for m in pattern.finditer(text) if m.end() > m.start())
    if not spans:
        return text
    spans.sort()
    merged = [list(spans[0])]
    for start, end in spans[1:]:
        if start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out, last = [], 0
    for start, end in merged:
        out.append(text[last:start])
        out.append(WITHHELD)
        last = end
    out.append(text[last:])
    return "".join(out)


def redacted_sections(sections: list[dict], passages) -> list[dict]:
    passages = [p for p in passages if p and p.strip()]
    return [{**s, "title": redact(s["title"], passages), "body": redact(s["body"], passages)} for s in sections]


# --- The document -------------------------------------------------------------------------------


@dataclass
class Rendered:
    data: bytes
    pages: int
    fetcher: StaticFilesOnlyFetcher


def redacted_rows(rows: list[dict], passages, keys) -> list[dict]:
    """Attendance or action rows with every withheld passage taken out of their text fields (`keys`)."""
    passages = [p for p in passages if p and p.strip()]
    return [{**row, **{k: redact(row[k], passages) for k in keys}} for row in rows]


def document_context(*, version: MinutesVersion, variant: str, recipient: str, passages=(), record=None) -> dict:
    """What the template needs. Reads the version's minutes, meeting, case and approver (select_related them).

    `record` is selectors.minutes_record() for this variant and recipient (attendance, apologies, actions), or
    None to leave them out."""
    minutes = version.minutes
    meeting = minutes.meeting
    level = VARIANT_LEVEL[variant]
    sections = version.sections_for(AUDIENCES_FOR[level])
    attendance = list(record.attendance) if record is not None else []
    actions = list(record.actions) if record is not None else []
    if variant == PdfVariant.REDACTED:
        sections = redacted_sections(sections, passages)
        attendance = redacted_rows(attendance, passages, ("name", "agency", "role"))
        actions = redacted_rows(actions, passages, ("description", "agency", "owner"))
    when = meeting.held_at or meeting.scheduled_at
    reference = meeting.case.referral.reference if meeting.case_id else ""
    if meeting.provider_concern_id:  # a serious concerns meeting: the provider concern's reference (001)
        reference = meeting.provider_concern.reference
    approver = version.approved_by
    title = f"Minutes: {meeting.get_kind_display()}, {timezone.localtime(when):%d %B %Y}, version {version.number}"
    return {
        "title": title,
        "meeting": meeting,
        "kind": meeting.get_kind_display(),
        "when": when,
        "reference": reference,
        "version": version,
        "approved_by": (approver.get_full_name() or approver.username) if approver else "",
        "variant": variant,
        "variant_label": PdfVariant(variant).label,
        "redacted": variant == PdfVariant.REDACTED,
        "level_label": AccessLevel(level).label,
        "recipient": recipient,
        "confidentiality_note": minutes.confidentiality_note,
        "sections": sections,
        "audience_labels": audience_labels(meeting),
        "withheld": WITHHELD,
        "has_record": record is not None,
        "present": [a for a in attendance if a["attendance"] == Attendance.ATTENDED],
        "apologies": [a for a in attendance if a["attendance"] == Attendance.APOLOGIES],
        "absent": [a for a in attendance if a["attendance"] == Attendance.ABSENT],
        "not_recorded": [a for a in attendance if a["attendance"] == Attendance.INVITED],
        "actions": actions,
        "all_actions": record.all_actions if record is not None else True,
    }


def render_html(context: dict) -> str:
    return render_to_string(TEMPLATE, context)


def render_pdf(html: str, *, fetcher: StaticFilesOnlyFetcher | None = None) -> Rendered:
    """HTML to a tagged PDF (PDF/UA-1). Relative links resolve against static/, through the fetcher."""
    fetcher = fetcher or StaticFilesOnlyFetcher()
    document = HTML(string=html, base_url=fetcher.root.as_uri() + "/", url_fetcher=fetcher).render(
        pdf_variant=PDF_VARIANT
    )
    data = document.write_pdf(pdf_variant=PDF_VARIANT)
    return Rendered(data=data, pages=len(document.pages), fetcher=fetcher)


def render_minutes(*, version: MinutesVersion, variant: str, recipient: str, passages=(), record=None) -> Rendered:
    return render_pdf(render_html(document_context(version=version, variant=variant, recipient=recipient,
                                                   passages=passages, record=record)))
