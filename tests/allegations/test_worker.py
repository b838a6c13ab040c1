"""The new-referral notice: enqueued after commit, run by a real Celery worker, safe to run twice.

Celery is not run eagerly (STYLE.md): enqueueing is tested with
django_capture_on_commit_callbacks, the task by calling its function, and the whole
chain with a real worker process reading the test database. Each test routes tasks
to a queue of its own, so no other worker on the broker can take them.
"""

import base64
import json
import os
import signal
import subprocess
import sys
import time
import uuid

import pytest
import redis
from django.conf import settings
from django.core import mail
from django.urls import reverse

from agencies.models import Notification
from allegations.notifications import referral_received_notify
from allegations.tasks import notify_new_referral
from config.celery import app as celery_app
from outbox.models import Message
from outbox.services import messages_drain as outbox_drain
from tests.allegations.factories import make_referral
from tests.database import database_url

WORKER_WAIT_SECONDS = 30
SUBJECT_NAMES = ("Zebedee", "Quincey-Hartley")
CHILD_NAMES = ("Tallulah", "Brightwater")
TASK_NAME = "outbox.tasks.deliver"


def refer(actor, lado_service, agency):
    return make_referral(
        actor=actor, lado_service=lado_service, agency=agency, given=SUBJECT_NAMES[0], family=SUBJECT_NAMES[1],
        children=[{"given_name": CHILD_NAMES[0], "family_name": CHILD_NAMES[1], "relationship": "complainant"}],
    )


def assert_name_free(text):
    for name in SUBJECT_NAMES + CHILD_NAMES:
        assert name not in text, f"{name!r} must not appear in {text!r}"


@pytest.fixture
def task_queue(monkeypatch):
    """A queue of this test's own: tasks sent without an explicit queue go there."""
    name = f"test-svc-{uuid.uuid4().hex}"
    monkeypatch.setitem(celery_app.conf, "task_default_queue", name)
    yield name
    if settings.CELERY_BROKER_URL.startswith("redis"):
        client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
        leftovers = list(client.scan_iter(match=f"*{name}*"))  # the queue and kombu's bindings for it
        if leftovers:
            client.delete(*leftovers)
        client.close()


def _test_database_url() -> str:
    return database_url()


@pytest.fixture
def celery_worker(transactional_db, task_queue, tmp_path):
    """A real worker process on this test's queue, reading the test database (what the test committed)."""
    log_path = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": _test_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_TASK_DEFAULT_QUEUE": task_queue,  # what the worker hands over itself comes back to it
    }
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [
                sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--concurrency=1",
                "-Q", task_queue, "-n", f"{task_queue}@%h", "--without-gossip", "--without-mingle",
                "--without-heartbeat", "--loglevel=INFO",
            ],
            cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
    process.log_path = log_path
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


def wait_for(condition, worker, timeout=WORKER_WAIT_SECONDS):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        if worker.poll() is not None:
            pytest.fail(f"The worker exited ({worker.returncode}):\n{worker.log_path.read_text()[-4000:]}")
        time.sleep(0.25)
    pytest.fail(f"Nothing after {timeout} s. Worker log:\n{worker.log_path.read_text()[-4000:]}")


# --- With a real worker ----------------------------------------------------------------------


@pytest.mark.worker
def test_a_worker_notifies_the_lado_service_of_a_submitted_referral(
    celery_worker, lado_officer, lado_manager, other_officer, agency_a_manager, lado_service, agency_a
):
    referral = refer(agency_a_manager, lado_service, agency_a)  # commits, then enqueues on commit
    officers = {lado_officer.pk, lado_manager.pk}

    wait_for(lambda: Notification.objects.filter(user_id__in=officers).count() == len(officers), celery_worker)

    notices = list(Notification.objects.filter(key=f"referral-received:{referral.pk}"))
    assert {n.user_id for n in notices} == officers  # not the other service's officer, not the referrer
    for notice in notices:
        assert referral.reference in notice.title
        assert_name_free(notice.title)
        assert notice.link == reverse("allegations:referral_detail", args=[referral.reference])
        assert notice.read_at is None
    assert not Notification.objects.filter(user__in=[other_officer, agency_a_manager]).exists()

    # The task may run again (acks_late, a retry): nobody is told twice.
    assert notify_new_referral(referral.pk) == 0
    assert notify_new_referral(referral.pk) == 0
    assert Notification.objects.filter(key=f"referral-received:{referral.pk}").count() == len(officers)
    assert Notification.objects.filter(user=lado_officer).count() == 1


# --- Without a worker -----------------------------------------------------------------------


@pytest.mark.django_db
def test_submitting_a_referral_records_the_notice_with_it_and_hands_it_over_after_commit(
    django_capture_on_commit_callbacks, task_queue, lado_officer, agency_a_manager, lado_service, agency_a
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        referral = refer(agency_a_manager, lado_service, agency_a)

    # The outbox message is written in the referral's transaction; nothing is sent inside it.
    message = Message.objects.get(key=f"referral-received:{referral.pk}")
    assert (message.handler, message.arguments) == ("allegations.referral_received", {"referral_id": referral.pk})
    assert message.done_at is None
    from outbox.services import message_hand_over

    # After commit: the hand-over to the broker (and the provider prompts' cache is forgotten).
    hand_overs = [c for c in callbacks if getattr(c, "func", None) is message_hand_over]
    assert len(hand_overs) == 1
    assert not Notification.objects.exists()  # nothing ran inside the transaction

    hand_overs[0]()  # what the commit does: hand the message to the broker

    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    try:
        messages = [json.loads(raw) for raw in broker.lrange(task_queue, 0, -1)]
    finally:
        broker.close()
    assert len(messages) == 1
    assert messages[0]["headers"]["task"] == TASK_NAME
    args, kwargs, _ = json.loads(base64.b64decode(messages[0]["body"]))
    assert (args, kwargs) == ([message.pk], {})
    assert not Notification.objects.exists()  # enqueued, not run


@pytest.mark.django_db
def test_the_notice_email_carries_a_link_and_no_names(lado_officer, lado_manager, agency_a_manager, lado_service, agency_a):
    referral = refer(agency_a_manager, lado_service, agency_a)
    mail.outbox.clear()

    sent = referral_received_notify(referral_id=referral.pk)
    outbox_drain()  # the e-mails, recorded in the outbox, sent as the worker sends them

    assert sent == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([lado_officer.email, lado_manager.email])
    link = settings.SITE_URL + reverse("allegations:referral_detail", args=[referral.reference])
    for message in mail.outbox:
        assert referral.reference in message.subject
        assert link in message.body
        assert_name_free(message.subject)
        assert_name_free(message.body)
        assert referral.description not in message.body

    # Run again: no second e-mail, no second inbox entry.
    assert referral_received_notify(referral_id=referral.pk) == 0
    outbox_drain()
    assert len(mail.outbox) == 2
    assert Notification.objects.filter(user=lado_officer).count() == 1


@pytest.mark.django_db
def test_no_new_referral_notice_for_a_referral_received_long_before(lado_officer, lado_manager, agency_a_manager,
                                                                    lado_service, agency_a):
    """A referral received more than a week before its notice runs (recorded long after the event, the demo's
    history) is old news: no "new referral" notice (the demo's story filled every LADO inbox with 65)."""
    import datetime as dt

    from django.utils import timezone

    from allegations.notifications import NEW_REFERRAL_NEWS_DAYS

    old = refer(agency_a_manager, lado_service, agency_a)
    recent = refer(agency_a_manager, lado_service, agency_a)
    type(old).objects.filter(pk=old.pk).update(
        received_at=timezone.now() - dt.timedelta(days=NEW_REFERRAL_NEWS_DAYS, minutes=1))
    type(recent).objects.filter(pk=recent.pk).update(
        received_at=timezone.now() - dt.timedelta(days=NEW_REFERRAL_NEWS_DAYS - 1))
    Notification.objects.all().delete()

    assert referral_received_notify(referral_id=old.pk) == 0
    assert not Notification.objects.exists()
    assert referral_received_notify(referral_id=recent.pk) == 2  # the officer and the manager
