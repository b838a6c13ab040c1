"""The provider prompts are worked out at most once a minute per LADO service (issue 19), yet a new
referral's prompt shows on the next view: saving a referral, a provider concern or the partnership's
settings deletes the cached entries (providers/receivers.py)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agencies.models import Partnership
from providers.selectors import PROMPTS_KEY, PROMPTS_SETTINGS_KEY
from tests.providers.factories import care_home, make_concern, pipot_referral

pytestmark = pytest.mark.django_db

PROMPT = "Consider the serious concerns process"
# Referrals of different categories: no cluster of similar concerns, only the number prompts (3 by default).
CATEGORIES = ("physical", "neglect", "emotional")


def _queue(client):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("allegations:triage_queue"))
    assert response.status_code == 200
    return response.content.decode(), [q["sql"] for q in ctx.captured_queries]


def _prompt_reads(queries) -> list[str]:
    """The partnership's settings and the grouped read of the service's referrals by provider."""
    return [q for q in queries if 'FROM "agencies_partnership"' in q or ("GROUP BY" in q and "allegations_referral" in q)]


def test_the_prompt_is_read_from_the_cache_and_a_new_referral_shows_at_once(login, lado_officer, lado_service,
                                                                            provider, asm):
    from django.core.cache import cache

    for category in CATEGORIES[:2]:
        pipot_referral(actor=lado_officer, lado_service=lado_service, provider=provider, category=category)
    client = login(lado_officer)
    client.get(reverse("allegations:triage_queue"))  # warm the process (content types, templates)
    cache.delete_many([PROMPTS_KEY.format(lado_service.pk), PROMPTS_SETTINGS_KEY])

    page, computed = _queue(client)  # works the prompts out and keeps them
    assert PROMPT not in page  # two referrals: not yet
    assert cache.get(PROMPTS_KEY.format(lado_service.pk)) is not None
    page, cached = _queue(client)
    assert PROMPT not in page
    assert _prompt_reads(computed)
    assert not _prompt_reads(cached)  # neither the partnership's settings nor the grouped read
    assert len(cached) < len(computed)

    pipot_referral(actor=lado_officer, lado_service=lado_service, provider=provider, category=CATEGORIES[2])
    page, _ = _queue(client)
    assert PROMPT in page and provider.name in page and "3 referrals about staff in the last 12 months" in page
    # ... and for everyone of the service: an adults' safeguarding manager's "My work" too.
    assert PROMPT in login(asm).get(reverse("allegations:my_work")).content.decode()

    make_concern(actor=asm, lado_service=lado_service, provider=provider)  # an open concern silences it
    assert PROMPT not in _queue(client)[0]


def test_a_referral_moved_to_another_provider_moves_the_prompt(login, lado_officer, lado_service, provider):
    other = care_home(lado_service, name="Willow Lodge Care Home")
    referrals = [pipot_referral(actor=lado_officer, lado_service=lado_service, provider=provider, category=category)
                 for category in CATEGORIES]
    client = login(lado_officer)
    assert provider.name in _queue(client)[0]

    referrals[0].employer, referrals[0].employer_name = other, other.name
    referrals[0].save(update_fields=["employer", "employer_name"])
    page, _ = _queue(client)
    assert PROMPT not in page  # two and one now


def test_an_unrelated_change_to_a_referral_keeps_the_cached_prompts(lado_officer, lado_service, provider):
    from django.core.cache import cache

    from providers.selectors import prompts_for

    referral = pipot_referral(actor=lado_officer, lado_service=lado_service, provider=provider)
    prompts_for(lado_officer)
    referral.save(update_fields=["assigned_to"])
    assert cache.get(PROMPTS_KEY.format(lado_service.pk)) is not None
    referral.save(update_fields=["category"])
    assert cache.get(PROMPTS_KEY.format(lado_service.pk)) is None


def test_new_thresholds_apply_at_once(login, lado_officer, lado_service, provider, partnership):
    for category in CATEGORIES:
        pipot_referral(actor=lado_officer, lado_service=lado_service, provider=provider, category=category)
    client = login(lado_officer)
    assert PROMPT in _queue(client)[0]
    partnership = Partnership.current()
    partnership.provider_prompt_referrals = 4
    partnership.save()
    assert PROMPT not in _queue(client)[0]
