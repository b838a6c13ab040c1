"""Writes with business meaning for the partnership itself (STYLE.md: services own writes and transactions)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from .models import PROMPT_SETTINGS, SPAN_SETTINGS, Nation, Partnership, SpanUnit
from .permissions import standing

# The settings a person may change on the settings page, in the order the page asks for them.
SETTING_FIELDS = ("nation", *[f"{kind}_{part}" for kind in SPAN_SETTINGS for part in ("span", "unit")], *PROMPT_SETTINGS,
                  "digest_hour")


def may_change_settings(user) -> bool:
    """The LADO service manager, and the partnership administrator (or a superuser)."""
    s = standing(user)
    return s.is_lado_manager or s.is_administrator


def partnership_settings_update(*, actor, reason: str, **settings) -> Partnership:
    """Change the nation and the deadline spans, with who and why in the partnership's history.

    Only deadlines opened afterwards use the new values: an existing deadline keeps its due time."""
    if not may_change_settings(actor):
        raise PermissionDenied("Only the LADO service manager can change the partnership's settings.")
    unknown = set(settings) - set(SETTING_FIELDS)
    if unknown:
        raise TypeError(f"not settings: {sorted(unknown)}")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Enter why the settings are changing."})
    if "nation" in settings and settings["nation"] not in Nation.values:
        raise ValidationError({"nation": "Choose a UK nation."})
    for kind in SPAN_SETTINGS:
        unit = settings.get(f"{kind}_unit")
        if unit is not None and unit not in SpanUnit.values:
            raise ValidationError({f"{kind}_unit": "Choose hours, working days or days."})
        number = settings.get(f"{kind}_span")
        if number is not None and not (isinstance(number, int) and number >= 1):
            raise ValidationError({f"{kind}_span": "Enter a whole number of 1 or more."})
    for name in PROMPT_SETTINGS:
        number = settings.get(name)
        if number is not None and not (isinstance(number, int) and 1 <= number <= 366):
            raise ValidationError({name: "Enter a whole number from 1 to 366."})
    hour = settings.get("digest_hour")
    if hour is not None and not (isinstance(hour, int) and 0 <= hour <= 23):
        raise ValidationError({"digest_hour": "Choose an hour of the day."})
    with transaction.atomic(durable=True):
        current = Partnership.current()
        partnership = Partnership.objects.select_for_update().get(pk=current.pk)
        changed = [name for name, value in settings.items() if getattr(partnership, name) != value]
        if not changed:
            raise ValidationError("Nothing has changed. Change a setting, or cancel.")
        for name in changed:
            setattr(partnership, name, settings[name])
        partnership._history_user = actor
        partnership._change_reason = reason
        partnership.save()
    return partnership
