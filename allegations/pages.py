"""What the apps above allegations add to its pages.

Allegations imports no app above it (pyproject.toml [tool.importlinter]). Its pages that show their work
(the case page its meetings; the triage queue and "My work" the provider concerns' prompt and deadlines)
ask the functions those apps register here in their AppConfig.ready() (meetings/apps.py, providers/apps.py).
Each takes the page's keyword arguments and returns a dict to add to the page's context.
"""

from __future__ import annotations

from typing import Callable

CASE_DETAIL = "case_detail"  # (*, user, case)
TRIAGE_QUEUE = "triage_queue"  # (*, user)
MY_WORK = "my_work"  # (*, user)
OUR_ACTIONS = "our_actions"  # (*, user): meetings' "Our actions" page; provider concerns add their plan items

_parts: dict[str, list[Callable[..., dict]]] = {}


def register_page_part(page: str, function: Callable[..., dict]) -> None:
    functions = _parts.setdefault(page, [])
    if function not in functions:
        functions.append(function)


def page_parts(page: str, **kwargs) -> dict:
    """The context the registered apps add to `page`, in the order they registered."""
    context: dict = {}
    for function in _parts.get(page, ()):
        context.update(function(**kwargs))
    return context
