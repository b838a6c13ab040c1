"""Who sees low-level concerns (need to know).

The agency that recorded a concern (the person's employer) sees its own concerns: all its people with a role
on cases. The LADO service the agency belongs to sees every concern of its agencies, so it can see a pattern
across employers. Nobody else: not other agencies, not the police through a shared case, not analysts (the
figures count referrals, never these). A concern linked to a referral restricted to named people is hidden from
the service's other staff, as the referral is.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from agencies.permissions import standing
from allegations.querysets import hidden_referral_ids


class LowLevelConcernQuerySet(models.QuerySet):
    def visible_to(self, user):
        s = standing(user)
        condition = Q()
        if s.lado_service_ids:
            condition |= Q(lado_service_id__in=s.lado_service_ids) & ~Q(referral_id__in=hidden_referral_ids(user))
        if s.outside_agency_ids:
            condition |= Q(agency_id__in=s.outside_agency_ids)
        if not condition:
            return self.none()
        return self.filter(condition)
