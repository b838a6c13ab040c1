"""Lists that don't count what they don't show (issue 19).

Django's Paginator counts every row a list could show: at a million referrals that count was
most of the triage queue's and the case list's time. ``CappedPaginator`` counts at most a few
rows past the page asked for, in one query (``SELECT COUNT(*) FROM (… LIMIT n)``): up to 1,000
rows a list says how many; past that it says "more than 1,000" and offers the next page, never a
last page it has not counted. The number of queries is the same as with Django's Paginator.
"""

from __future__ import annotations

import math

from django.core.paginator import Page, Paginator
from django.utils.functional import cached_property

SHOWN_EXACTLY = 1000  # up to this many rows a list gives its exact number


class CappedPaginator(Paginator):
    def __init__(self, object_list, per_page, *, number=1, cap: int = SHOWN_EXACTLY):
        super().__init__(object_list, per_page)
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


def page_of(request, queryset, per_page: int) -> Page:
    """The page of ``queryset`` that ``?page=`` asks for (the last counted one if it is too far)."""
    number = request.GET.get("page")
    return CappedPaginator(queryset, per_page, number=number).get_page(number)
