"""Names for records that have no reference of their own: an action or a meeting is named by its case's
reference and its place among the case's actions or meetings ("MAS-2026-00042-A3", "MAS-2026-00042-M1"), in
the order they were made. Never a database id."""

from __future__ import annotations

import re

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.http import Http404

NAME = re.compile(r"(?P<reference>.+)-(?P<letter>[AM])(?P<number>[1-9][0-9]{0,5})")


def numbered(queryset, model):
    """Each row's place among its case's rows of the same kind (one correlated count, in the same query)."""
    place = (model.objects.filter(case=OuterRef("case"), pk__lte=OuterRef("pk")).order_by()
             .values("case").annotate(n=Count("pk")).values("n")[:1])
    return queryset.annotate(place=Subquery(place, output_field=IntegerField()))


def name_of(row, letter: str) -> str:
    return f"{row.case.referral.reference}-{letter}{row.place}"


def pk_of(name: str, letter: str, model) -> int:
    """The row named, whoever may see it (the caller then fetches it through its selector: 404 for others)."""
    match = NAME.fullmatch(name or "")
    if match is None or match["letter"] != letter or "\x00" in name:
        raise Http404("No such record")
    number = int(match["number"])
    rows = list(model.objects.filter(case__referral__reference=match["reference"]).order_by("pk")
                .values_list("pk", flat=True)[number - 1:number])
    if not rows:
        raise Http404("No such record")
    return rows[0]
