"""Bearer tokens from the client credentials grant: the request runs as the client's service account."""

from __future__ import annotations

from oauth2_provider.contrib.rest_framework import OAuth2Authentication
from rest_framework.exceptions import AuthenticationFailed

from .models import ApiClient


class ClientTokenAuthentication(OAuth2Authentication):
    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        _, token = result
        client = (ApiClient.objects.select_related("user", "agency")
                  .filter(application_id=token.application_id).first())
        if client is None or not client.is_active or not client.user.is_active:
            raise AuthenticationFailed("This API client has been revoked. Ask the partnership administrator.")
        user = client.user
        user.api_client = client
        return user, token
