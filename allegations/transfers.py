"""Cross-border transfers that are acknowledged (003 §4, §14, §69–72; issue 16 part 7).

When the person works in another authority's area, that authority's LADO service leads (003 §14); where a case
spans authorities the LADO services agree who leads (003 §71–72). A referral decided at triage as a transfer is
sent here: to which authority's LADO service and contact, with what (the handover bundle), and who leads by
agreement. The receiving service's acknowledgement is a deadline of 1 working day from sending, chased by the
deadlines sweep until it is recorded (it is owed although the contact is closed here: CHASED_AFTER_CLOSING).

The handover bundle is made by the app above us that can make it (interchange: a PDF and the referral's line of
the export), through `bundle_register` (STYLE.md: a lower app offers a hook, it does not import the upper one).
Its files are documents of the referral for the LADO service only (a PartAudience row each), and the transfer
itself is the LADO service's (transfer_for): the referring agency sees the referral's status, as before.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from agencies.models import Agency, AgencyKind
from deadlines import services as deadlines
from deadlines.models import Deadline
from records.models import DocumentKind
from records.services import document_attach_made

from .models import Audience, Part, PartAudience, Referral, ReferralStatus, Transfer
from .selectors import can_manage
from .services import _require_lado, event_record, save_with_history


@dataclasses.dataclass(frozen=True)
class BundleFile:
    """One file of a handover bundle: `role` "pdf" or "jsonl"; `checked_as` says what records must find it to be."""

    role: str
    title: str
    name: str
    checked_as: str
    content: bytes


_bundle_makers: list[Callable[[Referral, Transfer], list[BundleFile]]] = []


def bundle_register(maker: Callable[[Referral, Transfer], list[BundleFile]]) -> None:
    """The app that makes the handover bundle registers its maker here (interchange/apps.py)."""
    if maker not in _bundle_makers:
        _bundle_makers.append(maker)


def _bundle(referral: Referral, transfer: Transfer) -> list[BundleFile]:
    if not _bundle_makers:
        raise LookupError("No app makes the handover bundle of a transfer (interchange registers it)")
    files = []
    for maker in _bundle_makers:
        files.extend(maker(referral, transfer))
    return files


# --- Reads ---------------------------------------------------------------------------------------------------


def transfer_for(user, referral: Referral) -> Transfer | None:
    """Need to know: the transfer (where it went, its contact, the lead agreed and the acknowledgement) is the
    LADO service's alone. The referral has been fetched through visible_to already."""
    if not can_manage(user, referral) or referral.status != ReferralStatus.TRANSFERRED:
        return None  # only a referral decided as a transfer is ever sent (transfer_send): no query for the rest
    return Transfer.objects.filter(referral=referral).select_related(
        "receiving_service", "sent_by", "acknowledgement_recorded_by", "bundle_pdf", "bundle_jsonl").first()


def may_send(user, referral: Referral) -> bool:
    """A referral decided at triage as a transfer, not sent yet, by its LADO service."""
    return (can_manage(user, referral) and referral.status == ReferralStatus.TRANSFERRED
            and not Transfer.objects.filter(referral=referral).exists())


def receiving_services(referral: Referral):
    """The other LADO services of the product a referral can be sent to."""
    return Agency.objects.filter(kind=AgencyKind.LADO_SERVICE, is_active=True).exclude(
        pk=referral.lado_service_id).order_by("name")


# --- Writes --------------------------------------------------------------------------------------------------


@transaction.atomic
def transfer_send(*, actor, referral: Referral, authority_name: str = "", receiving_service: Agency | None = None,
                  contact_name: str, contact_email: str = "", contact_phone: str = "", lead_authority: str,
                  lead_agreed_with: str, lead_agreed_on: dt.date, sent_at: dt.datetime | None = None) -> Transfer:
    """Send a referral decided as a transfer to the receiving LADO service: record to whom, the lead agreed, the
    handover bundle (kept as documents for the LADO service only), and open the acknowledgement deadline."""
    _require_lado(actor, referral)
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral.status != ReferralStatus.TRANSFERRED:
        raise ValidationError("Only a referral decided at triage as a transfer can be sent to another authority.")
    if Transfer.objects.filter(referral=referral).exists():
        raise ValidationError("This referral has already been sent to another authority.")
    sent_at = sent_at or timezone.now()
    errors = {}
    if receiving_service is not None:
        if receiving_service.kind != AgencyKind.LADO_SERVICE or receiving_service.pk == referral.lado_service_id:
            errors["receiving_service"] = "Choose another authority's LADO service from the list."
        else:
            authority_name = receiving_service.name
    authority_name = (authority_name or "").strip()
    if not authority_name:
        errors["authority_name"] = "Enter the authority the referral is sent to, or choose its LADO service."
    if not contact_name.strip():
        errors["contact_name"] = "Enter the name of the contact at the receiving LADO service."
    if not contact_email.strip() and not contact_phone.strip():
        errors["contact_email"] = "Enter the contact's email address or phone number."
    if not lead_authority.strip():
        errors["lead_authority"] = "Enter which authority leads."
    if not lead_agreed_with.strip():
        errors["lead_agreed_with"] = "Enter who the lead was agreed with."
    if lead_agreed_on is None:
        errors["lead_agreed_on"] = "Enter the date the lead was agreed."
    elif lead_agreed_on > timezone.localdate(sent_at):
        errors["lead_agreed_on"] = "The date the lead was agreed must be today or in the past."
    if errors:
        raise ValidationError(errors)
    transfer = Transfer(
        referral=referral, authority_name=authority_name[:200], receiving_service=receiving_service,
        contact_name=contact_name.strip(), contact_email=contact_email.strip(), contact_phone=contact_phone.strip(),
        lead_authority=lead_authority.strip(), lead_agreed_with=lead_agreed_with.strip(),
        lead_agreed_on=lead_agreed_on, sent_at=sent_at, sent_by=actor,
    )
    save_with_history(transfer, actor=actor, reason="Referral sent to another authority's LADO service")
    deadlines.deadline_open(actor=actor, referral=referral, kind=Deadline.Kind.TRANSFER_ACKNOWLEDGEMENT,
                            anchor=sent_at, reason="Transfer sent: the receiving service acknowledges it")
    event_record(actor=actor, referral=referral, verb="transfer_sent",
                 summary=f"Sent to {authority_name}'s LADO service; {lead_authority.strip()} leads"[:300])
    for file in _bundle(referral, transfer):
        document = document_attach_made(
            actor=actor, referral=referral, title=file.title, kind=DocumentKind.CORRESPONDENCE, name=file.name,
            content=file.content, checked_as=file.checked_as, reason="Handover bundle of a transfer",
        )
        # The bundle holds everything of the referral: the LADO service's alone (need to know).
        save_with_history(PartAudience(referral=referral, part=Part.DOCUMENT, part_id=document.pk,
                                       audience=Audience.LADO, changed_by=actor),
                          actor=actor, reason="Handover bundle: for the LADO service only")
        event_record(actor=actor, referral=referral, verb="document_added", part=Part.DOCUMENT, part_id=document.pk,
                     summary=f"Document {document.pk} attached (handover bundle)")
        setattr(transfer, f"bundle_{file.role}", document)
    save_with_history(transfer, actor=actor, reason="Handover bundle kept with the transfer")
    return transfer


@transaction.atomic
def transfer_acknowledge(*, actor, transfer: Transfer, acknowledged_by: str, acknowledged_on: dt.date | None) -> Transfer:
    """The receiving service acknowledged the transfer: who, and on which day. Meets the acknowledgement deadline
    (at the time it is recorded when that is the day, else midday of the day given, never before it was sent)."""
    _require_lado(actor, transfer.referral)
    transfer = Transfer.objects.select_for_update().select_related("referral").get(pk=transfer.pk)
    if transfer.is_acknowledged:
        raise ValidationError("The acknowledgement has already been recorded.")
    now = timezone.now()
    errors = {}
    if not acknowledged_by.strip():
        errors["acknowledged_by"] = "Enter who acknowledged the transfer at the receiving service."
    if acknowledged_on is None:
        errors["acknowledged_on"] = "Enter the date the transfer was acknowledged."
    elif acknowledged_on > timezone.localdate(now):
        errors["acknowledged_on"] = "The date the transfer was acknowledged must be today or in the past."
    elif acknowledged_on < timezone.localdate(transfer.sent_at):
        errors["acknowledged_on"] = "The date the transfer was acknowledged must be on or after the day it was sent."
    if errors:
        raise ValidationError(errors)
    if acknowledged_on == timezone.localdate(now):
        acknowledged_at = now
    else:
        midday = dt.datetime.combine(acknowledged_on, dt.time(12, 0), tzinfo=timezone.get_current_timezone())
        acknowledged_at = max(midday, transfer.sent_at)
    transfer.acknowledged_by = acknowledged_by.strip()[:150]
    transfer.acknowledged_at = acknowledged_at
    transfer.acknowledgement_recorded_by = actor
    save_with_history(transfer, actor=actor, reason="Acknowledgement recorded")
    deadlines.deadline_meet(actor=actor, referral=transfer.referral, kind=Deadline.Kind.TRANSFER_ACKNOWLEDGEMENT,
                            met_at=acknowledged_at, reason="The receiving service acknowledged the transfer")
    event_record(actor=actor, referral=transfer.referral, verb="transfer_acknowledged",
                 summary=f"{transfer.authority_name}'s LADO service acknowledged the transfer"[:300])
    return transfer
