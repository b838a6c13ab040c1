"""Reads that take the user and go through visible_to. Outsiders get 404."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone

from agencies.models import LADO_ROLES, Agency, AgencyKind, Partnership, Role, Sector
from agencies.permissions import PROVIDER_ROLES, director_service_ids, provider_service_ids, standing
from allegations.models import Category, Referral
from deadlines import workload
from deadlines.models import Deadline
from meetings.models import Meeting

from .models import OPEN_PLAN_STATUSES, AdmissionsSuspension, ConcernLetter, ConcernStatus, PlanItem, ProviderConcern

ACTIVE = (ConcernStatus.RECORDED, ConcernStatus.INVOKED)
# 001: "a provider ... is an organisation or institution which provides care": care homes, home care,
# supported living, private hospitals, day services (and, with children's services, providers of both).
# Only these are prompted; a school with several referrals is a matter for the LADO, not this process.
# 001 "does not apply to NHS Foundation Trusts as there are separate arrangements in place": never prompted,
# whatever their sector.
CARE_PROVIDER_KINDS = (AgencyKind.CARE_PROVIDER, AgencyKind.RESIDENTIAL_HOME, AgencyKind.NHS_TRUST)
CARE_SECTORS = (Sector.CARE_HOME, Sector.HOME_CARE, Sector.SUPPORTED_LIVING, Sector.DAY_SERVICES,
                Sector.RESIDENTIAL, Sector.HEALTH)
EXCLUDED_KINDS = (AgencyKind.NHS_FOUNDATION_TRUST,)


def concern_get(*, user, reference: str) -> ProviderConcern:
    concern = (
        ProviderConcern.objects.visible_to(user)
        .select_related("provider", "lado_service", "recorded_by", "lead", "decided_by", "concluded_by")
        .filter(reference=reference.upper()).first()
    )
    if concern is None:
        raise Http404("No provider concern with that reference")
    return concern


def concern_list(*, user):
    return ProviderConcern.objects.visible_to(user).select_related("provider").order_by("-recorded_at", "-pk")


def can_decide(user, concern: ProviderConcern) -> bool:
    return concern.lado_service_id in director_service_ids(user)


def providers_for(service_ids) -> "list[Agency]":
    """Agencies a concern may be about: any active agency of the services but a LADO service, police or regulator."""
    return (
        Agency.objects.filter(is_active=True, lado_service_id__in=service_ids)
        .exclude(kind__in=[AgencyKind.LADO_SERVICE, AgencyKind.POLICE, AgencyKind.REGULATOR, AgencyKind.BUSINESS_UNIT,
                           *EXCLUDED_KINDS])
        .order_by("name")
    )


def partner_agencies():
    return Agency.objects.filter(is_active=True).order_by("name")


def people_for(concern: ProviderConcern):
    """Chairs and minute takers: people of the service, its directors and adults' safeguarding managers, and chairs."""
    roles = list(LADO_ROLES | PROVIDER_ROLES | {Role.MINUTE_TAKER})
    return (
        get_user_model().objects.filter(is_active=True)
        .filter(Q(memberships__agency_id=concern.lado_service_id, memberships__role__in=roles)
                | Q(memberships__agency__lado_service_id=concern.lado_service_id, memberships__role__in=list(PROVIDER_ROLES))
                | Q(memberships__role=Role.CHAIR, memberships__agency__is_active=True), memberships__system=False)
        .distinct().order_by("first_name", "last_name", "username")
    )


@dataclass
class ConcernDetail:
    concern: ProviderConcern
    opens_referrals: bool  # the LADO service's staff open the linked referrals; others see references only
    referrals: list
    meetings: list
    suspensions: list
    plan_items: list
    contacts: list
    escalations: list
    deadlines: list
    events: list
    today: dt.date
    letters: dict  # meeting id -> its letter to the provider


def concern_detail(concern: ProviderConcern, user) -> ConcernDetail:
    """Everything on the concern's page: a fixed number of queries whatever the number of rows."""
    referrals = list(
        Referral.objects.filter(provider_concerns=concern)
        .select_related("case").only("reference", "received_at", "category", "workforce", "status", "case__id", "case__status")
        .order_by("received_at")
    )
    return ConcernDetail(
        concern=concern,
        opens_referrals=concern.lado_service_id in standing(user).lado_service_ids,
        referrals=referrals,
        meetings=list(Meeting.objects.filter(provider_concern=concern).select_related("chair", "minutes")
                      .order_by("scheduled_at", "pk")),
        suspensions=list(AdmissionsSuspension.objects.filter(concern=concern).select_related("imposing_agency", "deadline")
                         .prefetch_related("reviews").order_by("-started_on", "-pk")),
        plan_items=list(concern.plan_items.select_related("agency").order_by("due_on", "pk")),
        contacts=list(concern.contacts.select_related("agency").order_by("agency__name", "name")),
        escalations=list(concern.escalations.order_by("-informed_on", "-pk")),
        deadlines=list(Deadline.objects.filter(provider_concern=concern).order_by("due_at", "pk")),
        events=list(concern.events.select_related("actor").order_by("-at", "-pk")[:50]),
        today=timezone.localdate(),
        letters={letter.meeting_id: letter for letter in ConcernLetter.objects.filter(concern=concern)},
    )


# --- The prompt to consider the process (issue 6 §2) -------------------------------------------------

@dataclass(frozen=True)
class Prompt:
    provider_id: int
    provider_name: str
    referrals: int
    cluster_category: str
    cluster_count: int

    @property
    def why(self) -> str:
        parts = []
        if self.referrals:
            parts.append(f"{self.referrals} referrals about staff in the last 12 months")
        if self.cluster_count:
            parts.append(f"{self.cluster_count} {self.cluster_category.lower()} concerns close together")
        return "; ".join(parts)


# The prompts are the same for everyone of a service for a minute (issue 19): each LADO service's grouped
# referrals, and the partnership's thresholds, are kept in Django's cache for PROMPTS_SECONDS and read in one
# round trip, so a triage view asks the database nothing for them. Django's cache rather than a table or a
# beat task: it is shared by every web process (and so survives scaling out), it expires by itself, and a
# service's entry is deleted when a referral of the service is saved, a provider concern is saved or the
# partnership's settings change (providers/receivers.py: at once, and again when the transaction commits),
# so a new referral's prompt shows on the next view; anything else (a renamed agency, a referral written in
# bulk) is at most a minute late. A view that finds no entry works out the missing services in one grouped
# read, as before.
PROMPTS_SECONDS = 60
PROMPTS_KEY = "provider-prompts:service:{}"
PROMPTS_SETTINGS_KEY = "provider-prompts:settings"


def prompts_keys(service_ids) -> list[str]:
    return [PROMPTS_KEY.format(pk) for pk in service_ids]


def _prompt_rows(service_ids, *, now: dt.datetime, cluster_days: int) -> dict[int, list[tuple]]:
    """Per service: (employer, employer's name, category, referrals in 12 months, referrals in the cluster
    window) for the providers of care without an open provider concern. One grouped query."""
    year_ago = now - dt.timedelta(days=365)
    window_start = now - dt.timedelta(days=cluster_days)
    rows = (
        Referral.objects.filter(lado_service_id__in=service_ids, received_at__gt=year_ago, employer__isnull=False)
        .filter(Q(employer__kind__in=CARE_PROVIDER_KINDS) | Q(employer__sector__in=CARE_SECTORS))
        .exclude(employer__kind__in=EXCLUDED_KINDS)
        .exclude(employer_id__in=ProviderConcern.objects.filter(status__in=ACTIVE).values("provider_id"))
        .values("lado_service_id", "employer_id", "employer__name", "category")
        .annotate(n=Count("pk"), recent=Count("pk", filter=Q(received_at__gt=window_start)))
        .order_by()
    )
    by_service: dict[int, list[tuple]] = {pk: [] for pk in service_ids}
    for row in rows:
        by_service[row["lado_service_id"]].append(
            (row["employer_id"], row["employer__name"], row["category"], row["n"], row["recent"]))
    return by_service


def _prompt_settings() -> tuple[int, int, int]:
    partnership = Partnership.current()
    return (partnership.provider_prompt_referrals, partnership.provider_prompt_cluster,
            partnership.provider_prompt_cluster_days)


def triage_queue_part(*, user, cached: dict | None = None) -> dict:
    """The triage queue's prompt to consider the process (allegations.pages, registered in apps.py)."""
    return {"prompts": prompts_for(user, cached=cached)}


def my_work_part(*, user, cached: dict | None = None) -> dict:
    """"My work": the prompt, the provider concerns' deadlines, and the agency's own action plan items (overdue
    first) (allegations.pages, registered in apps.py)."""
    return {"prompts": prompts_for(user, cached=cached), "concern_deadlines": my_concern_rows(user),
            "our_plan_items": plan_items_of_agencies(user), "plan_items_today": timezone.localdate()}


def our_actions_part(*, user) -> dict:
    """"Our actions": the action plan items of provider concerns for which the user's agencies are responsible."""
    return {"plan_items": plan_items_of_agencies(user), "today": timezone.localdate()}


def plan_items_of_agencies(user, *, limit: int = 50) -> list[PlanItem]:
    """The open items of invoked provider concerns that the user's agencies are responsible for, soonest due
    first (their own work: what to do, by when; the concern's reference and provider, no names)."""
    agency_ids = standing(user).agency_ids
    if not agency_ids:
        return []
    return list(
        PlanItem.objects.filter(agency_id__in=agency_ids, status__in=OPEN_PLAN_STATUSES,
                                concern__status=ConcernStatus.INVOKED)
        .select_related("concern__provider", "agency").order_by("due_on", "pk")[:limit]
    )


def plan_item_get(*, user, pk: int) -> PlanItem:
    """An item for the service running the process or for the agency responsible: 404 for anyone else."""
    item = PlanItem.objects.filter(pk=pk).select_related("concern__provider", "agency").first()
    if item is None:
        raise Http404("No such action plan item")
    if item.concern.lado_service_id in provider_service_ids(user) or item.agency_id in standing(user).agency_ids:
        return item
    raise Http404("No such action plan item")


def _prompt_services(user) -> list[int]:
    """The services whose prompts this user is shown: none unless LADO staff or an adults' safeguarding manager."""
    s = standing(user)
    if not (s.lado_service_ids or Role.ADULT_SAFEGUARDING_MANAGER in s.roles):
        return []
    return sorted(provider_service_ids(user))


def prompts_cache_keys(*, user, **_) -> list[str]:
    """What prompts_for reads from the cache for this user (allegations.pages reads it with other parts' keys)."""
    services = _prompt_services(user)
    return [PROMPTS_SETTINGS_KEY, *prompts_keys(services)] if services else []


def prompts_for(user, *, now: dt.datetime | None = None, cached: dict | None = None) -> list[Prompt]:
    """Providers of care (CARE_PROVIDER_KINDS / CARE_SECTORS) where several allegations concern staff (≥ the partnership's number in 12 months), or a
    cluster of concerns of the same category arrived within a short window (001's indicators), and no
    provider concern is open about them. For LADO staff and adults' safeguarding managers.

    From the cache (one round trip, no query) when every service's entry is there; otherwise the
    partnership's settings and one grouped read for the missing services. ``now`` (for tests of the
    windows) computes afresh and keeps nothing. ``cached``: what the page already read of prompts_cache_keys."""
    services = _prompt_services(user)
    if not services:
        return []
    if now is not None:
        settings_ = _prompt_settings()
        return _prompts(_prompt_rows(services, now=now, cluster_days=settings_[2]), settings_)

    keys = prompts_keys(services)
    found = cached if cached is not None else cache.get_many([PROMPTS_SETTINGS_KEY, *keys])
    settings_ = found.get(PROMPTS_SETTINGS_KEY)
    fresh = {}
    if settings_ is None:
        settings_ = fresh[PROMPTS_SETTINGS_KEY] = _prompt_settings()
    rows = {pk: found[key] for pk, key in zip(services, keys) if key in found}
    missing = [pk for pk in services if pk not in rows]
    if missing:
        computed = _prompt_rows(missing, now=timezone.now(), cluster_days=settings_[2])
        rows.update(computed)
        fresh.update({PROMPTS_KEY.format(pk): service_rows for pk, service_rows in computed.items()})
    if fresh:
        cache.set_many(fresh, timeout=PROMPTS_SECONDS)
    return _prompts(rows, settings_)


def _prompts(rows: dict[int, list[tuple]], settings_: tuple[int, int, int]) -> list[Prompt]:
    """The prompts from the services' grouped rows: an employer's referrals add up across services."""
    referrals_needed, cluster_needed, _ = settings_
    totals: dict[int, int] = defaultdict(int)
    recents: dict[tuple[int, str], int] = defaultdict(int)
    names: dict[int, str] = {}
    for service_rows in rows.values():
        for employer, name, category, n, recent in service_rows:
            names[employer] = name
            totals[employer] += n
            recents[employer, category] += recent
    clusters: dict[int, tuple[str, int]] = {}
    labels = dict(Category.choices)
    for (employer, category), recent in recents.items():
        if category and recent >= cluster_needed:
            if recent > clusters.get(employer, ("", 0))[1]:
                clusters[employer] = (labels.get(category, category), recent)
    prompts = []
    for employer, total in totals.items():
        many = total if total >= referrals_needed else 0
        category, count = clusters.get(employer, ("", 0))
        if many or count:
            prompts.append(Prompt(provider_id=employer, provider_name=names[employer], referrals=many,
                                  cluster_category=category, cluster_count=count))
    prompts.sort(key=lambda p: (-(p.referrals + p.cluster_count), p.provider_name))
    return prompts


# --- My work: a provider concern's deadlines ------------------------------------------------------------

def my_concern_deadlines(user, *, until: dt.datetime):
    """Unmet deadlines of the provider concerns the user leads (or, with no active lead, of their services)."""
    services = provider_service_ids(user)
    if not services:
        return []
    return list(
        Deadline.objects.filter(provider_concern__lado_service_id__in=services, met_at__isnull=True, status__in=[Deadline.Status.OPEN, Deadline.Status.OVERDUE],
                                chase_ended_at__isnull=True, due_at__lte=until)
        # An invoked concern's, and the review of a suspension continued after the process concluded.
        .filter(Q(provider_concern__status=ConcernStatus.INVOKED)
                | Q(kind=Deadline.Kind.ADMISSIONS_REVIEW, provider_concern__status=ConcernStatus.CONCLUDED))
        .filter(Q(provider_concern__lead=user) | Q(provider_concern__lead__isnull=True)
                | Q(provider_concern__lead__is_active=False))
        .select_related("provider_concern").order_by("due_at", "pk")[:100]
    )


# --- The register (issue 6 §7) ----------------------------------------------------------------------------

def can_see_register(user) -> bool:
    s = standing(user)
    return s.is_analyst


REGISTER_HEADERS = ["Reference", "Provider", "Provider type", "Recorded", "Invoked", "Concluded", "Indicators",
                    "Meetings held", "Admissions suspended", "Action plan items", "Action plan items complete",
                    "Escalations", "Outcome"]


def register_rows() -> list[list]:
    """Every provider that has been subject to the process, with dates, actions and outcome (001): no names of
    adults at risk, staff or subjects. One query."""
    concerns = (
        ProviderConcern.objects.filter(status__in=[ConcernStatus.INVOKED, ConcernStatus.CONCLUDED])
        .select_related("provider")
        .annotate(
            meetings_held=Count("meetings", filter=Q(meetings__status="held"), distinct=True),
            suspensions_n=Count("suspensions", distinct=True),
            items=Count("plan_items", distinct=True),
            items_done=Count("plan_items", filter=Q(plan_items__status="complete"), distinct=True),
            escalations_n=Count("escalations", distinct=True),
        )
        .order_by("-decided_at", "-pk")
    )
    rows = []
    for c in concerns:
        rows.append([
            c.reference, c.provider.name, c.provider.get_kind_display(),
            timezone.localtime(c.recorded_at).date(), timezone.localtime(c.decided_at).date() if c.decided_at else None,
            timezone.localtime(c.concluded_at).date() if c.concluded_at else None,
            "; ".join(c.indicator_labels()), c.meetings_held, "Yes" if c.suspensions_n else "No", c.items, c.items_done,
            c.escalations_n, c.outcome if c.status == ConcernStatus.CONCLUDED else "Open",
        ])
    return rows


def my_concern_rows(user, *, now: dt.datetime | None = None) -> list:
    """my_concern_deadlines as the rows of "My work" (deadlines.workload.DeadlineRow), due within 7 days."""
    now = now or timezone.now()
    end_today, end_week = workload.window(now)
    return [workload._row(deadline, now, end_today) for deadline in my_concern_deadlines(user, until=end_week)]
