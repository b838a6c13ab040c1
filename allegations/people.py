"""Reads for the people of a referral beyond its subject (issue 16 §1, §3): its children with whether their parents
or carers were told, the people associated with the allegation, and any other person alleged against. Each read
takes the person's CaseParts (selectors.case_parts_for / referral_parts_for), which decided what their level sees:
pages never decide it."""

from __future__ import annotations

from dataclasses import dataclass

from .models import AssociatedPerson, Child, OtherSubject, ParentsTold, Referral, Section
from .selectors import CaseParts, can_manage


def can_change_facts(user, referral: Referral) -> bool:
    """May this person correct and add to the referral's facts, its people and what they were told? The LADO
    service holding it, while the case (if any) is open."""
    if not can_manage(user, referral):
        return False
    case = getattr(referral, "case", None) if hasattr(referral, "case") else None
    return case is None or case.is_open


@dataclass(frozen=True)
class ChildTold:
    """One child and what was recorded about telling their parents or carers. `views` is the child's own views,
    or '' for a person whose level does not see them."""

    child: Child
    told: ParentsTold | None
    views: str


def people_told(parts: CaseParts, referral: Referral) -> list[ChildTold]:
    """Each child the person may see, with whether their parents or carers were told (two queries)."""
    if not parts.shows(Section.CHILDREN):
        return []
    children = list(referral.children.select_related("parents_told").order_by("pk"))
    shows_views = parts.shows(Section.CHILD_VIEWS)
    rows = []
    for child in children:
        told = getattr(child, "parents_told", None) if _has_told(child) else None
        rows.append(ChildTold(child=child, told=told, views=told.child_views if told and shows_views else ""))
    return rows


def _has_told(child: Child) -> bool:
    try:
        child.parents_told
    except ParentsTold.DoesNotExist:
        return False
    return True


def associated_people(parts: CaseParts, referral: Referral) -> list[AssociatedPerson]:
    if not parts.shows(Section.ASSOCIATED):
        return []
    return list(referral.associated_people.order_by("pk"))


def other_subjects(parts: CaseParts, referral: Referral) -> list[OtherSubject]:
    """Other people alleged against: shown wherever the referral's subject is (Section.REFERRAL)."""
    if not parts.shows(Section.REFERRAL):
        return []
    return list(referral.other_subjects.select_related("subject").order_by("pk"))
