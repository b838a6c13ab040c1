"""One notice to one person: an inbox entry and an e-mail that carries only a link, now or in the daily digest."""

from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction

from outbox.delivery import deliveries_add, delivery_add

from .models import Notification
from .notices import wants_digest


def notice_once(*, user, title: str, link: str, key: str, email_template: str, context: dict | None = None,
                kind: str = "") -> bool:
    """Put a notice in the user's inbox and e-mail them the link, once per (user, key).

    A task that runs twice (a worker killed mid-send, a retried job) sends nothing the
    second time. `email_template` names `<name>-subject.txt` and `<name>-body.txt`,
    which receive the title, the link and `context` (plain values): never names of children or
    subjects. `kind` (by default the template's name, "deadline_overdue") says the notice's group, for the
    person's choice of e-mail now or a daily digest (agencies.notices).

    The e-mail is a delivery (outbox.delivery.delivery_add: a Delivery row and its outbox message) written with
    the inbox entry: sent by the worker once the caller's transaction commits, never if it rolls back, and once.
    A person who chose the daily digest for this kind gets no e-mail now: the notice waits for the digest
    (agencies.digests). The inbox entry is there either way.
    """
    kind = kind or email_template.rsplit("/", 1)[-1]
    context = {"title": title, "url": settings.SITE_URL + link, **(context or {})}
    digest = bool(user.email) and wants_digest(user, kind)
    try:
        with transaction.atomic():
            Notification.objects.create(user=user, title=title[:200], link=link, key=key, kind=kind[:60],
                                        reference=str(context.get("reference", ""))[:40], digest_pending=digest)
    except IntegrityError:
        return False  # already notified by an earlier run
    if user.email and not digest:
        delivery_add(key=f"email:{user.pk}:{key}", kind=kind, address=user.email, template=email_template,
                     context=context, user=user, recipient=user.get_full_name() or user.get_username())
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
    kind: str = ""


def notices_once(notices: list[Notice]) -> list[Notice]:
    """notice_once for a batch (the deadline sweep), with the same contract: each (user, key) once, an inbox entry
    and an e-mail carrying only a link (now, or in the daily digest if the person chose it for this kind), all
    written in the caller's transaction. In a fixed number of queries whatever the batch's size: one read of the
    entries already there, one of the people's digest choices, one insert of the rest, and the e-mails' deliveries
    and their outbox messages in bulk (their once-keys, as notice_once's, stop a second e-mail even if an entry
    was written meanwhile). Returns the notices sent now."""
    from .models import NoticeDelivery, NoticePreference
    from .notices import group_of

    wanted = {(n.user.pk, n.key): n for n in notices}
    if not wanted:
        return []
    user_ids = {user_id for user_id, _ in wanted}
    there = set(Notification.objects.filter(user_id__in=user_ids, key__in={k for _, k in wanted})
                .values_list("user_id", "key"))
    digests = set(NoticePreference.objects.filter(user_id__in=user_ids, delivery=NoticeDelivery.DIGEST)
                  .values_list("user_id", "group"))
    new = [n for pair, n in wanted.items() if pair not in there]
    entries, emails = [], []
    for n in new:
        kind = n.kind or n.email_template.rsplit("/", 1)[-1]
        context = {"title": n.title, "url": settings.SITE_URL + n.link, **(n.context or {})}
        digest = bool(n.user.email) and (n.user.pk, group_of(kind)) in digests
        entries.append(Notification(user=n.user, title=n.title[:200], link=n.link, key=n.key, kind=kind[:60],
                                    reference=str(context.get("reference", ""))[:40], digest_pending=digest))
        if n.user.email and not digest:
            emails.append(dict(key=f"email:{n.user.pk}:{n.key}", kind=kind, address=n.user.email,
                               template=n.email_template, context=context, user=n.user,
                               recipient=n.user.get_full_name() or n.user.get_username()))
    Notification.objects.bulk_create(entries, ignore_conflicts=True)
    deliveries_add(emails)
    return new
