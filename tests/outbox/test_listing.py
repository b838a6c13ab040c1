"""One e-mail listing several deliveries for one person (outbox.delivery.delivery_send_together and its batch form
deliveries_send_together): the batch form reads what sending needs of the deliveries (no model instance each), and
keeps the contract: the rows locked, those no longer queued left out, every listed delivery recorded sent once the
e-mail is accepted (or refused for good, all of them), the status hooks of kinds that have them called."""

from __future__ import annotations

import datetime as dt
import email.policy
import json
import uuid

import pytest
import responses
from django.core import mail
from django.core.mail import EmailMessage
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from outbox import delivery as deliveries, services, tasks
from outbox.models import Delivery, DeliveryStatus, Message
from tests.outbox import test_notify as notify_tests

ONE = "allegations/email/deadline_overdue"
LIST = "allegations/email/deadline_overdue_list"
HOOKED: list[tuple[int, str]] = []  # (delivery, status) as the status hook of "tests_listed_hooked" saw it


@deliveries.on_status_change("tests_listed_hooked")
def _hooked(delivery):
    HOOKED.append((delivery.pk, delivery.status))


@deliveries.attachments_for("tests_listed_attached")
def _attached(delivery):
    return [("note.txt", "a note", "text/plain")]


@pytest.fixture(autouse=True)
def _clean():
    HOOKED.clear()
    mail.outbox = []


def _listing(user, n, *, person="a", kinds=None) -> tuple[int, list[int]]:
    """n deliveries for one person asked for together (as the sweep asks): the outbox message that sends them as one
    e-mail, and their ids in order."""
    kinds = kinds or ["tests_listed"] * n
    ids = deliveries.deliveries_add([
        dict(key=f"{person}:{i}", kind=kinds[i], address=f"{person}@lado.example", user=user, recipient="Officer",
             template=ONE, context={"reference": f"MAS-2026-{i:05}", "kind": "Police review",
                                   "url": f"https://example.test/referrals/{i}/"},
             together=f"{person}:{ONE}", list_template=LIST)
        for i in range(n)
    ])
    assert len(ids) == n
    return Message.objects.get(handler="outbox.deliver_together", key=f"deliveries:{ids[0]}").pk, ids


def _email_to(person):
    [email] = [email for email in mail.outbox if email.to == [f"{person}@lado.example"]]
    return email


def _listed(email) -> list[int]:
    return [int(pk) for pk in email.extra_headers[deliveries.DELIVERIES_HEADER].split(", ")]


@pytest.mark.django_db
def test_a_batch_lists_only_the_deliveries_still_queued_and_records_each_sent_once(lado_officer):
    first, a = _listing(lado_officer, 4, person="a")
    second, b = _listing(lado_officer, 3, person="b")
    earlier = timezone.now() - dt.timedelta(hours=1)
    Delivery.objects.filter(pk=a[1]).update(status=DeliveryStatus.SENT, sent_at=earlier)  # sent meanwhile
    Delivery.objects.filter(pk=b[0]).update(status=DeliveryStatus.TECHNICAL_FAILURE)  # refused before

    with CaptureQueriesContext(connection) as queries:
        assert tasks.deliver_many([first, second]) == ["done", "done"]

    # One read of the deliveries for both listings (locked), one UPDATE marking them all sent.
    reads = [q["sql"] for q in queries if q["sql"].startswith('SELECT "outbox_delivery"')]
    assert len(reads) == 1 and reads[0].endswith("FOR UPDATE")
    assert sum(q["sql"].startswith('UPDATE "outbox_delivery"') for q in queries) == 1
    email = _email_to("a")
    assert _listed(email) == [a[0], a[2], a[3]]
    assert email.subject == "Overdue: 3 deadlines"
    assert "MAS-2026-00000" in email.body and "MAS-2026-00001" not in email.body
    assert email.extra_headers[deliveries.DELIVERY_HEADER] == str(a[0])
    assert email.extra_headers[deliveries.KIND_HEADER] == "tests_listed"
    assert _listed(_email_to("b")) == [b[1], b[2]]
    status = dict(Delivery.objects.values_list("pk", "status"))
    assert [status[pk] for pk in a + b] == [DeliveryStatus.SENT] * 4 + [DeliveryStatus.TECHNICAL_FAILURE] + [
        DeliveryStatus.SENT] * 2
    assert Delivery.objects.get(pk=a[1]).sent_at == earlier  # left as it was
    assert not Delivery.objects.filter(status=DeliveryStatus.SENT, sent_at__isnull=True).exists()

    assert tasks.deliver_many([first, second]) == ["skipped", "skipped"]
    Message.objects.filter(pk__in=[first, second]).update(done_at=None)  # run again as if never marked done
    assert tasks.deliver_many([first, second]) == ["done", "done"]
    assert len(mail.outbox) == 2  # nothing queued is left to send


@pytest.mark.django_db
def test_one_delivery_left_queued_or_one_that_carries_its_own_goes_in_its_own_e_mail(lado_officer):
    first, a = _listing(lado_officer, 2, person="a")
    second, b = _listing(lado_officer, 3, person="b",
                         kinds=["tests_listed", "tests_listed_attached", "tests_listed"])
    Delivery.objects.filter(pk=a[0]).update(status=DeliveryStatus.SENT, sent_at=timezone.now())

    assert tasks.deliver_many([first, second]) == ["done", "done"]

    [alone] = [email for email in mail.outbox if email.to == ["a@lado.example"]]
    assert deliveries.DELIVERIES_HEADER not in alone.extra_headers
    assert alone.extra_headers[deliveries.DELIVERY_HEADER] == str(a[1])
    assert alone.subject == "Overdue: Police review for MAS-2026-00001"
    to_b = [email for email in mail.outbox if email.to == ["b@lado.example"]]
    assert len(to_b) == 2
    [attached] = [email for email in to_b if email.attachments]
    assert attached.extra_headers[deliveries.DELIVERY_HEADER] == str(b[1])
    [listing] = [email for email in to_b if not email.attachments]
    assert _listed(listing) == [b[0], b[2]]
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}


@pytest.mark.django_db
@pytest.mark.parametrize("batch", [True, False], ids=["batch", "one message"])
def test_a_listing_of_a_kind_with_a_status_hook_calls_it_for_each_delivery_once_sent(lado_officer, batch):
    first, a = _listing(lado_officer, 3, person="a", kinds=["tests_listed_hooked"] * 3)
    second, b = _listing(lado_officer, 2, person="b")

    if batch:
        assert tasks.deliver_many([first, second]) == ["done", "done"]
    else:
        assert [services.message_run(message_id=pk) for pk in (first, second)] == ["done", "done"]

    assert HOOKED == [(pk, DeliveryStatus.SENT) for pk in a]
    assert _listed(_email_to("a")) == a
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}


NOTIFY_MAILERS = {"default": {**notify_tests.NOTIFY_MAILERS["default"], "OPTIONS": {
    **notify_tests.NOTIFY_MAILERS["default"]["OPTIONS"],
    "templates": {**notify_tests.TEMPLATES, "tests_listed": "33333333-3333-3333-3333-333333333333"}}}}


@pytest.mark.django_db
@override_settings(MAILERS=NOTIFY_MAILERS)
@responses.activate
@pytest.mark.parametrize("batch", [True, False], ids=["batch", "one message"])
def test_a_listing_refused_for_good_records_each_refused_and_one_accepted_each_with_its_reference(lado_officer,
                                                                                                   batch):
    first, a = _listing(lado_officer, 3, person="a")
    second, b = _listing(lado_officer, 2, person="b")
    reference = str(uuid.uuid4())
    responses.post(notify_tests.SEND_URL, json={"status_code": 400, "errors": [
        {"error": "ValidationError", "message": "email_address Not a valid email address"}]}, status=400)
    responses.post(notify_tests.SEND_URL, json=notify_tests._notification(reference), status=201)

    if batch:
        assert tasks.deliver_many([first, second]) == ["done", "done"]
    else:
        assert [services.message_run(message_id=pk) for pk in (first, second)] == ["done", "done"]

    assert [json.loads(call.request.body)["email_address"] for call in responses.calls] == [
        "a@lado.example", "b@lado.example"]
    refused = Delivery.objects.filter(pk__in=a)
    assert {(d.status, d.failure) for d in refused} == {
        (DeliveryStatus.TECHNICAL_FAILURE, "Refused by GOV.UK Notify (400)")}
    assert all(d.failed_at is not None and d.sent_at is None for d in refused)
    accepted = Delivery.objects.filter(pk__in=b)
    assert {(d.status, d.provider_reference) for d in accepted} == {(DeliveryStatus.SENDING, reference)}
    assert all(d.sent_at is not None for d in accepted)

    # Notify's receipt for the one e-mail reaches every delivery it listed.
    deliveries.delivery_receipt(reference=reference, status="delivered")
    assert set(Delivery.objects.filter(pk__in=b).values_list("status", flat=True)) == {DeliveryStatus.DELIVERED}


@pytest.mark.parametrize("policy", [email.policy.default, email.policy.SMTP], ids=["default", "SMTP"])
def test_an_outbox_email_is_django_s_byte_for_byte_with_its_header_classes_made_once(policy):
    headers = {deliveries.KIND_HEADER: "tests_listed", deliveries.DELIVERY_HEADER: "7",
               deliveries.DELIVERIES_HEADER: ", ".join(str(pk) for pk in range(7, 40)),
               "Message-ID": "<1@lado.example>", "Date": "Fri, 04 Dec 2026 06:00:00 +0000"}
    values = dict(subject="Overdue: 33 deadlines", body="33 deadlines are now overdue.\n" + "A line é.\n" * 40,
                  to=["a@lado.example"], headers=headers)
    ours, django_s = deliveries.OutboxEmail(**values), EmailMessage(**values)

    assert ours.message(policy=policy).as_bytes() == django_s.message(policy=policy).as_bytes()
    first, again = ours.message(policy=policy), deliveries.OutboxEmail(**values).message(policy=policy)
    assert type(first["Subject"]) is type(again["Subject"])  # noqa: E721 — the one class, not a new one each
    assert type(first["To"]) is type(again["To"]) and type(first["To"]) is not type(first["Subject"])  # noqa: E721
