"""Notices to people: the in-product inbox and an e-mail that carries only a link."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse

from agencies.models import LADO_ROLES, Membership, Notification

from .models import Referral


def referral_received_notify(*, referral_id: int) -> int:
    """Tell the LADO service's officers a referral has arrived. Safe to run twice."""
    referral = Referral.objects.select_related("lado_service").get(pk=referral_id)
    link = reverse("allegations:referral_detail", args=[referral.reference])
    recipients = (
        Membership.objects.filter(agency=referral.lado_service, role__in=LADO_ROLES, user__is_active=True)
        .select_related("user")
        .order_by("user_id")
        .distinct()
    )
    sent = 0
    seen = set()
    for membership in recipients:
        user = membership.user
        if user.pk in seen:
            continue
        seen.add(user.pk)
        # A name-free title: the reference only.
        workforce = "adults'" if referral.workforce == "adults" else "children's"
        title = f"New referral {referral.reference} ({workforce} workforce)"
        try:
            with transaction.atomic():
                Notification.objects.create(user=user, title=title, link=link, key=f"referral-received:{referral.pk}")
        except IntegrityError:
            continue  # already notified by an earlier run of this task
        if user.email:
            context = {"title": title, "url": settings.SITE_URL + link}
            send_mail(
                subject=render_to_string("allegations/email/referral_received-subject.txt", context).strip(),
                message=render_to_string("allegations/email/referral_received-body.txt", context),
                from_email=None,
                recipient_list=[user.email],
            )
        sent += 1
    return sent
