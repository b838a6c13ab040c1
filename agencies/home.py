"""Where the home page sends a person with no role in any agency.

Agencies knows nothing of cases or meetings: an app above it offers a place for such a person by
registering a function (user -> URL or None) in its AppConfig.ready(). Meetings sends a guest to the one
meeting they were given access to, while it lasts (meetings/apps.py).
"""

from __future__ import annotations

from typing import Callable

_places: list[Callable[[object], str | None]] = []


def register_place_without_role(function: Callable[[object], str | None]) -> None:
    if function not in _places:
        _places.append(function)


def place_without_role(user) -> str | None:
    """The first place a registered app offers this person, if any."""
    for function in _places:
        url = function(user)
        if url:
            return url
    return None
