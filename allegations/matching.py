"""Previous allegations about the same person: likely earlier records of a subject.

Tolerant of typos (Jaro-Winkler), nicknames (the curated `nicknames` list), changed
surnames (previous names are matched too) and uses the date of birth. Candidates
are found through indexed phonetic keys and the date of birth, then ranked; an
officer confirms or rejects each one. Nothing is ever merged here.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import jellyfish
from django.db.models import Q
from nicknames import NickNamer
from rapidfuzz.distance import JaroWinkler

from .models import Subject, SubjectName

SUGGEST_AT = 0.55
MAX_CANDIDATES = 200


def phonetic_key(name: str) -> str:
    name = "".join(ch for ch in (name or "").lower() if ch.isalpha())
    return jellyfish.metaphone(name)[:32] if name else ""


@lru_cache(maxsize=1)
def _nicknamer() -> NickNamer:
    return NickNamer()


@lru_cache(maxsize=4096)
def name_family(given: str) -> frozenset[str]:
    """A given name with its nicknames and the names it is a nickname of."""
    given = (given or "").strip().lower()
    if not given:
        return frozenset()
    nn = _nicknamer()
    return frozenset({given} | nn.nicknames_of(given) | nn.canonicals_of(given))


def _similar(a: str, b: str) -> float:
    a, b = (a or "").strip().lower(), (b or "").strip().lower()
    if not a or not b:
        return 0.0
    return JaroWinkler.similarity(a, b)


def given_score(a: str, b: str) -> float:
    if name_family(a) & name_family(b):
        return 1.0
    return _similar(a, b)


@dataclass(frozen=True)
class Match:
    subject: Subject
    score: float
    reasons: tuple[str, ...]


def score(*, given: str, family: str, date_of_birth, candidate: Subject, other_names) -> Match:
    reasons = []
    family_scores = [(_similar(family, candidate.family_name), "family name")]
    for other in other_names:
        family_scores.append((_similar(family, other.family_name), f"previous name {other.family_name}"))
    family_sim, family_why = max(family_scores, key=lambda pair: pair[0])
    given_sim = max(
        [given_score(given, candidate.given_name), given_score(given, candidate.known_as)]
        + [given_score(given, o.given_name) for o in other_names if o.given_name]
    )
    dob_score = 0.0
    if date_of_birth and candidate.date_of_birth:
        if date_of_birth == candidate.date_of_birth:
            dob_score = 1.0
            reasons.append("same date of birth")
        elif (date_of_birth.year, date_of_birth.day, date_of_birth.month) == (
            candidate.date_of_birth.year,
            candidate.date_of_birth.month,
            candidate.date_of_birth.day,
        ):
            dob_score = 0.7
            reasons.append("date of birth with day and month swapped")
        else:
            dob_score = -0.5
            reasons.append("different date of birth")
    if family_sim >= 0.85:
        reasons.append(f"similar {family_why}" if family_sim < 1 else f"same {family_why}")
    if given_sim >= 0.85:
        reasons.append("same given name or nickname" if given_sim == 1 else "similar given name")
    total = 0.4 * family_sim + 0.3 * given_sim + 0.3 * dob_score
    if dob_score == 1.0 and given_sim >= 0.85:
        # Same first name and birthday but a new surname: a changed name is likely.
        total = max(total, 0.75)
    return Match(subject=candidate, score=round(max(total, 0.0), 3), reasons=tuple(reasons))


def candidates(*, given: str, family: str, date_of_birth=None, exclude_ids=(), limit: int = 5,
               within=None) -> list[Match]:
    """Ranked earlier records that may be the same person; only among the subjects of ``within``
    (a Subject queryset, e.g. selectors.earlier_records: those whose referrals the viewer may open)."""
    family_key = phonetic_key(family)
    given_key = phonetic_key(given)
    condition = Q()
    if family_key:
        condition |= Q(family_key=family_key) | Q(other_names__family_key=family_key)
    if date_of_birth:
        condition |= Q(date_of_birth=date_of_birth)
    if given_key and family:
        # A typo in the surname's first letters: same given-name sound and close surname start.
        condition |= Q(given_key=given_key, family_name__istartswith=family[:2])
    if not condition:
        return []
    pool = Subject.objects.live() if within is None else Subject.objects.live().filter(pk__in=within.values("pk"))
    found = list(
        pool
        .filter(condition)
        .exclude(pk__in=list(exclude_ids))
        .distinct()
        .order_by("pk")[:MAX_CANDIDATES]
    )
    names: dict[int, list[SubjectName]] = {}
    for other in SubjectName.objects.filter(subject__in=[s.pk for s in found]):
        names.setdefault(other.subject_id, []).append(other)
    ranked = [
        score(given=given, family=family, date_of_birth=date_of_birth, candidate=s, other_names=names.get(s.pk, []))
        for s in found
    ]
    ranked = [m for m in ranked if m.score >= SUGGEST_AT]
    ranked.sort(key=lambda m: (-m.score, m.subject.pk))
    return ranked[:limit]
