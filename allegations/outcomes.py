"""What an outcome sets off, complaints, and reopening a case or amending its outcome (issue 16 §4, §6).

- The outcome's definitions, in the words the LADO service uses when it decides (003 §55; "unfounded" from
  Keeping Children Safe in Education, Part 4, which 003 §55 cites; "no outcome" from 002 §2.4).
- Each outcome's checklist (OutcomeChecklistItem): for false, unfounded or malicious, the allegation leaves the
  personnel file and is not referred to in references (KCSIE Part 4); for substantiated, the DBS and the
  regulators to consider (003 §56), the LADO service's own referral when the person is self-employed (003 §56,
  §64), and the review of the employer's practice (003 §59).
- Complaints about the outcome or the process (003 §70; 002 §2.9), with their stage and answer.
- A LADO service manager reopens a closed case or amends its outcome, with a reason (002 §2.9: complaints led to
  reconvened meetings and altered outcomes). The retention date follows the outcome (governance.retention reads
  the outcome; the date it gives before and after is written into the case's history and timeline).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from agencies.models import Sector
from agencies.permissions import standing

from deadlines import services as deadlines
from deadlines.models import Deadline

from .models import (
    Case,
    CaseAmendment,
    CaseStatus,
    Complaint,
    EmployerOutcome,
    EmploymentType,
    Outcome,
    OutcomeChecklistItem,
    Part,
    RegulatorReferral,
)

# --- The outcome's definitions ------------------------------------------------------------------------------

# 003 §55 (substantiated, unsubstantiated, false, malicious); KCSIE Part 4 (unfounded); 002 §2.4 (no outcome).
OUTCOME_DEFINITIONS: dict[str, str] = {
    Outcome.SUBSTANTIATED: "There is sufficient evidence to prove the allegation.",
    Outcome.UNSUBSTANTIATED: "There is insufficient evidence either to prove or disprove the allegation. "
                             "The term does not imply guilt or innocence.",
    Outcome.UNFOUNDED: "There is no evidence or proper basis which supports the allegation being made.",
    Outcome.FALSE: "There is sufficient evidence to disprove the allegation.",
    Outcome.MALICIOUS: "There is sufficient evidence to disprove the allegation and there has been a deliberate "
                       "act to deceive.",
    Outcome.NO_OUTCOME: "No outcome could be reached, for example when the passage of time makes a non-recent "
                        "allegation impossible to assess.",
}

# 003 §60–61: resigning does not end the process, and a compromise agreement must not stop a referral.
COMPROMISE_AGREEMENT = ("A compromise agreement (resigning in return for no disciplinary action and an agreed "
                        "reference) should not be used, and does not stop a referral: the employer's duty to refer "
                        "to the DBS remains when the person resigns.")

EMPLOYER_OUTCOME_HINTS: dict[str, str] = {EmployerOutcome.RESIGNED: COMPROMISE_AGREEMENT}


# --- Each outcome's checklist -----------------------------------------------------------------------------

REGULATORS = ("TRA", "SWE", "NMC", "HCPC", "GMC", "Ofsted", "CQC")

CHECKLIST_ITEMS: dict[str, str] = {
    # KCSIE Part 4: false, unfounded and malicious allegations.
    "personnel_file": "The employer has removed the allegation from the person's personnel file",
    "references": "The employer knows the allegation must not be referred to in references",
    # 003 §56.
    "dbs": "Consider a referral to the Disclosure and Barring Service (DBS)",
    "lado_refers": "The person is self-employed, with no employer to refer: the LADO service makes the DBS "
                   "referral, and any regulator's",
    **{f"regulator_{code}": f"Consider a referral to the {RegulatorReferral.Regulator(code).label}"
       for code in REGULATORS},
    # 003 §59.
    "practice_review": "Review with the employer whether its procedures or practice should change",
}

DISPROVED = (Outcome.FALSE, Outcome.UNFOUNDED, Outcome.MALICIOUS)

# The regulators a sector's workforce is usually registered with or inspected by.
SECTOR_REGULATORS: dict[str, tuple[str, ...]] = {
    Sector.EDUCATION: ("TRA",), Sector.EARLY_YEARS: ("Ofsted",), Sector.FOSTERING: ("Ofsted",),
    Sector.ADOPTION: ("Ofsted",), Sector.RESIDENTIAL: ("Ofsted",), Sector.SOCIAL_CARE: ("SWE",),
    Sector.SECURE_ESTATE: ("Ofsted",), Sector.CARE_HOME: ("CQC",), Sector.HOME_CARE: ("CQC",),
    Sector.SUPPORTED_LIVING: ("CQC",), Sector.DAY_SERVICES: ("CQC",),
}
# Words in the person's role that name a registered profession.
ROLE_REGULATORS: tuple[tuple[str, str], ...] = (
    (r"teach", "TRA"), (r"social worker", "SWE"), (r"nurse|midwi", "NMC"),
    (r"\bdoctor\b|\bgp\b|surgeon|consultant|paediatrician|psychiatrist", "GMC"),
    (r"paramedic|physiotherap|occupational therap|psycholog|speech and language|radiograph|dietitian", "HCPC"),
    (r"childminder|nursery|foster", "Ofsted"),
)


def suggested_regulators(case: Case) -> list[str]:
    """The regulators the person's role and sector suggest (003 §56: TRA, HCPC, GMC, Ofsted…)."""
    referral = case.referral
    found = list(SECTOR_REGULATORS.get(referral.sector, ()))
    role = (referral.subject_role or "").lower()
    for pattern, code in ROLE_REGULATORS:
        if re.search(pattern, role) and code not in found:
            found.append(code)
    if referral.employment_type == EmploymentType.FOSTER_CARER and "Ofsted" not in found:
        found.append("Ofsted")
    return [code for code in REGULATORS if code in found]


def checklist_for(case: Case) -> list[tuple[str, bool]]:
    """The items the case's outcome brings, each with whether the person's role suggested it."""
    if case.outcome in DISPROVED:
        return [("personnel_file", False), ("references", False)]
    if case.outcome != Outcome.SUBSTANTIATED:
        return []
    items = [("dbs", bool(case.dbs_duty))]
    if case.referral.employment_type == EmploymentType.SELF_EMPLOYED:
        items.append(("lado_refers", True))
    items += [(f"regulator_{code}", True) for code in suggested_regulators(case)]
    items.append(("practice_review", False))
    return items


def item_label(item: OutcomeChecklistItem) -> str:
    return CHECKLIST_ITEMS.get(item.item, item.item)


def _save(instance, *, actor, reason: str) -> None:
    instance._history_user = actor
    instance._change_reason = reason
    instance.save()


def checklist_sync(*, actor, case: Case, reason: str) -> list[OutcomeChecklistItem]:
    """Give the case its outcome's checklist: add what the outcome brings, drop what no longer applies and was not
    touched (what was ticked stays, with its history). Called inside the outcome's own transaction."""
    wanted = dict(checklist_for(case))
    existing = {row.item: row for row in OutcomeChecklistItem.objects.select_for_update().filter(case=case)}
    for code, row in existing.items():
        if code not in wanted and row.state == OutcomeChecklistItem.State.PENDING:
            row._history_user = actor
            row._change_reason = reason
            row.delete()
    for code, suggested in wanted.items():
        if code not in existing:
            _save(OutcomeChecklistItem(case=case, item=code, suggested=suggested), actor=actor, reason=reason)
        elif existing[code].suggested != suggested:
            existing[code].suggested = suggested
            _save(existing[code], actor=actor, reason=reason)
    return current_checklist(case)


def current_checklist(case: Case) -> list[OutcomeChecklistItem]:
    """The checklist of the outcome now recorded, in the order the outcome brings it."""
    order = [code for code, _ in checklist_for(case)]
    rows = [row for row in case.outcome_checklist.select_related("done_by") if row.item in order]
    return sorted(rows, key=lambda row: order.index(row.item))


@transaction.atomic
def checklist_item_mark(*, actor, case: Case, item: OutcomeChecklistItem, state: str, note: str = "") -> OutcomeChecklistItem:
    """Tick one item as done or not applicable (or back to to-do), with who and when."""
    from .services import _require_lado, event_record

    _require_lado(actor, case.referral)
    row = OutcomeChecklistItem.objects.select_for_update().get(pk=item.pk, case=case)
    if state not in OutcomeChecklistItem.State.values:
        raise ValidationError({"state": "Choose done, not applicable or to do."})
    if state == OutcomeChecklistItem.State.NOT_APPLICABLE and not note.strip():
        raise ValidationError({"note": "Say why it does not apply."})
    row.state, row.note = state, note.strip()
    pending = state == OutcomeChecklistItem.State.PENDING
    row.done_by, row.done_at = (None, None) if pending else (actor, timezone.now())
    summary = f"Outcome checklist: {item_label(row)} — {row.get_state_display().lower()}"
    _save(row, actor=actor, reason=summary)
    event_record(actor=actor, referral=case.referral, case=case, verb="outcome_checklist", summary=summary[:300],
                 reason=row.note)
    return row


# --- The retention date (governance registers how it is worked out: it sits above allegations) -------------

_retention: list[Callable] = []


def register_retention(function: Callable) -> None:
    """`function(referral)` gives (what kind of record it is, the date it falls due for review), or None while the
    case is open. governance/apps.py registers governance.retention.retention_of."""
    if function not in _retention:
        _retention.append(function)


def retention_of(referral) -> tuple[str, dt.date] | None:
    for function in _retention:
        return function(referral)
    return None


def _retention_words(referral) -> str:
    found = retention_of(referral)
    if found is None:
        return "none while the case is open"
    label, due = found
    return f"{due.day} {due:%B %Y} ({label[:1].lower() + label[1:]})"


# --- Complaints -------------------------------------------------------------------------------------------


def _check_complaint_dates(case: Case, fields: dict) -> dict:
    errors = {}
    today = timezone.localdate()
    received = fields.get("received_on")
    for name in ("received_on", "stage_started_on", "answered_on"):
        value = fields.get(name)
        if value and value > today:
            errors[name] = "The date must be today or in the past."
    if received and received < timezone.localdate(case.referral.received_at):
        errors.setdefault("received_on", "The complaint cannot be received before the referral was.")
    started = fields.get("stage_started_on")
    if received and started and started < received:
        errors.setdefault("stage_started_on", "The stage cannot start before the complaint was received.")
    answered = fields.get("answered_on")
    if answered and started and answered < started:
        errors.setdefault("answered_on", "The answer cannot come before the stage started.")
    if bool(fields.get("result")) != bool(answered):
        errors.setdefault("answered_on" if fields.get("result") else "result",
                          "Give the result and the date it was answered together.")
    return errors


@transaction.atomic
def complaint_record(*, actor, case: Case, received_on: dt.date, made_by: str, complainant: str, about: str,
                     summary: str, stage: str, stage_started_on: dt.date | None = None, result: str = "",
                     answered_on: dt.date | None = None, answer: str = "") -> Complaint:
    """A complaint about the outcome or the process (003 §70), open or closed case alike."""
    from .services import _require_lado, event_record

    _require_lado(actor, case.referral)
    case = Case.objects.select_for_update().select_related("referral").get(pk=case.pk)
    fields = dict(received_on=received_on, made_by=made_by, complainant=complainant.strip(), about=about,
                  summary=summary.strip(), stage=stage, stage_started_on=stage_started_on or received_on,
                  result=result, answered_on=answered_on, answer=answer.strip())
    errors = _check_complaint_dates(case, fields)
    if errors:
        raise ValidationError(errors)
    complaint = Complaint(case=case, recorded_by=actor, **fields)
    words = f"Complaint received from {complaint.get_made_by_display().lower()} about " \
            f"{complaint.get_about_display()[:1].lower()}{complaint.get_about_display()[1:]}"
    _save(complaint, actor=actor, reason=words)
    event_record(actor=actor, referral=case.referral, case=case, verb="complaint", summary=words[:300],
                 reason=complaint.summary, part=Part.COMPLAINT, part_id=complaint.pk)
    if complaint.result:
        _complaint_answered_event(actor, case, complaint)
    return complaint


def _complaint_answered_event(actor, case, complaint) -> None:
    from .services import event_record

    event_record(actor=actor, referral=case.referral, case=case, verb="complaint_answered",
                 summary=f"Complaint ({complaint.get_stage_display().lower()}): "
                         f"{complaint.get_result_display().lower()}",
                 reason=complaint.answer, part=Part.COMPLAINT, part_id=complaint.pk)


@transaction.atomic
def complaint_update(*, actor, complaint: Complaint, stage: str, stage_started_on: dt.date, result: str,
                     answered_on: dt.date | None, answer: str) -> Complaint:
    """The complaint moves to another stage, or is answered (upheld, partly upheld, not upheld, withdrawn)."""
    from .services import _require_lado, event_record

    case = complaint.case
    _require_lado(actor, case.referral)
    row = Complaint.objects.select_for_update().select_related("case__referral").get(pk=complaint.pk, case=case)
    before_stage, before_result = row.stage, row.result
    fields = dict(received_on=row.received_on, stage=stage, stage_started_on=stage_started_on, result=result,
                  answered_on=answered_on)
    errors = _check_complaint_dates(case, fields)
    if errors:
        raise ValidationError(errors)
    row.stage, row.stage_started_on, row.result, row.answered_on, row.answer = (
        stage, stage_started_on, result, answered_on, answer.strip())
    if stage != before_stage:
        what = f"Complaint moved to {row.get_stage_display().lower()}"
        _save(row, actor=actor, reason=what)
        event_record(actor=actor, referral=case.referral, case=case, verb="complaint_stage", summary=what,
                     part=Part.COMPLAINT, part_id=row.pk)
    else:
        _save(row, actor=actor, reason="Complaint updated")
    if row.result and (row.result != before_result or stage != before_stage):
        _complaint_answered_event(actor, case, row)
    return row


# --- Reopening and amending the outcome (a LADO service manager only) ----------------------------------------


def may_amend(user, case: Case) -> bool:
    """A LADO service manager of the case's service may reopen it or amend its outcome."""
    return case.referral.lado_service_id in standing(user).managed_service_ids


def _require_manager(actor, case: Case) -> None:
    from .services import _require_lado

    _require_lado(actor, case.referral)
    if not may_amend(actor, case):
        raise PermissionDenied("Only a LADO service manager can reopen a case or amend its outcome.")


def _complaint_of(case: Case, complaint: Complaint | None) -> Complaint | None:
    if complaint is not None and complaint.case_id != case.pk:
        raise ValidationError({"complaint": "Choose a complaint about this case."})
    return complaint


@transaction.atomic
def case_reopen(*, actor, case: Case, reason: str, complaint: Complaint | None = None) -> CaseAmendment:
    """Reopen a closed case: open again, its periodic review chased again; the retention date waits until it is
    closed again (it counts from the new closure)."""
    from .services import event_record

    _require_manager(actor, case)
    case = Case.objects.select_for_update().select_related("referral__subject").get(pk=case.pk)
    if case.is_open:
        raise ValidationError("The case is open: there is nothing to reopen.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the case is reopened."})
    complaint = _complaint_of(case, complaint)
    retention_before = _retention_words(case.referral)
    case.status = CaseStatus.OPEN
    case.closed_at, case.closed_by, case.closed_months = None, None, None
    amendment = CaseAmendment(case=case, kind=CaseAmendment.Kind.REOPENED, reason=reason.strip(),
                              outcome_before=case.outcome, outcome_after=case.outcome, complaint=complaint,
                              decided_by=actor)
    retention = f"Retention review was {retention_before}; it counts again from the next closure."
    _save(case, actor=actor, reason=f"Case reopened: {reason.strip()} ({retention})")
    _save(amendment, actor=actor, reason="Case reopened")
    deadlines.deadline_open(actor=actor, referral=case.referral, case=case, kind=Deadline.Kind.CASE_REVIEW,
                            anchor=amendment.at, reason="Case reopened: periodic review")  # 003 §42
    # The retention date is the LADO service's records management: in the reason, which only it reads.
    event_record(actor=actor, referral=case.referral, case=case, verb="case_reopened",
                 summary="Case reopened by a LADO service manager", reason=f"{reason.strip()}\n\n{retention}")
    return amendment


@transaction.atomic
def case_amend_outcome(*, actor, case: Case, outcome: str, reason: str,
                       complaint: Complaint | None = None) -> CaseAmendment:
    """Amend a recorded outcome (of an open or a closed case): the checklist follows the new outcome, and so does
    the retention date (written into the history and the timeline, before and after)."""
    from .services import event_record

    _require_manager(actor, case)
    case = Case.objects.select_for_update().select_related("referral__subject").get(pk=case.pk)
    errors = {}
    if not case.outcome:
        errors["outcome"] = "No outcome is recorded yet: record the outcome first."
    elif outcome not in Outcome.values:
        errors["outcome"] = "Choose the outcome."
    elif outcome == case.outcome:
        errors["outcome"] = "Choose a different outcome from the one recorded."
    if not reason.strip():
        errors["reason"] = "Say why the outcome is amended."
    if errors:
        raise ValidationError(errors)
    complaint = _complaint_of(case, complaint)
    before, retention_before = case.outcome, _retention_words(case.referral)
    case.outcome = outcome
    amendment = CaseAmendment(case=case, kind=CaseAmendment.Kind.OUTCOME_AMENDED, reason=reason.strip(),
                              outcome_before=before, outcome_after=outcome, complaint=complaint, decided_by=actor)
    retention_after = _retention_words(case.referral)
    retention = (f"Retention review now {retention_after}, was {retention_before}."
                 if retention_after != retention_before else f"Retention review unchanged: {retention_after}.")
    _save(case, actor=actor, reason=f"Outcome amended from {Outcome(before).label.lower()} to "
                                    f"{Outcome(outcome).label.lower()}: {reason.strip()} ({retention})")
    _save(amendment, actor=actor, reason="Outcome amended")
    checklist_sync(actor=actor, case=case, reason="Outcome amended")
    summary = f"Outcome amended from {Outcome(before).label.lower()} to {Outcome(outcome).label.lower()}"
    # The retention date is the LADO service's records management: in the reason, which only it reads.
    event_record(actor=actor, referral=case.referral, case=case, verb="outcome_amended", summary=summary,
                 reason=f"{reason.strip()}\n\n{retention}")
    return amendment

