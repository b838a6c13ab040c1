"""Did a request write anything? PostgreSQL counts every row the current transaction inserted, updated or
deleted, per table (pg_stat_xact_user_tables): one query, every table, including ones added later."""

from django.db import connection

# Written by signing in and by every request of a signed-in person (the session's last activity; the
# sign-in throttle), never business data.
IGNORED = ("django_session", "axes_", "accounts_", "allauth_", "account_", "mfa_")


def writes() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_user_tables")
        return {name: n for name, n in cursor.fetchall() if n and not name.startswith(IGNORED)}


def written_since(before: dict[str, int]) -> dict[str, int]:
    after = writes()
    return {name: n - before.get(name, 0) for name, n in after.items() if n != before.get(name, 0)}
