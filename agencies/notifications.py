"""One notice to one person: an inbox entry and an e-mail that carries only a link, now or in the daily digest."""

from django.conf import settings
from django.db import IntegrityError, transaction

from outbox.delivery import delivery_add

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
