"""One e-mail per person per batch (deadlines.chasing, outbox.delivery.deliveries_add's `together`): a person with
several notices of a stage in one sweep batch gets ONE e-mail listing each (kind, reference, link; never names),
and every one of those notices' deliveries is recorded sent by it, exactly once; a person with one notice gets the
e-mail they always got."""

from __future__ import annotations

import smtplib
from collections import Counter

import pytest
from django.conf import settings
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.test import override_settings
from django.urls import reverse

from agencies.models import NoticeDelivery
from agencies.notices import notice_preferences_update
from allegations.models import Referral
from deadlines import chasing
from outbox import tasks
from outbox.models import Delivery, DeliveryStatus, Message
from outbox.services import messages_drain as outbox_drain
from outbox.services import pending
from tests.deadlines.test_chasing import CHILD_NAMES, SUBJECT_NAMES, carried_deliveries, many_due_deadlines, refer

LISTING = "X-Managing-Allegations-Deliveries"


def overdue_referrals(lado_service, agency, actor, count, *, assigned_to=None):
    """`count` referrals, each with one deadline overdue (one overdue notice each, to the referral's owners)."""
    referrals = [refer(actor, lado_service, agency) for _ in range(count)]
    for referral in referrals:
        many_due_deadlines(referral, 1)
    if assigned_to is not None:
        Referral.objects.filter(pk__in=[r.pk for r in referrals]).update(assigned_to=assigned_to)
    return referrals


def sweep(django_capture_on_commit_callbacks, **kwargs):
    with django_capture_on_commit_callbacks(execute=False):  # no worker listens here: run below, as it would
        return chasing.sweep(**kwargs)


def run_batch():
    """What the worker does with a sweep batch's e-mails (outbox.tasks.deliver_many: one transaction, one
    connection)."""
    ids = list(pending().order_by("pk").values_list("pk", flat=True))
    return tasks.deliver_many(ids)


def deadline_deliveries():
    return Delivery.objects.filter(key__contains=":deadline-")


@pytest.mark.django_db
def test_several_notices_for_one_person_go_as_one_email_naming_each(
    django_capture_on_commit_callbacks, lado_service, agency_a, agency_a_manager, lado_officer, lado_manager
):
    referrals = overdue_referrals(lado_service, agency_a, agency_a_manager, 3, assigned_to=lado_officer)
    outbox_drain()  # the new-referral notices (before the sweep)
    mail.outbox.clear()

    assert sweep(django_capture_on_commit_callbacks)["overdue"] == 3
    assert Message.objects.filter(handler="outbox.deliver_together", done_at__isnull=True).count() == 1
    run_batch()

    [email] = mail.outbox
    assert email.to == [lado_officer.email]
    assert email.subject == "Overdue: 3 deadlines"
    for referral in referrals:
        assert referral.reference in email.body
        assert settings.SITE_URL + reverse("allegations:referral_detail", args=[referral.reference]) in email.body
    for name in SUBJECT_NAMES + CHILD_NAMES:
        assert name not in email.subject and name not in email.body
    deliveries = deadline_deliveries()
    assert deliveries.count() == 3
    assert set(deliveries.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    assert sorted(carried_deliveries(email)) == sorted(str(pk) for pk in deliveries.values_list("pk", flat=True))

    # Run again (the relay, a redelivered task) and sweep again: nothing more.
    run_batch()
    outbox_drain()
    assert sweep(django_capture_on_commit_callbacks)["overdue"] == 0
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_two_people_get_one_email_each_and_one_notice_its_own_email(
    django_capture_on_commit_callbacks, lado_service, agency_a, agency_a_manager, lado_officer, lado_manager
):
    referrals = overdue_referrals(lado_service, agency_a, agency_a_manager, 4)  # nobody assigned: both are told
    outbox_drain()
    mail.outbox.clear()

    assert sweep(django_capture_on_commit_callbacks)["overdue"] == 4
    outbox_drain()  # one message at a time (message_run), as the relay's single runs do

    assert sorted(m.to[0] for m in mail.outbox) == sorted([lado_officer.email, lado_manager.email])
    for email in mail.outbox:
        assert email.subject == "Overdue: 4 deadlines"
        assert all(referral.reference in email.body for referral in referrals)
    carried = Counter(pk for email in mail.outbox for pk in carried_deliveries(email))
    assert len(carried) == 8 and set(carried.values()) == {1}
    assert set(deadline_deliveries().values_list("status", flat=True)) == {DeliveryStatus.SENT}

    # One more notice each: the e-mail a single notice has always been.
    [single] = overdue_referrals(lado_service, agency_a, agency_a_manager, 1)
    outbox_drain()
    mail.outbox.clear()
    assert sweep(django_capture_on_commit_callbacks)["overdue"] == 1
    run_batch()
    assert len(mail.outbox) == 2
    for email in mail.outbox:
        assert LISTING not in email.extra_headers
        assert email.subject == f"Overdue: Police review for {single.reference}"
        assert email.body.startswith(f"A deadline on {single.reference} (Police review) is now overdue.")


@pytest.mark.django_db
def test_a_person_who_chose_the_digest_gets_it_not_a_listing(
    django_capture_on_commit_callbacks, lado_service, agency_a, agency_a_manager, lado_officer, lado_manager
):
    notice_preferences_update(actor=lado_manager, choices={"deadlines": NoticeDelivery.DIGEST})
    overdue_referrals(lado_service, agency_a, agency_a_manager, 3)
    outbox_drain()
    mail.outbox.clear()

    sweep(django_capture_on_commit_callbacks)
    run_batch()

    [email] = [m for m in mail.outbox if m.extra_headers.get("X-Managing-Allegations-Kind") != "digest"]
    assert email.to == [lado_officer.email] and email.subject == "Overdue: 3 deadlines"
    assert not deadline_deliveries().filter(user=lado_manager).exists()  # the manager's wait for the digest


class GoneBackend(EmailBackend):
    """A mail server that is away: every e-mail fails to go."""

    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("the server went away")


class KilledBackend(EmailBackend):
    """The worker killed while sending (SIGKILL in the real world): nothing after this runs, the transaction is
    rolled back by PostgreSQL."""

    def send_messages(self, messages):
        raise SystemExit("killed")


@pytest.mark.django_db
def test_a_failed_send_retries_every_notice_once(
    django_capture_on_commit_callbacks, lado_service, agency_a, agency_a_manager, lado_officer, lado_manager
):
    overdue_referrals(lado_service, agency_a, agency_a_manager, 3, assigned_to=lado_officer)
    outbox_drain()
    mail.outbox.clear()
    sweep(django_capture_on_commit_callbacks)

    with override_settings(MAILERS={"default": {"BACKEND": f"{__name__}.GoneBackend"}}):
        assert run_batch() == ["retry"]
    [message] = Message.objects.filter(handler="outbox.deliver_together")
    assert message.done_at is None and message.failures == 1  # to be tried again: none lost
    assert set(deadline_deliveries().values_list("status", flat=True)) == {DeliveryStatus.QUEUED}

    Message.objects.filter(pk=message.pk).update(relay_at=message.created_at)  # its turn comes again
    assert run_batch() == ["done"]
    [email] = mail.outbox
    assert email.subject == "Overdue: 3 deadlines"
    assert set(deadline_deliveries().values_list("status", flat=True)) == {DeliveryStatus.SENT}
    run_batch()
    outbox_drain()
    assert len(mail.outbox) == 1  # none repeated


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_while_sending_rolls_back_and_the_next_run_sends_each_once(
    lado_service, agency_a, agency_a_manager, lado_officer, lado_manager
):
    overdue_referrals(lado_service, agency_a, agency_a_manager, 3)  # both LADO staff told: two e-mails
    outbox_drain()
    mail.outbox.clear()
    chasing.sweep()  # committed; its hand-over to the broker is lost (no worker here), as after a crash

    with override_settings(MAILERS={"default": {"BACKEND": f"{__name__}.KilledBackend"}}):
        with pytest.raises(SystemExit):
            run_batch()
    assert Message.objects.filter(handler="outbox.deliver_together", done_at__isnull=True, failures=0).count() == 2
    assert set(deadline_deliveries().values_list("status", flat=True)) == {DeliveryStatus.QUEUED}

    assert run_batch() == ["done", "done"]  # the relay hands them over again
    assert sorted(m.to[0] for m in mail.outbox) == sorted([lado_officer.email, lado_manager.email])
    carried = Counter(pk for email in mail.outbox for pk in carried_deliveries(email))
    assert len(carried) == 6 and set(carried.values()) == {1}
    assert set(deadline_deliveries().values_list("status", flat=True)) == {DeliveryStatus.SENT}
    run_batch()
    assert len(mail.outbox) == 2
