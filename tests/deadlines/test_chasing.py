"""Chasing deadlines (deadlines.md "Chasing"): reminder, overdue notice, escalation, each exactly once.

Time is frozen by passing `now=` to the sweep. Exactly once is proved against the real
PostgreSQL: two sweeps at the same moment on two connections, a real Celery worker running
the beat task twice, and a worker SIGKILLed in the middle of a sweep.
"""

import datetime as dt
import re
from collections import Counter
import signal
import threading
import time

import pytest
import redis
from django.conf import settings
from django.core import mail
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone

from agencies.models import NoticeDelivery, Notification, Partnership
from agencies.notices import notice_preferences_update
from allegations import services
from allegations.models import CaseStatus
from allegations.services import save_with_history
from deadlines import chasing, timescales
from deadlines import services as deadlines
from deadlines.models import Deadline
from deadlines.tasks import chase_deadlines
from outbox.models import Delivery, DeliveryStatus, Message
from outbox.services import messages_drain as outbox_drain
from tests.allegations.factories import discuss, make_referral
from tests.allegations.test_worker import celery_worker, task_queue, wait_for  # noqa: F401 (fixtures)

SECOND = dt.timedelta(seconds=1)
SUBJECT_NAMES = ("Zebedee", "Quincey-Hartley")
CHILD_NAMES = ("Tallulah", "Brightwater")


def refer(actor, lado_service, agency):
    return make_referral(
        actor=actor, lado_service=lado_service, agency=agency, given=SUBJECT_NAMES[0], family=SUBJECT_NAMES[1],
        children=[{"given_name": CHILD_NAMES[0], "family_name": CHILD_NAMES[1], "relationship": "complainant"}],
    )


def initial_discussion(referral):
    return Deadline.objects.get(referral=referral, kind=Deadline.Kind.INITIAL_DISCUSSION)


def notified(key):
    return sorted(Notification.objects.filter(key=key).values_list("user__username", flat=True))


def sweep_and_commit(django_capture_on_commit_callbacks, **kwargs):
    """Run a sweep, then the side effects it recorded in the outbox (the e-mails), as the worker would.
    Its commits' hand-overs to the broker are held back (no worker listens here)."""
    with django_capture_on_commit_callbacks(execute=False):
        counts = chasing.sweep(**kwargs)
    outbox_drain()
    return counts


def history_reasons(deadline):
    return list(deadline.history.order_by("history_id").values_list("history_change_reason", flat=True))


# --- When each notice falls due --------------------------------------------------------------


@pytest.mark.django_db
def test_opening_a_deadline_sets_its_reminder_and_escalation_times(referral):
    deadline = initial_discussion(referral)

    assert deadline.due_at == deadline.anchor_at + dt.timedelta(hours=24)
    assert deadline.remind_at == deadline.anchor_at + dt.timedelta(hours=18)  # 75% of the way
    assert deadline.escalate_at == timescales.add_working_days(deadline.due_at, 1, nation="ENG", tz="Europe/London")
    assert deadline.escalate_at > deadline.due_at
    assert (deadline.reminder_sent_at, deadline.overdue_sent_at, deadline.escalation_sent_at) == (None, None, None)


@pytest.mark.django_db
def test_a_dated_deadline_escalates_at_the_end_of_the_next_working_day(referral):
    # Friday 5 June 2026 ends; the next working day is Monday 8 June.
    anchor = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)
    deadline = deadlines.deadline_open_on_date(
        actor=None, referral=referral, kind=Deadline.Kind.POLICE_REVIEW, due_on=dt.date(2026, 6, 5), anchor=anchor,
        reason="test",
    )

    assert deadline.remind_at == anchor + (deadline.due_at - anchor) * 0.75
    assert deadline.escalate_at == timescales.end_of_day(dt.date(2026, 6, 8), "Europe/London")


@pytest.mark.django_db
def test_each_stage_fires_at_its_time_once_to_the_right_people(
    django_capture_on_commit_callbacks, lado_officer, lado_manager, other_officer, agency_a_manager, lado_service, agency_a
):
    referral = refer(agency_a_manager, lado_service, agency_a)  # no case, nobody assigned: the LADO service
    deadline = initial_discussion(referral)
    key = f"deadline-{deadline.pk}-%s"
    outbox_drain()  # the new-referral notice and its e-mails: not what this test counts
    mail.outbox.clear()

    assert sweep_and_commit(django_capture_on_commit_callbacks, now=deadline.remind_at - SECOND) == {
        "reminder": 0, "overdue": 0, "escalation": 0, "digests": 0}
    assert not Notification.objects.filter(key__startswith="deadline-").exists()

    assert sweep_and_commit(django_capture_on_commit_callbacks, now=deadline.remind_at)["reminder"] == 1
    assert notified(key % "reminder") == ["manager", "officer"]  # not the other service's officer
    deadline.refresh_from_db()
    assert deadline.reminder_sent_at == deadline.remind_at
    assert deadline.status == Deadline.Status.OPEN
    assert len(mail.outbox) == 2

    # Again at the same moment, and just before due: nothing more.
    assert sweep_and_commit(django_capture_on_commit_callbacks, now=deadline.remind_at)["reminder"] == 0
    assert sweep_and_commit(django_capture_on_commit_callbacks, now=deadline.due_at - SECOND) == {
        "reminder": 0, "overdue": 0, "escalation": 0, "digests": 0}
    assert len(mail.outbox) == 2

    assert sweep_and_commit(django_capture_on_commit_callbacks, now=deadline.due_at)["overdue"] == 1
    assert notified(key % "overdue") == ["manager", "officer"]
    deadline.refresh_from_db()
    assert deadline.status == Deadline.Status.OVERDUE
    assert deadline.overdue_sent_at == deadline.due_at

    assert sweep_and_commit(django_capture_on_commit_callbacks, now=deadline.escalate_at - SECOND)["escalation"] == 0
    assert sweep_and_commit(django_capture_on_commit_callbacks, now=deadline.escalate_at)["escalation"] == 1
    assert notified(key % "escalation") == ["manager"]  # the LADO manager only
    assert sweep_and_commit(django_capture_on_commit_callbacks, now=deadline.escalate_at + dt.timedelta(days=30)) == {
        "reminder": 0, "overdue": 0, "escalation": 0, "digests": 0}

    assert Notification.objects.filter(key__startswith="deadline-").count() == 5
    assert len(mail.outbox) == 5
    assert history_reasons(deadline)[-3:] == ["Reminder sent", "Overdue notice sent", "Escalation sent"]
    assert deadline.history.latest().history_user is None

    link = settings.SITE_URL + reverse("allegations:referral_detail", args=[referral.reference])
    for message in mail.outbox:
        assert referral.reference in message.subject
        assert link in message.body
        for name in SUBJECT_NAMES + CHILD_NAMES:
            assert name not in message.subject and name not in message.body
    for notice in Notification.objects.all():
        assert notice.link == reverse("allegations:referral_detail", args=[referral.reference])
        assert referral.reference in notice.title
        assert not any(name in notice.title for name in SUBJECT_NAMES + CHILD_NAMES)


@pytest.mark.django_db
def test_a_late_sweep_sends_no_due_soon_reminder_for_an_overdue_deadline(case, lado_officer, lado_manager):
    deadline = Deadline.objects.get(case=case, kind=Deadline.Kind.CASE_REVIEW)

    counts = chasing.sweep(now=deadline.due_at + SECOND)  # the sweeper was down past the due time

    assert counts == {"reminder": 0, "overdue": 1, "escalation": 0, "digests": 0}
    key = f"deadline-{deadline.pk}-%s"
    assert notified(key % "reminder") == []  # "due soon" would be wrong: it is overdue
    assert notified(key % "overdue") == ["officer"]  # the case owner
    deadline.refresh_from_db()
    assert deadline.reminder_sent_at is not None  # handled, never sent later
    assert deadline.history.filter(history_change_reason="No reminder: already overdue when chased").count() == 1
    link = reverse("allegations:case_detail", args=[case.referral.reference])
    assert set(Notification.objects.filter(key__startswith=f"deadline-{deadline.pk}-").values_list("link", flat=True)) == {link}


@pytest.mark.django_db
def test_deadlines_already_past_escalation_when_first_chased_make_one_backlog_summary(
    referral, lado_officer, lado_manager, django_capture_on_commit_callbacks
):
    """Imported or seeded overdue work: not one notice per deadline per officer, but one summary a day
    to the LADO managers, with the count and a link to the team's work."""
    ids = many_due_deadlines(referral, 12, stages=("reminder", "overdue", "escalation"))
    live = many_due_deadlines(referral, 2, stages=("reminder", "overdue"))  # overdue, not yet past escalation
    mail.outbox.clear()

    counts = sweep_and_commit(django_capture_on_commit_callbacks)

    assert counts == {"reminder": 0, "overdue": 2, "escalation": 0, "digests": 0}
    assert not Notification.objects.filter(key__in=[f"deadline-{pk}-{stage}" for pk in ids
                                                    for stage in ("reminder", "overdue", "escalation")]).exists()
    summary = Notification.objects.get(key__startswith="deadline-backlog-")
    assert summary.user == lado_manager
    assert summary.title.startswith("Overdue backlog: 14 deadlines")
    assert summary.link == reverse("allegations:team")
    assert Deadline.objects.filter(pk__in=ids, status=Deadline.Status.OVERDUE, escalation_sent_at__isnull=False).count() == 12
    assert [notified(f"deadline-{pk}-overdue") for pk in live] == [["manager", "officer"]] * 2  # no owner yet
    backlog_mail = [m for m in mail.outbox if m.subject.startswith("Overdue backlog")]
    assert [m.to for m in backlog_mail] == [[lado_manager.email]]
    assert "14 deadlines of your service are overdue" in backlog_mail[0].body

    # Later sweeps send nothing more for the backlog: no reminder, notice or escalation, no second summary.
    assert chasing.sweep() == {"reminder": 0, "overdue": 0, "escalation": 0, "digests": 0}
    later = chasing.sweep(now=timezone.now() + dt.timedelta(days=40))
    assert later["escalation"] == 2  # the two live ones, escalated in their time
    assert not Notification.objects.filter(key__in=[f"deadline-{pk}-{stage}" for pk in ids
                                                    for stage in ("reminder", "overdue", "escalation")]).exists()


@pytest.mark.django_db
def test_the_assigned_officer_is_chased_for_a_referral_without_a_case(referral, lado_officer, lado_manager):
    services.referral_assign(actor=lado_manager, referral=referral, officer=lado_officer)
    deadline = initial_discussion(referral)

    chasing.sweep(now=deadline.remind_at)
    chasing.sweep(now=deadline.due_at)

    assert notified(f"deadline-{deadline.pk}-reminder") == ["officer"]
    assert notified(f"deadline-{deadline.pk}-overdue") == ["officer"]


@pytest.mark.django_db
def test_met_deadlines_send_nothing(referral, lado_officer, lado_manager):
    deadline = initial_discussion(referral)
    discuss(referral, lado_officer)  # meets the initial discussion

    counts = chasing.sweep(now=deadline.escalate_at + dt.timedelta(days=1))

    assert counts == {"reminder": 0, "overdue": 0, "escalation": 0, "digests": 0}
    assert not Notification.objects.exists()
    deadline.refresh_from_db()
    assert deadline.status == Deadline.Status.MET
    assert deadline.reminder_sent_at is None


@pytest.mark.django_db
def test_deadlines_of_a_closed_case_send_nothing(case, lado_officer, lado_manager):
    # A missed deadline of a case that was then closed (or imported as closed) stays as it was, unchased.
    review = Deadline.objects.get(case=case, kind=Deadline.Kind.CASE_REVIEW)
    case.status = CaseStatus.CLOSED
    save_with_history(case, actor=None, reason="Imported as closed")

    counts = chasing.sweep(now=review.escalate_at + dt.timedelta(days=1))

    assert counts == {"reminder": 0, "overdue": 0, "escalation": 0, "digests": 0}
    assert not Notification.objects.exists()
    review.refresh_from_db()
    assert (review.status, review.reminder_sent_at, review.overdue_sent_at) == (Deadline.Status.OPEN, None, None)


@pytest.mark.django_db
def test_a_waived_deadline_sends_nothing(referral, lado_officer, lado_manager):
    deadline = deadlines.deadline_open_on_date(
        actor=lado_officer, referral=referral, kind=Deadline.Kind.POLICE_REVIEW,
        due_on=timezone.localdate() + dt.timedelta(days=10), reason="test",
    )
    deadlines.deadline_waive_one(actor=lado_officer, deadline=deadline, reason="No longer needed")

    chasing.sweep(now=deadline.escalate_at + dt.timedelta(days=1))

    assert not Notification.objects.filter(key__startswith=f"deadline-{deadline.pk}-").exists()


@pytest.mark.django_db
def test_the_chase_task_runs_the_sweep(referral, lado_officer):
    deadline = initial_discussion(referral)
    Deadline.objects.filter(pk=deadline.pk).update(remind_at=timezone.now() - SECOND)

    assert chase_deadlines() == {"reminder": 1, "overdue": 0, "escalation": 0, "digests": 0}
    assert chase_deadlines() == {"reminder": 0, "overdue": 0, "escalation": 0, "digests": 0}
    assert notified(f"deadline-{deadline.pk}-reminder") == ["officer"]


@pytest.mark.django_db
def test_the_sweep_sends_the_daily_digests_due_in_the_same_pass_once(
        case, lado_officer, lado_manager, partnership, django_capture_on_commit_callbacks):
    """A person who chose the daily digest for deadlines: the overdue notice the sweep writes at or after the digest
    hour goes in that day's digest, sent by the same pass; later passes send no second digest that day."""
    notice_preferences_update(actor=lado_officer, choices={"deadlines": NoticeDelivery.DIGEST})
    deadline = Deadline.objects.get(case=case, kind=Deadline.Kind.CASE_REVIEW)
    Partnership.objects.filter(pk=partnership.pk).update(digest_hour=0)  # due whenever the test runs
    Deadline.objects.filter(pk=deadline.pk).update(remind_at=timezone.now() - 2 * SECOND,
                                                   due_at=timezone.now() - SECOND)
    outbox_drain()  # the e-mails of opening the case
    mail.outbox.clear()

    counts = sweep_and_commit(django_capture_on_commit_callbacks)

    assert counts == {"reminder": 0, "overdue": 1, "escalation": 0, "digests": 1}
    notice = Notification.objects.get(key=f"deadline-{deadline.pk}-overdue", user=lado_officer)
    digest = Delivery.objects.get(kind="digest")
    assert not notice.digest_pending and notice.digest == digest and digest.user == lado_officer
    assert digest.context["count"] == 1 and digest.context["items"][0]["reference"] == case.referral.reference
    [sent] = mail.outbox  # the digest; no e-mail of its own for the notice
    assert sent.to == [lado_officer.email] and sent.subject.startswith("Your daily digest: 1 notice")
    assert sweep_and_commit(django_capture_on_commit_callbacks)["digests"] == 0
    assert Delivery.objects.filter(kind="digest").count() == 1 and len(mail.outbox) == 1


def test_beat_runs_the_chase_every_minute_in_utc():
    entry = settings.CELERY_BEAT_SCHEDULE["chase-deadlines"]
    assert entry["task"] == chase_deadlines.name
    assert entry["schedule"] == 60.0
    assert settings.CELERY_TIMEZONE == "UTC" and settings.CELERY_ENABLE_UTC is True


# --- Exactly once under concurrency and crashes (real PostgreSQL, a real worker) ---------------


def many_due_deadlines(referral, count, *, stages=("overdue",)):
    """`count` open deadlines of the referral, the given stages already due (set up directly, for speed).
    By default overdue since an hour ago, not yet past escalation: one overdue notice each (a reminder
    is never sent for what is already overdue, and work past escalation when first seen is backlog)."""
    now = timezone.now()
    past, future = now - dt.timedelta(hours=1), now + dt.timedelta(days=30)
    rows = [
        Deadline(
            referral=referral, kind=Deadline.Kind.POLICE_REVIEW, anchor_at=now - dt.timedelta(days=10),
            remind_at=past if "reminder" in stages else future,
            due_at=past if "overdue" in stages else future + SECOND,
            escalate_at=past if "escalation" in stages else future + 2 * SECOND,
        )
        for _ in range(count)
    ]
    return [d.pk for d in Deadline.objects.bulk_create(rows)]


def assert_each_notice_once(deadline_ids, stages, recipients):
    for stage in stages:
        keys = [f"deadline-{pk}-{stage}" for pk in deadline_ids]
        assert Notification.objects.filter(key__in=keys).count() == len(keys) * recipients, stage
        sent_field = {"reminder": "reminder_sent_at", "overdue": "overdue_sent_at"}[stage]
        assert not Deadline.objects.filter(pk__in=deadline_ids, **{f"{sent_field}__isnull": True}).exists(), stage
    reasons = {"reminder": "Reminder sent", "overdue": "Overdue notice sent"}
    for stage in stages:
        # One history row per deadline per stage: no deadline was chased twice.
        assert Deadline.history.filter(id__in=deadline_ids, history_change_reason=reasons[stage]).count() == len(deadline_ids)


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_the_same_moment_send_each_notice_once(referral, lado_officer, lado_manager):
    ids = many_due_deadlines(referral, 60)
    outbox_drain()  # the new-referral notice and its e-mails: not what this test counts
    mail.outbox.clear()
    start = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            start.wait(timeout=10)
            results.append(chasing.sweep(batch=7))  # small batches: the two sweeps interleave
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connections.close_all()  # this thread's own connection

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors
    assert len(results) == 2
    assert sum(r["reminder"] for r in results) == 0
    assert sum(r["overdue"] for r in results) == 60
    assert_each_notice_once(ids, ("overdue",), recipients=2)
    # Each notice's e-mail is one delivery (a row to whom, by which channel); a batch's deliveries for one person
    # go as one e-mail listing them, through one outbox message.
    deliveries = Delivery.objects.filter(key__contains=":deadline-", kind="deadline_overdue")
    assert deliveries.count() == 60 * 2  # once each
    outbox_drain()  # what the worker does with them
    outbox_drain()  # and again: nothing more
    assert set(deliveries.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    carried = Counter(pk for m in mail.outbox for pk in carried_deliveries(m))
    assert set(carried) == {str(pk) for pk in deliveries.values_list("pk", flat=True)}  # none missing
    assert set(carried.values()) == {1}  # none repeated
    per_person = Counter(m.to[0] for m in mail.outbox)
    assert len(per_person) == 2 and all(60 // 7 <= count < 60 for count in per_person.values())  # one a batch each


def carried_deliveries(message) -> list[str]:
    """The ids of the deliveries an e-mail carries: its own, or those of a listing (one person's batch)."""
    headers = message.extra_headers
    return re.findall(r"\d+", headers.get("X-Managing-Allegations-Deliveries") or headers["X-Managing-Allegations-Delivery"])


def worker_log_count(worker, text):
    return worker.log_path.read_text().count(text)


@pytest.mark.worker
def test_a_worker_running_the_chase_twice_sends_once(celery_worker, referral, lado_officer, lado_manager):
    ids = many_due_deadlines(referral, 5)

    chase_deadlines.delay()
    chase_deadlines.delay()
    wait_for(lambda: worker_log_count(celery_worker, "succeeded") >= 2, celery_worker)

    assert_each_notice_once(ids, ("overdue",), recipients=2)
    assert Notification.objects.filter(user=lado_officer, key__startswith="deadline-").count() == 5


def _other_transactions_open():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND xact_start IS NOT NULL"
        )
        return cursor.fetchone()[0]


def _forget_unacked(queue):
    """The killed worker's message waits in kombu's `unacked` hash: drop it so it is not restored later."""
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    try:
        for tag, payload in client.hgetall("unacked").items():
            if queue.encode() in payload:
                client.hdel("unacked", tag)
                client.zrem("unacked_index", tag)
    finally:
        client.close()


@pytest.mark.worker
def test_a_worker_killed_mid_sweep_leaves_no_duplicate_and_no_gap(celery_worker, task_queue, referral, lado_officer, lado_manager):
    count = 300
    ids = many_due_deadlines(referral, count)
    total = count * 2  # the overdue notice, to two LADO recipients

    chase_deadlines.delay(batch=5)  # many small committed batches: a kill lands mid-sweep
    deadline = time.monotonic() + 60
    chase_notices = Notification.objects.filter(key__startswith="deadline-")
    while not chase_notices.exists():
        if celery_worker.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"The worker sent nothing:\n{celery_worker.log_path.read_text()[-4000:]}")
        time.sleep(0.02)
    celery_worker.send_signal(signal.SIGKILL)
    celery_worker.wait(timeout=10)
    _forget_unacked(task_queue)

    sent_by_the_killed_worker = chase_notices.count()
    assert 0 < sent_by_the_killed_worker < total  # killed in the middle, not after the end

    # PostgreSQL rolls back the killed worker's open batch once it sees the connection drop.
    give_up = time.monotonic() + 30
    while _other_transactions_open() and time.monotonic() < give_up:
        time.sleep(0.1)
    assert _other_transactions_open() == 0

    chasing.sweep()  # the next beat's sweep

    assert chase_notices.count() == total
    assert_each_notice_once(ids, ("overdue",), recipients=2)
    assert chasing.sweep() == {"reminder": 0, "overdue": 0, "escalation": 0, "digests": 0}
