"""One notice to one person: an inbox entry and an e-mail that carries only a link, now or in the daily digest."""

from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from outbox.bulk import rows_insert
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
    # An e-mail listing several notices of this kind for one person (`<name>-subject.txt`, `<name>-body.txt`, given
    # `count` and `items`, each item the notice's own e-mail values). When a batch has several for one person,
    # they reach them as one e-mail of this template (outbox.delivery.deliveries_add's `together`); one alone
    # gets `email_template`'s e-mail. Empty: always one e-mail per notice.
    email_list_template: str = ""


def notices_once(notices: list[Notice]) -> list[Notice]:
    """notice_once for a batch (the deadline sweep), with the same contract: each (user, key) once, an inbox entry
    and an e-mail carrying only a link (now, or in the daily digest if the person chose it for this kind), all
    written in the caller's transaction. In a fixed number of queries whatever the batch's size: one read of the
    people's digest choices, one insert of the entries that skips those already there (the (user, key) once-key:
    `ON CONFLICT DO NOTHING ... RETURNING`, built from arrays without a model instance each, outbox.bulk), and
    the e-mails of the entries written now: their deliveries and outbox messages in bulk (their once-keys, as
    notice_once's, stop a second e-mail whatever else was written meanwhile). Returns the notices sent now.

    One e-mail per person per batch: a person with several notices of one kind in the batch that have an
    `email_list_template` gets them as ONE e-mail listing each (kind, reference, link), and each notice keeps its
    own delivery, all recorded sent by that e-mail (outbox.delivery.deliveries_add's `together`); a person with
    one gets the notice's own e-mail. Those who chose the daily digest get no e-mail now, as ever."""
    from .models import NoticeDelivery, NoticePreference
    from .notices import group_of

    wanted = {(n.user.pk, n.key): n for n in notices}
    if not wanted:
        return []
    user_ids = {user_id for user_id, _ in wanted}
    digests = set(NoticePreference.objects.filter(user_id__in=user_ids, delivery=NoticeDelivery.DIGEST)
                  .values_list("user_id", "group"))
    rows = []
    for n in wanted.values():
        kind = n.kind or n.email_template.rsplit("/", 1)[-1]
        context = {"title": n.title, "url": settings.SITE_URL + n.link, **(n.context or {})}
        digest = bool(n.user.email) and (n.user.pk, group_of(kind)) in digests
        rows.append((n, kind, context, digest))
    # One insert that skips the entries already there (the once-key, `ON CONFLICT DO NOTHING`) and says which it
    # wrote: only those are e-mailed (an entry already there had its e-mail recorded with it).
    columns = {
        "user_id": ("integer", [n.user.pk for n, *_ in rows]),
        "title": ("varchar", [n.title[:200] for n, *_ in rows]),
        "link": ("varchar", [n.link for n, *_ in rows]),
        "key": ("varchar", [n.key for n, *_ in rows]),
        "kind": ("varchar", [kind[:60] for _, kind, _, _ in rows]),
        "reference": ("varchar", [str(context.get("reference", ""))[:40] for _, _, context, _ in rows]),
        "digest_pending": ("boolean", [digest for *_, digest in rows]),
    }
    written = set(rows_insert(Notification._meta.db_table, columns, constants={"created_at": timezone.now()},
                              conflict="(user_id, key)", returning="user_id, key"))
    new, emails = [], []
    for n, kind, context, digest in rows:
        if (n.user.pk, n.key) not in written:
            continue  # notified already
        new.append(n)
        if n.user.email and not digest:
            emails.append(dict(key=f"email:{n.user.pk}:{n.key}", kind=kind, address=n.user.email,
                               template=n.email_template, context=context, user=n.user,
                               recipient=n.user.get_full_name() or n.user.get_username(),
                               together=f"{n.user.pk}:{n.email_template}", list_template=n.email_list_template))
    deliveries_add(emails)
    return new
