
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import F, Lookup, Q
import django_filters

from agencies.models import Sector
from config.forms import FetchedChoiceIterator

from .models import CaseStatus, ReferralStatus, Subject, Timing, Workforce


class _EqualsAny(Lookup):
    """``column = ANY(ARRAY(subquery))``. Unlike ``IN (subquery)``, PostgreSQL can OR it with another
    indexed condition (a BitmapOr of two index scans) instead of testing every row."""

    lookup_name = "equals_any"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = compiler.compile(self.rhs)
        return f"{lhs} = ANY({rhs})", (*lhs_params, *rhs_params)


class TriageFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Reference or name", method="search")
    # Open work by default (the view sets it): new and discussed referrals; "All referrals" shows the rest too.
    status = django_filters.ChoiceFilter(label="Status", choices=[("open", "Open work"), ("all", "All referrals"),
                                                                  *ReferralStatus.choices],
                                         method="by_status", empty_label=None)
    officer = django_filters.ModelChoiceFilter(label="Officer", field_name="assigned_to", queryset=None,
                                               empty_label="Any officer")
    sector = django_filters.ChoiceFilter(label="Sector", choices=Sector.choices, empty_label="Any sector")
    workforce = django_filters.ChoiceFilter(label="Workforce", choices=Workforce.choices, empty_label="Any workforce")
    timing = django_filters.ChoiceFilter(label="Timing", choices=Timing.choices, empty_label="Any timing")

    def __init__(self, *args, officers=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Their names are all the filter shows (and their ids all it filters by).
        if officers is not None:
            officers = officers.only("id", "username", "first_name", "last_name")
        self.filters["officer"].queryset = officers
        self.filters["officer"].field.label_from_instance = lambda u: u.get_full_name() or u.username
        self.filters["officer"].field.iterator = FetchedChoiceIterator  # one query, no server-side cursor

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        condition = Q(reference__iexact=value)
        parts = value.split()
        name_q = Q()
        for part in parts:
            name_q &= Q(given_name__icontains=part) | Q(family_name__icontains=part) | Q(known_as__icontains=part)
        # The people first (trigram indexes), then their referrals (subject index): fast at 100,000
        # referrals, where joining every referral to its subject to test the names was not (benchmarks/).
        subjects = Subject.objects.filter(name_q).values("pk")
        return queryset.filter(condition | _EqualsAny(F("subject_id"), ArraySubquery(subjects)))

    def by_status(self, queryset, name, value):
        if value == "open":
            return queryset.filter(status__in=[ReferralStatus.NEW, ReferralStatus.DISCUSSED])
        if value == "all":
            return queryset
        return queryset.filter(status=value)


class CaseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Reference or name", method="search")
    status = django_filters.ChoiceFilter(label="Status", choices=CaseStatus.choices, empty_label="Any status")
    sector = django_filters.ChoiceFilter(label="Sector", field_name="referral__sector", choices=Sector.choices, empty_label="Any sector")
    workforce = django_filters.ChoiceFilter(label="Workforce", field_name="referral__workforce", choices=Workforce.choices,
                                            empty_label="Any workforce")

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        name_q = Q()
        for part in value.split():
            name_q &= Q(referral__subject__given_name__icontains=part) | Q(referral__subject__family_name__icontains=part)
        return queryset.filter(Q(referral__reference__iexact=value) | name_q)



