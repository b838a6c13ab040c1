"""Delivering webhooks to a real HTTPS receiver on 127.0.0.1 that checks each signature with `standardwebhooks`
(issue 20 part 3: the proof), and what happens when it keeps failing, is replayed or is paused."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from agencies.models import Notification
from outbox.models import Delivery as OutboxDelivery, Message
from outbox.services import messages_drain
from tests.allegations.factories import make_referral
from webhooks import services
from webhooks.models import Delivery, DeliveryStatus, Endpoint, Event

pytestmark = pytest.mark.django_db


def _endpoint(admin, agency, url, events=("referral.acknowledged",)):
    endpoint, secret = services.endpoint_create(actor=admin, agency=agency, url=url, events=list(events))
    return endpoint, secret


def _retry_when_due(delivery: Delivery) -> None:
    """The beat sweep at the moment the delivery's next attempt falls due, then the worker."""
    delivery.refresh_from_db()
    due = delivery.next_attempt_at
    assert services.deliveries_retry_due(now=due - dt.timedelta(seconds=1)) == 0, "not before its time"
    assert services.deliveries_retry_due(now=due) == 1
    assert services.deliveries_retry_due(now=due) == 0, "a sweep run twice asks once"
    messages_drain()


def test_fails_twice_then_accepted_the_event_is_processed_exactly_once(
        receiver, agency_a_admin, agency_a, agency_a_manager, lado_service):
    endpoint, secret = _endpoint(agency_a_admin, agency_a, receiver.url)
    assert secret.startswith("whsec_")
    receiver.secret = secret
    receiver.script = [500, 503]  # the first two attempts fail; the third is accepted

    referral = make_referral(actor=agency_a_manager, lado_service=lado_service, agency=agency_a)
    delivery = Delivery.objects.get(endpoint=endpoint)
    assert Message.objects.filter(handler="webhooks.deliver", arguments__delivery_id=delivery.pk).exists(), \
        "the first attempt is an outbox message, written with the referral"

    messages_drain()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.RETRYING, 1)
    first_gap = delivery.next_attempt_at - delivery.attempt_rows.get(number=1).at
    _retry_when_due(delivery)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.RETRYING, 2)
    second_gap = delivery.next_attempt_at - delivery.attempt_rows.get(number=2).at
    assert second_gap == 2 * first_gap, "exponential back-off"
    _retry_when_due(delivery)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.delivered_at is not None

    assert len(receiver.requests) == 3
    assert all(r["verified"] for r in receiver.requests), "every attempt carries a valid signature"
    assert len({r["headers"]["webhook-id"] for r in receiver.requests}) == 1, "one webhook-id for every attempt"
    assert receiver.processed_count == 1, "exactly one event processed"
    payload = next(iter(receiver.processed.values()))
    assert payload["type"] == "referral.acknowledged"
    assert payload["data"]["reference"] == referral.reference
    assert payload["data"]["link"].endswith(f"/referrals/{referral.reference}/")
    attempts = list(delivery.attempt_rows.values_list("number", "status_code", "ok", "error"))
    assert attempts == [(1, 500, False, "HTTP 500"), (2, 503, False, "HTTP 503"), (3, 200, True, "")]

    # Replayed from the page: sent again with the same webhook-id, so the receiver still processes it once.
    services.delivery_replay(actor=agency_a_admin, delivery=delivery)
    messages_drain()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempts == 4
    assert len(receiver.requests) == 4 and receiver.processed_count == 1


def test_an_endpoint_that_keeps_failing_is_paused_and_its_administrator_told(
        receiver, agency_a_admin, agency_a, agency_a_manager, lado_service):
    endpoint, secret = _endpoint(agency_a_admin, agency_a, receiver.url)
    receiver.secret = secret
    receiver.script = [500] * 50
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        make_referral(actor=agency_a_manager, lado_service=lado_service, agency=agency_a)
        messages_drain()
    delivery = Delivery.objects.get(endpoint=endpoint)
    endpoint.refresh_from_db()
    assert endpoint.failing_since == start and not endpoint.is_paused
    # Each next attempt in turn, until 24 hours have passed: the delivery's last attempt falls at the window's end.
    for _ in range(30):
        delivery.refresh_from_db()
        if delivery.status != DeliveryStatus.RETRYING:
            break
        with time_machine.travel(delivery.next_attempt_at, tick=False):
            services.deliveries_retry_due(now=delivery.next_attempt_at)
            messages_drain()
    delivery.refresh_from_db()
    endpoint.refresh_from_db()
    assert delivery.status in (DeliveryStatus.GIVEN_UP, DeliveryStatus.HELD)
    assert 5 <= delivery.attempts <= 20
    assert delivery.attempt_rows.order_by("-number").first().at == start + dt.timedelta(hours=24)
    assert endpoint.is_paused and "24 hours" in endpoint.pause_reason
    notice = Notification.objects.get(user=agency_a_admin)
    assert notice.link == f"/webhooks/{endpoint.pk}/" and "paused" in notice.title
    # And e-mailed: the notice's e-mail is a delivery to the administrator (outbox.delivery), sent by the worker.
    assert OutboxDelivery.objects.filter(user=agency_a_admin, key__contains="webhook-paused").exists(), "and e-mailed"

    # While paused, events are kept (held), not sent.
    sent_before = len(receiver.requests)
    make_referral(actor=agency_a_manager, lado_service=lado_service, agency=agency_a)
    messages_drain()
    held = Delivery.objects.filter(endpoint=endpoint, status=DeliveryStatus.HELD)
    assert held.count() >= 1 and len(receiver.requests) == sent_before

    # Resumed (the system is back): what was held is sent.
    receiver.script = []
    assert services.endpoint_resume(actor=agency_a_admin, endpoint=endpoint) >= 1
    messages_drain()
    assert not Delivery.objects.filter(endpoint=endpoint, status=DeliveryStatus.HELD).exists()
    assert receiver.processed_count >= 1


def test_a_local_or_plain_http_address_is_never_sent_to(settings, agency_a_admin, agency_a, agency_a_manager,
                                                          lado_service):
    settings.WEBHOOK_ALLOW_LOCAL_ADDRESSES = False
    endpoint, _ = _endpoint(agency_a_admin, agency_a, "https://127.0.0.1:9/hooks")
    make_referral(actor=agency_a_manager, lado_service=lado_service, agency=agency_a)
    messages_drain()
    attempt = Delivery.objects.get(endpoint=endpoint).attempt_rows.get()
    assert (attempt.ok, attempt.status_code, attempt.error) == (False, None, "Address on a private network refused")
    # A row changed behind the pages' back to http:// is refused when sending, too.
    Endpoint.objects.filter(pk=endpoint.pk).update(url="http://example.org/hooks")
    services.delivery_replay(actor=agency_a_admin, delivery=Delivery.objects.get(endpoint=endpoint))
    messages_drain()
    assert Delivery.objects.get(endpoint=endpoint).attempt_rows.order_by("number").last().error == "Not an https address"


def test_nothing_is_recorded_for_an_agency_without_endpoints(agency_a, agency_a_manager, lado_service):
    make_referral(actor=agency_a_manager, lado_service=lado_service, agency=agency_a)
    assert not Event.objects.exists() and not Message.objects.filter(handler="webhooks.deliver").exists()
