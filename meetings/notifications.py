"""A guest's e-mail with the link to set a password, when the chair gives them an account. (Invitations and minutes
go to every recipient as deliveries: meetings.deliveries.)"""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string




def guest_invitation_send(*, guest_access_id: int) -> bool:
    """E-mail a new guest the one-time link to set their password. Once: a second run sends nothing.

    The e-mail names no child and no subject: the meeting's kind and date, the link, the username, and when
    the access ends. The token is made here (never stored, never in the task's arguments).
    """
    from django.utils import timezone

    from .tokens import guest_link

    from allegations.services import save_with_history
    from config.jinja2 import govuk_date

    from .models import GuestAccess

    with transaction.atomic():
        guest = GuestAccess.objects.select_for_update().select_related("user", "meeting").get(pk=guest_access_id)
        user = guest.user
        if guest.link_sent_at is not None or not user.email or user.has_usable_password():
            return False
        meeting = guest.meeting
        link = guest_link(user)
        context = {
            "meeting": f"{meeting.get_kind_display().lower()} on {govuk_date(meeting.scheduled_at)}",
            "url": settings.SITE_URL + link, "username": user.get_username(), "expires": govuk_date(guest.expires_at),
            "link_days": settings.GUEST_LINK_DAYS,
        }
        send_mail(
            subject=render_to_string("meetings/email/guest_access-subject.txt", context).strip(),
            message=render_to_string("meetings/email/guest_access-body.txt", context),
            from_email=None,
            recipient_list=[user.email],
        )
        guest.link_sent_at = timezone.now()
        save_with_history(guest, actor=guest.granted_by, reason="Link to set a password e-mailed")
    return True
