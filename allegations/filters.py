
import copy

from django.db.models import Model, Q
import django_filters
from django.http import QueryDict
from django_filters.constants import EMPTY_VALUES

from agencies.models import Sector
from config.forms import FetchedChoiceIterator
from config.lookups import any_of
from deadlines.wording import person_name

from .models import CaseStatus, ReferralStatus, Subject, Timing, Workforce


class OfficerChoices(FetchedChoiceIterator):
    """The officer select's choices, each officer's id and name (as label_from_instance names them: the full name,
    else the username) read as values in one query: a service may have dozens of officers, and a model built for
    each, on every queue page, only to be named. A chosen officer is still checked against the queryset."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        # The same rows read through a kept compiled read when the filter set was given one (TriageFilter's
        # officer_rows), else from the queryset.
        read = getattr(self.field, "officer_rows", None)
        rows = read() if read is not None else self.queryset.values_list("pk", "first_name", "last_name", "username")
        for pk, first_name, last_name, username in rows:
            yield (pk, person_name(first_name, last_name, username))


class _SharedFields(dict):
    """A kept filter set's form fields, which each form copies (Django deep-copies ``base_fields`` for each form, so
    that a form may change its own): only the fields named in ``copied`` are copied, the others are shared by every
    form, as nothing changes them (their choices are fixed, and validating or rendering a field changes nothing of
    it). Copying them for each request was a tenth of the queue's filter form (issue 19)."""

    def __init__(self, fields, *, copied: tuple[str, ...]):
        super().__init__(fields)
        self.copied = frozenset(copied)

    def __deepcopy__(self, memo):
        return {name: copy.deepcopy(field, memo) if name in self.copied else field for name, field in self.items()}


class KeptFilterSet(django_filters.FilterSet):
    """A filter set whose filters and form class are made once per process, not for each request (issue 19).

    django-filter deep-copies every filter for each filter set (so that each copy can hold its request), then builds
    a form class from the copies' newly made fields: about a sixth of the triage queue's Python. These filters hold
    nothing of a request: they are shared and never changed; Django copies the form's fields for each form, as for
    any form, so what a request sets (the officers to choose from) is set on its own form's copy; and the filter set
    applies the filters itself, with a method filter's method looked up on the filter set, not on a ``parent`` the
    shared filter would have to remember."""

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        if queryset is None:
            queryset = self._meta.model._default_manager.all()
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset
        self.request = request
        self.form_prefix = prefix
        self.filters = self.base_filters  # shared: read, never changed

    # The fields a request changes on its own form (TriageFilter's officers): only these are copied for each form.
    per_request_fields: tuple[str, ...] = ()

    @classmethod
    def _kept_form_class(cls):
        form_class = cls.__dict__.get("_form_class")
        if form_class is None:
            fields = {name: filter_.field for name, filter_ in cls.base_filters.items()}
            form_class = type(f"{cls.__name__}Form", (cls._meta.form,), fields)
            cls.prepare_form_class(form_class)
            form_class.base_fields = _SharedFields(form_class.base_fields, copied=cls.per_request_fields)
            cls._form_class = form_class
        return form_class

    @classmethod
    def prepare_form_class(cls, form_class) -> None:
        """Set what every form of this filter set shares on its class's fields (once)."""

    def get_form_class(self):
        return self._kept_form_class()

    def filter_queryset(self, queryset):
        for name, value in self.form.cleaned_data.items():
            filter_ = self.filters[name]
            if filter_.method is None:
                queryset = filter_.filter(queryset, value)
            elif value not in EMPTY_VALUES:  # as django-filter's FilterMethod
                queryset = getattr(self, filter_.method)(queryset, filter_.field_name, value)
        return queryset


class TriageFilter(KeptFilterSet):
    per_request_fields = ("officer",)  # each form's own officers (form, below)
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

    def __init__(self, *args, officers=None, officer_rows=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Their names are all the filter shows (and their ids all it filters by).
        self.officers = None if officers is None else officers.only("id", "username", "first_name", "last_name")
        # What the select lists: a function giving the officers' (id, first name, last name, username) rows, the same
        # rows as ``officers`` in its order (selectors.lado_officer_rows), which checks a chosen officer.
        self.officer_rows = officer_rows

    @classmethod
    def prepare_form_class(cls, form_class) -> None:
        officer = form_class.base_fields["officer"]
        officer.label_from_instance = lambda u: u.get_full_name() or u.username
        officer.iterator = OfficerChoices  # one query, no server-side cursor, no models

    @property
    def form(self):
        if not hasattr(self, "_form"):
            form = super().form
            form.fields["officer"].queryset = self.officers  # this form's own copy of the field
            form.fields["officer"].officer_rows = self.officer_rows
        return self._form

    def kept_key(self) -> tuple | None:
        """What this filter set's filtering of the queue is made from, for keeping its SQL (views.triage_queue): each
        filter's cleaned value (a chosen officer by id), or None, nothing kept, when the form has an error or a
        search is typed (what a person typed is never kept)."""
        form = self.form
        if not form.is_valid() or (form.cleaned_data.get("q") or "").strip():
            return None
        key = []
        for name, value in form.cleaned_data.items():
            if isinstance(value, Model):
                value = (value._meta.label, value.pk)
            elif not (value is None or isinstance(value, str)):
                return None
            key.append((name, value))
        return tuple(key)

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
        return queryset.filter(condition | any_of("subject_id", subjects))

    def by_status(self, queryset, name, value):
        if value == "open":
            return queryset.filter(status__in=[ReferralStatus.NEW, ReferralStatus.DISCUSSED])
        if value == "all":
            return queryset
        return queryset.filter(status=value)


class CaseFilter(KeptFilterSet):
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



