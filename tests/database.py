"""The test database as a postgres:// URL, for processes the tests start (a worker, pg_dump, a server)."""

from urllib.parse import quote

from django.db import connection


def database_url(name: str | None = None) -> str:
    """The URL of the test database (or of `name` on the same server). A socket directory as the host,
    as the private server of `make test` uses, is percent-encoded (postgres://user@%2Fpath/name)."""
    db = connection.settings_dict
    auth = quote(db["USER"] or "")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"])
    host = db["HOST"] or "127.0.0.1"
    where = quote(host, safe="") if host.startswith("/") else f"{host}:{db['PORT'] or 5432}"
    return f"postgres://{auth}@{where}/{quote(name or db['NAME'])}"
