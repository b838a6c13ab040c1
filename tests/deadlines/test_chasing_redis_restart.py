"""Exactly once across a restart of Redis (deadlines.md "Chasing").

A real Celery worker and a PRIVATE redis-server started here on a free port (the machine's
shared Redis is never touched). Beat-style `chase_deadlines` messages are sent, Redis is killed
mid-sweep and started again empty (`--save "" --appendonly no`: its queue and kombu's unacked
messages are lost), more messages follow; every due notice is in the inbox and the mail exactly
once. Redis only carries the trigger: a lost message means a later sweep, never a lost or a
repeated notice.
"""

import email
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
import redis
from celery import Celery
from django.conf import settings

from agencies.models import Notification
from deadlines import chasing
from deadlines.models import Deadline
from outbox.models import Delivery, DeliveryStatus
from tests.allegations.test_worker import _test_database_url
from tests.deadlines.test_chasing import assert_each_notice_once, many_due_deadlines

TASK = "deadlines.tasks.chase_deadlines"
SEPARATOR = b"\n" + b"-" * 79 + b"\n"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrivateRedis:
    def __init__(self, tmp_path: Path):
        self.port = _free_port()
        self.dir = tmp_path
        self.process = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.dir), "--maxmemory-policy", "noeviction"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        give_up = time.monotonic() + 10
        while time.monotonic() < give_up:
            try:
                redis.Redis(port=self.port).ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("the private redis-server did not start")

    def kill(self):
        """Stop it at once: with nothing saved, whatever it held is lost."""
        self.process.kill()
        self.process.wait(timeout=10)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.kill()


@pytest.fixture
def private_redis(tmp_path):
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def worker_on_private_redis(transactional_db, private_redis, tmp_path):
    queue = f"test-restart-{uuid.uuid4().hex}"
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    log_path = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.allegations.worker_mail_settings",
        "DATABASE_URL": _test_database_url(),
        "REDIS_URL": private_redis.url,
        "TEST_MAIL_DIR": str(mail_dir),
        "OUTBOX_RELAY_AFTER_SECONDS": "2",  # what was lost with Redis is handed over again soon
    }
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--concurrency=1",
             # This test's queue, and the default one (where the worker hands the e-mails of the notices over to
             # itself, through the outbox): both in the private Redis.
             "-Q", f"{queue},celery",
             "-n", f"{queue}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO"],
            cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
    process.queue, process.log_path, process.mail_dir = queue, log_path, mail_dir
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


def send_beat(broker_url: str, queue: str, batch: int) -> None:
    """What beat sends every minute: one chase_deadlines message."""
    app = Celery(broker=broker_url, set_as_current=False)  # the project app stays the current one
    app.conf.broker_connection_retry_on_startup = True
    try:
        app.send_task(TASK, kwargs={"batch": batch}, queue=queue)
    finally:
        app.close()


def send_relay(broker_url: str, queue: str) -> None:
    """What beat sends every few seconds: the outbox's relay."""
    app = Celery(broker=broker_url, set_as_current=False)
    app.conf.broker_connection_retry_on_startup = True
    try:
        app.send_task("outbox.tasks.relay", queue=queue)
    finally:
        app.close()


def mails(mail_dir: Path) -> list:
    found = []
    for path in sorted(mail_dir.iterdir()):
        for chunk in path.read_bytes().split(SEPARATOR):
            if chunk.strip():
                found.append(email.message_from_bytes(chunk))
    return found


def carried(sent: list) -> Counter:
    """How many times each delivery was e-mailed: alone, or in a listing of one person's notices of a batch."""
    return Counter(pk for m in sent for pk in re.findall(r"\d+", m["X-Managing-Allegations-Deliveries"]
                                                          or m["X-Managing-Allegations-Delivery"]))


def wait_until(condition, worker, what, timeout=90):
    give_up = time.monotonic() + timeout
    while time.monotonic() < give_up:
        if condition():
            return
        if worker.poll() is not None:
            pytest.fail(f"The worker exited ({worker.returncode}):\n{worker.log_path.read_text()[-4000:]}")
        time.sleep(0.05)
    pytest.fail(f"{what}: not after {timeout} s. Worker log:\n{worker.log_path.read_text()[-4000:]}")


@pytest.mark.worker
def test_a_redis_restart_mid_sweep_neither_skips_nor_repeats_a_notice(
    worker_on_private_redis, private_redis, referral, lado_officer, lado_manager
):
    worker = worker_on_private_redis
    before = many_due_deadlines(referral, 300)
    notices = Notification.objects.filter(key__startswith="deadline-")

    send_beat(private_redis.url, worker.queue, batch=5)  # small committed batches: the restart lands mid-sweep
    wait_until(lambda: notices.count() >= 20, worker, "the first sweep started")
    private_redis.kill()  # the queue, and the running message's unacked entry, are lost
    sent_when_redis_died = notices.count()
    private_redis.start()
    # It came back empty (no snapshot, no append-only file): only what the worker hands over from now is there.
    assert not redis.Redis(port=private_redis.port).exists(worker.queue)
    assert sent_when_redis_died < 300 * 2 or pytest.fail("the sweep ended before Redis was killed")

    after = many_due_deadlines(referral, 80)  # falls due after the restart
    for _ in range(3):  # the next minutes' beats, one arriving while a sweep may still run
        send_beat(private_redis.url, worker.queue, batch=50)
    ids = before + after
    total = len(ids) * 2  # the overdue notice, to the two LADO staff
    wait_until(lambda: notices.count() == total and not Deadline.objects.filter(
        pk__in=ids, overdue_sent_at__isnull=True).exists(), worker, "every notice sent")

    def all_mailed():  # with beat's relay every second: e-mails handed over before the restart were lost with Redis
        if len(carried(mails(worker.mail_dir))) >= total:
            return True
        send_relay(private_redis.url, worker.queue)
        time.sleep(1)
        return False

    # 760 deliveries, one person's of a batch in one e-mail: a bound generous enough for a loaded 2-core machine (a wait, not a timing goal)
    wait_until(all_mailed, worker, "every e-mail written", timeout=240)
    time.sleep(1)  # anything late would show now

    assert_each_notice_once(ids, ("overdue",), recipients=2)
    sent = mails(worker.mail_dir)
    times = carried(sent)
    assert len(times) == total and set(times.values()) == {1}  # no delivery e-mailed twice, none missing
    # All these deadlines share a reference and a kind: each person had one overdue delivery per deadline, in
    # e-mails of their own or listings (one per person per batch).
    deliveries = Delivery.objects.filter(key__contains=":deadline-", kind="deadline_overdue")
    assert set(deliveries.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    assert Counter(deliveries.values_list("address", flat=True)) == {
        who: len(ids) for who in (lado_officer.email, lado_manager.email)}
    assert all(m["Subject"].startswith("Overdue:") for m in sent)
    assert {m["To"] for m in sent} == {lado_officer.email, lado_manager.email}
    assert chasing.sweep() == {"reminder": 0, "overdue": 0, "escalation": 0, "digests": 0}
    assert "Connection to broker lost" in worker.log_path.read_text()  # the worker did see Redis go
