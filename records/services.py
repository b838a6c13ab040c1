"""Writes: attaching a document (checked by its content, stored under a random name), withdrawing one
with a reason, and recording who read what."""

from __future__ import annotations

import hashlib
import secrets
from pathlib import Path
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from outbox.submissions import submission_claim, submission_done

from . import conf, files, selectors
from .models import Document, DocumentKind, ViewLog
from .parents import rule

if TYPE_CHECKING:  # names for the annotations only: records imports no app above it (parents.py)
    from allegations.models import Case, Referral
    from meetings.models import Meeting


def save_with_history(instance, *, actor, reason: str) -> None:
    """Save a historied row with who changed it and why (as allegations.services.save_with_history)."""
    instance._history_user = actor
    instance._change_reason = reason
    instance.save()


def event_record(**fields) -> None:
    """The case timeline's business log (allegations.services.event_record, registered in parents.py)."""
    rule("event_record")(**fields)


def document_root() -> Path:
    return conf.document_root()


def document_path(document: Document) -> Path:
    """Where the file is: the random stored name, never the name it was uploaded with."""
    return document_root() / document.stored_name


def _store(upload) -> tuple[str, str]:
    """Write the upload under a new random name (no extension: nothing ever executes or serves it by name).
    Returns the stored name and the SHA-256 of what was written."""
    root = document_root()
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    stored_name = secrets.token_hex(16)
    digest = hashlib.sha256()
    upload.seek(0)
    # "x": never overwrite; 0o600 via umask-independent chmod after.
    with open(root / stored_name, "xb") as out:
        for chunk in upload.chunks():
            digest.update(chunk)
            out.write(chunk)
    (root / stored_name).chmod(0o600)
    return stored_name, digest.hexdigest()


def view_record(*, user, what: str, referral: Referral | None = None, meeting: Meeting | None = None,
                document: Document | None = None) -> None:
    """One line of the access log (the rest of it: allegations.AccessLog and meetings.PdfDownload)."""
    if referral is None and meeting is not None and meeting.case_id:
        referral = meeting.case.referral
    ViewLog.objects.create(user=user, what=what, referral=referral, meeting=meeting, document=document)


def document_add(*, actor, upload, title: str, kind: str, referral: Referral | None = None, case: Case | None = None,
                 meeting: Meeting | None = None, shared_with_invitees: bool = False, form_token: str = "",
                 url: str = "") -> Document:
    """Attach a file to one record, after checking what it is by its content (records.files).

    A second post of the same form (`form_token`) raises AlreadySubmitted with `url` (where the record's
    documents are shown) and attaches nothing."""
    if sum(x is not None for x in (referral, case, meeting)) != 1:
        raise TypeError("a document belongs to exactly one referral, case or meeting")
    if not selectors.may_upload(actor, referral=referral, case=case, meeting=meeting):
        raise PermissionDenied("You cannot attach documents to this record.")
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": "Enter a title for the document."})
    if kind not in DocumentKind.values:
        raise ValidationError({"kind": "Select what kind of document this is."})
    original_name = Path((upload.name or "").replace("\\", "/")).name[:255]
    try:
        detected = files.detect(upload, original_name)
    except ValidationError as error:
        raise ValidationError({"file": error.messages}) from None
    stored_name, sha256 = _store(upload)
    try:
        with transaction.atomic(durable=True):
            submission = submission_claim(token=form_token, user=actor)
            document = Document(
                referral=referral, case=case, meeting=meeting, title=title, kind=kind,
                shared_with_invitees=bool(shared_with_invitees and meeting is not None),
                original_name=original_name, stored_name=stored_name, size=detected.size, sha256=sha256,
                content_type=detected.type.content_type, file_type=detected.type.key, uploaded_by=actor,
            )
            save_with_history(document, actor=actor, reason="Document attached")
            owner = referral or (case.referral if case else (meeting.case.referral if meeting.case_id else None))
            if owner is not None:
                # The kind and number only: a title may name a child or the subject, and events feed reports.
                event_record(actor=actor, referral=owner, case=case or (meeting.case if meeting else None),
                             verb="document_added", part="document", part_id=document.pk,
                             summary=f"Document {document.pk} attached ({document.get_kind_display().lower()})")
            submission_done(submission, url=url)
    except BaseException:
        (document_root() / stored_name).unlink(missing_ok=True)
        raise
    return document


def document_withdraw(*, actor, document: Document, reason: str) -> Document:
    """The LADO service withdraws a document: nobody can download it any more; the row, the file and its
    history stay (deleting records and their files is governance's two-person deletion)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Enter why the document is being withdrawn."})
    with transaction.atomic(durable=True):
        document = Document.objects.select_for_update(of=("self",)).select_related(
            "referral", "case__referral", "meeting__case__referral").get(pk=document.pk)
        if not selectors.may_withdraw(actor, document):
            raise PermissionDenied("Only the LADO service can withdraw a document.")
        if document.is_withdrawn:
            raise ValidationError("This document has already been withdrawn.")
        document.withdrawn_at = timezone.now()
        document.withdrawn_by = actor
        document.withdrawn_reason = reason
        save_with_history(document, actor=actor, reason=reason)
        owner = selectors.referral_of(document)
        if owner is not None:
            event_record(actor=actor, referral=owner, case=document.case or (document.meeting.case if document.meeting_id else None),
                         verb="document_withdrawn", summary=f"Document {document.pk} withdrawn", reason=reason,
                         part="document", part_id=document.pk)
    return document


def document_open(*, user, document: Document):
    """The file, opened for reading, with the read logged. FileNotFoundError if it has gone."""
    handle = open(document_path(document), "rb")
    view_record(user=user, what=ViewLog.What.DOCUMENT, referral=selectors.referral_of(document),
                meeting=document.meeting, document=document)
    return handle


def document_attach_made(*, actor, referral: Referral | None = None, title: str, kind: str, name: str, content: bytes,
                         checked_as: str, reason: str, case: Case | None = None) -> Document:
    """Keep a file the product made (a transfer's handover bundle, a letter) as a document of a referral or a
    case (one of the two), inside the
    caller's transaction: the change that made it and the document commit together. The content is checked
    like an upload, as `checked_as` (a name whose extension says what it must be: "bundle.pdf", "bundle.txt");
    `name` is the name it is downloaded under. A file whose transaction rolls back later has no row, so it is
    never served (as an upload's that fails after storing)."""
    from django.core.files.base import ContentFile

    upload = ContentFile(content, name=checked_as)
    detected = files.detect(upload, checked_as)
    stored_name, sha256 = _store(upload)
    try:
        document = Document(
            referral=referral, case=case, title=title[:200], kind=kind, original_name=Path(name).name[:255],
            stored_name=stored_name, size=detected.size, sha256=sha256, content_type=detected.type.content_type,
            file_type=detected.type.key, uploaded_by=actor,
        )
        save_with_history(document, actor=actor, reason=reason)
    except BaseException:
        (document_root() / stored_name).unlink(missing_ok=True)
        raise
    return document
