"""Which operations a client may call: the scope each view names (`scope`), in its token and still given to
the client. What it may see within an operation is the selectors' business, as for the pages."""

from __future__ import annotations

from rest_framework.permissions import BasePermission


def client_of(request):
    return getattr(request.user, "api_client", None)


class HasClientScope(BasePermission):
    message = "This API client may not use this operation: ask the partnership administrator for the scope."

    def has_permission(self, request, view):
        client = client_of(request)
        if client is None or request.auth is None:
            return False
        scope = getattr(view, "scope", None)
        if scope is None:
            return False
        return client.allows(scope) and scope in (request.auth.scope or "").split()
