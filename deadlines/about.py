"""What a deadline is about, as the apps above tell it.

`deadlines/` is the statutory clock, a layer below allegations, meetings and providers
(STYLE.md "Layout"): it imports none of them. A deadline belongs to a referral (and its case)
or to a provider concern; who owns it, who its escalation goes to, where its notice links and
when its work closed are facts those apps hold. Each app tells them here, in its
`AppConfig.ready()`:

- a **subject** per foreign key of `Deadline` (`referral`, `provider_concern`): how to chase
  the deadlines of that kind of thing (deadlines.md "Chasing");
- a **kind** extra where one kind of deadline has more to say (an `action` agreed in a meeting
  also escalates to the action agency's senior managers and the meeting's chair);
- **facts** the lists of "My work" and the team view need beside the deadlines (open referrals,
  restricted referrals, agency actions).

A missing registration is a loud error, never a silent "nobody to chase".
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any


@dataclasses.dataclass(frozen=True)
class Subject:
    """How the deadlines of one kind of thing are chased and shown."""

    field: str  # the foreign key of Deadline that names the thing ("referral", "provider_concern")
    reference: Callable[[Any], str]  # (deadline) -> the thing's reference: never a name
    link: Callable[[Any], str]  # (deadline) -> the page of the thing
    closed_at: Callable[[Any], dt.datetime | None]  # (deadline) -> when its work closed; None while open
    owner_recipients: Callable[[Any], list]  # (deadline) -> who is reminded and told it is overdue
    escalation_recipients: Callable[[Any], list]  # (deadline) -> the owner's managers
    # What the functions above read beyond the deadline's own columns, as paths from Deadline for `.only()`
    # ("referral__reference"; a foreign key's path loads its id): the sweep reads a batch with only these (issue 19:
    # a referral has dozens of columns the chase never reads). A path missing here costs a query per deadline,
    # which the sweep's query-count test catches.
    reads: tuple[str, ...] = ()
    # The people the functions reach through those keys ("case__owner"): read once for the batch, not per deadline.
    people: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class KindExtra:
    """More to say about one kind of deadline (e.g. `action`: its agency and its meeting's chair)."""

    kind: str
    escalation_recipients: Callable[[Any], list]  # (deadline) -> also escalated to these
    link_for: Callable[[Any, Any, str], str]  # (deadline, user, link) -> the link this user is sent
    on_overdue: Callable[[Any], None] | None = None  # (deadline) -> anything more to do when it falls overdue
    reads: tuple[str, ...] = ()  # as Subject.reads: what these functions read of the deadline's relations


_subjects: dict[str, Subject] = {}
_kinds: dict[str, KindExtra] = {}
_facts: dict[str, Callable] = {}


def subject_register(subject: Subject) -> None:
    _subjects[subject.field] = subject


def kind_register(extra: KindExtra) -> None:
    _kinds[extra.kind] = extra


def fact_register(name: str, function: Callable) -> None:
    _facts[name] = function


def subject_of(deadline) -> Subject:
    """The subject of this deadline: the first registered foreign key that is set on it."""
    for field, subject in _subjects.items():
        if getattr(deadline, f"{field}_id", None):
            return subject
    raise LookupError(f"deadline {deadline.pk}: no app has told deadlines how to chase what it is about "
                      f"(registered: {sorted(_subjects)})")


def chase_reads() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """What every registered subject and kind reads of a deadline's relations: (the paths, the people's paths)."""
    reads = {path for registered in (*_subjects.values(), *_kinds.values()) for path in registered.reads}
    people = {path for subject in _subjects.values() for path in subject.people}
    return tuple(sorted(reads)), tuple(sorted(people))


def kind_extra(kind: str) -> KindExtra | None:
    return _kinds.get(kind)


def fact(name: str) -> Callable:
    try:
        return _facts[name]
    except KeyError:
        raise LookupError(f"no app has told deadlines the fact {name!r} (registered: {sorted(_facts)})") from None
