"""Outbox handlers (outbox.registry) of the agencies app."""

from django.contrib.auth import get_user_model

from outbox.registry import handler

from .notifications import email_send


@handler("agencies.email")
def send_notice_email(*, user_id: int, template: str, context: dict) -> bool:
    """The e-mail of a notice (agencies.notifications.notice_once), to the person's address as it is now.
    Run inside the outbox's transaction and marked done with it: sent once. An SMTP failure is tried again."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email:
        return False
    email_send(address=user.email, template=template, context=context)
    return True
