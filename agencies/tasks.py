"""Outbox handlers (outbox.registry) of the agencies app. (The daily digests are sent by the deadline sweep's pass:
deadlines.chasing.sweep calls agencies.digests.digests_send.)"""

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.template.loader import render_to_string

from outbox.registry import handler


@handler("agencies.email")
def send_notice_email(*, user_id: int, template: str, context: dict) -> bool:
    """A notice's e-mail asked for before notices became deliveries (agencies.notifications.notice_once now writes
    a Delivery): kept so that such a message still waiting in the outbox when this version starts is sent."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email:
        return False
    send_mail(subject=render_to_string(f"{template}-subject.txt", context).strip(),
              message=render_to_string(f"{template}-body.txt", context), from_email=None, recipient_list=[user.email])
    return True
