"""Database sessions that know whose they are (issue 12 §3), so that deactivating a person or
removing their last role can end every session they have (accounts.services.sessions_end):
reactivating the account later does not bring an old cookie back to life.

Django's database sessions with a ``user_id`` column, as its documentation shows for extending
the database-backed engine (SESSION_ENGINE = "accounts.sessions")."""

from __future__ import annotations

from django.contrib.sessions.backends.db import SessionStore as DBStore


class SessionStore(DBStore):
    @classmethod
    def get_model_class(cls):
        from .models import UserSession

        return UserSession

    def create_model_instance(self, data):
        instance = super().create_model_instance(data)
        try:
            instance.user_id = int(data.get("_auth_user_id"))
        except (TypeError, ValueError):
            instance.user_id = None
        return instance
