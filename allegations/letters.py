"""Letters from templates (issue 17 §3): the LADO manager keeps the words of each kind of letter; an officer
drafts one from a case (its placeholders filled), edits it; a LADO manager of the service approves it; it is
rendered as a tagged PDF (WeasyPrint, PDF/UA-1) and a Word document (docxtpl), kept as two documents of the case
with the letter's audience (need to know, as any document's), and marked as sent (post, e-mail, by hand).

Approval: a LADO manager of the case's service, never the officer who drafted it on their own (as minutes are
approved by someone other than their writer). Sending by e-mail through the product (a Delivery row) is not built
here: "mark as sent" records that it went and how, on the letter and the timeline.

The letter's text never goes to a log: the person's name may be in the letter (it is addressed to them), so events
say only "Outcome letter to the employer drafted" and the like.

Placeholders are a fixed list (PLACEHOLDERS), rendered by Jinja2's sandboxed environment with undefined names
refused: a template that names any other is refused when saved.
"""

from __future__ import annotations

import datetime as dt
import html
import io

import jinja2
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from jinja2 import meta
from jinja2.sandbox import SandboxedEnvironment

from agencies.permissions import standing
from outbox.delivery import delivery_add
from outbox.models import DeliveryChannel
from records.models import DocumentKind
from records.services import document_attach_made

from .models import Audience, Case, Letter, LetterKind, LetterTemplate, Part
from .services import _require_lado, case_part_set_audience, event_record, save_with_history

# The placeholders a template may use, with what each becomes (shown beside the editor).
PLACEHOLDERS: dict[str, str] = {
    "reference": "The case's reference, e.g. LADO-2026-0042",
    "today": "Today's date, e.g. 3 December 2026",
    "person_name": "The full name of the person the allegation is about",
    "employer": "The employer's name",
    "outcome": "The outcome of the case in words (blank until recorded)",
    "outcome_date": "The date the outcome was recorded (blank until then)",
    "meeting_date": "The date of the case's latest meeting that was not cancelled (blank if none)",
    "lado_service": "The LADO service's name",
    "officer": "The name of the officer who drafts the letter",
    "recipient": "Who the letter is to, as written when drafting",
    "transfer_authority": "The authority the referral was sent to (blank if none)",
}

# Each kind's audience until the drafter chooses another: the person's and the parents' letters are the LADO
# service's own; the employer's and the provider's the employer may see.
DEFAULT_AUDIENCE: dict[str, str] = {
    LetterKind.OUTCOME_PERSON: Audience.LADO, LetterKind.OUTCOME_PARENTS: Audience.LADO,
    LetterKind.OUTCOME_EMPLOYER: Audience.EMPLOYER, LetterKind.INVITATION: Audience.SAFEGUARDING,
    LetterKind.PROVIDER: Audience.EMPLOYER, LetterKind.TRANSFER: Audience.LADO,
}

# The words of each letter until a LADO manager changes them.
DEFAULT_TEXTS: dict[str, tuple[str, str]] = {
    LetterKind.OUTCOME_PERSON: ("The outcome of the allegation, reference {{ reference }}", (
        "Dear {{ person_name }},\n\n"
        "We are writing to tell you the outcome of the allegation made about you while you worked for "
        "{{ employer }}.\n\nThe allegation was found to be: {{ outcome }}. This was decided on {{ outcome_date }}.\n\n"
        "If you have any questions, please contact us and give the reference {{ reference }}.\n\n"
        "Yours sincerely,\n\n{{ officer }}\n{{ lado_service }}")),
    LetterKind.OUTCOME_EMPLOYER: ("Outcome of the allegation, reference {{ reference }}", (
        "Dear {{ recipient }},\n\n"
        "The allegation about a member of your staff, reference {{ reference }}, has been concluded. "
        "The outcome is: {{ outcome }}, recorded on {{ outcome_date }}.\n\n"
        "Please tell us what you will do next, and keep a record of this letter.\n\n"
        "Yours sincerely,\n\n{{ officer }}\n{{ lado_service }}")),
    LetterKind.OUTCOME_PARENTS: ("The outcome of the concern about your child, reference {{ reference }}", (
        "Dear {{ recipient }},\n\n"
        "We are writing to tell you that the concern raised about an adult at {{ employer }} has been looked "
        "into and has now been concluded. The outcome is: {{ outcome }}.\n\n"
        "If you would like to talk about this, please contact us and give the reference {{ reference }}.\n\n"
        "Yours sincerely,\n\n{{ officer }}\n{{ lado_service }}")),
    LetterKind.INVITATION: ("Invitation to a meeting, reference {{ reference }}", (
        "Dear {{ recipient }},\n\n"
        "You are invited to a meeting about reference {{ reference }} on {{ meeting_date }}.\n\n"
        "Please tell us whether you can attend. What is discussed at the meeting is confidential.\n\n"
        "Yours sincerely,\n\n{{ officer }}\n{{ lado_service }}")),
    LetterKind.PROVIDER: ("After the serious concerns meeting, reference {{ reference }}", (
        "Dear {{ recipient }},\n\n"
        "Thank you for taking part in the serious concerns meeting on {{ meeting_date }} about {{ employer }}.\n\n"
        "This letter sets out what was agreed and what we need you to do next:\n\n[Write the actions here]\n\n"
        "Yours sincerely,\n\n{{ officer }}\n{{ lado_service }}")),
    LetterKind.TRANSFER: ("A referral sent to you, reference {{ reference }}", (
        "Dear {{ recipient }},\n\n"
        "We have sent the referral {{ reference }} to {{ transfer_authority }}, because the person works in your "
        "area. The papers come with this letter.\n\nPlease let us know that you have received it.\n\n"
        "Yours sincerely,\n\n{{ officer }}\n{{ lado_service }}")),
}

_ENV = SandboxedEnvironment(undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=True)


# --- Templates ---------------------------------------------------------------------------------------------


def may_edit_templates(user) -> bool:
    return standing(user).is_lado_manager


def _service_of_manager(user) -> int:
    ids = sorted(standing(user).managed_service_ids)
    if not ids:
        raise PermissionDenied("Only a LADO manager edits the letters' words.")
    return ids[0]


def check_text(text: str, *, field: str) -> None:
    """Refuse a template that is not well formed or names a placeholder that is not in the list."""
    try:
        parsed = _ENV.parse(text)
    except jinja2.TemplateSyntaxError as error:
        raise ValidationError({field: f"The placeholders are not written correctly (line {error.lineno}): "
                                      "write each as {{ name }}."}) from None
    unknown = sorted(meta.find_undeclared_variables(parsed) - set(PLACEHOLDERS))
    if unknown:
        names = ", ".join("{{ %s }}" % name for name in unknown)
        raise ValidationError({field: f"Unknown placeholder {names}: use only the placeholders listed."})
    try:  # filled with sample words: anything else the sandbox refuses (reaching into Python) is refused now
        _ENV.from_string(text).render({name: name for name in PLACEHOLDERS})
    except jinja2.TemplateError:
        raise ValidationError({field: "Use each placeholder as {{ name }}, on its own."}) from None


def template_for(service_id: int, kind: str) -> LetterTemplate:
    """The service's template of this kind, made from the default words on first use."""
    subject, body = DEFAULT_TEXTS[kind]
    template, _ = LetterTemplate.objects.get_or_create(lado_service_id=service_id, kind=kind,
                                                       defaults={"subject": subject, "body": body})
    return template


def templates_of(user) -> list[LetterTemplate]:
    service_id = _service_of_manager(user)
    return [template_for(service_id, kind) for kind in LetterKind.values]


@transaction.atomic
def letter_template_update(*, actor, kind: str, subject: str, body: str) -> LetterTemplate:
    service_id = _service_of_manager(actor)
    check_text(subject, field="subject")
    check_text(body, field="body")
    if not body.strip():
        raise ValidationError({"body": "Enter the letter's words."})
    template = template_for(service_id, kind)
    template = LetterTemplate.objects.select_for_update().get(pk=template.pk)
    template.subject, template.body = subject.strip(), body
    template.changed_by, template.changed_at = actor, timezone.now()
    save_with_history(template, actor=actor, reason="Letter's words changed")
    return template


# --- Drafting ----------------------------------------------------------------------------------------------


def _date(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "astimezone"):
        value = timezone.localtime(value)
    return f"{value.day} {value:%B %Y}"


def placeholder_values(case: Case, *, actor, recipient: str) -> dict[str, str]:
    referral = case.referral
    meeting = (case.meetings.exclude(status="cancelled").order_by("-scheduled_at").first()
               if hasattr(case, "meetings") else None)
    transfer = getattr(referral, "transfer_out", None)
    return {
        "reference": case.reference, "today": _date(timezone.now()),
        "person_name": referral.subject.full_name, "employer": referral.employer_name,
        "outcome": case.get_outcome_display().lower() if case.outcome else "",
        "outcome_date": _date(case.outcome_recorded_at),
        "meeting_date": _date(meeting.scheduled_at) if meeting else "",
        "lado_service": referral.lado_service.name, "officer": actor.get_full_name() or actor.username,
        "recipient": recipient, "transfer_authority": transfer.authority_name if transfer else "",
    }


def fill(text: str, values: dict[str, str]) -> str:
    try:
        return _ENV.from_string(text).render(values)
    except jinja2.TemplateError:  # a template saved before its words were checked
        raise ValidationError("This letter's template cannot be filled in: ask a LADO manager to check its "
                              "placeholders.") from None


def may_draft(user, case: Case) -> bool:
    return case.referral.lado_service_id in standing(user).lado_service_ids


def may_approve(user, letter: Letter) -> bool:
    return letter.case.referral.lado_service_id in standing(user).managed_service_ids


@transaction.atomic
def letter_draft(*, actor, case: Case, kind: str, recipient: str, audience: str = "") -> Letter:
    _require_lado(actor, case.referral)
    if kind not in LetterKind.values:
        raise ValidationError({"kind": "Choose which letter."})
    if not recipient.strip():
        raise ValidationError({"recipient": "Enter who the letter is to."})
    template = template_for(case.referral.lado_service_id, kind)
    values = placeholder_values(case, actor=actor, recipient=recipient.strip())
    letter = Letter(case=case, kind=kind, recipient=recipient.strip(), subject=fill(template.subject, values)[:200],
                    body=fill(template.body, values), audience=audience or DEFAULT_AUDIENCE[kind], drafted_by=actor)
    save_with_history(letter, actor=actor, reason="Letter drafted")
    event_record(actor=actor, referral=case.referral, case=case, verb="letter_drafted",
                 summary=f"{LetterKind(kind).label} drafted", part=Part.DOCUMENT)
    return letter


def _locked(letter: Letter) -> Letter:
    return Letter.objects.select_for_update().select_related("case__referral").get(pk=letter.pk)


@transaction.atomic
def letter_edit(*, actor, letter: Letter, recipient: str, subject: str, body: str, audience: str) -> Letter:
    letter = _locked(letter)
    _require_lado(actor, letter.case.referral)
    if letter.status != Letter.Status.DRAFT:
        raise ValidationError("An approved letter can no longer be changed.")
    errors = {}
    if not recipient.strip():
        errors["recipient"] = "Enter who the letter is to."
    if not subject.strip():
        errors["subject"] = "Enter the letter's subject line."
    if not body.strip():
        errors["body"] = "Enter the letter's words."
    if audience not in Audience.values:
        errors["audience"] = "Choose who may see the letter on the case."
    if errors:
        raise ValidationError(errors)
    letter.recipient, letter.subject, letter.body, letter.audience = recipient.strip(), subject.strip(), body, audience
    save_with_history(letter, actor=actor, reason="Letter edited")
    return letter


@transaction.atomic
def letter_approve(*, actor, letter: Letter) -> Letter:
    """A LADO manager approves the letter; it is rendered as PDF and Word and kept as two documents of the case,
    for the letter's audience, in the same transaction."""
    letter = _locked(letter)
    if not may_approve(actor, letter):
        raise PermissionDenied("Only a LADO manager of the service approves a letter.")
    if letter.status != Letter.Status.DRAFT:
        raise ValidationError("This letter has already been approved.")
    letter.status, letter.approved_by, letter.approved_at = Letter.Status.APPROVED, actor, timezone.now()
    case, title = letter.case, LetterKind(letter.kind).label
    name = f"{case.reference}-{letter.kind.replace('_', '-')}-{letter.pk}"
    letter.pdf = document_attach_made(
        actor=actor, case=case, title=f"{title} (PDF)", kind=DocumentKind.CORRESPONDENCE, name=f"{name}.pdf",
        content=render_pdf(letter), checked_as="letter.pdf", reason="Approved letter")
    letter.docx = document_attach_made(
        actor=actor, case=case, title=f"{title} (Word)", kind=DocumentKind.CORRESPONDENCE, name=f"{name}.docx",
        content=render_docx(letter), checked_as="letter.docx", reason="Approved letter")
    for document in (letter.pdf, letter.docx):
        if letter.audience != Audience.SAFEGUARDING:  # a document's default audience (models.DEFAULT_AUDIENCE)
            case_part_set_audience(actor=actor, case=case, part=Part.DOCUMENT, part_id=document.pk,
                                   audience=letter.audience, reason="The letter's audience")
    save_with_history(letter, actor=actor, reason="Letter approved")
    event_record(actor=actor, referral=case.referral, case=case, verb="letter_approved",
                 summary=f"{title} approved", part=Part.DOCUMENT, part_id=letter.pdf.pk)
    return letter


SENT_BY_CHANNEL = {Letter.SentBy.POST: DeliveryChannel.POST, Letter.SentBy.EMAIL: DeliveryChannel.EMAIL,
                   Letter.SentBy.HAND: DeliveryChannel.BY_HAND}


@transaction.atomic
def letter_mark_sent(*, actor, letter: Letter, sent_by: str, sent_on=None) -> Letter:
    letter = _locked(letter)
    _require_lado(actor, letter.case.referral)
    if letter.status != Letter.Status.APPROVED:
        raise ValidationError("Only an approved letter that has not been sent can be marked as sent.")
    if sent_by not in Letter.SentBy.values:
        raise ValidationError({"sent_by": "Choose how the letter was sent."})
    now = timezone.now()
    if sent_on is not None and sent_on > timezone.localdate():
        raise ValidationError({"sent_on": "The date it was sent must be today or in the past."})
    letter.status, letter.sent_by, letter.sent_recorded_by = Letter.Status.SENT, sent_by, actor
    # A day in the past: noon that day (only the day is asked for).
    letter.sent_at = now if sent_on is None or sent_on == timezone.localdate() else timezone.make_aware(
        dt.datetime.combine(sent_on, dt.time(12)))
    save_with_history(letter, actor=actor, reason="Letter sent")
    # The record of delivery (issue 17 §3), as every message the product knows of: the officer sent it themselves,
    # so it is recorded as sent, by the channel they chose. Who it went to stays on the letter only (it may be the
    # person's name, and retention removes the letter with its case): the delivery names the letter.
    delivery_add(key=f"letter:{letter.pk}", kind=f"letter_{letter.kind}", address="",
                 channel=SENT_BY_CHANNEL[sent_by], about=letter, created_by=actor, sent_at=letter.sent_at)
    event_record(actor=actor, referral=letter.case.referral, case=letter.case, verb="letter_sent",
                 summary=f"{LetterKind(letter.kind).label} sent ({Letter.SentBy(sent_by).label.lower()})",
                 part=Part.DOCUMENT, part_id=letter.pdf_id)
    return letter


# --- Reading -----------------------------------------------------------------------------------------------


def letters_of(user, case: Case) -> list[Letter]:
    """The case's letters, for the LADO service only (their documents follow their own audience)."""
    if not may_draft(user, case):
        return []
    return list(case.letters.select_related("drafted_by", "approved_by"))


def letter_get(user, case: Case, pk: int) -> Letter | None:
    if not may_draft(user, case):
        return None
    return case.letters.select_related("case__referral", "approved_by", "drafted_by").filter(pk=pk).first()


# --- Rendering ---------------------------------------------------------------------------------------------


def _paragraphs(body: str) -> list[str]:
    return [p.strip() for p in body.replace("\r\n", "\n").split("\n\n") if p.strip()]


def render_html(letter: Letter) -> str:
    return letter_html(sender=letter.case.referral.lado_service.name, subject=letter.subject, body=letter.body)


def letter_html(*, sender: str, subject: str, body: str) -> str:
    """A letter's page from its words: also for letters that are not a case's (providers' letters after a
    serious concerns meeting)."""
    paragraphs = "".join("<p>%s</p>" % html.escape(p).replace("\n", "<br>") for p in _paragraphs(body))
    return (
        '<!doctype html><html lang="en-GB"><head><meta charset="utf-8">'
        f"<title>{html.escape(subject)}</title>"
        "<style>@page { size: A4; margin: 25mm 20mm; } body { font-family: 'Liberation Sans', Arial, sans-serif; "
        "font-size: 11pt; line-height: 1.4; } h1 { font-size: 13pt; margin: 0 0 8mm; } .from { text-align: right; "
        "margin-bottom: 10mm; }</style></head><body>"
        f'<p class="from">{html.escape(sender)}<br>{_date(timezone.now())}</p>'
        f"<h1>{html.escape(subject)}</h1>{paragraphs}</body></html>"
    )


def _no_fetch(url, *args, **kwargs):
    raise ValueError("A letter reads no files or URLs")


def render_pdf(letter: Letter) -> bytes:
    """A tagged PDF (PDF/UA-1), as the minutes are (meetings/pdf.py), reading nothing from outside."""
    from weasyprint import HTML

    return HTML(string=render_html(letter), url_fetcher=_no_fetch).write_pdf(pdf_variant="pdf/ua-1")


def letter_pdf_bytes(*, sender: str, subject: str, body: str) -> bytes:
    """render_pdf for a letter that is not a case's."""
    from weasyprint import HTML

    return HTML(string=letter_html(sender=sender, subject=subject, body=body),
                url_fetcher=_no_fetch).write_pdf(pdf_variant="pdf/ua-1")


def base_docx() -> bytes:
    """The Word template, made in code with python-docx (no binary file in the repository): the service's name,
    the subject as a heading, then one paragraph per paragraph of the letter (docxtpl's {%p for %})."""
    from docx import Document as Docx

    document = Docx()
    document.add_paragraph("{{ lado_service }}")
    document.add_heading("{{ subject }}", level=1)
    document.add_paragraph("{%p for paragraph in paragraphs %}")
    document.add_paragraph("{{ paragraph }}")
    document.add_paragraph("{%p endfor %}")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def render_docx(letter: Letter) -> bytes:
    from docxtpl import DocxTemplate

    template = DocxTemplate(io.BytesIO(base_docx()))
    # docxtpl's own Jinja environment renders only these values: the letter's words are data, never template.
    template.render({"lado_service": letter.case.referral.lado_service.name, "subject": letter.subject,
                     "paragraphs": [p.replace("\n", " ") for p in _paragraphs(letter.body)]}, autoescape=True)
    out = io.BytesIO()
    template.save(out)
    return out.getvalue()
