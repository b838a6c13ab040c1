"""Keeping the cached prompts (selectors.prompts_for) current, as providers/receivers.py does for its own.

A saved or deleted concern deletes its service's entry; a change to the partnership's settings deletes every
service's. At once, and again when the transaction commits (a view in between could have cached the old rows).
"""

from __future__ import annotations

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from agencies.models import Agency, AgencyKind, Partnership


def _forget(keys) -> None:
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))


def concern_saved(sender, instance, **kwargs) -> None:
    from .selectors import prompts_keys

    if instance.lado_service_id:
        _forget(prompts_keys([instance.lado_service_id]))


def partnership_saved(sender, instance, **kwargs) -> None:
    from .selectors import PROMPTS_SETTINGS_KEY, prompts_keys

    services = Agency.objects.filter(kind=AgencyKind.LADO_SERVICE).values_list("pk", flat=True)
    _forget([PROMPTS_SETTINGS_KEY, *prompts_keys(services)])


def connect() -> None:
    from .models import LowLevelConcern

    for signal in (post_save, post_delete):
        signal.connect(concern_saved, sender=LowLevelConcern, dispatch_uid="low-level-prompts-concern")
    post_save.connect(partnership_saved, sender=Partnership, dispatch_uid="low-level-prompts-partnership")
