"""Names of side effects and the functions that carry them out.

The outbox knows nothing of the apps above it: each app registers its handlers by name in its own
tasks module (`@handler("meetings.minutes_pdf")`), and a message names its handler. A handler takes
keyword arguments (ids), must be safe to run again (a once-key, or a row that says it is done), and runs
inside the transaction that marks its message done (outbox.services.message_run).
"""

from __future__ import annotations

import dataclasses
from typing import Callable


@dataclasses.dataclass(frozen=True)
class Handler:
    name: str
    function: Callable[..., object]
    # Errors that may pass (a mail server or the network away for a while): the message is tried again
    # later. Any other error is recorded and the message is given up on (a programming error would only
    # fail again).
    retry_for: tuple[type[BaseException], ...]
    # The handler sends e-mail and takes `connection`, an open e-mail backend: a batch of messages
    # (services.messages_run) shares one connection to the mail server instead of one each.
    sends_mail: bool = False


_handlers: dict[str, Handler] = {}


def handler(name: str, *, retry_for: tuple[type[BaseException], ...] = (OSError,), sends_mail: bool = False):
    """Register the decorated function as the handler called `name`. A handler that `sends_mail` takes a keyword
    argument `connection` (an e-mail backend, or None for a connection of its own)."""

    def register(function):
        existing = _handlers.get(name)
        if existing is not None and existing.function.__qualname__ != function.__qualname__:
            raise ValueError(f"Two outbox handlers are called {name!r}")
        _handlers[name] = Handler(name=name, function=function, retry_for=retry_for, sends_mail=sends_mail)
        return function

    return register


def get(name: str) -> Handler:
    try:
        return _handlers[name]
    except KeyError:
        raise LookupError(f"No outbox handler is called {name!r}") from None


def names() -> list[str]:
    return sorted(_handlers)
