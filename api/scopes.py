"""django-oauth-toolkit's scopes backend: a client's token carries only the scopes the partnership
administrator gave it (by default, all of them)."""

from __future__ import annotations

from oauth2_provider.scopes import BaseScopes

from .models import ApiClient, Scope


def _client_scopes(application) -> list[str]:
    if application is None:
        return []
    client = ApiClient.objects.filter(application=application, revoked_at__isnull=True).only("scopes").first()
    return list(client.scopes) if client is not None else []


class ClientScopes(BaseScopes):
    def get_all_scopes(self):
        return {scope.value: scope.label for scope in Scope}

    def get_available_scopes(self, application=None, request=None, *args, **kwargs):
        return _client_scopes(application)

    def get_default_scopes(self, application=None, request=None, *args, **kwargs):
        return _client_scopes(application)
