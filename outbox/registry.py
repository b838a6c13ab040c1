"""Names of side effects and the functions that carry them out.

The outbox knows nothing of the apps above it: each app registers its handlers by name in its own
tasks module (`@handler("meetings.minutes_pdf")`), and a message names its handler. A handler takes
keyword arguments (ids), must be safe to run again (a once-key, or a row that says it is done), and runs
inside the transaction that marks its message done (outbox.services.message_run).

A handler may also have a batch form (`@batch_form("outbox.deliver")`): one call for the arguments of many
messages of a batch (outbox.services.messages_run), doing with a few queries what the handler does with a few
queries each. It must do for each item exactly what the handler would, and either do all of them or raise (the
batch then runs each message on its own through the handler).
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
    # The batch form: function(items=[arguments, ...], connection=...) for many messages at once, or None.
    batch: Callable[..., object] | None = None


_handlers: dict[str, Handler] = {}


def handler(name: str, *, retry_for: tuple[type[BaseException], ...] = (OSError,), sends_mail: bool = False):
    """Register the decorated function as the handler called `name`. A handler that `sends_mail` takes a keyword
    argument `connection` (an e-mail backend, or None for a connection of its own)."""

    def register(function):
        existing = _handlers.get(name)
        if existing is not None and existing.function.__qualname__ != function.__qualname__:
            raise ValueError(f"Two outbox handlers are called {name!r}")
        batch = existing.batch if existing is not None else None
        _handlers[name] = Handler(name=name, function=function, retry_for=retry_for, sends_mail=sends_mail,
                                  batch=batch)
        return function

    return register


def batch_form(name: str):
    """Register the decorated function as the batch form of the handler called `name` (registered before it)."""

    def register(function):
        _handlers[name] = dataclasses.replace(get(name), batch=function)
        return function

    return register


def get(name: str) -> Handler:
    try:
        return _handlers[name]
    except KeyError:
        raise LookupError(f"No outbox handler is called {name!r}") from None


def names() -> list[str]:
    return sorted(_handlers)
