"""What records needs from the records its documents belong to: a referral, a case, a meeting.

Records sits below allegations and meetings (pyproject.toml [tool.importlinter]) and imports neither.
The apps that own those records register the rules records asks about, in their AppConfig.ready()
(allegations/apps.py, meetings/apps.py); their models are reached by name (`model("allegations",
"Referral")`), as Document's own foreign keys name them.

Rules (each registered by the app that owns the record):
- allegations: referral_get(*, user, reference) and case_get(*, user, reference), the 404-or-record
  fetchers; visible_documents(user, referral, documents), need to know over a referral's and a case's
  documents; hidden_referral_ids(user), restricted referrals; event_record(**fields), the case timeline.
- meetings: meeting_get(*, user, pk); meeting_insider(user, meeting), who sees all of a meeting's
  documents (the LADO service, the chair, the minute taker); meeting_manager(user, meeting), who attaches
  them; case_lado(user, case), the LADO service holding a meeting's case (None for a provider concern's).
"""

from __future__ import annotations

from typing import Any, Callable

from django.apps import apps

RULES = frozenset({
    "referral_get", "case_get", "visible_documents", "hidden_referral_ids", "event_record",
    "meeting_get", "meeting_insider", "meeting_manager", "case_lado",
})

_rules: dict[str, Callable[..., Any]] = {}


def register(**functions: Callable[..., Any]) -> None:
    """Register rules by name (from an AppConfig.ready())."""
    unknown = set(functions) - RULES
    if unknown:
        raise ValueError(f"Records asks for no rule called {', '.join(sorted(unknown))}")
    for name, function in functions.items():
        existing = _rules.get(name)
        if existing is not None and existing is not function:
            raise ValueError(f"Two apps give records the rule {name!r}")
        _rules[name] = function


def rule(name: str) -> Callable[..., Any]:
    try:
        return _rules[name]
    except KeyError:
        raise LookupError(f"No app has given records the rule {name!r}") from None


def model(app_label: str, model_name: str):
    """A model of an app above records, by name (django.apps: no import)."""
    return apps.get_model(app_label, model_name)
