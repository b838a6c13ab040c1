"""`manage.py seed_demo`: the demo partnership is complete, and running it twice adds nothing."""

import io

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db.models import Count

from allegations.management.commands.seed_demo import DEMO_PASSWORD, DEMO_USERNAMES
from allegations.models import Case, CaseStatus, Referral, ReferralStatus, Subject

pytestmark = pytest.mark.django_db


def _row_counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in ("auth", "agencies", "allegations", "guardian")
    }


def _seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seed_demo_is_complete_and_idempotent():
    first_output = _seed()
    after_first = _row_counts()
    second_output = _seed()
    assert _row_counts() == after_first, "the second run created or removed rows"
    assert "none added" in second_output
    assert DEMO_PASSWORD in first_output

    assert Referral.objects.count() >= 60
    statuses = set(Referral.objects.values_list("status", flat=True))
    assert statuses == set(ReferralStatus.values)
    assert set(Case.objects.values_list("status", flat=True)) == set(CaseStatus.values)

    for username in ("school.dsl", "fostering.manager"):
        assert Referral.objects.filter(submitted_by__username=username).count() >= 3, username

    for username in DEMO_USERNAMES:
        assert authenticate(username=username, password=DEMO_PASSWORD) is not None, username

    assert Subject.objects.annotate(n=Count("referrals")).filter(n__gte=2).exists()
