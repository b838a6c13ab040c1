"""Who may see what, as queryset filters (visible_to), and the annotations lists need."""

import functools

from django.db import models, router
from django.db.models import Q
from django.db.models.expressions import RawSQL

from agencies.permissions import standing

from .permissions import shared_case_ids_filter


def hidden_referral_ids(user):
    """Referrals (and their cases) restricted to named people, this user not among them: a subquery.
    The LADO service's own work is filtered through it everywhere it is listed or opened."""
    if user.pk is None:
        return _hidden_referral_ids_query(user)
    # The one compiled for this user: its rows are read afresh by each query that uses it, as before; only its SQL
    # is kept.
    return _hidden_referral_ids_of(user.pk)


def _hidden_referral_ids_query(user):
    from .models import Restriction

    return Restriction.objects.exclude(may_open=user).values("referral_id")


@functools.lru_cache(maxsize=1024)
def _hidden_referral_ids_of(user_id: int) -> RawSQL:
    """hidden_referral_ids' subquery for a user, built and compiled to SQL once per process: it holds the user's id
    and nothing read from the database, so it cannot go stale. Building its exclusion through the many-to-many was
    0.2 ms, and compiling it again into every query that uses it (the queue's count and page) 0.2 ms each (issue
    19). Compiled on its own, its tables keep their names (and the many-to-many its alias): inside the subquery
    they are the nearest in scope, whatever the outer query calls its own."""
    query = _hidden_referral_ids_query(user_id)
    sql, params = query.query.get_compiler(using=router.db_for_read(query.model)).as_sql()
    return RawSQL(sql, params)


class SubjectQuerySet(models.QuerySet):
    def live(self):
        return self.filter(merged_into__isnull=True)


class ReferralQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The LADO service sees its own work; an agency what it submitted and cases shared with it."""
        s = standing(user)
        condition = Q()
        if s.lado_service_ids:
            condition |= Q(lado_service_id__in=s.lado_service_ids) & ~Q(pk__in=hidden_referral_ids(user))
        if s.outside_agency_ids:
            condition |= Q(referring_agency_id__in=s.outside_agency_ids)
            condition |= Q(case__in=shared_case_ids_filter(s))
        if not condition:
            return self.none()
        return self.filter(condition)

    def open_to(self, user):
        """Without the restricted referrals this user is not named on."""
        return self.exclude(pk__in=hidden_referral_ids(user))


class CaseQuerySet(models.QuerySet):
    def visible_to(self, user):
        s = standing(user)
        condition = Q()
        if s.lado_service_ids:
            condition |= Q(referral__lado_service_id__in=s.lado_service_ids) & ~Q(referral_id__in=hidden_referral_ids(user))
        if s.outside_agency_ids:
            condition |= Q(referral__referring_agency_id__in=s.outside_agency_ids)
            condition |= Q(pk__in=shared_case_ids_filter(s))
        if not condition:
            return self.none()
        return self.filter(condition)

    def managed_by(self, user):
        """Cases the user runs for the LADO service (not merely sees)."""
        s = standing(user)
        return self.filter(referral__lado_service_id__in=s.lado_service_ids).open_to(user)

    def open_to(self, user):
        """Without the cases of restricted referrals this user is not named on."""
        return self.exclude(referral_id__in=hidden_referral_ids(user))
