"""Notices by e-mail: each one a delivery, straight away or in one e-mail a day, as each person chooses per kind
(agencies/notifications.py, agencies/notices.py, agencies/digests.py). The inbox always has every notice."""

from __future__ import annotations

import datetime as dt
import html
import threading

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connections
from django.urls import reverse

from agencies import digests, notices
from agencies.models import NoticeDelivery, Notification, Partnership
from agencies.notifications import notice_once
from outbox.models import Delivery, DeliveryStatus, Message
from outbox.services import messages_drain

UTC = dt.UTC
# 1 June 2026: British Summer Time, so 06:10 UTC is 7:10am in the partnership's time zone.
BEFORE_THE_HOUR = dt.datetime(2026, 6, 1, 5, 30, tzinfo=UTC)
AFTER_THE_HOUR = dt.datetime(2026, 6, 1, 6, 10, tzinfo=UTC)
NEXT_DAY = dt.datetime(2026, 6, 2, 6, 10, tzinfo=UTC)


def _overdue(user, n, reference="MAS-2026-00042"):
    return notice_once(user=user, title=f"Overdue: police review for {reference}", link=f"/referrals/{n}/",
                       key=f"deadline-{n}-overdue", email_template="allegations/email/deadline_overdue",
                       context={"reference": reference, "kind": "Police review"})


def _closed(user, n):
    return notice_once(user=user, title="Case closed", link=f"/cases/{n}/", key=f"case-closed:{n}",
                       email_template="allegations/email/case_closed", context={"reference": f"MAS-2026-{n:05}"})


def _choose(user, **choices):
    notices.notice_preferences_update(actor=user, choices=choices)


@pytest.mark.django_db
def test_a_notice_is_an_inbox_entry_and_a_delivery_of_its_kind(lado_officer):
    assert _overdue(lado_officer, 1)
    assert not _overdue(lado_officer, 1)  # once
    notice = Notification.objects.get(user=lado_officer)
    assert (notice.kind, notice.reference, notice.digest_pending) == ("deadline_overdue", "MAS-2026-00042", False)
    delivery = Delivery.objects.get()
    assert (delivery.kind, delivery.user, delivery.address, delivery.status) == (
        "deadline_overdue", lado_officer, lado_officer.email, DeliveryStatus.QUEUED)
    assert delivery.template == "allegations/email/deadline_overdue"
    assert delivery.context["url"].endswith("/referrals/1/") and delivery.context["reference"] == "MAS-2026-00042"
    assert Message.objects.filter(handler="outbox.deliver", key=f"delivery:{delivery.pk}").count() == 1
    messages_drain()
    [sent] = mail.outbox
    assert "MAS-2026-00042" in sent.subject and sent.to == [lado_officer.email]
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT


@pytest.mark.django_db
def test_a_person_who_chose_the_digest_for_a_kind_gets_no_e_mail_now_but_the_inbox_has_it(lado_officer):
    _choose(lado_officer, deadlines=NoticeDelivery.DIGEST)
    _overdue(lado_officer, 1)
    _closed(lado_officer, 2)  # a case update: still straight away
    assert Notification.objects.filter(user=lado_officer).count() == 2  # the inbox is complete
    assert Notification.objects.get(kind="deadline_overdue").digest_pending
    assert not Notification.objects.get(kind="case_closed").digest_pending
    assert list(Delivery.objects.values_list("kind", flat=True)) == ["case_closed"]


@pytest.mark.django_db
def test_a_person_without_an_e_mail_address_gets_the_inbox_entry_only(lado_officer):
    _choose(lado_officer, deadlines=NoticeDelivery.DIGEST)
    lado_officer.email = ""
    lado_officer.save()
    _overdue(lado_officer, 1)
    assert not Notification.objects.get().digest_pending and not Delivery.objects.exists()


@pytest.mark.django_db
def test_kinds_fall_into_groups_and_unknown_kinds_are_case_updates():
    assert notices.group_of("referral_received") == "referrals"
    assert notices.group_of("deadline_backlog") == "deadlines"
    assert notices.group_of("minutes_circulated") == "meetings"
    assert notices.group_of("assurance_request") == notices.UPDATES
    assert notices.group_of("something_new") == notices.UPDATES
    assert set(notices.KIND_LABELS) == set(notices.NOTICE_KINDS)


@pytest.mark.django_db
def test_preferences_are_checked(lado_officer):
    with pytest.raises(ValidationError):
        _choose(lado_officer, deadlines="weekly")
    with pytest.raises(ValidationError):
        _choose(lado_officer, gossip=NoticeDelivery.DIGEST)
    assert set(notices.preferences_of(lado_officer).values()) == {NoticeDelivery.IMMEDIATE}


@pytest.mark.django_db
def test_the_digest_goes_once_a_day_from_the_partnerships_hour_with_references_and_links_only(
        partnership, lado_officer, lado_manager):
    assert partnership.digest_hour == 7 and partnership.time_zone == "Europe/London"
    _choose(lado_officer, deadlines=NoticeDelivery.DIGEST, updates=NoticeDelivery.DIGEST)
    with time_machine.travel(BEFORE_THE_HOUR - dt.timedelta(hours=2), tick=False):
        _overdue(lado_officer, 1, reference="MAS-2026-00042")
        _closed(lado_officer, 7)
        _overdue(lado_manager, 1)  # the manager chose nothing: an e-mail straight away
    assert Delivery.objects.filter(kind="digest").count() == 0

    with time_machine.travel(BEFORE_THE_HOUR, tick=False):
        assert digests.digests_send() == 0  # 6:30am in London: not yet
    with time_machine.travel(AFTER_THE_HOUR, tick=False):
        assert digests.digests_send() == 1
        assert digests.digests_send() == 0  # again the same day: nothing more

    digest = Delivery.objects.get(kind="digest")
    assert digest.key == f"digest:{lado_officer.pk}:2026-06-01" and digest.user == lado_officer
    assert digest.address == lado_officer.email
    assert set(Notification.objects.filter(user=lado_officer).values_list("digest", flat=True)) == {digest.pk}
    assert not Notification.objects.filter(digest_pending=True).exists()

    mail.outbox.clear()
    messages_drain()
    [sent] = [m for m in mail.outbox if m.extra_headers["X-Managing-Allegations-Kind"] == "digest"]
    assert sent.to == [lado_officer.email]
    assert sent.subject == "Your daily digest: 2 notices on 1 June 2026"
    assert "Deadline overdue: MAS-2026-00042\nhttp" in sent.body and "/referrals/1/" in sent.body
    assert "Case closed: MAS-2026-00007" in sent.body and "/cases/7/" in sent.body
    assert "police review" not in sent.body.lower()  # the notices' titles are not copied: a reference and a link
    assert reverse("notice_preferences") in sent.body and reverse("inbox") in sent.body
    digest.refresh_from_db()
    assert digest.status == DeliveryStatus.SENT

    # A notice after today's digest waits for tomorrow's.
    with time_machine.travel(AFTER_THE_HOUR + dt.timedelta(hours=3), tick=False):
        _overdue(lado_officer, 2, reference="MAS-2026-00050")
        assert digests.digests_send() == 0
    assert Notification.objects.get(key="deadline-2-overdue").digest_pending
    with time_machine.travel(NEXT_DAY, tick=False):
        assert digests.digests_send() == 1
    tomorrow = Delivery.objects.get(kind="digest", key=f"digest:{lado_officer.pk}:2026-06-02")
    assert tomorrow.context["count"] == 1 and tomorrow.context["items"][0]["reference"] == "MAS-2026-00050"


@pytest.mark.django_db
def test_the_digest_hour_is_the_partnerships_setting(partnership, lado_officer):
    partnership.digest_hour = 18
    partnership.save()
    _choose(lado_officer, deadlines=NoticeDelivery.DIGEST)
    with time_machine.travel(AFTER_THE_HOUR - dt.timedelta(hours=1), tick=False):
        _overdue(lado_officer, 1)
    with time_machine.travel(AFTER_THE_HOUR, tick=False):
        assert digests.digests_send() == 0
    with time_machine.travel(AFTER_THE_HOUR.replace(hour=17, minute=0), tick=False):  # 6pm in London
        assert digests.digests_send() == 1


@pytest.mark.django_db(transaction=True)
def test_two_digest_runs_at_the_same_moment_send_one_digest_per_person(partnership, lado_officer, lado_manager):
    Partnership.objects.filter(pk=partnership.pk).update(digest_hour=0)  # due whenever the test runs
    for person in (lado_officer, lado_manager):
        _choose(person, deadlines=NoticeDelivery.DIGEST)
        for n in range(20):
            _overdue(person, n)
    start = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            start.wait(timeout=10)
            results.append(digests.digests_send())
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors and sum(results) == 2
    assert Delivery.objects.filter(kind="digest").count() == 2
    assert sorted(Delivery.objects.filter(kind="digest").values_list("user", flat=True)) == sorted(
        [lado_officer.pk, lado_manager.pk])
    assert all(d.context["count"] == 20 for d in Delivery.objects.filter(kind="digest"))
    assert not Notification.objects.filter(digest_pending=True).exists()


# --- The page ------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_each_person_chooses_on_the_page_reached_from_the_inbox(login, partnership, agency_a_manager):
    client = login(agency_a_manager)
    for page_with_the_link in ("inbox", "accounts:home"):
        assert reverse("notice_preferences") in client.get(reverse(page_with_the_link)).content.decode()
    url = reverse("notice_preferences")
    page = client.get(url).content.decode()
    for group in notices.NOTICE_GROUPS:
        assert group.label in page and html.escape(group.hint) in page
    assert "7am" in page
    choices = {group.name: NoticeDelivery.IMMEDIATE for group in notices.NOTICE_GROUPS}
    response = client.post(url, {**choices, "deadlines": NoticeDelivery.DIGEST})
    assert response.status_code == 302 and response.url == url
    assert notices.preferences_of(agency_a_manager)["deadlines"] == NoticeDelivery.DIGEST
    page = client.get(url).content.decode()
    assert "Your e-mail choices are saved" in page
    assert 'value="digest" checked' in page

    bad = client.post(url, {**choices, "referrals": "weekly", "meetings": ""})
    text = bad.content.decode()
    assert bad.status_code == 200 and "There is a problem" in text
    assert "Choose how to be told of new referrals" in text and "Choose how to be told of meetings and minutes" in text
    assert notices.preferences_of(agency_a_manager)["deadlines"] == NoticeDelivery.DIGEST  # nothing lost
