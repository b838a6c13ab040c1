"""The outbox (outbox/services.py): a side effect is recorded with its change, handed over after commit,
relayed when it was not done, and run once under a row lock; failures are recorded by kind, never text."""

from __future__ import annotations

import datetime as dt
import json
import threading

import pytest
import redis
from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone

from agencies.models import Notification
from outbox import registry, services
from outbox.models import Message
from tests.allegations.test_worker import task_queue  # noqa: F401 — a fixture: this test's own Celery queue

RUNS: list[dict] = []


@registry.handler("tests.outbox.record")
def record(*, n: int) -> None:
    """A handler whose effect is a database row (as a notice is) and a note of each run."""
    RUNS.append({"n": n})
    Notification.objects.create(user_id=n, title="Run", link="/", key=f"tests-outbox-{n}-{len(RUNS)}")


@registry.handler("tests.outbox.mail_server_away")
def mail_server_away(*, n: int) -> None:
    raise ConnectionRefusedError("smtp for Alexandra Morgan refused")  # an OSError: may pass


@registry.handler("tests.outbox.bug")
def bug(*, n: int) -> None:
    raise ValueError("a programming error naming Alexandra Morgan")


@pytest.fixture(autouse=True)
def _no_runs():
    RUNS.clear()
    yield


def queued(queue: str) -> list[int]:
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    try:
        raw = broker.lrange(queue, 0, -1)
    finally:
        broker.close()
    import base64

    return [json.loads(base64.b64decode(json.loads(m)["body"]))[0][0] for m in raw]


@pytest.mark.django_db
def test_a_message_is_written_with_its_change_and_rolled_back_with_it(lado_officer):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.message_add(handler="tests.outbox.record", key="rolled-back", n=lado_officer.pk)
        raise RuntimeError("the change failed")
    assert not Message.objects.filter(key="rolled-back").exists()

    message = services.message_add(handler="tests.outbox.record", key="kept", n=lado_officer.pk)
    assert message.is_pending and message.arguments == {"n": lado_officer.pk}
    # Asked again (a task run twice): recorded once.
    assert services.message_add(handler="tests.outbox.record", key="kept", n=lado_officer.pk) is None
    assert Message.objects.filter(key="kept").count() == 1
    with pytest.raises(LookupError):
        services.message_add(handler="tests.outbox.misspelt", key="x")


@pytest.mark.django_db
def test_after_commit_it_is_handed_to_the_broker(django_capture_on_commit_callbacks, task_queue, lado_officer):  # noqa: F811
    with django_capture_on_commit_callbacks(execute=True):
        message = services.message_add(handler="tests.outbox.record", key="handed", n=lado_officer.pk)
    assert queued(task_queue) == [message.pk]
    assert not RUNS  # handed over, not run


@pytest.mark.django_db
def test_a_message_runs_once_and_its_effect_commits_with_its_done_mark(lado_officer):
    message = services.message_add(handler="tests.outbox.record", key="once", n=lado_officer.pk)

    assert services.message_run(message_id=message.pk) == "done"
    assert services.message_run(message_id=message.pk) == "skipped"  # a second copy of the Celery message
    message.refresh_from_db()
    assert message.done_at is not None
    assert len(RUNS) == 1 and Notification.objects.filter(user=lado_officer).count() == 1


@pytest.mark.django_db
def test_an_error_that_may_pass_is_tried_again_later_and_logged_without_its_text(lado_officer, caplog):
    message = services.message_add(handler="tests.outbox.mail_server_away", key="smtp", n=lado_officer.pk)
    before = timezone.now()

    assert services.message_run(message_id=message.pk) == "retry"

    message.refresh_from_db()
    assert message.is_pending and message.failures == 1 and message.last_error == "ConnectionRefusedError"
    assert message.relay_at >= before + dt.timedelta(seconds=settings.OUTBOX_RELAY_AFTER_SECONDS)
    assert "ConnectionRefusedError" in caplog.text and "Alexandra" not in caplog.text
    for _ in range(services.MAX_FAILURES - 1):
        services.message_run(message_id=message.pk)
    message.refresh_from_db()
    assert message.gave_up_at is not None and message.failures == services.MAX_FAILURES


@pytest.mark.django_db
def test_any_other_error_is_given_up_at_once_and_logged_without_its_text(lado_officer, caplog):
    message = services.message_add(handler="tests.outbox.bug", key="bug", n=lado_officer.pk)

    assert services.message_run(message_id=message.pk) == "failed"

    message.refresh_from_db()
    assert message.gave_up_at is not None and message.last_error == "ValueError"
    assert "ValueError" in caplog.text and "Alexandra" not in caplog.text
    assert services.message_run(message_id=message.pk) == "skipped"


@pytest.mark.django_db
def test_the_relay_hands_over_what_is_due_and_waits_longer_each_time(task_queue, lado_officer):  # noqa: F811
    now = timezone.now()
    due = services.message_add(handler="tests.outbox.record", key="due", n=lado_officer.pk)
    later = services.message_add(handler="tests.outbox.record", key="later", n=lado_officer.pk)
    done = services.message_add(handler="tests.outbox.record", key="done", n=lado_officer.pk)
    services.message_run(message_id=done.pk)
    Message.objects.filter(pk__in=[due.pk, done.pk]).update(relay_at=now - dt.timedelta(seconds=1))

    assert services.messages_relay(now=now) == 1
    assert queued(task_queue) == [due.pk]
    due.refresh_from_db()
    after = dt.timedelta(seconds=settings.OUTBOX_RELAY_AFTER_SECONDS)
    assert (due.relayed, due.relay_at) == (1, now + after)
    assert services.messages_relay(now=now) == 0  # not again until its time
    assert services.messages_relay(now=now + after) == 1
    due.refresh_from_db()
    assert (due.relayed, due.relay_at) == (2, now + after + 2 * after)
    later.refresh_from_db()
    assert later.relayed == 0


@pytest.mark.django_db
def test_the_relay_gives_up_on_a_message_handed_over_too_often(task_queue, lado_officer):  # noqa: F811
    message = services.message_add(handler="tests.outbox.record", key="worn", n=lado_officer.pk)
    Message.objects.filter(pk=message.pk).update(relayed=services.MAX_RELAYS, relay_at=timezone.now())
    assert services.messages_relay() == 0
    message.refresh_from_db()
    assert message.gave_up_at is not None


@pytest.mark.django_db(transaction=True)
def test_a_message_a_worker_is_running_is_neither_run_again_nor_relayed(task_queue, lado_officer):  # noqa: F811
    message = services.message_add(handler="tests.outbox.record", key="busy", n=lado_officer.pk)
    Message.objects.filter(pk=message.pk).update(relay_at=timezone.now() - dt.timedelta(seconds=1))
    holding, release = threading.Event(), threading.Event()

    def worker_holding_it():
        try:
            with transaction.atomic():
                Message.objects.select_for_update().get(pk=message.pk)  # what message_run holds while it runs
                holding.set()
                release.wait(timeout=20)
        finally:
            connections.close_all()

    thread = threading.Thread(target=worker_holding_it)
    thread.start()
    try:
        assert holding.wait(timeout=10)
        assert services.message_run(message_id=message.pk) == "skipped"
        assert services.messages_relay() == 0
    finally:
        release.set()
        thread.join(timeout=20)
    assert services.message_run(message_id=message.pk) == "done"
    assert len(RUNS) == 1


@pytest.mark.django_db
def test_what_is_waiting_is_known_by_its_once_key(lado_officer):
    waiting = services.message_add(handler="tests.outbox.record", key="waiting", n=lado_officer.pk)
    sent = services.message_add(handler="tests.outbox.record", key="sent", n=lado_officer.pk)
    services.message_run(message_id=sent.pk)
    assert services.messages_waiting(["waiting", "sent", "never"]) == {waiting.key}


@pytest.mark.django_db
def test_the_relay_removes_done_messages_after_a_while(lado_officer):
    old = services.message_add(handler="tests.outbox.record", key="old", n=lado_officer.pk)
    recent = services.message_add(handler="tests.outbox.record", key="recent", n=lado_officer.pk)
    for message in (old, recent):
        services.message_run(message_id=message.pk)
    Message.objects.filter(pk=old.pk).update(done_at=timezone.now() - dt.timedelta(days=services.KEEP_DONE_DAYS + 1))
    services.messages_relay()
    assert list(Message.objects.values_list("key", flat=True)) == ["recent"]
