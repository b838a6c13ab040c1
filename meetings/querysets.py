"""Who may see which meetings and actions, as queryset filters (visible_to)."""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from agencies.permissions import provider_service_ids, standing
from allegations.querysets import hidden_referral_ids

from .permissions import shared_meeting_ids_filter


def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


class MeetingQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The case's LADO service, the chair and the minute taker; agencies the meeting is shared with;
        a guest (GuestAccess), their one meeting until it expires."""
        if not _signed_in(user):
            return self.none()
        s = standing(user)
        if not s.roles:
            # Someone with no role in any agency: a guest sees their one meeting until the access expires.
            from .models import GuestAccess

            return self.filter(Q(chair=user) | Q(minute_taker=user) | Q(
                pk__in=GuestAccess.objects.filter(user=user, expires_at__gt=timezone.now()).values("meeting_id")
            ))
        condition = Q(chair=user) | Q(minute_taker=user)
        if s.lado_service_ids:
            condition |= Q(case__referral__lado_service_id__in=s.lado_service_ids) & ~Q(
                case__referral_id__in=hidden_referral_ids(user))
        if s.group_ids:
            condition |= Q(pk__in=shared_meeting_ids_filter(s))
        concern_services = provider_service_ids(user)  # provider concerns' meetings (001)
        if concern_services:
            condition |= Q(provider_concern__lado_service_id__in=concern_services)
        return self.filter(condition)


class ActionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The case's LADO service and the chairs of its meetings see all its actions; an agency its own."""
        if not _signed_in(user):
            return self.none()
        from .models import Meeting

        s = standing(user)
        condition = Q(case_id__in=Meeting.objects.filter(chair=user, case__isnull=False).values("case_id"))
        condition |= Q(meeting__chair=user)
        if s.lado_service_ids:
            condition |= Q(case__referral__lado_service_id__in=s.lado_service_ids) & ~Q(
                case__referral_id__in=hidden_referral_ids(user))
        if s.agency_ids:
            condition |= Q(agency_id__in=s.agency_ids)
        return self.filter(condition)
