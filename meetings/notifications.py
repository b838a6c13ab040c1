"""Notices to people: the in-product inbox and an e-mail that carries only a link."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from agencies.notifications import notice_once

from .models import Circulation, MinutesVersion


def minutes_circulated_notify(*, version_id: int) -> int:
    """Tell invitees with an account that minutes were sent to them. Safe to run twice.

    People without an account are sent the minutes by the chair (PDF documents, a later feature).
    """
    version = MinutesVersion.objects.select_related("minutes__meeting__case__referral",
                                                    "minutes__meeting__provider_concern").get(pk=version_id)
    meeting = version.minutes.meeting
    link = reverse("meetings:meeting_detail", args=[meeting.pk])
    reference = meeting.case.referral.reference if meeting.case_id else ""
    # A name-free title: the case (or provider concern, 001) reference and the meeting's kind only.
    if meeting.provider_concern_id:
        where = f", provider concern {meeting.provider_concern.reference}"
    else:
        where = f", case {reference}" if reference else ""
    title = f"Minutes circulated: {meeting.get_kind_display().lower()}{where} (version {version.number})"
    sent = 0
    circulations = (
        Circulation.objects.filter(version=version, invitation__user__isnull=False, invitation__user__is_active=True)
        .select_related("invitation__user").order_by("pk")
    )
    for circulation in circulations:
        user = circulation.invitation.user
        if not notice_once(user=user, title=title, link=link, key=f"minutes-circulated:{version.pk}",
                           email_template="meetings/email/minutes_circulated"):
            continue  # already notified by an earlier run of this task
        sent += 1
    return sent


def guest_invitation_send(*, guest_access_id: int) -> bool:
    """E-mail a new guest the one-time link to set their password. Once: a second run sends nothing.

    The e-mail names no child and no subject: the meeting's kind and date, the link, the username, and when
    the access ends. The token is made here (never stored, never in the task's arguments).
    """
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode
    from django.utils import timezone

    from allegations.services import save_with_history
    from config.jinja2 import govuk_date

    from .models import GuestAccess

    with transaction.atomic():
        guest = GuestAccess.objects.select_for_update().select_related("user", "meeting").get(pk=guest_access_id)
        user = guest.user
        if guest.link_sent_at is not None or not user.email or user.has_usable_password():
            return False
        meeting = guest.meeting
        link = reverse("meetings:guest_set_password", args=[urlsafe_base64_encode(force_bytes(user.pk)),
                                                              default_token_generator.make_token(user)])
        context = {
            "meeting": f"{meeting.get_kind_display().lower()} on {govuk_date(meeting.scheduled_at)}",
            "url": settings.SITE_URL + link, "username": user.get_username(), "expires": govuk_date(guest.expires_at),
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
