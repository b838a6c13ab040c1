"""Notices to people: the in-product inbox and an e-mail that carries only a link."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from agencies.models import LADO_ROLES, Membership
from agencies.notifications import notice_once

from .models import Referral
from .wording import wording


NEW_REFERRAL_NEWS_DAYS = 7


def referral_received_notify(*, referral_id: int) -> int:
    """Tell the LADO service's officers a referral has arrived. Safe to run twice.

    Only while the news is recent: a referral received more than NEW_REFERRAL_NEWS_DAYS before this
    runs (recorded long after the event, or the demo's 18 months of history) is left to the triage
    queue and its deadlines, rather than filling every LADO inbox with old "new referral" notices.
    A notice asked for is otherwise always sent, even if the referral was triaged meanwhile."""
    referral = Referral.objects.select_related("lado_service").get(pk=referral_id)
    if referral.received_at < timezone.now() - dt.timedelta(days=NEW_REFERRAL_NEWS_DAYS):
        return 0
    link = reverse("allegations:referral_detail", args=[referral.reference])
    recipients = (
        Membership.objects.people().filter(agency=referral.lado_service, role__in=LADO_ROLES, user__is_active=True)
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
        sent += notice_once(user=user, title=title, link=link, key=f"referral-received:{referral.pk}",
                            email_template="allegations/email/referral_received",
                            context={"service_name": wording(referral.workforce)["service_name"]})
    return sent


def restricted_opened_notify(*, restriction, log, case=None) -> bool:
    """Tell the manager who restricted a referral that someone opened it (once per opening). The
    notice names the reference and the person who opened it, never the subject."""
    referral = restriction.referral
    who = log.user.get_full_name() or log.user.get_username()
    link = (reverse("allegations:case_detail", args=[referral.reference]) if case is not None
            else reverse("allegations:referral_detail", args=[referral.reference]))
    return notice_once(user=restriction.restricted_by, title=f"Restricted case {referral.reference} opened by {who}",
                       link=link, key=f"restricted-opened:{log.pk}",
                       email_template="allegations/email/restricted_opened")
