"""Pages for some roles only: one decorator, whose refusal says which roles can use the page.

A page that names no record (a list, a dashboard, a settings page) and that the person's role cannot use
is refused with a 403 that lists the roles that can (config/errors.py renders templates/403.html), so
people know whom to ask. A page about a record still fetches the record first, through its selector,
and answers 404 to anyone who may not see it, whatever their role: a 403 there would confirm that the
record exists (STYLE.md, Permissions).
"""

from __future__ import annotations

from functools import wraps
from typing import Callable

from django.core.exceptions import PermissionDenied

from .models import LADO_ROLES, REFERRER_ROLES, Role


class RoleRefused(PermissionDenied):
    """The person's role cannot use this page; `roles` can."""

    def __init__(self, roles: tuple[Role, ...]):
        self.role_names = [role.label for role in roles]
        super().__init__("This page is for: " + ", ".join(self.role_names))


def role_required(allows: Callable[..., bool], *roles: Role):
    """Let through the users `allows(user)` lets through; refuse anyone else with RoleRefused(roles).

    `roles` are the roles that pass `allows`, in the words the refusal shows."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not allows(request.user):
                raise RoleRefused(roles)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


# The roles behind agencies.permissions.Standing's properties, in the order a refusal lists them.
LADO = tuple(r for r in Role if r in LADO_ROLES)
REFERRERS = tuple(r for r in Role if r in REFERRER_ROLES)
CASE_ROLES = tuple(r for r in Role if r not in (Role.ANALYST, Role.ADMINISTRATOR))
