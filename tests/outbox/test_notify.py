"""GOV.UK Notify (outbox/notify.py, outbox/views.py): the e-mail backend, its receipts by callback and by polling,
and the start-up check. Only Notify's HTTP is mocked (`responses`): our deliveries, outbox and views are real."""

from __future__ import annotations

import base64
import datetime as dt
import json
import uuid

import jwt
import pytest
import responses
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from outbox import delivery as deliveries, notify, services
from outbox.models import Delivery, DeliveryStatus, Message

SERVICE_ID = str(uuid.uuid4())
SECRET = str(uuid.uuid4())
API_KEY = f"managing_allegations_test-{SERVICE_ID}-{SECRET}"
BASE = "https://api.notifications.service.gov.uk"
SEND_URL = f"{BASE}/v2/notifications/email"
TEMPLATES = {"minutes_circulated": "11111111-1111-1111-1111-111111111111",
             "notify_test_files": "22222222-2222-2222-2222-222222222222"}
NOTIFY_MAILERS = {"default": {"BACKEND": notify.BACKEND, "OPTIONS": {"api_key": API_KEY, "templates": TEMPLATES}}}
TOKEN = "callback-token-for-tests-0123456789"


@deliveries.attachments_for("notify_test_files")
def _files(delivery):
    return [("outcome.pdf", b"%PDF-1.7 a letter", "application/pdf"),
            ("meeting.ics", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")]


def _add(user, *, kind="minutes_circulated", key="notify:1"):
    return deliveries.delivery_add(
        key=key, kind=kind, address="dsl@school.example", user=user, recipient="Designated lead",
        template="meetings/email/minutes_circulated",
        context={"title": "Minutes circulated", "url": "https://example.test/meetings/7/minutes/"})


def _run(delivery) -> str:
    message = Message.objects.get(handler="outbox.deliver", key=f"delivery:{delivery.pk}")
    return services.message_run(message_id=message.pk)


def _notification(notification_id, **extra):
    return {"id": notification_id, "reference": None, "content": {"subject": "s", "body": "b", "from_email": "x"},
            "uri": f"{BASE}/v2/notifications/{notification_id}", "template": {}, **extra}


@pytest.mark.django_db
@override_settings(MAILERS=NOTIFY_MAILERS)
@responses.activate
def test_an_e_mail_goes_through_notify_with_its_kinds_template_and_waits_for_a_receipt(lado_officer):
    notification_id = str(uuid.uuid4())
    responses.post(SEND_URL, json=_notification(notification_id), status=201)
    delivery = _add(lado_officer)

    assert _run(delivery) == "done"

    [call] = responses.calls
    sent = json.loads(call.request.body)
    assert sent["email_address"] == "dsl@school.example"
    assert sent["template_id"] == TEMPLATES["minutes_circulated"]
    assert sent["reference"] == str(delivery.pk)
    assert sent["personalisation"]["subject"].startswith("Minutes")
    assert "https://example.test/meetings/7/minutes/" in sent["personalisation"]["body"]
    assert sent["personalisation"]["link"] == "https://example.test/meetings/7/minutes/"
    # Notify's authorisation: a JSON Web Token signed with the key's secret, issued by the service.
    scheme, token = call.request.headers["Authorization"].split(" ")
    assert scheme == "Bearer" and jwt.decode(token, SECRET, algorithms=["HS256"])["iss"] == SERVICE_ID
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENDING and delivery.provider_reference == notification_id
    assert delivery.sent_at is not None
    assert _run(delivery) == "skipped"  # once
    assert len(responses.calls) == 1


@pytest.mark.django_db
@override_settings(MAILERS=NOTIFY_MAILERS)
@responses.activate
def test_a_file_goes_by_notifys_link_and_a_calendar_file_is_left_out(lado_officer):
    responses.post(SEND_URL, json=_notification(str(uuid.uuid4())), status=201)
    delivery = _add(lado_officer, kind="notify_test_files")
    assert _run(delivery) == "done"
    personalisation = json.loads(responses.calls[0].request.body)["personalisation"]
    assert base64.b64decode(personalisation["file_1"]["file"]) == b"%PDF-1.7 a letter"
    assert personalisation["file_1"]["filename"] == "outcome.pdf"
    assert personalisation["file_1"]["confirm_email_before_download"] is True
    assert "file_2" not in personalisation  # Notify takes no calendar files


@pytest.mark.django_db
@override_settings(MAILERS=NOTIFY_MAILERS)
@responses.activate
def test_notify_refusing_a_message_records_the_delivery_as_failed_and_does_not_retry(lado_officer):
    responses.post(SEND_URL, json={"status_code": 400, "errors": [
        {"error": "ValidationError", "message": "email_address Not a valid email address"}]}, status=400)
    delivery = _add(lado_officer)
    assert _run(delivery) == "done"
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.TECHNICAL_FAILURE and delivery.failed
    assert delivery.failure == "Refused by GOV.UK Notify (400)"  # never Notify's text: it may quote the address


@pytest.mark.django_db
@override_settings(MAILERS=NOTIFY_MAILERS)
@responses.activate
def test_notify_unavailable_leaves_the_delivery_queued_to_be_tried_again(lado_officer):
    responses.post(SEND_URL, json={"status_code": 500, "errors": [{"error": "Exception", "message": "boom"}]},
                   status=500)
    delivery = _add(lado_officer)
    assert _run(delivery) == "retry"
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.QUEUED
    message = Message.objects.get(key=f"delivery:{delivery.pk}")
    assert message.failures == 1 and message.gave_up_at is None and message.last_error == "NotifyUnavailable"

    responses.replace(responses.POST, SEND_URL, json=_notification("n-later"), status=201)
    assert services.message_run(message_id=message.pk) == "done"
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENDING and delivery.provider_reference == "n-later"


@pytest.mark.django_db
@override_settings(MAILERS=NOTIFY_MAILERS)
@responses.activate
def test_a_kind_without_a_template_is_not_sent_and_names_the_setting(lado_officer):
    delivery = _add(lado_officer, kind="referral_received")
    assert _run(delivery) == "done"
    assert not responses.calls
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.TECHNICAL_FAILURE  # shown as failed, not waiting for ever
    assert delivery.failure == "No GOV.UK Notify template for referral_received e-mails (NOTIFY_TEMPLATES)"
    with pytest.raises(ImproperlyConfigured, match="NOTIFY_TEMPLATES"):
        notify.NotifyBackend(api_key=API_KEY, templates={}).template_for("referral_received")
    with pytest.raises(ImproperlyConfigured, match="NOTIFY_API_KEY"):
        notify.NotifyBackend(api_key="", templates=TEMPLATES)


def test_the_start_up_check_names_every_kind_without_a_template():
    with override_settings(MAILERS=NOTIFY_MAILERS):
        [error] = notify.check_notify_templates()
    assert error.id == "outbox.E002"
    missing = error.msg.split(": ", 1)[1].rstrip(".").split(", ")
    assert {"referral_received", "deadline_overdue", "digest", "case_closed", "assurance_request"} <= set(missing)
    assert "minutes_circulated" not in missing  # it has one
    everything = {kind: str(uuid.uuid4()) for kind in deliveries.kinds()}
    with override_settings(MAILERS={"default": {"BACKEND": notify.BACKEND,
                                                "OPTIONS": {"api_key": API_KEY, "templates": everything}}}):
        assert notify.check_notify_templates() == []
    with override_settings(MAILERS={"default": {"BACKEND": notify.BACKEND, "OPTIONS": {"templates": everything}}}):
        assert [e.id for e in notify.check_notify_templates()] == ["outbox.E001"]
    assert notify.check_notify_templates() == []  # SMTP and the others need no templates


# --- Receipts ----------------------------------------------------------------------------------------------------


def _sending(user, reference, *, sent_minutes_ago=1, key="notify:1"):
    delivery = _add(user, key=key)
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.SENDING, provider_reference=reference,
        sent_at=timezone.now() - dt.timedelta(minutes=sent_minutes_ago))
    return delivery


def _receipt(client, body, token=TOKEN):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return client.post(reverse("outbox:notify_receipt"), data=json.dumps(body), content_type="application/json",
                       **headers)


@pytest.mark.django_db
@override_settings(NOTIFY_CALLBACK_TOKEN=TOKEN)
def test_notifys_callback_records_delivered_and_failed(client, lado_officer, lado_manager):
    delivered = _sending(lado_officer, "n-1", key="notify:1")
    failed = _sending(lado_manager, "n-2", key="notify:2")

    response = _receipt(client, {"id": "n-1", "reference": str(delivered.pk), "to": "dsl@school.example",
                                 "status": "delivered", "completed_at": "2026-12-03T09:15:00.000000Z",
                                 "notification_type": "email"})
    assert response.status_code == 200 and response.json() == {"delivery": delivered.pk, "status": "delivered"}
    delivered.refresh_from_db()
    assert delivered.status == DeliveryStatus.DELIVERED
    assert delivered.delivered_at == dt.datetime(2026, 12, 3, 9, 15, tzinfo=dt.UTC)

    assert _receipt(client, {"id": "n-2", "status": "permanent-failure"}).status_code == 200
    failed.refresh_from_db()
    assert failed.status == DeliveryStatus.PERMANENT_FAILURE and failed.failed_at

    assert _receipt(client, {"id": "unknown", "status": "delivered"}).status_code == 204  # not ours: taken
    assert _receipt(client, {"id": "n-1"}).status_code == 400
    assert client.post(reverse("outbox:notify_receipt"), data="not json", content_type="application/json",
                       HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 400
    assert client.get(reverse("outbox:notify_receipt"), HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 405


@pytest.mark.django_db
@pytest.mark.parametrize("token", ["", "wrong-token", TOKEN[:-1], TOKEN + "x"])
def test_notifys_callback_refuses_a_missing_or_wrong_token(client, lado_officer, token):
    delivery = _sending(lado_officer, "n-1")
    with override_settings(NOTIFY_CALLBACK_TOKEN=TOKEN):
        assert _receipt(client, {"id": "n-1", "status": "delivered"}, token=token).status_code == 403
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENDING


@pytest.mark.django_db
def test_notifys_callback_refuses_everyone_when_no_token_is_set(client, lado_officer):
    _sending(lado_officer, "n-1")
    with override_settings(NOTIFY_CALLBACK_TOKEN=""):
        assert _receipt(client, {"id": "n-1", "status": "delivered"}, token="").status_code == 403
        response = client.post(reverse("outbox:notify_receipt"), data="{}", content_type="application/json",
                               HTTP_AUTHORIZATION="Bearer ")
        assert response.status_code == 403
    assert Delivery.objects.get().status == DeliveryStatus.SENDING


@pytest.mark.django_db
@override_settings(MAILERS=NOTIFY_MAILERS, NOTIFY_POLL_AFTER_MINUTES=30)
@responses.activate
def test_the_poll_asks_notify_about_deliveries_still_waiting_for_a_receipt(lado_officer, lado_manager):
    old = _sending(lado_officer, "n-old", sent_minutes_ago=45, key="notify:1")
    recent = _sending(lado_manager, "n-recent", sent_minutes_ago=5, key="notify:2")
    responses.get(f"{BASE}/v2/notifications/n-old",
                  json=_notification("n-old", status="temporary-failure", completed_at="2026-12-03T10:00:00Z"))

    assert notify.notify_poll() == 1

    assert [call.request.url for call in responses.calls] == [f"{BASE}/v2/notifications/n-old"]
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.status == DeliveryStatus.TEMPORARY_FAILURE
    assert old.failed_at == dt.datetime(2026, 12, 3, 10, 0, tzinfo=dt.UTC)
    assert recent.status == DeliveryStatus.SENDING  # not asked yet: its callback may still come
    assert notify.notify_poll() == 0  # nothing left waiting long enough


@pytest.mark.django_db
@override_settings(MAILERS=NOTIFY_MAILERS)
@responses.activate
def test_the_poll_tries_again_later_when_notify_is_away_or_still_sending(lado_officer, lado_manager):
    first = _sending(lado_officer, "n-1", sent_minutes_ago=60, key="notify:1")
    _sending(lado_manager, "n-2", sent_minutes_ago=60, key="notify:2")
    responses.get(f"{BASE}/v2/notifications/n-1", json=_notification("n-1", status="sending"))
    responses.get(f"{BASE}/v2/notifications/n-2", json={"errors": []}, status=503)
    assert notify.notify_poll() == 0
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENDING}
    first.refresh_from_db()
    assert first.provider_reference == "n-1"


@pytest.mark.django_db
def test_the_poll_does_nothing_without_notify(lado_officer):
    _sending(lado_officer, "n-1", sent_minutes_ago=600)
    assert notify.notify_poll() == 0
    assert Delivery.objects.get().status == DeliveryStatus.SENDING
