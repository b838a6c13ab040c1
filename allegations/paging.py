"""Lists that don't count what they don't show (issue 19).

Django's Paginator counts every row a list could show: at a million referrals that count was
most of the triage queue's and the case list's time. ``CappedPaginator`` counts at most a few
rows past the page asked for, in one query (``SELECT COUNT(*) FROM (… LIMIT n)``): up to 1,000
rows a list says how many; past that it says "more than 1,000" and offers the next page, never a
last page it has not counted. The number of queries is the same as with Django's Paginator.

Past the counted rows an offset grows with the page: at 1,000,000 referrals page 400 of the case
list (OFFSET 9,975) took 303 ms, page 4,000 five seconds, because PostgreSQL builds every row it
skips. A list with a ``Keyset`` (its own order, newest first, ending in the primary key) therefore
pages on from there by position: "next" beyond the first 1,000 rows links to ``?after=<the last
row's key>`` and "previous" to ``?before=<the first row's key>``, read through the order's index
(page 400: 10 ms). The first pages keep their numbers; ``?page=`` still works at any depth.
"""

from __future__ import annotations

import datetime as dt
import math
import re

from django.core.paginator import Page, Paginator
from django.db.models import Q
from django.utils.functional import cached_property

SHOWN_EXACTLY = 1000  # up to this many rows a list gives its exact number


def count_words(count: int) -> str:
    """A number counted up to one past SHOWN_EXACTLY, in words: '12', '1,000', 'more than 1,000'."""
    return f"more than {SHOWN_EXACTLY:,}" if count > SHOWN_EXACTLY else f"{count:,}"


class CappedPaginator(Paginator):
    def __init__(self, object_list, per_page, *, number=1, cap: int = SHOWN_EXACTLY, kept=None):
        super().__init__(object_list, per_page)
        # (config.prepared.KeptReads, the key of the list's SQL): the count's SQL kept for the key and the cap.
        self.kept = kept
        # Counted up to the end of the page asked for and one row further, at least up to the cap,
        # so "next" is known on every page. The page number is as typed: a bad one counts to the cap.
        try:
            asked = max(1, int(number))
        except (TypeError, ValueError):
            asked = 1
        self.cap = max(cap, asked * per_page)

    @cached_property
    def count(self) -> int:
        """The number of rows, but never more than ``cap + 1``: see ``is_capped``."""
        object_list = self.object_list
        if hasattr(object_list, "order_by") and hasattr(object_list, "values"):
            if self.kept is not None:
                reads, key = self.kept
                return reads.count((*key, "count", self.cap),
                                   lambda: object_list.order_by().values("pk")[: self.cap + 1])
            return object_list.order_by().values("pk")[: self.cap + 1].count()
        return len(object_list[: self.cap + 1])

    @property
    def is_capped(self) -> bool:
        """Whether there are more rows than were counted (then ``count`` is ``cap + 1``)."""
        return self.count > self.cap

    @cached_property
    def num_pages(self) -> int:
        """The pages counted: when capped, the one after the cap (at least one more row) is the last known."""
        if not self.is_capped:
            return super().num_pages
        return math.ceil(self.cap / self.per_page) + 1

    def count_text(self, singular: str, plural: str) -> str:
        """'1 referral', '25 referrals', 'more than 1,000 referrals'."""
        if self.is_capped:
            return f"More than {self.cap:,} {plural}"
        return f"{self.count:,} {singular if self.count == 1 else plural}"

    def links(self, number: int) -> list[int | str]:
        """Page numbers to link to around ``number`` (with ELLIPSIS between): the elided range, and
        when the total is not known, no last page but an ellipsis after the next one."""
        if not self.is_capped:
            return list(self.get_elided_page_range(number, on_each_side=1, on_ends=1))
        shown = [1, *range(max(2, number - 1), min(self.num_pages, number + 1) + 1)]
        links: list[int | str] = []
        for n in sorted(set(shown)):
            if links and n - links[-1] > 1:
                links.append(self.ELLIPSIS)
            links.append(n)
        links.append(self.ELLIPSIS)
        return links


def page_of(request, queryset, per_page: int, *, kept=None) -> Page:
    """The page of ``queryset`` that ``?page=`` asks for (the last counted one if it is too far). With ``kept``,
    (config.prepared.KeptReads, a key for everything ``queryset``'s SQL is made from), its count's SQL is kept."""
    number = request.GET.get("page")
    return CappedPaginator(queryset, per_page, number=number, kept=kept).get_page(number)


EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
MICROSECOND = dt.timedelta(microseconds=1)


class Keyset:
    """A list's order as a position: ``fields`` in descending order, the last one the primary key (unique).

    A row's key is written in the address as its values joined by dots (a time as microseconds since
    1970, so nothing needs escaping); a key that does not read back is no key (the first page)."""

    def __init__(self, *fields: str):
        self.fields = fields

    def key(self, row) -> str:
        parts = []
        for field in self.fields:
            value = getattr(row, field)
            parts.append(str((value - EPOCH) // MICROSECOND) if isinstance(value, dt.datetime) else str(value))
        return ".".join(parts)

    def values(self, queryset, key: str | None) -> list | None:
        """The key's values, typed as the model's fields, or None if it is not a key of this list."""
        parts = (key or "").split(".")
        if len(parts) != len(self.fields):
            return None
        values = []
        for field, part in zip(self.fields, parts):
            model_field = queryset.model._meta.pk if field == "pk" else queryset.model._meta.get_field(field)
            internal = model_field.get_internal_type()
            if internal == "DateTimeField":
                if not re.fullmatch(r"-?\d{1,18}", part):
                    return None
                values.append(EPOCH + int(part) * MICROSECOND)
            elif internal in ("AutoField", "BigAutoField", "IntegerField", "BigIntegerField"):
                if not re.fullmatch(r"\d{1,18}", part):
                    return None
                values.append(int(part))
            elif re.fullmatch(r"[\w-]{1,64}", part):
                values.append(part)
            else:
                return None
        return values

    def beyond(self, values: list, *, after: bool) -> Q:
        """Rows after the key in the list's (descending) order, or before it: (a, b, c) < (x, y, z)."""
        lookup = "lt" if after else "gt"
        condition = Q()
        for i, field in enumerate(self.fields):
            equal = {f: v for f, v in zip(self.fields[:i], values[:i])}
            condition |= Q(**equal, **{f"{field}__{lookup}": values[i]})
        return condition


class KeysetPage:
    """A page read by position, for the same template as a numbered page: it has no number, its
    previous and next links carry the keys of its first and last rows, and page 1 is offered."""

    number = None

    def __init__(self, object_list, paginator: CappedPaginator, keyset: Keyset, *, has_previous: bool,
                 has_next: bool):
        self.object_list, self.paginator = object_list, paginator
        self._keyset, self._has_previous, self._has_next = keyset, has_previous, has_next

    def __len__(self):
        return len(self.object_list)

    def has_previous(self) -> bool:
        return self._has_previous

    def has_next(self) -> bool:
        return self._has_next

    def links(self) -> list[int | str]:
        return [1, self.paginator.ELLIPSIS]

    def previous_query(self) -> dict:
        return {"page": None, "after": None, "before": self._keyset.key(self.object_list[0])}

    def next_query(self) -> dict:
        return {"page": None, "before": None, "after": self._keyset.key(self.object_list[-1])}


def _numbered(page: Page, keyset: Keyset) -> Page:
    """A numbered page whose "next" leads past the counted rows: next by position (``?after=``)."""
    paginator = page.paginator

    def next_query() -> dict:
        if paginator.is_capped and page.number * paginator.per_page >= paginator.cap:
            return {"page": None, "before": None, "after": keyset.key(page[-1])}  # Page lists its rows
        return {"page": page.next_page_number(), "before": None, "after": None}

    page.next_query = next_query
    page.previous_query = lambda: {"page": page.previous_page_number(), "before": None, "after": None}
    return page


def keyset_page_of(request, queryset, per_page: int, keyset: Keyset, *, values: tuple[str, ...] = ()):
    """``page_of``, and past the first pages a page read by position: ``?after=`` or ``?before=`` a row's
    key. The same queries as a numbered page: the capped count, then the rows (one more, to know the next).

    With ``values`` (field names that include the keyset's), the page's rows are read as named tuples of those
    values, not as models, and its ``object_list`` is a list of them; the count is taken from ``queryset`` itself,
    without the joins the values need."""
    def read(rows):
        return rows.values_list(*values, named=True) if values else rows

    for direction in ("after", "before"):
        key_values = keyset.values(queryset, request.GET.get(direction))
        if key_values is None:
            continue
        paginator = CappedPaginator(queryset, per_page)
        after = direction == "after"
        rows = queryset.filter(keyset.beyond(key_values, after=after))
        if not after:
            rows = rows.reverse()
        rows = list(read(rows)[: per_page + 1])
        more = len(rows) > per_page
        rows = rows[:per_page]
        if not after:
            rows.reverse()
        if not rows:
            break  # nothing there any more: the first page
        if after:
            return KeysetPage(rows, paginator, keyset, has_previous=True, has_next=more)
        if not more:
            break  # back at the start: the numbered first page
        return KeysetPage(rows, paginator, keyset, has_previous=True, has_next=True)
    page = page_of(request, queryset, per_page)
    if values:
        page.object_list = list(read(page.object_list))  # read once: the rows, and the keys of the first and last
    return _numbered(page, keyset)
