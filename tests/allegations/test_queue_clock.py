"""The triage queue reads each referral's 24-hour clock (its initial-discussion deadline) in the page's own query, as
a JSON object (issue 19: the queue in 8 queries): the same deadline, the same words, as the deadline itself gives."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from allegations import selectors
from deadlines.models import Deadline
from deadlines.wording import deadline_clock

pytestmark = pytest.mark.django_db


def test_the_queue_reads_the_initial_discussion_deadline_with_the_referral(referral, lado_officer, login):
    deadline = Deadline.objects.get(referral=referral, kind=Deadline.Kind.INITIAL_DISCUSSION)
    (row,) = selectors.triage_queue(user=lado_officer)
    read = selectors.initial_deadline(row)
    assert (read.pk, read.kind, read.status, read.due_at, read.met_at) == (
        deadline.pk, deadline.kind, deadline.status, deadline.due_at, deadline.met_at)
    now = timezone.now()
    assert deadline_clock(read, now) == deadline_clock(deadline, now)
    words = deadline_clock(deadline, now)["words"]
    assert re.match(r"Due in \d+ (hours|minutes)", words)
    assert words in login(lado_officer).get("/triage/").content.decode()


def test_a_met_deadline_is_read_with_when_it_was_met(referral, lado_officer):
    deadline = Deadline.objects.get(referral=referral, kind=Deadline.Kind.INITIAL_DISCUSSION)
    Deadline.objects.filter(pk=deadline.pk).update(met_at=deadline.due_at - dt.timedelta(hours=2),
                                                   status=Deadline.Status.MET)
    (row,) = selectors.triage_queue(user=lado_officer)
    read = selectors.initial_deadline(row)
    assert read.met_at == deadline.due_at - dt.timedelta(hours=2) and read.status == Deadline.Status.MET
    assert deadline_clock(read, timezone.now())["words"] == "Met on time"
