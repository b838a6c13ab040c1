"""What deadlines/ needs to know about a referral and its case (deadlines.about), told in AppConfig.ready().

The statutory clock lives in deadlines/, below this app: it does not import us. Who owns a
referral's deadline, who its escalation goes to and whether its work is closed are ours to say
(deadlines.md "Chasing"); so are the counts "My work" and the team view show beside the deadlines.
"""

from __future__ import annotations

from collections import Counter

from django.db.models import Count, Exists, Q, Value

from agencies.models import LADO_ROLES, Role
from deadlines import about
from deadlines.models import CHASED_AFTER_CLOSING
from deadlines.chasing import service_members

from .listing import link_maker
from .paging import SHOWN_EXACTLY
from .models import OPEN_REFERRAL_STATUSES, Case, CaseStatus, Referral, Restriction
from .querysets import hidden_referral_ids
from .services import event_record


def _reference(deadline) -> str:
    return deadline.referral.reference


def _link(deadline) -> str:
    # listing.link_maker: the URLconf consulted once per process for each page, not for each of a sweep's 10,000
    # deadlines (issue 19: `reverse()` each was a tenth of the sweep's Python).
    name = "allegations:case_detail" if deadline.case_id else "allegations:referral_detail"
    return link_maker(name)(deadline.referral.reference)


def _closed_at(deadline):
    """When the case, or the contact closed without a case, closed; else None. A transfer's acknowledgement is
    owed after the transferred contact closed here: its work ends when it is met (CHASED_AFTER_CLOSING)."""
    if deadline.kind in CHASED_AFTER_CLOSING:
        return None
    if deadline.case_id:
        if deadline.case.status == CaseStatus.OPEN:
            return None
        return deadline.case.closed_at or deadline.case.opened_at
    return deadline.referral.closed_at


def lado_members(deadline, roles) -> list:
    """The service's people in these roles; of a restricted referral, only those named on it."""
    restriction = Restriction.objects.filter(referral_id=deadline.referral_id)
    return service_members(deadline.referral.lado_service_id, roles,
                           only=~Exists(restriction) | Q(user_id__in=restriction.values("may_open")))


def _owner_recipients(deadline) -> list:
    """The case owner; else the referral's assigned officer; else all LADO officers of the service."""
    if deadline.case_id and deadline.case.owner and deadline.case.owner.is_active:
        return [deadline.case.owner]
    assigned = deadline.referral.assigned_to
    if assigned and assigned.is_active:
        return [assigned]
    return lado_members(deadline, LADO_ROLES)


def _escalation_recipients(deadline) -> list:
    """The service's LADO managers (else the owner)."""
    return lado_members(deadline, [Role.LADO_MANAGER]) or _owner_recipients(deadline)


def lado_counts(*, user, service_ids) -> dict:
    """My work's counts: open referrals assigned to the user, unassigned ones, and the user's open cases.

    Each is counted up to one past paging.SHOWN_EXACTLY and no further (the page then says "more than 1,000"), as
    the lists do (issue 19): at 1,000,000 referrals counting a service's 50,000 open referrals took 275 ms. One
    query: the three parts, each a marker per row up to the cap, read as one UNION ALL and counted here. The
    referrals are read from the `referral_open_assignee` index alone, the cases through `case_owner_status`."""
    cap = SHOWN_EXACTLY + 1
    open_referrals = Referral.objects.filter(lado_service_id__in=service_ids, status__in=OPEN_REFERRAL_STATUSES).open_to(user)
    parts = [
        open_referrals.filter(assigned_to=user),
        open_referrals.filter(assigned_to__isnull=True),
        Case.objects.filter(referral__lado_service_id__in=service_ids, status=CaseStatus.OPEN, owner=user).open_to(user),
    ]
    marked = [part.order_by().annotate(part=Value(n)).values_list("part", flat=True)[:cap] for n, part in enumerate(parts)]
    counted = Counter(marked[0].union(*marked[1:], all=True))
    return {"open_referrals": counted[0], "unassigned_referrals": counted[1], "open_cases": counted[2]}


def team_open_cases(*, user, service_ids) -> dict:
    """The team view: each owner's open cases ({owner_id: n})."""
    return dict(
        Case.objects.filter(referral__lado_service_id__in=service_ids, status=CaseStatus.OPEN).open_to(user)
        .values_list("owner_id").annotate(n=Count("pk")).order_by()
    )


def deadline_waived(*, actor, deadline, reason: str) -> None:
    """The business log: a referral's deadline was waived, by whom and why."""
    event_record(actor=actor, referral=deadline.referral, case=deadline.case, verb="deadline_waived",
                 summary=f"{deadline.get_kind_display()} deadline waived", reason=reason)


def register() -> None:
    about.subject_register(about.Subject(
        field="referral", reference=_reference, link=_link, closed_at=_closed_at,
        owner_recipients=_owner_recipients, escalation_recipients=_escalation_recipients,
        reads=("referral__reference", "referral__closed_at", "referral__lado_service", "referral__assigned_to",
               "case__status", "case__closed_at", "case__opened_at", "case__owner"),
        people=("case__owner", "referral__assigned_to"),
    ))
    about.fact_register("hidden_referral_ids", hidden_referral_ids)
    about.fact_register("lado_counts", lado_counts)
    about.fact_register("team_open_cases", team_open_cases)
    about.fact_register("deadline_waived", deadline_waived)
