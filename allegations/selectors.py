"""Reads that take the user and go through visible_to. Outsiders get 404."""

from __future__ import annotations

from django.db.models import Count, F, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from agencies.permissions import standing

from .models import (
    Case,
    Deadline,
    Event,
    Referral,
    Subject,
    queue_open_rank,
    queue_open_received,
)


def _no_such_reference(reference: str) -> bool:
    """A reference PostgreSQL cannot even compare (a NUL character, from a crafted URL) matches nothing."""
    return "\x00" in reference


def referral_get(*, user, reference: str) -> Referral:
    if _no_such_reference(reference):
        raise Http404("No referral with that reference")
    try:
        return (
            Referral.objects.visible_to(user)
            .select_related("subject", "lado_service", "referring_agency", "assigned_to", "employer", "triage__decided_by",
                            "restriction")
            .get(reference=reference)
        )
    except Referral.DoesNotExist:
        raise Http404("No referral with that reference") from None


def case_get(*, user, reference: str) -> Case:
    if _no_such_reference(reference):
        raise Http404("No case with that reference")
    try:
        return (
            Case.objects.visible_to(user)
            .select_related(
                "referral__subject", "referral__lado_service", "referral__referring_agency",
                "referral__triage__decided_by", "referral__restriction", "owner", "closed_by",
            )
            .get(referral__reference=reference)
        )
    except Case.DoesNotExist:
        raise Http404("No case with that reference") from None


def can_manage(user, referral: Referral) -> bool:
    """May this user act on the referral as its LADO service (triage, run the case)? (A restricted
    referral has been fetched through visible_to, which hides it from those not named.)"""
    return referral.lado_service_id in standing(user).lado_service_ids


def can_restrict(user, referral: Referral) -> bool:
    """May this user restrict the referral (and its case) to named people? The LADO service manager."""
    return referral.lado_service_id in standing(user).managed_service_ids


def _initial_discussion_deadlines():
    return Prefetch(
        "deadlines",
        queryset=Deadline.objects.filter(kind=Deadline.Kind.INITIAL_DISCUSSION),
        to_attr="initial_deadlines",
    )


def triage_queue(*, user):
    """The LADO service's referrals: new work first, the 24-hour clock soonest first."""
    s = standing(user)
    return (
        Referral.objects.filter(lado_service_id__in=s.lado_service_ids)
        .open_to(user)
        .select_related("subject", "assigned_to", "referring_agency", "case")
        .prefetch_related(_initial_discussion_deadlines())
        # Open work first, oldest (nearest its 24-hour clock) first; then the rest, newest first.
        # The same expressions as the referral_queue_order index, which serves this order.
        .alias(open_rank=queue_open_rank(), open_received=queue_open_received())
        .order_by("open_rank", F("open_received").asc(nulls_last=True), "-received_at", "-pk")
    )


def referrals_for_agency(*, user):
    s = standing(user)
    return (
        Referral.objects.filter(referring_agency_id__in=s.referrer_agency_ids | s.agency_ids)
        .select_related("subject", "referring_agency", "case")
        .order_by("-received_at")
    )


def _open_deadline_count():
    return (
        Deadline.objects.filter(  # unmet: open, or marked overdue by the chasing sweep
            case=OuterRef("pk"), met_at__isnull=True, status__in=[Deadline.Status.OPEN, Deadline.Status.OVERDUE]
        )
        .order_by()
        .values("case")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )


def case_list(*, user):
    return (
        Case.objects.visible_to(user)
        .select_related("referral__subject", "referral__referring_agency", "owner")
        # A count per listed case (25 rows), not a GROUP BY over every case of the service.
        .annotate(open_deadlines=Coalesce(Subquery(_open_deadline_count()), 0))
        # Open cases first ("open" > "closed"), newest first: the case_status_opened index read backwards.
        .order_by("-status", "-opened_at")
    )


def previous_referrals(*, user, referral: Referral):
    """Other referrals about the same person record that the user may see."""
    return (
        Referral.objects.visible_to(user)
        .filter(subject=referral.subject)
        .exclude(pk=referral.pk)
        .select_related("case")
        .order_by("-received_at")
    )


def earlier_records(*, user, referral: Referral, exclude_ids=()):
    """"Possible earlier records" of the referral's subject: suggested only among subjects of
    referrals this user may open (never another LADO service's, nor a restricted case's)."""
    from . import matching

    subject = referral.subject
    return matching.candidates(
        given=subject.given_name, family=subject.family_name, date_of_birth=subject.date_of_birth,
        exclude_ids=[subject.pk, *exclude_ids],
        within=Subject.objects.filter(referrals__in=Referral.objects.visible_to(user)),
    )


# What agencies outside the LADO service see of a case's timeline: the milestones, not the
# LADO's reasoning, its sharing decisions or links to cases they may not see.
AGENCY_TIMELINE_VERBS = frozenset({
    "referral_received", "case_opened", "strand_updated", "suspension", "outcome", "dbs_referral",
    "regulator_referral", "case_closed", "meeting_scheduled", "meeting_held", "minutes_circulated",
})


def timeline(*, referral: Referral, full: bool = True):
    events = Event.objects.filter(referral=referral).select_related("actor").order_by("-at", "-pk")
    return events if full else events.filter(verb__in=AGENCY_TIMELINE_VERBS)


def sees_children(user, referral: Referral) -> bool:
    """The children's details: the LADO service, and the agency that gave them to us."""
    return can_manage(user, referral) or referral.referring_agency_id in standing(user).agency_ids


def who_opened(*, referral: Referral, limit: int = 20):
    """Who opened the referral or its case, read its meetings' minutes, downloaded their PDFs or its
    documents (records.selectors.readers_of combines the logs), newest first."""
    from records.selectors import readers_of

    return readers_of(referral=referral, limit=limit)


def lado_officers(*, service_ids):
    from django.contrib.auth import get_user_model

    from agencies.models import LADO_ROLES

    return (
        get_user_model()
        .objects.filter(memberships__agency_id__in=service_ids, memberships__role__in=LADO_ROLES, is_active=True)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )



def restriction_of(referral: Referral):
    """The referral's restriction (fetched with it by referral_get and case_get), or None."""
    from .models import Restriction

    try:
        return referral.restriction
    except Restriction.DoesNotExist:
        return None


def service_people(*, service_id: int):
    """Everyone of a LADO service and of the agencies it serves (who a restricted case may be about)."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    return (
        get_user_model().objects.filter(Q(memberships__agency_id=service_id)
                                        | Q(memberships__agency__lado_service_id=service_id), is_active=True)
        .distinct().order_by("first_name", "last_name", "username")
    )
