"""A batch of e-mails (a sweep's, the relay's) goes through one connection to the mail server (outbox.services.
messages_run), and each e-mail is still marked sent, or failed, on its own: exactly once."""

from __future__ import annotations

import datetime as dt
import smtplib

import pytest
from django.core.mail.backends.locmem import EmailBackend
from django.test import override_settings
from django.utils import timezone

from outbox import delivery as deliveries, services, tasks
from outbox.models import Delivery, DeliveryStatus, Message
from tests.allegations.test_worker import task_queue  # noqa: F401 — a fixture: this test's own Celery queue
from tests.outbox.test_outbox import queued


class CountingBackend(EmailBackend):
    """The test mail server: counts the connections opened (as the SMTP backend opens them: once until closed) and
    the e-mails sent, and refuses the addresses in `refuse` (as a mail server refuses a recipient)."""

    opened = 0
    sent: list[str] = []
    refuse: set[str] = set()

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.connected = False

    def open(self):
        if self.connected:
            return False
        type(self).opened += 1
        self.connected = True
        return True

    def close(self):
        self.connected = False

    def send_messages(self, messages):
        opened = self.open()
        try:
            for message in messages:
                if set(message.to) & self.refuse:
                    raise smtplib.SMTPRecipientsRefused({message.to[0]: (550, b"refused")})
                type(self).sent.append(message.to[0])
            return super().send_messages(messages)
        finally:
            if opened:
                self.close()


COUNTING = {"default": {"BACKEND": f"{__name__}.CountingBackend"}}


@pytest.fixture(autouse=True)
def _counting():
    CountingBackend.opened, CountingBackend.sent, CountingBackend.refuse = 0, [], set()
    with override_settings(MAILERS=COUNTING):
        yield


def _emails(user, n: int) -> list[int]:
    """n deliveries asked for in one batch (as the sweep asks): their outbox messages' ids, in order."""
    ids = deliveries.deliveries_add([
        dict(key=f"batch:{i}", kind="notice", address=f"person{i}@school.example", user=user, recipient="Lead",
             template="meetings/email/minutes_circulated",
             context={"title": f"Minutes circulated: case MAS-2026-{i:05}", "url": "https://example.test/m/1"})
        for i in range(n)
    ])
    assert len(ids) == n
    return list(Message.objects.filter(key__in=[f"delivery:{pk}" for pk in ids]).order_by("pk")
                .values_list("pk", flat=True))


@pytest.mark.django_db
def test_a_batch_of_e_mails_opens_one_connection_and_marks_each_sent(lado_officer):
    messages = _emails(lado_officer, 7)

    assert tasks.deliver_many(messages) == ["done"] * 7

    assert CountingBackend.opened == 1
    assert sorted(CountingBackend.sent) == sorted(f"person{i}@school.example" for i in range(7))
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    assert Message.objects.filter(pk__in=messages, done_at__isnull=False).count() == 7

    # The batch handed over again (a redelivered Celery message, the relay): nothing sent twice, nothing opened.
    assert tasks.deliver_many(messages) == ["skipped"] * 7
    assert CountingBackend.opened == 1 and len(CountingBackend.sent) == 7


@pytest.mark.django_db
def test_one_refused_e_mail_in_a_batch_loses_and_repeats_none_of_the_others(lado_officer):
    messages = _emails(lado_officer, 5)
    CountingBackend.refuse = {"person2@school.example"}

    assert tasks.deliver_many(messages) == ["done", "done", "retry", "done", "done"]

    # A fresh connection after the failure (the server may have dropped it), not one per e-mail.
    assert CountingBackend.opened == 2
    assert sorted(CountingBackend.sent) == [f"person{i}@school.example" for i in (0, 1, 3, 4)]
    refused = Message.objects.get(pk=messages[2])
    assert refused.done_at is None and refused.failures == 1 and refused.last_error == "SMTPRecipientsRefused"
    assert Delivery.objects.get(address="person2@school.example").status == DeliveryStatus.QUEUED

    # Later the server takes it: the relay's batch sends that one only, once.
    CountingBackend.refuse = set()
    assert tasks.deliver_many(messages) == ["skipped", "skipped", "done", "skipped", "skipped"]
    assert sorted(CountingBackend.sent) == sorted(f"person{i}@school.example" for i in range(5))
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}


@pytest.mark.django_db
def test_a_mail_server_that_cannot_be_reached_fails_each_e_mail_on_its_own_to_be_tried_again(lado_officer,
                                                                                              monkeypatch):
    messages = _emails(lado_officer, 3)

    def unreachable(self):
        raise ConnectionRefusedError("no mail server")

    monkeypatch.setattr(CountingBackend, "open", unreachable)
    assert tasks.deliver_many(messages) == ["retry"] * 3
    assert not CountingBackend.sent
    assert list(Message.objects.filter(pk__in=messages).values_list("failures", flat=True)) == [1, 1, 1]
    assert Message.objects.filter(pk__in=messages, gave_up_at__isnull=True, done_at__isnull=True).count() == 3


@pytest.mark.django_db
def test_the_relay_hands_over_e_mails_as_one_batch_and_other_messages_one_by_one(task_queue, lado_officer):  # noqa: F811
    now = timezone.now()
    messages = _emails(lado_officer, 3)
    other = services.message_add(handler="tests.outbox.record", key="other", n=lado_officer.pk)
    Message.objects.update(relay_at=now - dt.timedelta(seconds=1))

    assert services.messages_relay(now=now) == 4

    handed = queued(task_queue)
    assert sorted(handed, key=str) == sorted([messages, other.pk], key=str)  # one task for the e-mails
    assert set(Message.objects.values_list("relayed", flat=True)) == {1}
