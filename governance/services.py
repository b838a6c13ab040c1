"""Writes of the governance app: retention rules, deletion requests and their decisions, subject access
requests and their release. Keyword-only, named <thing>_<verb>(*, actor, ...)."""

from __future__ import annotations

import hashlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from agencies.permissions import standing
from allegations.models import Referral, Subject
from allegations.querysets import hidden_referral_ids
from allegations.services import save_with_history

from . import purge, retention
from .models import DeletionAudit, DeletionRequest, RetentionRule, SarRelease, SubjectAccessRequest


def may_govern(user) -> bool:
    """LADO service managers (and administrators approving deletions) use these pages."""
    return standing(user).is_lado_manager


def may_approve(user) -> bool:
    s = standing(user)
    return s.is_lado_manager or s.is_administrator


def _require(condition: bool) -> None:
    if not condition:
        raise PermissionDenied


def retention_rule_update(*, actor, rule: RetentionRule, years: int, counted_from: str,
                          until_retirement_age: bool, basis: str, reason: str) -> RetentionRule:
    _require(may_govern(actor))
    if years < 1:
        raise ValidationError({"years": "Enter a period of at least 1 year"})
    with transaction.atomic(durable=True):
        rule = RetentionRule.objects.select_for_update().get(pk=rule.pk)
        rule.years, rule.counted_from, rule.until_retirement_age, rule.basis = years, counted_from, until_retirement_age, basis
        save_with_history(rule, actor=actor, reason=reason)
    return rule


def deletion_request(*, actor, referral: Referral, reason: str, today=None) -> DeletionRequest:
    """Ask for a record past retention to be deleted. Only a record the list shows may be asked for."""
    _require(may_govern(actor) and referral.lado_service_id in standing(actor).managed_service_ids)
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the record should be deleted"})
    with transaction.atomic(durable=True):
        referral = Referral.objects.select_for_update(of=("self",)).select_related("case", "subject").get(pk=referral.pk)
        record_type = retention.record_type_of(referral)
        if record_type is None:
            raise ValidationError("An open referral or case cannot be deleted")
        due = retention.due_on(referral, retention.rules()[record_type])
        if due > (today or timezone.localdate()):
            raise ValidationError(f"This record is kept until {due:%-d %B %Y}")
        if DeletionRequest.objects.filter(referral=referral, status=DeletionRequest.Status.PENDING).exists():
            raise ValidationError("A deletion of this record is already waiting for approval")
        return DeletionRequest.objects.create(
            referral=referral, lado_service_id=referral.lado_service_id, reference=referral.reference, record_type=record_type, due_on=due,
            reason=reason.strip(), requested_by=actor,
        )


def _locked_pending(request: DeletionRequest) -> DeletionRequest:
    request = DeletionRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != DeletionRequest.Status.PENDING:
        raise ValidationError("This request has already been decided")
    return request


def _check_approver(actor, request: DeletionRequest) -> None:
    s = standing(actor)
    if not (s.is_administrator or request.lado_service_id in s.managed_service_ids):
        raise PermissionDenied
    if not s.is_administrator and Referral.objects.filter(pk=request.referral_id,
                                                          pk__in=hidden_referral_ids(actor)).exists():
        raise PermissionDenied("This record is restricted to named people.")
    if request.requested_by_id == actor.pk:
        raise PermissionDenied("The person who asked for a deletion cannot approve it: a second manager must.")


def deletion_reject(*, actor, request: DeletionRequest, reason: str) -> DeletionRequest:
    _require(may_approve(actor))
    with transaction.atomic(durable=True):
        request = _locked_pending(request)
        _check_approver(actor, request)
        request.status = DeletionRequest.Status.REJECTED
        request.decided_by, request.decided_at, request.decision_reason = actor, timezone.now(), reason.strip()
        request.save()
    return request


def deletion_approve(*, actor, request: DeletionRequest, reason: str = "") -> DeletionAudit:
    """A second manager approves: the referral, everything under it and all their history go, in one
    transaction with the audit entry (what tables and how many rows, never the content)."""
    _require(may_approve(actor))
    with transaction.atomic(durable=True):
        request = _locked_pending(request)
        _check_approver(actor, request)
        referral = Referral.objects.select_for_update(of=("self",)).select_related("subject", "case").get(pk=request.referral_id)
        if retention.record_type_of(referral) is None:
            raise ValidationError("The record has been reopened since deletion was asked for")
        roots = [referral]
        subject = referral.subject
        others = Referral.objects.filter(subject=subject).exclude(pk=referral.pk).exists()
        merged_in = Subject.objects.filter(merged_into=subject).exists()
        if not others and not merged_in:
            roots.append(subject)  # nothing else is held about the person: their record goes too
        request.status = DeletionRequest.Status.APPROVED
        request.decided_by, request.decided_at, request.decision_reason = actor, timezone.now(), reason.strip()
        request.referral = None
        request.save()
        counts, files = purge.purge(roots)
        return DeletionAudit.objects.create(
            request=request, record_type=request.record_type, reference=request.reference, counts=counts,
            files_deleted=files, requested_by=request.requested_by, approved_by=actor, reason=request.reason,
        )


# --- Subject access ------------------------------------------------------------------------------


def hidden_subject_ids(user):
    """Subjects with a referral restricted to named people, this user not among them: their subject
    access is for the managers named (a subquery)."""
    return Referral.objects.filter(pk__in=hidden_referral_ids(user)).values("subject_id")


def sar_start(*, actor, subject: Subject) -> SubjectAccessRequest:
    s = standing(actor)
    _require(s.is_lado_manager)
    if Subject.objects.filter(pk=subject.pk, pk__in=hidden_subject_ids(actor)).exists():
        raise PermissionDenied
    services = Referral.objects.filter(subject=subject, lado_service_id__in=s.managed_service_ids)
    service_id = services.values_list("lado_service_id", flat=True).first()
    if service_id is None:
        raise PermissionDenied
    sar = SubjectAccessRequest(subject=subject, lado_service_id=service_id, requested_by=actor)
    with transaction.atomic(durable=True):
        save_with_history(sar, actor=actor, reason="Subject access request started")
    return sar


def sar_set_revealed(*, actor, sar: SubjectAccessRequest, revealed: list[str], known: set[str]) -> SubjectAccessRequest:
    _require(sar.lado_service_id in standing(actor).managed_service_ids)
    with transaction.atomic(durable=True):
        sar = SubjectAccessRequest.objects.select_for_update().get(pk=sar.pk)
        sar.revealed = sorted(set(revealed) & known)
        save_with_history(sar, actor=actor, reason="Redactions reviewed")
    return sar


def sar_release(*, actor, sar: SubjectAccessRequest, format: str, content: bytes, kept: int, lifted: int) -> SarRelease:
    """Record a release (who, when, which format, a digest of exactly what was sent)."""
    _require(sar.lado_service_id in standing(actor).managed_service_ids)
    with transaction.atomic(durable=True):
        sar = SubjectAccessRequest.objects.select_for_update().get(pk=sar.pk)
        release = SarRelease.objects.create(sar=sar, released_by=actor, format=format, redactions_kept=kept,
                                            redactions_lifted=lifted, sha256=hashlib.sha256(content).hexdigest())
        if sar.status != SubjectAccessRequest.Status.RELEASED:
            sar.status = SubjectAccessRequest.Status.RELEASED
            save_with_history(sar, actor=actor, reason="Released to the subject")
    return release
