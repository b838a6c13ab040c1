"""Facts that change, on the record (issue 16 §1, §3): the LADO service corrects and adds to a referral's facts, its
subject, its children and the people around it after intake, each change with a reason kept in the record's history
(history_change_reason) and shown on the case's timeline; and records, per child, whether the parents or carers were
told and the child's views.

Sources: 003 §18, §25, §58, §66, §68; 002 §2.2; 004 §5.10.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from agencies.models import Partnership
from deadlines import measures

from . import matching
from .models import AssociatedPerson, Child, OtherSubject, ParentsTold, Referral, Subject
from .services import _require_lado, event_record, save_with_history, subject_create

# What each form may change (the views' forms name the same fields).
REFERRAL_FACTS = ("description", "category", "concern_kind", "concern_arose_at", "how_arose", "timing",
                  "employer_name", "sector", "other_settings", "known_history", "subject_works_in",
                  "subject_lives_in")
SUBJECT_FACTS = ("given_name", "family_name", "known_as", "date_of_birth")
SUBJECT_REFERRAL_FACTS = ("subject_role", "employment_type")
CHILD_FACTS = ("given_name", "family_name", "date_of_birth", "relationship", "social_worker", "looked_after", "notes")


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why you are making this change."})
    return reason


def _case_of(referral: Referral):
    return getattr(referral, "case", None) if hasattr(referral, "case") else None


def _locked_referral(actor, referral: Referral) -> Referral:
    _require_lado(actor, referral)
    locked = Referral.objects.select_for_update().select_related("subject").get(pk=referral.pk)
    case = _case_of(locked)
    if case is not None and not case.is_open:
        raise ValidationError("This case is closed. Nothing more can be recorded on it.")
    return locked


def _changed(instance, fields: dict[str, Any]) -> list[str]:
    names = []
    for name, value in fields.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            names.append(name)
    return names


def _field_labels(model, names: list[str]) -> str:
    labels = [str(model._meta.get_field(n).verbose_name) for n in names]
    return ", ".join(labels)


@transaction.atomic
def referral_facts_change(*, actor, referral: Referral, reason: str, **fields) -> Referral:
    """Correct or add to what the referral says happened."""
    reason = _reason(reason)
    unknown = set(fields) - set(REFERRAL_FACTS)
    if unknown:
        raise ValueError(f"not a fact of the referral: {sorted(unknown)}")
    referral = _locked_referral(actor, referral)
    changed = _changed(referral, fields)
    if not changed:
        raise ValidationError({"reason": "Nothing was changed."})
    if "concern_arose_at" in changed:
        referral.concern_arose_date_only = False
        referral.timeliness = measures.referral_timeliness(referral.received_at, referral.concern_arose_at,
                                                           Partnership.current())
    save_with_history(referral, actor=actor, reason=reason)
    event_record(actor=actor, referral=referral, case=_case_of(referral), verb="facts_changed",
                 summary=f"The referral's facts changed: {_field_labels(Referral, changed)}", reason=reason)
    return referral


@transaction.atomic
def subject_facts_change(*, actor, referral: Referral, reason: str, **fields) -> Subject:
    """Correct the person's names and date of birth (on their one record) and their role and engagement here."""
    reason = _reason(reason)
    referral = _locked_referral(actor, referral)
    subject = Subject.objects.select_for_update().get(pk=referral.subject_id)
    person = {k: v for k, v in fields.items() if k in SUBJECT_FACTS}
    here = {k: v for k, v in fields.items() if k in SUBJECT_REFERRAL_FACTS}
    if set(fields) - set(person) - set(here):
        raise ValueError(f"not a fact of the subject: {sorted(set(fields) - set(person) - set(here))}")
    for name in ("given_name", "family_name", "known_as"):
        if name in person:
            person[name] = (person[name] or "").strip()
    changed_person = _changed(subject, person)
    changed_here = _changed(referral, here)
    if not changed_person and not changed_here:
        raise ValidationError({"reason": "Nothing was changed."})
    if changed_person:
        subject.given_key = matching.phonetic_key(subject.given_name)
        subject.family_key = matching.phonetic_key(subject.family_name)
        save_with_history(subject, actor=actor, reason=reason)
    if changed_here:
        save_with_history(referral, actor=actor, reason=reason)
    what = ", ".join(filter(None, [_field_labels(Subject, changed_person), _field_labels(Referral, changed_here)]))
    event_record(actor=actor, referral=referral, case=_case_of(referral), verb="subject_changed",
                 summary=f"The person's details changed: {what}", reason=reason)
    return subject


def _child_summary(child: Child) -> str:
    # Never the child's name: the timeline's summary says what changed, the record itself who.
    return child.get_relationship_display().lower()


@transaction.atomic
def child_add(*, actor, referral: Referral, reason: str, **fields) -> Child:
    reason = _reason(reason)
    referral = _locked_referral(actor, referral)
    child = Child(referral=referral, **{k: v for k, v in fields.items() if k in CHILD_FACTS})
    if not (child.given_name or "").strip():
        raise ValidationError({"given_name": "Enter the first name."})
    save_with_history(child, actor=actor, reason=reason)
    count = referral.children.count()
    if referral.children_count is None or referral.children_count < count:
        referral.children_count = count
        save_with_history(referral, actor=actor, reason=reason)
    event_record(actor=actor, referral=referral, case=_case_of(referral), verb="child_added",
                 summary=f"A person added to the referral ({_child_summary(child)})", reason=reason)
    return child


@transaction.atomic
def child_change(*, actor, child: Child, reason: str, **fields) -> Child:
    reason = _reason(reason)
    referral = _locked_referral(actor, child.referral)
    child = Child.objects.select_for_update().get(pk=child.pk, referral=referral)
    changed = _changed(child, {k: v for k, v in fields.items() if k in CHILD_FACTS})
    if not changed:
        raise ValidationError({"reason": "Nothing was changed."})
    save_with_history(child, actor=actor, reason=reason)
    event_record(actor=actor, referral=referral, case=_case_of(referral), verb="child_changed",
                 summary=f"A person's details changed ({_child_summary(child)}): {_field_labels(Child, changed)}",
                 reason=reason)
    return child


@transaction.atomic
def child_remove(*, actor, child: Child, reason: str) -> None:
    """Remove a child named in error. The row goes; its history keeps what it said, who removed it and why
    (simple-history's deletion record carries the reason), and the timeline says so."""
    reason = _reason(reason)
    referral = _locked_referral(actor, child.referral)
    child = Child.objects.select_for_update().get(pk=child.pk, referral=referral)
    summary = f"A person removed from the referral ({_child_summary(child)})"
    told = ParentsTold.objects.filter(child=child).first()
    if told is not None:
        told._history_user, told._change_reason = actor, reason
        told.delete()
    child._history_user, child._change_reason = actor, reason
    child.delete()
    event_record(actor=actor, referral=referral, case=_case_of(referral), verb="child_removed", summary=summary,
                 reason=reason)


@transaction.atomic
def parents_told_record(*, actor, child: Child, told: bool, told_by: str = "", told_on: dt.date | None = None,
                        what_told: str = "", not_told_reason: str = "", child_views: str = "",
                        reason: str = "") -> ParentsTold:
    """Record (or correct) that the child's parents or carers were told, by whom, when and what; or why not; and
    the child's views if given. A correction keeps the earlier answer in the history, with why it changed."""
    referral = _locked_referral(actor, child.referral)
    child = Child.objects.select_for_update().get(pk=child.pk, referral=referral)
    errors: dict[str, list[str]] = {}
    if told:
        if not told_by.strip():
            errors.setdefault("told_by", []).append("Enter who told the parents or carers.")
        if told_on is None:
            errors.setdefault("told_on", []).append("Enter the date the parents or carers were told.")
        elif told_on > timezone.localdate():
            errors.setdefault("told_on", []).append("The date they were told must be today or in the past")
    elif not not_told_reason.strip():
        errors.setdefault("not_told_reason", []).append("Say why the parents or carers were not told.")
    record = ParentsTold.objects.select_for_update().filter(child=child).first()
    if record is not None and not reason.strip():
        errors.setdefault("reason", []).append("Say why you are changing what was recorded.")
    if errors:
        raise ValidationError(errors)
    values = {"told": told, "told_by": told_by.strip() if told else "", "told_on": told_on if told else None,
              "what_told": what_told.strip() if told else "", "not_told_reason": "" if told else not_told_reason.strip(),
              "child_views": child_views.strip()}
    if record is None:
        record = ParentsTold(child=child, recorded_by=actor, **values)
        why = reason.strip() or "Recorded whether the parents or carers were told"
    else:
        _changed(record, values)
        record.recorded_by, record.recorded_at = actor, timezone.now()
        why = reason.strip()
    save_with_history(record, actor=actor, reason=why)
    what = (f"Parents or carers told on {told_on:%d %B %Y}" if told else "Parents or carers not told")
    event_record(actor=actor, referral=referral, case=_case_of(referral), verb="parents_told",
                 summary=f"{what} ({_child_summary(child)})", reason=reason.strip())
    return record


@transaction.atomic
def associated_person_add(*, actor, referral: Referral, name: str, relationship: str, notes: str = "",
                          reason: str) -> AssociatedPerson:
    reason = _reason(reason)
    referral = _locked_referral(actor, referral)
    person = AssociatedPerson(referral=referral, name=name.strip(), relationship=relationship.strip(),
                              notes=notes.strip(), added_by=actor)
    save_with_history(person, actor=actor, reason=reason)
    event_record(actor=actor, referral=referral, case=_case_of(referral), verb="associated_person_added",
                 summary=f"An associated person added ({person.relationship[:100]})", reason=reason)
    return person


@transaction.atomic
def other_subject_add(*, actor, referral: Referral, reason: str, subject_role: str = "", employment_type: str = "",
                      **subject_fields) -> OtherSubject:
    """A second person alleged against in the same referral: a subject record of their own."""
    reason = _reason(reason)
    referral = _locked_referral(actor, referral)
    subject = subject_create(actor=actor, reason=reason, **subject_fields)
    other = OtherSubject(referral=referral, subject=subject, subject_role=subject_role.strip(),
                         employment_type=employment_type, added_by=actor)
    save_with_history(other, actor=actor, reason=reason)
    event_record(actor=actor, referral=referral, case=_case_of(referral), verb="other_subject_added",
                 summary=f"Another person alleged against added ({other.subject_role or 'role not given'})",
                 reason=reason)
    return other


def children_without_answer(referral: Referral) -> list[Child]:
    """The children with neither "parents told" nor a reason they were not: closing waits on these."""
    return list(referral.children.filter(parents_told__isnull=True).order_by("pk"))


def parents_not_told_at_closing(*, actor, referral: Referral, reasons: dict[int, str]) -> list[tuple[int, str]]:
    """At closing (services.case_close): record the reason given for each child not yet answered; return the
    errors, (child id, line) for each child still without an answer. Runs inside case_close's transaction."""
    missing = []
    for child in children_without_answer(referral):
        reason = (reasons.get(child.pk) or "").strip()
        if not reason:
            missing.append(child)
            continue
        record = ParentsTold(child=child, told=False, not_told_reason=reason, recorded_by=actor)
        save_with_history(record, actor=actor, reason="Reason recorded when closing the case")
        event_record(actor=actor, referral=referral, case=_case_of(referral), verb="parents_told",
                     summary=f"Parents or carers not told ({_child_summary(child)})")
    return [(child.pk, f"Record that the parents or carers of {child} were told, or say why they were not.")
            for child in missing]
