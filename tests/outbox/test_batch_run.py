"""A batch of messages runs in ONE transaction (outbox.services.messages_run): each handler in its own savepoint,
the e-mails sent after them all through one connection, every message marked done with one UPDATE. Exactly once
still: a failing handler, a mail server that breaks at the k-th e-mail, a batch run twice."""

from __future__ import annotations

import smtplib
import uuid

import pytest
import responses
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from agencies.models import Notification
from outbox import delivery as deliveries, services, tasks
from outbox.models import Delivery, DeliveryStatus, Message
from tests.outbox import test_notify as notify_tests
from tests.outbox.test_batch_connection import COUNTING, CountingBackend, _emails
from tests.outbox.test_outbox import RUNS  # noqa: F401 — registers the tests.outbox.* handlers


class BreakingBackend(CountingBackend):
    """A mail server that accepts `accept` e-mails, then goes away (every later e-mail fails to go)."""

    accept = 0

    def send_messages(self, messages):
        if len(type(self).sent) >= type(self).accept:
            raise smtplib.SMTPServerDisconnected("the server went away")
        return super().send_messages(messages)


BREAKING = {"default": {"BACKEND": f"{__name__}.BreakingBackend"}}


@pytest.fixture(autouse=True)
def _counting():
    CountingBackend.opened, CountingBackend.sent, CountingBackend.refuse = 0, [], set()
    BreakingBackend.accept = 0
    with override_settings(MAILERS=COUNTING):
        yield


@deliveries.attachments_for("tests_broken_attachment")
def _broken(delivery):
    raise ValueError("an attachment maker's bug")


@pytest.mark.django_db
def test_one_failing_handler_in_a_batch_loses_and_repeats_none_of_the_others(lado_officer):
    emails = _emails(lado_officer, 4)
    noted = services.message_add(handler="tests.outbox.record", key="noted", n=lado_officer.pk)
    bug = services.message_add(handler="tests.outbox.bug", key="bug", n=lado_officer.pk)
    # An e-mail whose making fails: the deliveries' batch form raises, so each of them is run on its own.
    broken = deliveries.deliveries_add([dict(key="broken", kind="tests_broken_attachment", address="x@school.example",
                                             user=lado_officer, template="meetings/email/minutes_circulated",
                                             context={"title": "t", "url": "https://example.test/"})])
    broken_message = Message.objects.get(key=f"delivery:{broken[0]}").pk
    batch = [emails[0], noted.pk, emails[1], bug.pk, broken_message, emails[2], emails[3]]

    assert tasks.deliver_many(batch) == ["done", "done", "done", "failed", "failed", "done", "done"]

    assert CountingBackend.opened == 1
    assert sorted(CountingBackend.sent) == sorted(f"person{i}@school.example" for i in range(4))
    assert Notification.objects.filter(key__startswith="tests-outbox-").count() == 1  # the good handler's work kept
    assert Delivery.objects.get(key="broken").status == DeliveryStatus.QUEUED  # its own work rolled back
    assert Message.objects.get(pk=bug.pk).last_error == "ValueError"
    assert Message.objects.get(pk=broken_message).last_error == "ValueError"
    assert Message.objects.filter(pk__in=batch, done_at__isnull=False).count() == 5

    # Run again (the relay, a redelivered task): nothing sent twice, nothing run twice.
    assert tasks.deliver_many(batch) == ["skipped"] * 7
    assert len(CountingBackend.sent) == 4
    assert Notification.objects.filter(key__startswith="tests-outbox-").count() == 1


@pytest.mark.django_db
@override_settings(MAILERS=BREAKING)
def test_a_mail_server_failing_at_the_kth_e_mail_sends_those_before_once_and_leaves_the_rest_to_try_again(
        lado_officer):
    messages = _emails(lado_officer, 6)
    BreakingBackend.accept = 3  # the 4th e-mail finds the server gone

    assert tasks.deliver_many(messages) == ["done"] * 3 + ["retry"] * 3

    assert CountingBackend.sent == [f"person{i}@school.example" for i in range(3)]  # in order
    statuses = dict(Delivery.objects.values_list("address", "status"))
    assert [statuses[f"person{i}@school.example"] for i in range(6)] == [DeliveryStatus.SENT] * 3 + [
        DeliveryStatus.QUEUED] * 3
    pending = Message.objects.filter(pk__in=messages, done_at__isnull=True, gave_up_at__isnull=True)
    assert list(pending.order_by("pk").values_list("pk", flat=True)) == messages[3:]
    assert set(pending.values_list("failures", flat=True)) == {1}

    # The server is back: the same batch handed over again sends the other three, once each.
    BreakingBackend.accept = 100
    assert tasks.deliver_many(messages) == ["skipped"] * 3 + ["done"] * 3
    assert CountingBackend.sent == [f"person{i}@school.example" for i in range(6)]
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    assert tasks.deliver_many(messages) == ["skipped"] * 6
    assert len(CountingBackend.sent) == 6


@pytest.mark.django_db
def test_a_batch_takes_a_fixed_number_of_queries_and_one_connection_whatever_its_size(lado_officer):
    small = _emails(lado_officer, 3)
    with CaptureQueriesContext(connection) as three:
        tasks.deliver_many(small)
    Delivery.objects.all().delete()
    Message.objects.all().delete()
    large = _emails(lado_officer, 30)
    with CaptureQueriesContext(connection) as thirty:
        assert tasks.deliver_many(large) == ["done"] * 30
    assert len(thirty) == len(three)  # lock the messages, read the deliveries, mark them sent, mark them done
    assert CountingBackend.opened == 2  # one per batch
    assert Delivery.objects.filter(status=DeliveryStatus.SENT, sent_at__isnull=False).count() == 30


@pytest.mark.django_db
def test_a_message_another_worker_holds_or_has_done_is_skipped(lado_officer):
    messages = _emails(lado_officer, 3)
    assert services.message_run(message_id=messages[1]) == "done"  # a single run got there first

    assert tasks.deliver_many(messages) == ["done", "skipped", "done"]
    assert sorted(CountingBackend.sent) == [f"person{i}@school.example" for i in range(3)]


@pytest.mark.django_db
@override_settings(MAILERS=notify_tests.NOTIFY_MAILERS)
@responses.activate
def test_a_batch_through_notify_records_each_reference_and_a_refusal_for_good(lado_officer):
    ids = [notify_tests._add(lado_officer, key=f"notify:{i}").pk for i in range(3)]
    references = [str(uuid.uuid4()), None, str(uuid.uuid4())]
    responses.post(notify_tests.SEND_URL, json=notify_tests._notification(references[0]), status=201)
    responses.post(notify_tests.SEND_URL, json={"status_code": 400, "errors": [
        {"error": "ValidationError", "message": "email_address Not a valid email address"}]}, status=400)
    responses.post(notify_tests.SEND_URL, json=notify_tests._notification(references[2]), status=201)
    messages = [Message.objects.get(key=f"delivery:{pk}").pk for pk in ids]

    assert tasks.deliver_many(messages) == ["done"] * 3

    first, refused, last = (Delivery.objects.get(pk=pk) for pk in ids)
    assert (first.status, first.provider_reference) == (DeliveryStatus.SENDING, references[0])
    assert (last.status, last.provider_reference) == (DeliveryStatus.SENDING, references[2])
    assert refused.status == DeliveryStatus.TECHNICAL_FAILURE and refused.failure == "Refused by GOV.UK Notify (400)"
    assert len(responses.calls) == 3
