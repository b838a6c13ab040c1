#!/usr/bin/env python
"""The triage queue under load: gunicorn as docker-compose.yml runs it, N signed-in users at once, for a bounded time.

Issue 19, target 4: 50 concurrent signed-in users on the queue for 60 s: 0 errors, at least 150 requests a
second, p95 at most 350 ms. Run by hand or by ``make benchmark``; not part of the test suite.

    DJANGO_SETTINGS_MODULE=config.settings.test .venv/bin/python benchmarks/load.py [--users 50] [--seconds 60]

- **Data.** The database of benchmarks/queue_and_case.py (``ma_bench``, or ``BENCH_DATABASE_URL``; the name must
  contain ``bench``), loaded by it with ``--referrals`` referrals if it is not loaded yet.
- **Users.** ``--users`` LADO officers of the benchmark's service (``bench.load.N``), each signed in the way a
  person signs in (benchmarks/signin.py: password, then the authenticator's code), each with a session of its own.
- **Server.** ``gunicorn config.wsgi:application --workers 3 --timeout 60 --access-logfile -`` as docker-compose.yml
  runs it (each request's line written to a file in the temporary directory instead of the terminal), with
  the production settings (``config.settings.base``, DEBUG off) and ``DATABASE_CONN_MAX_AGE=60`` with health
  checks, bound to 127.0.0.1 only, on a free port. It is stopped at the end, whatever happens.
- **Client.** A small HTTP/1.1 client on asyncio's streams (the standard library: nothing to pin), one
  keep-alive connection per user, each user asking for the next page as soon as the last one arrives. Bounded:
  it stops after ``--seconds``; a request taking over 30 s counts as an error.
- Any answer but a 200 counts as an error; the run exits with 1 if a target is missed, 2 if a user cannot sign in.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_RPS, TARGET_P95_MS = 150, 350
URL = "/triage/"
REQUEST_TIMEOUT = 30


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def production_environment(database_url: str, port: int) -> dict[str, str]:
    """The environment docker-compose.yml gives gunicorn, on this machine: production settings, kept connections."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.base",
        DATABASE_URL=database_url,
        DATABASE_CONN_MAX_AGE="60",
        DJANGO_SECRET_KEY=env.get("BENCH_SECRET_KEY") or "bench-" + secrets.token_urlsafe(40),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        SITE_URL=f"http://127.0.0.1:{port}",
        DJANGO_CSRF_TRUSTED_ORIGINS=f"http://127.0.0.1:{port}",
        REDIS_URL=env.get("REDIS_URL", "redis://127.0.0.1:6379/7"),
    )
    env.pop("REDIS_CACHE_URL", None)
    return env


def sign_in_users(n: int) -> list[str]:
    """n LADO officers of the benchmark's service, each signed in: their session cookies."""
    from django.conf import settings
    from django.contrib.auth import get_user_model

    from agencies.models import Agency, AgencyKind, Membership, Role
    from benchmarks.signin import signed_in_client

    service = Agency.objects.filter(kind=AgencyKind.LADO_SERVICE).order_by("pk").first()
    cookies = []
    for i in range(n):
        user, _ = get_user_model().objects.get_or_create(
            username=f"bench.load.{i}", defaults={"first_name": "Load", "last_name": f"Officer {i}",
                                                  "email": f"bench.load.{i}@example.org"})
        Membership.objects.get_or_create(user=user, agency=service, role=Role.LADO_OFFICER,
                                         defaults={"job_title": "LADO"})
        client = signed_in_client(user, address=f"10.19.{i // 250}.{i % 250 + 1}")  # a desk each
        cookies.append(client.cookies[settings.SESSION_COOKIE_NAME].value)
    from benchmarks.queue_and_case import analyze_people

    analyze_people()  # the loader's VACUUM ANALYZE ran before these officers existed
    return cookies


async def _get(reader, writer, cookie_name: str, cookie: str) -> tuple[int, bytes, bool]:
    """One GET of the queue: (status, body, whether the server keeps the connection open)."""
    writer.write((f"GET {URL} HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: benchmark\r\n"
                  f"Cookie: {cookie_name}={cookie}\r\nConnection: keep-alive\r\n\r\n").encode())
    await writer.drain()
    status_line = await reader.readline()
    status = int(status_line.split()[1])
    length, chunked, keep = 0, False, True
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        if name.lower() == "content-length":
            length = int(value)
        elif name.lower() == "transfer-encoding" and "chunked" in value.lower():
            chunked = True
        elif name.lower() == "connection" and "close" in value.lower():
            keep = False  # gunicorn's sync workers answer one request per connection
    if chunked:
        body = b""
        while True:
            size = int((await reader.readline()).strip(), 16)
            if size == 0:
                await reader.readline()
                break
            body += await reader.readexactly(size)
            await reader.readline()
    else:
        body = await reader.readexactly(length)
    return status, body, keep


async def user_loop(port: int, cookie_name: str, cookie: str, until: float, times: list, errors: list) -> None:
    reader = writer = None
    while time.monotonic() < until:
        try:
            start = time.perf_counter()
            if writer is None:
                reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), REQUEST_TIMEOUT)
            status, body, keep = await asyncio.wait_for(_get(reader, writer, cookie_name, cookie), REQUEST_TIMEOUT)
            elapsed = (time.perf_counter() - start) * 1000  # connecting included, as for a browser without keep-alive
            if not keep:
                writer.close()
                reader = writer = None
            if status != 200 or b"MAS-BENCH-" not in body:
                errors.append(f"status {status}")
            else:
                times.append(elapsed)
        except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError, ValueError, IndexError) as error:
            errors.append(type(error).__name__)
            if writer is not None:
                writer.close()
            reader = writer = None
    if writer is not None:
        writer.close()


async def run_load(port: int, cookie_name: str, cookies: list[str], seconds: float) -> tuple[list, list, float]:
    times: list[float] = []
    errors: list[str] = []
    start = time.monotonic()
    users = asyncio.gather(*(user_loop(port, cookie_name, c, start + seconds, times, errors) for c in cookies))
    try:  # bounded whatever happens: the last requests get REQUEST_TIMEOUT, then everything stops
        await asyncio.wait_for(users, seconds + REQUEST_TIMEOUT + 5)
    except asyncio.TimeoutError:
        errors.append("run overran")
    return times, errors, time.monotonic() - start


def wait_until_up(port: int, server: subprocess.Popen, limit: float = 180) -> None:
    """Until gunicorn answers the sign-in page: its workers load the product first (slowly on a busy machine)."""
    import http.client

    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode} before answering")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            conn.request("GET", "/accounts/login/")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"gunicorn did not answer within {limit:.0f} s")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50, help="concurrent signed-in users (50)")
    parser.add_argument("--seconds", type=float, default=60, help="how long the load lasts (60)")
    parser.add_argument("--warmup", type=float, default=10, help="seconds of load first, not counted (10)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers, as docker-compose.yml (3)")
    parser.add_argument("--referrals", type=int, default=100_000, help="referrals to load if not loaded (100,000)")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(3))  # stopped from outside: gunicorn is still stopped (finally)

    from benchmarks import queue_and_case as bench

    url = bench.database_url()
    port = free_port()
    env = production_environment(url, port)
    # This process signs the users in with the same settings and secret key as the server it starts.
    os.environ.update({k: env[k] for k in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "DJANGO_SECRET_KEY",
                                           "DJANGO_ALLOWED_HOSTS", "SITE_URL", "DJANGO_CSRF_TRUSTED_ORIGINS")})
    bench.ensure_database(url, drop=False)
    import django

    django.setup()
    from django.conf import settings

    from allegations.models import Referral

    bench.migrate()
    loaded = Referral.objects.filter(reference__startswith=bench.REFERENCE_PREFIX).count()
    if not loaded:
        print(f"Loading {args.referrals:,} referrals (benchmarks/queue_and_case.py's loader)")
        bench.load(args.referrals)
        loaded = args.referrals
    print(f"{loaded:,} referrals; signing in {args.users} LADO officers (password and authenticator code)")
    cookies = sign_in_users(args.users)
    from django.db import connections

    connections.close_all()

    # As the web container does before gunicorn (the production settings serve static files from a manifest).
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"], cwd=ROOT, env=env,
                   check=True)
    command = [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
               "--workers", str(args.workers), "--timeout", "60", "--access-logfile", "-", "--error-logfile", "-",
               "--log-level", "warning"]
    print("Starting", " ".join(command[2:]))
    access_log = tempfile.NamedTemporaryFile(prefix="bench-load-access-", suffix=".log", delete=False)  # noqa: SIM115
    print(f"gunicorn's access log: {access_log.name}")
    server = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True, stdout=access_log)
    try:
        wait_until_up(port, server)
        if args.warmup:
            asyncio.run(run_load(port, settings.SESSION_COOKIE_NAME, cookies, args.warmup))
        times, errors, elapsed = asyncio.run(run_load(port, settings.SESSION_COOKIE_NAME, cookies, args.seconds))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        access_log.close()

    done = len(times)
    rps = done / elapsed if elapsed else 0.0
    p95 = statistics.quantiles(times, n=20)[-1] if len(times) >= 20 else float("nan")
    median = statistics.median(times) if times else float("nan")
    print(f"\n{args.users} users on {URL} for {elapsed:.1f} s, gunicorn with {args.workers} workers on 127.0.0.1")
    print(f"  requests answered 200: {done:,} ({rps:.1f} a second; target at least {TARGET_RPS})")
    print(f"  median {median:.1f} ms, p95 {p95:.1f} ms (target at most {TARGET_P95_MS} ms)")
    print(f"  errors: {len(errors)}" + (f" ({', '.join(sorted(set(errors)))})" if errors else "") + " (target 0)")
    met = not errors and rps >= TARGET_RPS and p95 <= TARGET_P95_MS
    print("  target met" if met else "  TARGET MISSED")
    print(f"TARGET 4. {args.users} users on the queue for {args.seconds:.0f} s: 0 errors, >= {TARGET_RPS} req/s, "
          f"p95 <= {TARGET_P95_MS} ms | {loaded:,} | {rps:.1f} req/s, median {median:.1f} ms, p95 {p95:.1f} ms, "
          f"{len(errors)} errors | {'met' if met else 'not met'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
