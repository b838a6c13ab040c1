"""The demo story is told at its own times (demo.clock): a case from March shows March on its timeline, in its
history and on its page, not the moment the demo was seeded (issue 13). And the deadlines that fell due in
the story's past do not flood inboxes when the chasing sweep next runs (the backlog rule)."""

import datetime as dt
import io
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from agencies.models import Notification
from deadlines import chasing
from allegations.models import Case, Event
from allegations.views import case_page_url
from deadlines.models import Deadline
from config.jinja2 import govuk_datetime
from meetings.models import Action, Meeting

pytestmark = pytest.mark.django_db

# Seeded on a fixed day, so the story (relative to the day of seeding) always has a case opened in March.
SEEDED_AT = dt.datetime(2026, 12, 2, 19, 0, tzinfo=ZoneInfo("Europe/London"))


def test_a_case_from_march_shows_march_and_the_next_sweep_sends_few_notices(login):
    """One test, as seeding takes seconds: the March case, then one chasing sweep on the fresh demo."""
    with time_machine.travel(SEEDED_AT, tick=True):
        call_command("seed_demo", stdout=io.StringIO())
        now = timezone.now()
        march = Case.objects.filter(opened_at__year=2026, opened_at__month=3).select_related("referral").first()
        assert march is not None, "the story has a case opened in March 2026"

        # Its timeline: received, decided and opened in the story's March (or just before it), never at seeding.
        events = list(Event.objects.filter(referral=march.referral).order_by("at", "pk"))
        opened = next(e for e in events if e.verb == "case_opened")
        assert (timezone.localtime(opened.at).year, timezone.localtime(opened.at).month) == (2026, 3)
        assert opened.at == march.opened_at == march.referral.triage.decided_at
        received = next(e for e in events if e.verb == "referral_received")
        assert received.at == march.referral.received_at == march.referral.created_at <= opened.at
        assert all(march.referral.received_at <= e.at < now - dt.timedelta(minutes=4) for e in events)
        assert len({e.at for e in events}) > len(events) // 2, "the steps happened at different times"

        # Its history rows (simple-history) carry the same times.
        first_case_row = march.history.order_by("history_date").first()
        assert first_case_row.history_date == march.opened_at
        first_referral_row = march.referral.history.order_by("history_date").first()
        assert first_referral_row.history_date == march.referral.received_at
        assert march.referral.subject.history.order_by("history_date").first().history_date == march.referral.received_at
        # Its deadlines were opened when the case was, and judged met or late at the story's times.
        review = Deadline.objects.filter(case=march, kind="case_review").order_by("anchor_at").first()
        assert review.anchor_at == march.opened_at and review.history.order_by("history_date").first().history_date == march.opened_at

        # The case's timeline page (as its LADO officer sees it) shows March's dates.
        officer = march.owner or get_user_model().objects.get(username="lado")
        page = login(officer).get(case_page_url(march.referral.reference, "timeline")).content.decode()
        assert govuk_datetime(opened.at) in page and "March 2026 at" in page
        assert not re.search(r"\bago\b", page.split('id="timeline"', 1)[1]), "no times relative to the seeding"

    # Nothing in the story happened in the minutes of seeding: every step was taken at its own time.
    assert not Event.objects.filter(at__gt=now - dt.timedelta(minutes=4)).exists()
    assert not Meeting.history.filter(history_date__gt=now - dt.timedelta(minutes=4)).exists()
    assert not Action.history.filter(history_date__gt=now - dt.timedelta(minutes=4)).exists()

    # The demo's inbox: what the story sent, each at its time; one sweep adds a few notices, not one per
    # deadline that fell due in the story's past (those go into one summary to the LADO managers).
    inbox = Notification.objects.count()
    assert inbox and not Notification.objects.filter(created_at__gt=now - dt.timedelta(minutes=4)).exists()
    assert Deadline.objects.filter(due_at__lt=now, met_at__isnull=True, chase_ended_at__isnull=True).count() > 20
    managers = set(get_user_model().objects.filter(memberships__role="lado_manager").values_list("pk", flat=True))
    story_inbox = set(Notification.objects.values_list("pk", flat=True))
    with time_machine.travel(now, tick=True):
        chasing.sweep()
        added = list(Notification.objects.exclude(pk__in=story_inbox).values_list("user", "key", "title"))
        assert 0 < len(added) <= 10, added
        backlog = [user for user, key, _ in added if key.startswith("deadline-backlog-")]
        assert managers and sorted(backlog) == sorted(managers), "one backlog summary to each LADO manager"
        chasing.sweep()  # and the next sweep sends nothing more
        assert Notification.objects.count() == inbox + len(added)
