"""A fair process for the person the allegation is about (issue 16 §2).

Sources: 002 §12-16 (a duty of care and a fair process for the adult; their views conveyed to the meeting), 003 §25
(arrangements for informing the person and establishing support), §34 (the police may need the person not to be
told yet) and §35 (a named contact, their union or professional body, regular updates on progress and timescales).

Each write locks the case, saves with history, records the event (the item's part, so the timeline shows it only to
its audience) and moves the person_update deadline, in one transaction.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from deadlines import services as deadlines
from deadlines.models import Deadline

from .models import Case, Part, PersonContact, PersonSupport, PersonTold, PersonUpdate
from .services import _case_for_update, _case_record, _instant, _start_of


def _check_day(errors: dict, name: str, day: dt.date | None, case: Case, what: str) -> None:
    if day is None:
        return
    if day > timezone.localdate():
        errors[name] = f"{what} cannot be in the future."
    elif day < timezone.localdate(case.referral.received_at):
        errors[name] = f"{what} cannot be before the referral was received."


def _updates_due_from(*, actor, case: Case, at: dt.datetime, reason: str) -> None:
    """Open the next update to the person from `at` (28 days), unless one from then or later is still to come."""
    if not Deadline.objects.filter(referral=case.referral, kind=Deadline.Kind.PERSON_UPDATE, anchor_at__gte=at,
                                   status__in=deadlines.UNMET).exists():
        deadlines.deadline_open(actor=actor, referral=case.referral, case=case, kind=Deadline.Kind.PERSON_UPDATE,
                                anchor=at, reason=reason)


@transaction.atomic
def person_told_record(*, actor, case: Case, told_on: dt.date | None = None, told_by: str = "", what_told: str = "",
                       held_back: str = "", held_back_advised_by: str = "", held_back_until: dt.date | None = None,
                       held_back_why: str = "") -> PersonTold:
    """What the person was told (by whom, when), and what is held back and on whose advice. The first time they
    are told, regular updates to them fall due (every 28 days while the case is open)."""
    case = _case_for_update(actor, case)
    told_by, what_told, held_back = told_by.strip(), what_told.strip(), held_back.strip()
    held_back_advised_by, held_back_why = held_back_advised_by.strip(), held_back_why.strip()
    errors: dict[str, str] = {}
    if told_on is None and not held_back:
        errors["told_on"] = "Enter when the person was told, or say what is held back from them."
    if told_on is not None or told_by or what_told:
        if told_on is None:
            errors["told_on"] = "Enter the date the person was told."
        if not told_by:
            errors["told_by"] = "Enter who told the person."
        if not what_told:
            errors["what_told"] = "Say what the person was told."
    _check_day(errors, "told_on", told_on, case, "The date they were told")
    if held_back:
        if not held_back_advised_by:
            errors["held_back_advised_by"] = "Say on whose advice it is held back (for example, the police officer)."
        if held_back_until is None and not held_back_why:
            errors["held_back_why"] = "Say until when it is held back, or why."
    elif held_back_advised_by or held_back_until or held_back_why:
        errors["held_back"] = "Say what is held back from the person, or clear the advice about it."
    if errors:
        raise ValidationError(errors)
    item = PersonTold(case=case, told_on=told_on, told_by=told_by, what_told=what_told, held_back=held_back,
                      held_back_advised_by=held_back_advised_by, held_back_until=held_back_until,
                      held_back_why=held_back_why, recorded_by=actor)
    if told_on is not None:
        summary = f"The person was told on {told_on:%d %B %Y} by {told_by}"
        if held_back:
            summary += f"; something held back on the advice of {held_back_advised_by}"
    else:
        summary = f"Held back from the person on the advice of {held_back_advised_by}"
    _case_record(actor=actor, case=case, instance=item, verb="person_told", part=Part.PERSON_TOLD,
                 summary=summary[:300], reason=held_back_why)
    if told_on is not None and not Deadline.objects.filter(
        referral=case.referral, kind=Deadline.Kind.PERSON_UPDATE, status__in=deadlines.UNMET
    ).exists():  # the first time they are told (or told again after the updates were waived)
        deadlines.deadline_open(actor=actor, referral=case.referral, case=case, kind=Deadline.Kind.PERSON_UPDATE,
                                anchor=_start_of(told_on), reason="The person was told: regular updates to them are due")  # 003 §35
    return item


@transaction.atomic
def person_contact_record(*, actor, case: Case, name: str, agency: str, from_on: dt.date, role: str = "",
                          contact_details: str = "") -> PersonContact:
    """The person's named contact from a date (003 §35): someone other than the LADO."""
    case = _case_for_update(actor, case)
    name, agency = name.strip(), agency.strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "Enter the named contact's name."
    if not agency:
        errors["agency"] = "Enter the named contact's agency."
    owner = case.owner.get_full_name().strip().lower() if case.owner else ""
    if agency.lower() == case.referral.lado_service.name.strip().lower() or (owner and name.lower() == owner):
        errors["name"] = "The named contact is someone other than the LADO: usually someone at the employer."
    _check_day(errors, "from_on", from_on, case, "The date")
    if errors:
        raise ValidationError(errors)
    item = PersonContact(case=case, name=name, role=role.strip(), agency=agency, contact_details=contact_details.strip(),
                         from_on=from_on, recorded_by=actor)
    return _case_record(actor=actor, case=case, instance=item, verb="person_contact", part=Part.PERSON_CONTACT,
                        summary=f"Named contact for the person from {from_on:%d %B %Y}: {name}, {agency}"[:300])


@transaction.atomic
def person_support_record(*, actor, case: Case, kind: str, offered_on: dt.date, offered_by: str,
                          taken_up: str = PersonSupport.TakenUp.NOT_KNOWN, detail: str = "") -> PersonSupport:
    """Support offered to the person (their union or professional body, occupational health, counselling, other),
    and whether they took it up."""
    case = _case_for_update(actor, case)
    errors: dict[str, str] = {}
    if kind not in PersonSupport.Kind.values:
        errors["kind"] = "Choose the support offered."
    elif kind == PersonSupport.Kind.OTHER and not detail.strip():
        errors["detail"] = "Say what support was offered."
    if not offered_by.strip():
        errors["offered_by"] = "Enter who offered it."
    if taken_up not in PersonSupport.TakenUp.values:
        errors["taken_up"] = "Say whether the person took it up."
    _check_day(errors, "offered_on", offered_on, case, "The date it was offered")
    if errors:
        raise ValidationError(errors)
    item = PersonSupport(case=case, kind=kind, detail=detail.strip(), offered_on=offered_on,
                         offered_by=offered_by.strip(), taken_up=taken_up, recorded_by=actor)
    return _case_record(actor=actor, case=case, instance=item, verb="person_support", part=Part.PERSON_SUPPORT,
                        summary=f"Support offered to the person: {item.label().lower()} ({item.get_taken_up_display().lower()})"[:300])


@transaction.atomic
def person_support_taken_up(*, actor, support: PersonSupport, taken_up: str) -> PersonSupport:
    """Whether the person took up the support offered, once it is known (history keeps the earlier answer)."""
    case = _case_for_update(actor, support.case)
    item = PersonSupport.objects.select_for_update().get(pk=support.pk, case=case)
    if taken_up not in PersonSupport.TakenUp.values:
        raise ValidationError({"taken_up": "Say whether the person took it up."})
    item.taken_up = taken_up
    return _case_record(actor=actor, case=case, instance=item, verb="person_support", part=Part.PERSON_SUPPORT,
                        summary=f"Support offered to the person: {item.label().lower()} ({item.get_taken_up_display().lower()})"[:300])


@transaction.atomic
def person_update_record(*, actor, case: Case, given_on: dt.date, given_by: str, summary: str,
                         views: str = "") -> PersonUpdate:
    """An update to the person on progress and likely timescales (003 §35): meets the update that was due and opens
    the next (28 days). Their views, when given, go to the next meeting's papers (002 §14)."""
    case = _case_for_update(actor, case)
    errors: dict[str, str] = {}
    if not given_by.strip():
        errors["given_by"] = "Enter who gave the update."
    if not summary.strip():
        errors["summary"] = "Say what the person was told about progress and timescales."
    _check_day(errors, "given_on", given_on, case, "The date of the update")
    if errors:
        raise ValidationError(errors)
    item = PersonUpdate(case=case, given_on=given_on, given_by=given_by.strip(), summary=summary.strip(),
                        views=views.strip(), recorded_by=actor)
    words = f"Update to the person on {given_on:%d %B %Y} by {item.given_by}"
    if item.views:
        words += "; their views recorded for the next meeting"
    _case_record(actor=actor, case=case, instance=item, verb="person_update", part=Part.PERSON_UPDATE,
                 summary=words[:300])
    at = _instant(given_on)
    deadlines.deadline_meet(actor=actor, referral=case.referral, kind=Deadline.Kind.PERSON_UPDATE, met_at=at,
                            reason="Update to the person recorded")
    _updates_due_from(actor=actor, case=case, at=at, reason="Update to the person recorded: the next is due")
    return item
