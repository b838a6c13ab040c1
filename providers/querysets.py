"""Who sees provider concerns.

A concern belongs to the local authority's service that runs the process (`lado_service`). It is seen by
that service's LADO / PiPoT staff, and by the directors, assistant directors and adults' safeguarding
managers who work in that authority (a membership in the service itself or in an agency it serves).
Agencies invited to a serious concerns meeting see that meeting (meetings.querysets), not the concern.

Who works on provider concerns (provider_service_ids, PROVIDER_ROLES, director_service_ids) is part of a
person's standing, in agencies.permissions: meetings reads it there too.
"""

from __future__ import annotations

from django.db import models

from agencies.permissions import provider_service_ids


class ProviderConcernQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(lado_service_id__in=provider_service_ids(user))
