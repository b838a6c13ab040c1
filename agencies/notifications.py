"""One notice to one person: an inbox entry and an e-mail that carries only a link."""

from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string

from outbox.services import message_add, messages_add

from .models import Notification


def notice_once(*, user, title: str, link: str, key: str, email_template: str, context: dict | None = None) -> bool:
    """Put a notice in the user's inbox and e-mail them the link, once per (user, key).

    A task that runs twice (a worker killed mid-send, a retried job) sends nothing the
    second time. `email_template` names `<name>-subject.txt` and `<name>-body.txt`,
    which receive the title, the link and `context` (plain values): never names of children or
    subjects. The e-mail is an outbox message written with the inbox entry: it is sent by the worker
    once the caller's transaction commits, never if it rolls back, and once (agencies.tasks).
    """
    try:
        with transaction.atomic():
            Notification.objects.create(user=user, title=title[:200], link=link, key=key)
    except IntegrityError:
        return False  # already notified by an earlier run
    if user.email:
        message_add(handler="agencies.email", key=f"email:{user.pk}:{key}", user_id=user.pk, template=email_template,
                    context={"title": title, "url": settings.SITE_URL + link, **(context or {})})
    return True


@dataclass(frozen=True)
class Notice:
    """One notice for notices_once: notice_once's arguments."""

    user: object
    title: str
    link: str
    key: str
    email_template: str
    context: dict | None = None


def notices_once(notices: list[Notice]) -> list[Notice]:
    """notice_once for a batch (the deadline sweep), with the same contract: each (user, key) once, an inbox entry
    and an e-mail carrying only a link, both written in the caller's transaction. In a fixed number of queries
    whatever the batch's size: one read of the entries already there, one insert of the rest, and the e-mails'
    outbox messages in one insert (their once-keys, as notice_once's, stop a second e-mail even if an entry was
    written meanwhile). Returns the notices sent now."""
    wanted = {(n.user.pk, n.key): n for n in notices}
    if not wanted:
        return []
    there = set(Notification.objects.filter(user_id__in={user_id for user_id, _ in wanted}, key__in={k for _, k in wanted})
                .values_list("user_id", "key"))
    new = [n for pair, n in wanted.items() if pair not in there]
    Notification.objects.bulk_create(
        [Notification(user=n.user, title=n.title[:200], link=n.link, key=n.key) for n in new], ignore_conflicts=True)
    messages_add(handler="agencies.email", messages=[
        (f"email:{n.user.pk}:{n.key}", {"user_id": n.user.pk, "template": n.email_template,
                                         "context": {"title": n.title, "url": settings.SITE_URL + n.link,
                                                     **(n.context or {})}})
        for n in new if n.user.email
    ])
    return new


def email_send(*, address: str, template: str, context: dict) -> None:
    send_mail(
        subject=render_to_string(f"{template}-subject.txt", context).strip(),
        message=render_to_string(f"{template}-body.txt", context),
        from_email=None,
        recipient_list=[address],
    )
