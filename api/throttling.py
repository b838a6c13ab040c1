"""A limit per API client (not per address): beyond API_REQUESTS_PER_MINUTE, 429 with Retry-After."""

from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from .permissions import client_of


class ClientRateThrottle(SimpleRateThrottle):
    scope = "api_client"

    def get_rate(self):
        return f"{settings.API_REQUESTS_PER_MINUTE}/min"

    def allow_request(self, request, view):
        # Read the rate at each request: a setting changed at run time (or in a test) applies at once.
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        client = client_of(request)
        if client is None:
            return None  # refused by authentication anyway
        return self.cache_format % {"scope": self.scope, "ident": client.pk}
