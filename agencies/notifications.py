"""One notice to one person: an inbox entry and an e-mail that carries only a link."""

import functools

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string

from .models import Notification


def notice_once(*, user, title: str, link: str, key: str, email_template: str, context: dict | None = None,
                email_after_commit: bool = False) -> bool:
    """Put a notice in the user's inbox and e-mail them the link, once per (user, key).

    A task that runs twice (a worker killed mid-send, a retried job) sends nothing the
    second time. `email_template` names `<name>-subject.txt` and `<name>-body.txt`,
    which receive the title, the link and `context`: never names of children or subjects.
    With `email_after_commit`, the e-mail goes once the caller's transaction commits, so a
    rolled-back notice is never e-mailed (a crash after commit can lose an e-mail, never repeat one).
    """
    try:
        with transaction.atomic():
            Notification.objects.create(user=user, title=title[:200], link=link, key=key)
    except IntegrityError:
        return False  # already notified by an earlier run
    if user.email:
        send = functools.partial(_send, user.email, email_template,
                                 {"title": title, "url": settings.SITE_URL + link, **(context or {})})
        if email_after_commit:
            transaction.on_commit(send, robust=True)
        else:
            send()
    return True


def _send(address: str, template: str, context: dict) -> None:
    send_mail(
        subject=render_to_string(f"{template}-subject.txt", context).strip(),
        message=render_to_string(f"{template}-body.txt", context),
        from_email=None,
        recipient_list=[address],
    )
