"""Sweeps alongside (deadlines.chasing.sweep's `alongside`, deadlines.tasks): a pass with more due than one batch
asks other worker processes to sweep with it. Each notice is still sent once, and the digests of the pass, sent by
the pass that asked once every sweep alongside has finished writing, hold every notice of the pass."""

import threading
import time

import pytest
from django.db import connection, connections
from django.utils import timezone

from agencies.models import NoticeDelivery, Notification, Partnership
from agencies.notices import notice_preferences_update
from deadlines import chasing
from deadlines.tasks import chase_deadlines
from outbox.models import Delivery
from outbox.services import messages_drain as outbox_drain
from tests.allegations.test_worker import celery_worker, task_queue, wait_for  # noqa: F401 (fixtures)
from tests.deadlines.test_chasing import assert_each_notice_once, many_due_deadlines, worker_log_count


def other_sweeps_sweeping() -> int:
    """Sessions other than this one holding the sweeping lock (chasing._sweeping)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid <> "
                       "pg_backend_pid() AND ((classid::bigint << 32) | objid::bigint) = %s", [chasing.SWEEPING_LOCK])
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_a_large_pass_is_swept_alongside_each_notice_once_and_its_digest_holds_them_all(
        referral, lado_officer, lado_manager, partnership):
    notice_preferences_update(actor=lado_officer, choices={"deadlines": NoticeDelivery.DIGEST})
    Partnership.objects.filter(pk=partnership.pk).update(digest_hour=0)  # a digest is due whenever this runs
    ids = many_due_deadlines(referral, 60)
    outbox_drain()  # the new-referral notice and its e-mails: not what this test counts
    asked, results, errors = [], [], []

    def sweep_alongside(now):  # what chase_deadlines_alongside does, in another thread with its own connection
        try:
            results.append(chasing.sweep(now=now, batch=7, digests=False))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connections.close_all()

    def alongside(now):
        asked.append(now)
        thread = threading.Thread(target=sweep_alongside, args=(now,))
        thread.start()
        asked.append(thread)
        give_up = time.monotonic() + 10
        while not other_sweeps_sweeping() and time.monotonic() < give_up:  # it has started: it sweeps with us
            time.sleep(0.005)

    before = timezone.now()
    counts = chasing.sweep(batch=7, alongside=alongside)
    asked[1].join(timeout=60)

    assert not errors and len(asked) == 2 and before <= asked[0] <= timezone.now()  # asked once, with its `now`
    [beside] = results
    assert beside["digests"] == 0 and beside["overdue"] > 0  # it chased some of the pass, and sent no digest
    assert counts["overdue"] + beside["overdue"] == 60
    assert_each_notice_once(ids, ("overdue",), recipients=2)
    # The officer's 60 notices, whichever sweep wrote them, are all in the one digest the pass sent.
    assert counts["digests"] == 1
    digest = Delivery.objects.get(kind="digest", user=lado_officer)
    assert digest.context["count"] == 60
    assert not Notification.objects.filter(user=lado_officer, digest_pending=True).exists()


@pytest.mark.django_db
def test_a_pass_asks_for_sweeps_alongside_only_when_a_claim_comes_back_full(referral, lado_officer, lado_manager):
    many_due_deadlines(referral, 5)
    asked = []

    counts = chasing.sweep(batch=5, alongside=asked.append)  # exactly one batch: its claim comes back full
    assert counts["overdue"] == 5 and len(asked) == 1  # a full claim may mean more: it asks, once

    many_due_deadlines(referral, 4)
    asked.clear()
    assert chasing.sweep(batch=5, alongside=asked.append)["overdue"] == 4
    assert asked == []  # fewer than a batch: nobody is asked


@pytest.mark.django_db
def test_a_sweep_alongside_sends_no_digest(referral, lado_officer, lado_manager, partnership):
    notice_preferences_update(actor=lado_officer, choices={"deadlines": NoticeDelivery.DIGEST})
    Partnership.objects.filter(pk=partnership.pk).update(digest_hour=0)
    many_due_deadlines(referral, 3)

    assert chasing.sweep(digests=False) == {"reminder": 0, "overdue": 3, "escalation": 0, "digests": 0}
    assert Notification.objects.filter(user=lado_officer, digest_pending=True).count() == 3
    assert not Delivery.objects.filter(kind="digest").exists()
    assert chasing.sweep()["digests"] == 1  # the next pass that sends digests sends them


@pytest.mark.django_db(transaction=True)
def test_the_digests_wait_for_a_sweep_still_writing():
    holding, release = threading.Event(), threading.Event()

    def sweeping():
        try:
            with chasing._sweeping():
                holding.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()

    thread = threading.Thread(target=sweeping)
    thread.start()
    assert holding.wait(timeout=10)
    try:
        assert chasing._sweeps_finished(wait=0.3) is False  # it is still writing: waited, then gave up
    finally:
        release.set()
        thread.join(timeout=10)
    assert chasing._sweeps_finished(wait=5) is True
    assert other_sweeps_sweeping() == 0


@pytest.mark.worker
def test_a_worker_sweeps_alongside_the_pass_that_asked(celery_worker, referral, lado_officer, lado_manager):
    ids = many_due_deadlines(referral, 12)

    chase_deadlines.delay(batch=5)  # 12 due, batches of 5: it asks for a sweep alongside
    wait_for(lambda: worker_log_count(celery_worker, "chase_deadlines_alongside") >= 2
             and worker_log_count(celery_worker, "succeeded") >= 2, celery_worker)

    assert_each_notice_once(ids, ("overdue",), recipients=2)
    log = celery_worker.log_path.read_text()
    assert "deadlines.tasks.chase_deadlines_alongside[" in log and "Traceback" not in log
