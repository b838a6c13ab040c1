"""Partners told when a case closes (issue 17 §4).

Each agency that took part in the case gets one notice of the closure, written in the closure's transaction
(allegations.services.case_close): an inbox entry for its people who hold the role that answers for it, and an
e-mail (through the outbox, sent once the closure commits) that carries the reference and a link only.

The outcome is in the notice's words only when the agency's level on the case sees the outcome
(need-to-know: selectors.agency_level and the outcome section's audience, models.SECTION_AUDIENCE); otherwise
the notice says only that the case closed.

Who took part: the referring agency and the agencies the case is shared with are this app's to know; the
agencies invited to its meetings or owning actions on it are the meetings app's. Allegations imports no app
above it (pyproject.toml [tool.importlinter]), so those apps register a function here in their
AppConfig.ready() (meetings/apps.py) that names the agencies of theirs that took part in a case.
"""

from __future__ import annotations

from typing import Callable, Iterable

from django.urls import reverse

from agencies.models import Agency, Membership, Role
from agencies.notifications import notice_once
from webhooks.events import event_add

from .models import SECTION_AUDIENCE, Case, Event, Restriction, Section
from .permissions import case_share_levels, case_shared_group_ids

# Who answers for an agency: its senior managers (the designated safeguarding lead or the manager who refers
# for it, agencies.models.REFERRER_ROLES); an agency without one is told through the people who attend
# meetings for it, so no agency that took part goes untold.
NOTICE_ROLES = (Role.SENIOR_MANAGER,)
FALLBACK_ROLES = (Role.PARTICIPANT,)

_took_part: list[Callable[[Case], Iterable[int]]] = []


def register_took_part(function: Callable[[Case], Iterable[int]]) -> None:
    """An app above allegations names the agencies (ids) of its own that took part in a case."""
    if function not in _took_part:
        _took_part.append(function)


def agencies_took_part(case: Case) -> list[Agency]:
    """The agencies that took part in the case, the case's own LADO service apart: the referring agency, those
    the case is shared with, and those the apps above name (meetings: invited to its meetings, owning actions)."""
    referral = case.referral
    ids: set[int] = set()
    if referral.referring_agency_id:
        ids.add(referral.referring_agency_id)
    ids |= set(Agency.objects.filter(group_id__in=case_shared_group_ids(case=case)).values_list("pk", flat=True))
    for function in _took_part:
        ids |= {i for i in function(case) if i}
    ids.discard(referral.lado_service_id)
    return list(Agency.objects.filter(pk__in=ids, is_active=True).order_by("name", "pk"))


def agency_level(case: Case, agency: Agency) -> str | None:
    """The agency's level on the case, as its people see it (selectors.viewer_level): the referring agency at the
    employer level, a share at its level, the widest of them; None for an agency that only attended a meeting or
    owns an action (it sees the meeting or the action, not the case)."""
    from agencies.models import AccessLevel, widest_level

    levels = []
    if case.referral.referring_agency_id == agency.pk:
        levels.append(AccessLevel.EMPLOYER)
    levels.extend(case_share_levels(case=case, group_ids=[agency.group_id]).values())
    return widest_level(levels)


def sees_outcome(level: str | None) -> bool:
    from .selectors import sees

    return sees(level, SECTION_AUDIENCE[Section.OUTCOME])


def notice_recipients(agency: Agency, *, referral) -> list:
    """The agency's active people who answer for it (NOTICE_ROLES, else FALLBACK_ROLES), one each. A restricted
    case is told only to those named as able to open it (and never to the person it is about)."""
    people = []
    for roles in (NOTICE_ROLES, FALLBACK_ROLES):
        people = list({m.user_id: m.user for m in (
            Membership.objects.people().filter(agency=agency, role__in=roles, user__is_active=True)
            .select_related("user").order_by("user_id"))}.values())
        if people:
            break
    restriction = Restriction.objects.filter(referral=referral).first()
    if restriction is not None:
        allowed = set(restriction.may_open.values_list("pk", flat=True)) - restriction.conflicted_ids()
        people = [u for u in people if u.pk in allowed]
    return people


def case_closed_notify(*, case: Case, event: Event) -> dict[int, int]:
    """Tell each agency that took part that the case closed, in the caller's transaction: {agency id: people
    told}. Keyed by the closing event, so a case reopened and closed again tells them again, and a run twice once."""
    referral = case.referral
    detail = reverse("allegations:case_detail", args=[referral.reference])
    told: dict[int, int] = {}
    restricted = Restriction.objects.filter(referral=referral).exists()  # a restricted case tells no partner
    for agency in agencies_took_part(case):
        level = agency_level(case, agency)
        if sees_outcome(level) and case.outcome:
            title = f"Case {referral.reference} closed. Outcome: {case.get_outcome_display()}"
        else:
            title = f"Case {referral.reference} closed"
        # An agency that cannot open the case is sent to its own work (its meetings and actions), not to a 404.
        link = detail if level is not None else reverse("home")
        if not restricted:  # the agency's own system, through its webhooks (issue 20)
            event_add(agency=agency, event="case.closed", reference=referral.reference, link=link, occurred_at=case.closed_at, key=f"case-closed:{event.pk}:{agency.pk}")
        told[agency.pk] = sum(
            notice_once(user=user, title=title, link=link, key=f"case-closed:{event.pk}:{agency.pk}",
                        email_template="allegations/email/case_closed", context={"reference": referral.reference})
            for user in notice_recipients(agency, referral=referral)
        )
    return told
