"""One notice to one person: an inbox entry and an e-mail that carries only a link."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string

from .models import Notification


def notice_once(*, user, title: str, link: str, key: str, email_template: str) -> bool:
    """Put a notice in the user's inbox and e-mail them the link, once per (user, key).

    A task that runs twice (a worker killed mid-send, a retried job) sends nothing the
    second time. `email_template` names `<name>-subject.txt` and `<name>-body.txt`,
    which receive only the title and the link: never names of children or subjects.
    """
    try:
        with transaction.atomic():
            Notification.objects.create(user=user, title=title[:200], link=link, key=key)
    except IntegrityError:
        return False  # already notified by an earlier run
    if user.email:
        context = {"title": title, "url": settings.SITE_URL + link}
        send_mail(
            subject=render_to_string(f"{email_template}-subject.txt", context).strip(),
            message=render_to_string(f"{email_template}-body.txt", context),
            from_email=None,
            recipient_list=[user.email],
        )
    return True
