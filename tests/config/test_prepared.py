"""config.prepared: a queryset compiled once gives, run with other values, what the queryset itself gives; a subquery
compiled once filters as the queryset it keeps, its rows read afresh by each query."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from django.db.models import Count

from agencies.models import Membership, Notification
from allegations.models import Case, Referral, Restriction
from allegations.querysets import hidden_referral_ids
from config.prepared import KeptSubquery, Prepared
from tests.agencies.factories import UserFactory

pytestmark = pytest.mark.django_db


def _memberships(user_id):
    return Membership.objects.filter(user_id=user_id, agency__is_active=True).values_list("agency_id", "role")


def test_the_rows_are_the_querysets_rows_for_every_value(lado_officer, lado_manager, agency_a_manager):
    prepared = Prepared(_memberships)
    nobody = UserFactory(username="nobody")
    for user in (lado_officer, lado_manager, agency_a_manager, nobody, lado_officer):
        assert sorted(prepared.rows(user.pk)) == sorted(_memberships(user.pk))
    assert prepared.rows(nobody.pk) == []


def test_a_count_grouped_by_person_is_no_row_for_none(lado_officer):
    def unread(user_id):
        return (Notification.objects.filter(user_id=user_id, read_at__isnull=True)
                .values("user_id").annotate(n=Count("pk")).values_list("n"))

    prepared = Prepared(unread)
    assert prepared.rows(lado_officer.pk) == []
    Notification.objects.create(user=lado_officer, title="One", link="/", key="one")
    Notification.objects.create(user=lado_officer, title="Two", link="/", key="two")
    assert prepared.rows(lado_officer.pk) == [(2,)] == list(unread(lado_officer.pk))


def test_the_databases_converters_are_applied(lado_officer):
    Authenticator.objects.create(user=lado_officer, type=Authenticator.Type.RECOVERY_CODES, data={"seed": "x"})
    def data(user_id):
        return Authenticator.objects.filter(user_id=user_id).order_by("pk").values_list("data")

    rows = Prepared(data).rows(lado_officer.pk)
    assert rows == list(data(lado_officer.pk)) and rows[-1] == ({"seed": "x"},)  # JSON decoded, as the ORM does


def test_what_cannot_be_prepared_is_refused_when_first_run():
    with pytest.raises(ValueError, match="values_list"):
        Prepared(lambda user_id: Membership.objects.filter(user_id=user_id)).rows(1)
    with pytest.raises(ValueError, match="stand-in"):
        Prepared(lambda user_id: Membership.objects.all().values_list("pk")).rows(1)


def test_a_kept_subquery_is_the_querysets_sql_and_reads_its_rows_afresh(case, lado_officer, lado_manager):
    """Compiled once, the subquery is the SQL Django writes for its queryset in a query's __in= (so pages' SQL is
    unchanged), and what it selects is read by each query: a restriction made after it was compiled hides the
    case at once, and naming the officer on it shows the case again."""
    def restricted_from(user):
        return Restriction.objects.exclude(may_open=user).values("referral_id")

    kept = KeptSubquery(restricted_from(lado_officer))
    for model, lookup in ((Case, "referral_id__in"), (Referral, "pk__in")):
        assert (str(model.objects.exclude(**{lookup: kept}).query)
                == str(model.objects.exclude(**{lookup: restricted_from(lado_officer)}).query))
    assert list(Case.objects.exclude(referral_id__in=kept)) == [case]

    restriction = Restriction.objects.create(referral=case.referral, reason="One of our own.",
                                             restricted_by=lado_manager)
    assert list(Case.objects.exclude(referral_id__in=kept)) == []
    assert list(Case.objects.filter(referral_id__in=kept)) == [case]
    restriction.may_open.add(lado_officer)
    assert list(Case.objects.exclude(referral_id__in=kept)) == [case]
    # The one hidden_referral_ids keeps for the officer: the same rule, the same answers.
    assert list(Case.objects.exclude(referral_id__in=hidden_referral_ids(lado_officer))) == [case]
    assert list(Case.objects.exclude(referral_id__in=hidden_referral_ids(lado_manager))) == []
