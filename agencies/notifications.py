"""One notice to one person: an inbox entry and an e-mail that carries only a link."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string

from outbox.services import message_add

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


def email_send(*, address: str, template: str, context: dict) -> None:
    send_mail(
        subject=render_to_string(f"{template}-subject.txt", context).strip(),
        message=render_to_string(f"{template}-body.txt", context),
        from_email=None,
        recipient_list=[address],
    )
