"""Database sessions that know whose they are (issue 12 §3), so that deactivating a person or
removing their last role can end every session they have (accounts.services.sessions_end):
reactivating the account later does not bring an old cookie back to life.

Django's database sessions with a ``user_id`` column, as its documentation shows for extending
the database-backed engine (SESSION_ENGINE = "accounts.sessions").

Reading a session also reads its person's row, in the same query (auth_user joined on ``user_id``):
``get_user`` below (used by accounts.middleware.AuthenticationMiddleware) takes the person from
there instead of asking the database a second time on every request. Everything else about who is
signed in is Django's own ``django.contrib.auth.get_user``, copied, session-hash check included."""

from __future__ import annotations

import functools

from django.conf import settings
from django.contrib.auth import (
    BACKEND_SESSION_KEY,
    HASH_SESSION_KEY,
    _get_user_session_key,  # Django's own get_user reads the id through it (copied below)
    get_user_model,
    load_backend,
)
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore as DBStore
from django.db import connections, router
from django.utils import timezone
from django.utils.crypto import constant_time_compare


class SessionStore(DBStore):
    # The person whose session this is, read with the session's row (None before it is read, for a session
    # without a person, or when the person's row is gone).
    loaded_user = None

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

    def _get_session_from_db(self):
        """Django's query (the row with this key that has not expired), with the person's row beside it."""
        self.loaded_user = None
        db = router.db_for_read(self.model)
        sql, user_fields, converters = _session_sql(db)
        with connections[db].cursor() as cursor:
            cursor.execute(sql, [self.session_key, timezone.now()])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        session_data, expire_date, user_id, *user_values = row
        if user_values[0] is not None:
            connection = connections[db]
            for index, field_converters, column in converters:
                for converter in field_converters:
                    user_values[index] = converter(user_values[index], column, connection)
            self.loaded_user = get_user_model().from_db(db, [f.attname for f in user_fields], user_values)
        return self.model(
            session_key=self.session_key, session_data=session_data, expire_date=expire_date, user_id=user_id
        )


@functools.cache
def _session_sql(db: str):
    """The one query for a session and its person, written once per database: its SQL, the person's columns
    and any converters the database needs for them (as the ORM's compiler finds them)."""
    from .models import UserSession

    connection = connections[db]
    qn = connection.ops.quote_name
    User = get_user_model()
    user_fields = list(User._meta.concrete_fields)
    session_table, user_table = qn(UserSession._meta.db_table), qn(User._meta.db_table)
    user_columns = ", ".join(f"u.{qn(f.column)}" for f in user_fields)
    sql = (
        f"SELECT s.{qn('session_data')}, s.{qn('expire_date')}, s.{qn('user_id')}, {user_columns} "
        f"FROM {session_table} s LEFT JOIN {user_table} u ON u.{qn(User._meta.pk.column)} = s.{qn('user_id')} "
        f"WHERE s.{qn('session_key')} = %s AND s.{qn('expire_date')} > %s"
    )
    converters = []
    for index, field in enumerate(user_fields):
        column = field.get_col("u")
        found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if found:
            converters.append((index, found, column))
    return sql, user_fields, converters


def get_user(request):
    """``django.contrib.auth.get_user``, line for line, except that a backend that reads the person the way
    Django's ModelBackend does (allauth's does) is answered with the row read beside the session, when it
    is that person's: the same row, the same ``user_can_authenticate`` check, one query fewer."""
    user = None
    try:
        user_id = _get_user_session_key(request)
        backend_path = request.session[BACKEND_SESSION_KEY]
    except KeyError:
        pass
    else:
        if backend_path in settings.AUTHENTICATION_BACKENDS:
            backend = load_backend(backend_path)
            user = _backend_user(backend, user_id, request.session)
            # Verify the session
            if hasattr(user, "get_session_auth_hash"):
                session_hash = request.session.get(HASH_SESSION_KEY)
                if not session_hash:
                    session_hash_verified = False
                else:
                    session_auth_hash = user.get_session_auth_hash()
                    session_hash_verified = constant_time_compare(session_hash, session_auth_hash)
                if not session_hash_verified:
                    # If the current secret does not verify the session, try
                    # with the fallback secrets and stop when a matching one is
                    # found.
                    if session_hash and any(
                        constant_time_compare(session_hash, fallback_auth_hash)
                        for fallback_auth_hash in user.get_session_auth_fallback_hash()
                    ):
                        request.session.cycle_key()
                        request.session[HASH_SESSION_KEY] = session_auth_hash
                    else:
                        request.session.flush()
                        user = None

    return user or AnonymousUser()


def _backend_user(backend, user_id, session):
    loaded = getattr(session, "loaded_user", None)
    if loaded is not None and loaded.pk == user_id and type(backend).get_user is ModelBackend.get_user:
        return loaded if backend.user_can_authenticate(loaded) else None
    return backend.get_user(user_id)
