"""seed_demo tells a provider concern story: a care home with several PiPoT referrals under the serious concerns process."""

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from deadlines.models import Deadline
from providers.models import ConcernStatus, ProviderConcern

pytestmark = pytest.mark.django_db


def test_seed_demo_has_a_provider_concern_and_running_it_again_adds_none():
    call_command("seed_demo", stdout=io.StringIO())
    concern = ProviderConcern.objects.get()
    assert concern.status == ConcernStatus.INVOKED and concern.referrals.count() >= 2
    assert concern.meetings.filter(status="held").exists() and concern.plan_items.count() == 3
    assert Deadline.objects.filter(provider_concern=concern, kind__in=["admissions_review", "minutes_initial"]).count() == 2
    # Issue 18: the plan items are chased, the provider was written to, reviews follow a schedule; and the NHS
    # foundation trust's referrals prompt nothing (001 leaves foundation trusts out).
    assert Deadline.objects.filter(provider_concern=concern, kind="plan_item").count() == 3
    assert concern.letters.filter(status="sent").count() == 1 and concern.review_every_days == 28
    assert Deadline.objects.filter(provider_concern=concern, kind="concern_review", status="open").count() == 1
    from providers.selectors import prompts_for

    assert not any("NHS" in p.provider_name for p in prompts_for(concern.lead, now=timezone.now()))
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert ProviderConcern.objects.count() == 1 and "already exists" in out.getvalue()
    client = Client()
    client.force_login(concern.lead)
    page = client.get(reverse("providers:concern_detail", args=[concern.reference])).content.decode()
    assert concern.provider.name in page
