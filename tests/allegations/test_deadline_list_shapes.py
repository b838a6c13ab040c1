"""The Deadlines list beside a case or referral shows each deadline's state with the same shapes as the clock on
My work and the queue (an overdue one heavy with a "!", a met one plain), not colour alone; and the date a deadline
was met is written with the month in full, like every other date on the page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from deadlines.models import Deadline

pytestmark = pytest.mark.django_db


def _deadline_list(html: str) -> str:
    return html.split('class="govuk-list app-deadline-list"', 1)[1].split("</ul>", 1)[0]


def test_the_case_deadlines_are_shapes_in_words_and_dates_in_full(login, lado_officer, case):
    met = case.referral.deadlines.get(kind=Deadline.Kind.INITIAL_DISCUSSION)
    assert met.status == Deadline.Status.MET
    late = case.referral.deadlines.exclude(pk=met.pk).filter(status=Deadline.Status.OPEN).first()
    assert late is not None, "the case has an open deadline to make overdue"
    Deadline.objects.filter(pk=late.pk).update(due_at=timezone.now() - dt.timedelta(days=3))

    html = login(lado_officer).get(reverse("allegations:case_detail", args=[case.reference])).content.decode()
    deadlines = _deadline_list(html)
    assert "govuk-tag" not in deadlines
    assert re.search(r'class="app-deadline app-deadline--overdue">Overdue</strong>', deadlines)
    assert re.search(r'class="app-deadline app-deadline--met">Met</strong>', deadlines)
    met_on = timezone.localtime(met.met_at)
    assert f"Met on {met_on.day} {met_on:%B} {met_on.year}" in deadlines
