"""Deliveries (outbox/delivery.py): a row per recipient, written with its change, sent once by the worker,
and brought up to date by receipts. What a delivery is about is any record."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import transaction

from outbox import delivery as deliveries, services
from outbox.models import Delivery, DeliveryChannel, DeliveryStatus, Message


def _add(user, **extra):
    return deliveries.delivery_add(
        key=f"test:{user.pk}", kind="notice", address="dsl@school.example", user=user, recipient="Designated lead",
        template="meetings/email/minutes_circulated",
        context={"title": "Minutes circulated: case MAS-2026-00042", "url": "https://example.test/m/1"},
        about=user, **extra)


@pytest.mark.django_db(transaction=True)
def test_a_delivery_and_its_message_roll_back_with_the_change(lado_officer):
    with pytest.raises(RuntimeError), transaction.atomic():
        _add(lado_officer)
        raise RuntimeError("the change failed")
    assert not Delivery.objects.exists() and not Message.objects.exists()


@pytest.mark.django_db
def test_a_delivery_is_sent_once_and_recorded_as_sent(lado_officer):
    delivery = _add(lado_officer)
    assert delivery.status == DeliveryStatus.QUEUED and not delivery.reached
    assert _add(lado_officer) is None  # asked for twice: one delivery
    message = Message.objects.get(handler="outbox.deliver")
    services.message_run(message_id=message.pk)
    services.message_run(message_id=message.pk)
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["dsl@school.example"] and "MAS-2026-00042" in sent.subject
    assert sent.extra_headers[deliveries.KIND_HEADER] == "notice"
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT and delivery.sent_at and delivery.reached
    assert list(deliveries.deliveries_about(lado_officer)) == [delivery]


@pytest.mark.django_db
def test_a_receipt_records_delivery_or_failure(lado_officer):
    delivery = _add(lado_officer)
    Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.SENDING, provider_reference="n-1")
    assert deliveries.delivery_receipt(reference="n-1", status="sending") is None
    failed = deliveries.delivery_receipt(reference="n-1", status="permanent-failure")
    assert failed.status == DeliveryStatus.PERMANENT_FAILURE and failed.failed and failed.failed_at
    assert failed.failure == "Not delivered: the address does not exist"
    assert deliveries.delivery_receipt(reference="n-1", status="delivered").reached


@pytest.mark.django_db
def test_a_letter_sent_by_post_is_recorded_as_sent_and_asks_for_no_e_mail(lado_officer):
    delivery = _add(lado_officer, channel=DeliveryChannel.POST)
    assert delivery.status == DeliveryStatus.SENT and delivery.sent_at
    assert not Message.objects.exists() and not mail.outbox
