"""What the apps above allegations add to its pages.

Allegations imports no app above it (pyproject.toml [tool.importlinter]). Its pages that show their work
(the case's pages its meetings and actions, the overview its next meeting and open actions; the triage queue and
"My work" the provider concerns' prompt and deadlines) ask the functions those apps register here in their
AppConfig.ready() (meetings/apps.py, providers/apps.py).
Each takes the page's keyword arguments and returns a dict to add to the page's context.

A part that reads Django's cache (the prompts, worked out once a minute) may name the keys it reads
(``cache_keys``, taking the same keyword arguments): the page reads every part's keys in one round trip (the
cache is the database's table: one query, not one a part) and hands each such part what was found as ``cached``.
"""

from __future__ import annotations

from typing import Callable

CASE_DETAIL = "case_detail"  # (*, user, case): the case's meetings and actions pages
CASE_OVERVIEW = "case_overview"  # (*, user, case): the overview's next meeting and the actions it waits on
TRIAGE_QUEUE = "triage_queue"  # (*, user)
MY_WORK = "my_work"  # (*, user)
OUR_ACTIONS = "our_actions"  # (*, user): meetings' "Our actions" page; provider concerns add their plan items

_parts: dict[str, list[tuple[Callable[..., dict], Callable[..., list[str]] | None]]] = {}


def register_page_part(page: str, function: Callable[..., dict],
                       cache_keys: Callable[..., list[str]] | None = None) -> None:
    parts = _parts.setdefault(page, [])
    if all(registered is not function for registered, _ in parts):
        parts.append((function, cache_keys))


def page_parts(page: str, **kwargs) -> dict:
    """The context the registered apps add to `page`, in the order they registered."""
    from django.core.cache import cache

    parts = _parts.get(page, ())
    keys = [key for _, cache_keys in parts if cache_keys is not None for key in cache_keys(**kwargs)]
    cached = cache.get_many(keys) if keys else {}
    context: dict = {}
    for function, cache_keys in parts:
        context.update(function(cached=cached, **kwargs) if cache_keys is not None else function(**kwargs))
    return context
