"""Lists that keep their place: server-side sorting by a column's link (the link keeps the filters,
so it works without JavaScript), and the list's query remembered in the session so that the back
link of a record opened from the list returns to the same filters, sort and page."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F
from django.urls import reverse


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    fields: tuple[str, ...] = ()  # order_by fields for ascending; empty: not sortable
    first: str = "asc"  # the direction a first click sorts by


@dataclass(frozen=True)
class Header:
    label: str
    key: str
    href: str  # "" when the column does not sort
    aria_sort: str  # "ascending", "descending" or "none"


def sorted_by(request, queryset, columns: list[Column]):
    """(queryset ordered by ?sort=<key>&dir=asc|desc, or left in its own order, and the headers to draw)."""
    by_key = {c.key: c for c in columns if c.fields}
    key = request.GET.get("sort", "")
    direction = "desc" if request.GET.get("dir") == "desc" else "asc"
    column = by_key.get(key)
    if column is not None:
        order = [F(f).desc(nulls_last=True) if direction == "desc" else F(f).asc(nulls_last=True) for f in column.fields]
        queryset = queryset.order_by(*order, "-pk" if direction == "desc" else "pk")
    headers = []
    for c in columns:
        if not c.fields:
            headers.append(Header(c.label, c.key, "", ""))
            continue
        current = column is not None and c.key == column.key
        next_dir = ("desc" if direction == "asc" else "asc") if current else c.first
        query = request.GET.copy()
        query["sort"], query["dir"] = c.key, next_dir
        query.pop("page", None)
        headers.append(Header(c.label, c.key, "?" + query.urlencode(),
                              ("ascending" if direction == "asc" else "descending") if current else "none"))
    return queryset, headers


def remember(request, viewname: str) -> None:
    """Keep this list's query (filters, sort, page) for the back links of the records opened from it."""
    key, query = f"list:{viewname}", request.GET.urlencode()
    if request.session.get(key) != query:  # written only when it changes: a list seen again costs no query
        request.session[key] = query


def back_url(request, viewname: str) -> str:
    """The list as it was last seen (its filters, sort and page), or the list as it opens."""
    query = request.session.get(f"list:{viewname}", "")
    return reverse(viewname) + (f"?{query}" if query else "")
