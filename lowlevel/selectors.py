"""Reads of low-level concerns, through visible_to (outsiders get 404), and the LADO service's prompt.

The prompt (003 §10, 000's "soft intelligence" collated): when the concerns about one person, not yet linked
to a referral, form a pattern, the LADO service is prompted to consider a referral, as it is prompted to
consider the serious concerns process about a provider (providers.selectors.prompts_for, whose caching this
follows). A pattern is the partnership's number of concerns (default 3) within its number of months (default
12) by the date of what happened, or concerns recorded by two or more employers (staff who move between
employers: 000).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.core.cache import cache
from django.http import Http404

from agencies.models import Agency, Partnership
from agencies.permissions import standing
from allegations import matching

from .models import LowLevelConcern


def concern_get(*, user, pk: int) -> LowLevelConcern:
    concern = (LowLevelConcern.objects.visible_to(user).select_related("agency", "lado_service", "recorded_by", "referral")
               .filter(pk=pk).first())
    if concern is None:
        raise Http404("No low-level concern with that number")
    return concern


def concern_list(*, user):
    return LowLevelConcern.objects.visible_to(user).select_related("agency", "referral").order_by("-occurred_on", "-pk")


def can_record(user) -> bool:
    """An agency's senior managers record concerns for it (the LADO service reads them)."""
    return bool(standing(user).referrer_agency_ids - standing(user).lado_service_ids)


def recording_agencies(user):
    s = standing(user)
    return Agency.objects.filter(pk__in=s.referrer_agency_ids - s.lado_service_ids, is_active=True,
                                 lado_service__isnull=False).order_by("name")


def history_of(concern: LowLevelConcern) -> list:
    return list(concern.history.select_related("history_user").order_by("-history_date", "-history_id")[:50])


# --- One person across concerns ---------------------------------------------------------------------

@dataclass(frozen=True)
class Row:
    """What the prompt needs of one concern (kept in the cache: plain values only)."""

    pk: int
    given_name: str
    family_name: str
    date_of_birth: dt.date | None
    agency_id: int
    agency_name: str
    occurred_on: dt.date
    role: str
    family_key: str


def same_person(a: Row, b: Row) -> bool:
    """The same person, by allegations.matching's measures, more strictly than its suggestions (nothing here is
    confirmed by an officer before the prompt shows): both dates of birth given and different, never; the same
    date of birth and the same first name (or a nickname of it), yes, whatever the surname (a changed name);
    otherwise the surname must sound the same and the first names be the same or nicknames of each other."""
    if a.date_of_birth and b.date_of_birth and a.date_of_birth != b.date_of_birth:
        return False
    given = matching.given_score(a.given_name, b.given_name)
    if a.date_of_birth and a.date_of_birth == b.date_of_birth and given >= 0.85:
        return True
    same_family = a.family_key == b.family_key and a.family_key != "" or (
        a.family_name.strip().lower() == b.family_name.strip().lower())
    return same_family and given >= 0.9


def people(rows: list[Row]) -> list[list[Row]]:
    """The rows grouped into people (same_person, taken transitively). Pairs are compared only within a surname
    sound or a date of birth, so the work grows with the size of those buckets, not the square of all rows."""
    parent = {r.pk: r.pk for r in rows}

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    buckets: dict[tuple, list[Row]] = {}
    for r in rows:
        buckets.setdefault(("family", r.family_key or r.family_name.strip().lower()), []).append(r)
        if r.date_of_birth:
            buckets.setdefault(("dob", r.date_of_birth), []).append(r)
    for bucket in buckets.values():
        for i, a in enumerate(bucket):
            for b in bucket[i + 1:]:
                if find(a.pk) != find(b.pk) and same_person(a, b):
                    parent[find(a.pk)] = find(b.pk)
    groups: dict[int, list[Row]] = {}
    for r in rows:
        groups.setdefault(find(r.pk), []).append(r)
    return list(groups.values())


def pattern(rows: list[Row], *, count: int, months: int) -> list[str]:
    """Why one person's concerns form a pattern, in words ([] when they do not): `count` or more concerns within
    `months` months of each other (by the date of what happened), or concerns from two or more employers."""
    reasons = []
    dates = sorted(r.occurred_on for r in rows)
    for i in range(len(dates) - count + 1):
        if dates[i + count - 1] < dates[i] + relativedelta(months=months):
            reasons.append(f"{count} or more concerns within {months} month{'s' if months != 1 else ''}")
            break
    employers = {r.agency_id for r in rows}
    if len(employers) >= 2:
        reasons.append(f"concerns from {len(employers)} employers")
    return reasons


@dataclass(frozen=True)
class Prompt:
    name: str
    date_of_birth: dt.date | None
    role: str
    concerns: int
    employers: tuple[str, ...]
    reasons: tuple[str, ...]
    concern_ids: tuple[int, ...]

    @property
    def why(self) -> str:
        return "; ".join(self.reasons)

    @property
    def key(self) -> str:
        return "-".join(str(pk) for pk in self.concern_ids)


# Cached as the provider prompts are (providers.selectors): each LADO service's unlinked concerns, and the
# partnership's settings, for PROMPTS_SECONDS, read in one round trip; an entry is deleted when a concern of the
# service is saved or the settings change (receivers.py: at once, and again on commit).
PROMPTS_SECONDS = 60
PROMPTS_KEY = "low-level-prompts:service:{}"
PROMPTS_SETTINGS_KEY = "low-level-prompts:settings"


def prompts_keys(service_ids) -> list[str]:
    return [PROMPTS_KEY.format(pk) for pk in service_ids]


def _rows(service_ids) -> dict[int, list[Row]]:
    """Per service: its concerns not yet linked to a referral. One query."""
    by_service: dict[int, list[Row]] = {pk: [] for pk in service_ids}
    for values in (
        LowLevelConcern.objects.filter(lado_service_id__in=service_ids, referral__isnull=True)
        .values_list("lado_service_id", "pk", "given_name", "family_name", "date_of_birth", "agency_id",
                     "agency__name", "occurred_on", "role", "family_key")
        .order_by("occurred_on", "pk")
    ):
        by_service[values[0]].append(Row(*values[1:]))
    return by_service


def _settings() -> tuple[int, int]:
    partnership = Partnership.current()
    return partnership.low_level_prompt_concerns, partnership.low_level_prompt_months


def prompts_cache_keys(*, user, **_) -> list[str]:
    """What prompts_for reads from the cache for this user (allegations.pages reads it with other parts' keys)."""
    services = sorted(standing(user).lado_service_ids)
    return [PROMPTS_SETTINGS_KEY, *prompts_keys(services)] if services else []


def prompts_for(user, *, cached: dict | None = None) -> list[Prompt]:
    """The people whose concerns form a pattern, for the LADO service's staff (the concerns of their services,
    without those on referrals restricted from them: they are linked, so never in a prompt). ``cached``: what the
    page already read of prompts_cache_keys."""
    services = sorted(standing(user).lado_service_ids)
    if not services:
        return []
    keys = prompts_keys(services)
    found = cached if cached is not None else cache.get_many([PROMPTS_SETTINGS_KEY, *keys])
    settings_ = found.get(PROMPTS_SETTINGS_KEY)
    fresh = {}
    if settings_ is None:
        settings_ = fresh[PROMPTS_SETTINGS_KEY] = _settings()
    rows = {pk: found[key] for pk, key in zip(services, keys) if key in found}
    missing = [pk for pk in services if pk not in rows]
    if missing:
        computed = _rows(missing)
        rows.update(computed)
        fresh.update({PROMPTS_KEY.format(pk): service_rows for pk, service_rows in computed.items()})
    if fresh:
        cache.set_many(fresh, timeout=PROMPTS_SECONDS)
    return prompts_from([r for service_rows in rows.values() for r in service_rows], settings_)


def prompts_from(rows: list[Row], settings_: tuple[int, int]) -> list[Prompt]:
    count, months = settings_
    prompts = []
    for person in people(rows):
        reasons = pattern(person, count=count, months=months)
        if not reasons:
            continue
        latest = max(person, key=lambda r: (r.occurred_on, r.pk))
        prompts.append(Prompt(
            name=f"{latest.given_name} {latest.family_name}",
            date_of_birth=next((r.date_of_birth for r in person if r.date_of_birth), None),
            role=latest.role, concerns=len(person),
            employers=tuple(sorted({r.agency_name for r in person})), reasons=tuple(reasons),
            concern_ids=tuple(sorted(r.pk for r in person)),
        ))
    prompts.sort(key=lambda p: (-p.concerns, p.name))
    return prompts


def page_part(*, user, cached: dict | None = None) -> dict:
    """The triage queue's and "My work"'s prompt (allegations.pages, registered in apps.py)."""
    return {"low_level_prompts": prompts_for(user, cached=cached)}


def prompt_concerns(*, user, ids: list[int]) -> list[LowLevelConcern]:
    """The concerns of one prompt, as this LADO officer may see them, not yet linked: [] if any is not."""
    s = standing(user)
    if not s.lado_service_ids or not ids:
        return []
    concerns = list(
        LowLevelConcern.objects.visible_to(user).filter(pk__in=ids, referral__isnull=True,
                                                        lado_service_id__in=s.lado_service_ids)
        .select_related("agency", "lado_service").order_by("occurred_on", "pk")
    )
    if len(concerns) != len(set(ids)) or len({c.lado_service_id for c in concerns}) != 1:
        return []
    return concerns
