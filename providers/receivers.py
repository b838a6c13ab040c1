"""Keeping the cached provider prompts (providers.selectors.prompts_for) current.

A saved referral (a new one, or one whose employer, category or date changed) deletes its service's
entry; a saved provider concern (opened or concluded, which starts or stops a provider's prompt)
deletes every service's, as does a change to the partnership's thresholds. The entries are deleted at
once and again when the transaction commits: a view in between could have cached the old rows.
"""

from __future__ import annotations

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from agencies.models import Agency, AgencyKind, Partnership

# A referral saved with only these fields changed (assignment, status, triage) changes no prompt.
PROMPT_FIELDS = {"lado_service", "lado_service_id", "employer", "employer_id", "category", "received_at"}


def _forget(keys) -> None:
    cache.delete_many(keys)  # now: this transaction's own later reads (and tests) see the change
    transaction.on_commit(lambda: cache.delete_many(keys))  # and again once others can see it


def _every_service() -> list[str]:
    from .selectors import PROMPTS_SETTINGS_KEY, prompts_keys

    services = Agency.objects.filter(kind=AgencyKind.LADO_SERVICE).values_list("pk", flat=True)
    return [PROMPTS_SETTINGS_KEY, *prompts_keys(services)]


def referral_saved(sender, instance, created=False, update_fields=None, **kwargs) -> None:
    from .selectors import prompts_keys

    if update_fields is not None and not created and not set(update_fields) & PROMPT_FIELDS:
        return
    if instance.lado_service_id:
        _forget(prompts_keys([instance.lado_service_id]))


def concern_saved(sender, instance, **kwargs) -> None:
    _forget(_every_service())  # an open concern about a provider silences its prompt in every service


def partnership_saved(sender, instance, **kwargs) -> None:
    _forget(_every_service())  # the thresholds, and the cluster window the rows were counted in


def connect() -> None:
    from allegations.models import Referral

    from .models import ProviderConcern

    for signal in (post_save, post_delete):
        signal.connect(referral_saved, sender=Referral, dispatch_uid="provider-prompts-referral")
        signal.connect(concern_saved, sender=ProviderConcern, dispatch_uid="provider-prompts-concern")
    post_save.connect(partnership_saved, sender=Partnership, dispatch_uid="provider-prompts-partnership")
