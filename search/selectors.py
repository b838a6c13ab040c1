"""Search across everything the user may see: referrals, cases, meetings and provider concerns.

Need to know is not decided here. Each group is read through its own record's `visible_to` (the one rule per
kind of record); this module only says what a query matches:

- a reference, or any part of one ("00052" finds MAS-2026-00052);
- the person's names, known-as name, previous names and aliases, allowing for typing mistakes (PostgreSQL
  trigram word similarity, "%>"; the expressions are UPPER(column), as the GIN trigram indexes are built, so
  the indexes are used: allegations migrations 0002 and 0011);
- the employer's name (and, for provider concerns, the provider's);
- for the LADO service's own staff only, a child's first name on their service's referrals (never for an
  agency, even one that may see the children's details of a shared case).

A meeting is found by its case's or provider concern's reference, or when its case or concern is one the user
may see and that matches: a meeting invitee who may not see the case is never told whose case it is.

Each group holds at most LIMIT rows (one query each, with what the rows show joined in), so the number of
queries does not grow with the number of matches. Nothing here logs the query: it may hold a name.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection, transaction
from django.contrib.postgres.search import TrigramWordSimilarity
from django.db.models import Case as Case_
from django.contrib.postgres.lookups import TrigramWordSimilar
from django.db.models import CharField, FloatField, Q, Value, When
from django.db.models.functions import Concat, Greatest, Upper

from agencies.permissions import standing
from config.lookups import any_of
from allegations.matching import phonetic_key
from allegations.models import Case, Child, Referral, ReferralStatus, Subject, SubjectName
from meetings.models import Meeting
from providers.models import ProviderConcern

LIMIT = 20
MIN_LENGTH = 3
MAX_LENGTH = 100
# Lower than PostgreSQL's default (0.6) so one wrong letter in a short surname still matches ("Morgen" for
# Morgan scores 0.57), yet not a different name ("Morris" for Morgan scores 0.43); set for the search's own
# transaction only. Names that sound the same ("Smyth", "Smith") match through their phonetic keys; looser
# matches come after closer ones (relevance()).
WORD_SIMILARITY_THRESHOLD = 0.45


@dataclass
class Row:
    reference: str
    url: str
    title: str  # what it is: "Referral", "Case", the meeting's kind, "Provider concern"
    person: str = ""
    employer: str = ""
    status: str = ""
    when: object = None


@dataclass
class Group:
    key: str
    title: str
    rows: list[Row] = field(default_factory=list)
    more: bool = False  # more than LIMIT matched


@dataclass
class Results:
    query: str
    groups: list[Group]

    @property
    def total(self) -> int:
        return sum(len(g.rows) for g in self.groups)


def normalise(query: str) -> str:
    """The query as searched: white space collapsed."""
    return " ".join((query or "").split())


# --- What matches -------------------------------------------------------------------------------------------



def _name_word(word: str) -> Q:
    """One word of the query, like one of a person's names (their own, known-as, previous or alias): similar
    letters (trigram indexes), or the same sound (the phonetic keys of allegations.matching, indexed)."""
    upper = word.upper()
    previous = Q(ug__trigram_word_similar=upper) | Q(uf__trigram_word_similar=upper)
    own = Q(ug__trigram_word_similar=upper) | Q(uf__trigram_word_similar=upper) | Q(uk__trigram_word_similar=upper)
    key = phonetic_key(word)
    if len(key) >= 2:  # one letter ("Lee": "L") would match half the people
        own |= Q(family_key=key) | Q(given_key=key)
        previous |= Q(family_key=key)
    names = SubjectName.objects.alias(ug=Upper("given_name"), uf=Upper("family_name")).filter(previous)
    return own | any_of("pk", names.values("subject_id"))


def matching_subjects(query: str):
    """People every word of whose query is like one of their names ("Alex Morgen" finds Alex Morgan)."""
    condition = Q()
    for word in query.split():
        condition &= _name_word(word)
    return Subject.objects.alias(ug=Upper("given_name"), uf=Upper("family_name"), uk=Upper("known_as")).filter(condition)


def _referral_condition(query: str, lado_service_ids, prefix: str = "") -> Q:
    """What a referral (or, with prefix "referral__", a case) matches."""
    condition = (
        Q(**{f"{prefix}reference__icontains": query})
        | any_of(f"{prefix}subject_id", matching_subjects(query).values("pk"))
        | Q(TrigramWordSimilar(Upper(f"{prefix}employer_name"), query.upper()))
        | Q(**{f"{prefix}employer_name__icontains": query})
    )
    if lado_service_ids:  # the child's first name, for the LADO service's own referrals only
        children = Child.objects.alias(ug=Upper("given_name")).filter(ug=query.upper()).values("referral_id")
        condition |= (Q(**{f"{prefix}lado_service_id__in": lado_service_ids})
                      & any_of("referral_id" if prefix else "pk", children))
    return condition


def relevance(query: str, prefix: str = ""):
    """How closely a referral (or a case, prefix "referral__") matches, 0 to 1, to list the closest first: the
    whole reference, then the best of the person's names and the employer."""
    upper = query.upper()
    names = Concat(Upper(f"{prefix}subject__given_name"), Value(" "), Upper(f"{prefix}subject__family_name"),
                   Value(" "), Upper(f"{prefix}subject__known_as"), output_field=CharField())
    return Greatest(
        Case_(When(**{f"{prefix}reference__iexact": query}, then=Value(1.0)), default=Value(0.0),
              output_field=FloatField()),
        TrigramWordSimilarity(upper, names),
        TrigramWordSimilarity(upper, Upper(f"{prefix}employer_name")),
        output_field=FloatField(),
    )


def matching_referrals(user, query: str):
    s = standing(user)
    return Referral.objects.visible_to(user).filter(_referral_condition(query, s.lado_service_ids))


def matching_cases(user, query: str):
    s = standing(user)
    return Case.objects.visible_to(user).filter(_referral_condition(query, s.lado_service_ids, prefix="referral__"))


def matching_concerns(user, query: str):
    return (
        ProviderConcern.objects.visible_to(user).alias(provider_upper=Upper("provider__name"))
        .filter(Q(reference__icontains=query) | Q(provider_upper__trigram_word_similar=query.upper())
                | Q(provider__name__icontains=query))
    )


def matching_meetings(user, query: str):
    return Meeting.objects.visible_to(user).filter(
        Q(case__referral__reference__icontains=query)
        | Q(provider_concern__reference__icontains=query)
        | Q(case_id__in=matching_cases(user, query).values("pk"))
        | Q(provider_concern_id__in=matching_concerns(user, query).values("pk"))
    )


# --- The page -----------------------------------------------------------------------------------------------

def _bounded(queryset) -> tuple[list, bool]:
    rows = list(queryset[: LIMIT + 1])
    return rows[:LIMIT], len(rows) > LIMIT


def _threshold() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('pg_trgm.word_similarity_threshold', %s, true)",
                       [str(WORD_SIMILARITY_THRESHOLD)])


def search(*, user, query: str) -> Results:
    """Everything the user may see that matches, in four groups of at most LIMIT rows: a constant number of
    queries. `query` must already be valid (forms.SearchForm)."""
    from django.urls import reverse

    query = normalise(query)
    with transaction.atomic():
        _threshold()
        referrals, more_referrals = _bounded(
            matching_referrals(user, query).exclude(status=ReferralStatus.CASE_OPENED)  # under Cases
            .select_related("subject").annotate(relevance=relevance(query)).order_by("-relevance", "-received_at", "-pk"))
        cases, more_cases = _bounded(
            matching_cases(user, query).select_related("referral__subject")
            .annotate(relevance=relevance(query, "referral__")).order_by("-relevance", "-opened_at", "-pk"))
        meetings, more_meetings = _bounded(
            matching_meetings(user, query).select_related("case__referral__subject", "provider_concern__provider")
            .order_by("-scheduled_at", "-pk"))
        concerns, more_concerns = _bounded(
            matching_concerns(user, query).select_related("provider").order_by("-recorded_at", "-pk"))
        # Whose meeting it is, only where the user may see the case or concern itself.
        case_ids = {m.case_id for m in meetings if m.case_id}
        seen_cases = set(Case.objects.visible_to(user).filter(pk__in=case_ids).values_list("pk", flat=True)) if case_ids else set()
        concern_ids = {m.provider_concern_id for m in meetings if m.provider_concern_id}
        seen_concerns = set(ProviderConcern.objects.visible_to(user).filter(pk__in=concern_ids)
                            .values_list("pk", flat=True)) if concern_ids else set()

    def meeting_row(m: Meeting) -> Row:
        row = Row(reference="", url=reverse("meetings:meeting_detail", args=[m.pk]), title=m.get_kind_display(),
                  status=m.get_status_display(), when=m.scheduled_at)
        if m.case_id:
            row.reference = m.case.referral.reference
            if m.case_id in seen_cases:
                row.person, row.employer = m.case.referral.subject.full_name, m.case.referral.employer_name
        elif m.provider_concern_id:
            row.reference = m.provider_concern.reference
            if m.provider_concern_id in seen_concerns:
                row.employer = m.provider_concern.provider.name
        return row

    return Results(query=query, groups=[
        Group("referrals", "Referrals", [
            Row(reference=r.reference, url=reverse("allegations:referral_detail", args=[r.reference]), title="Referral",
                person=r.subject.full_name, employer=r.employer_name, status=r.get_status_display(), when=r.received_at)
            for r in referrals], more_referrals),
        Group("cases", "Cases", [
            Row(reference=c.referral.reference, url=reverse("allegations:case_detail", args=[c.referral.reference]),
                title="Case", person=c.referral.subject.full_name, employer=c.referral.employer_name,
                status=c.get_status_display(), when=c.opened_at)
            for c in cases], more_cases),
        Group("meetings", "Meetings", [meeting_row(m) for m in meetings], more_meetings),
        Group("concerns", "Provider concerns", [
            Row(reference=p.reference, url=reverse("providers:concern_detail", args=[p.reference]),
                title="Provider concern", employer=p.provider.name, status=p.get_status_display(), when=p.recorded_at)
            for p in concerns], more_concerns),
    ])
