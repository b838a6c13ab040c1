#!/usr/bin/env python
"""How long the access log takes to read: "who has opened this case" and the audit page and CSV.

Run by hand; it is not part of the test suite. It uses its own database (``ma_bench_access`` by
default, or ``BENCH_ACCESS_DATABASE_URL``; the name must contain ``bench``), dropped and created again:

    DJANGO_SETTINGS_MODULE=config.settings.test .venv/bin/python benchmarks/access_log.py [--rows N]

It writes N referral and case opens (allegations.AccessLog) over a year, spread over 50 referrals,
and N/5 minutes reads (records.ViewLog), then times (median of 3) the case page's "who has opened
this case" (records.selectors.readers_of), the first page of the audit unfiltered, for one month
and for one reference (records.selectors.access_log, with the paginator's count), and streams the
whole log as the CSV view does.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/ma_bench_access"


def database_url() -> str:
    url = os.environ.get("BENCH_ACCESS_DATABASE_URL", DEFAULT_DATABASE_URL)
    if "bench" not in urlparse(url).path:
        sys.exit("Refusing to use a database whose name does not contain 'bench'.")
    return url


def fresh_database(url: str) -> None:
    import psycopg2

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    conn = psycopg2.connect(dbname="postgres", user=parts.username or "postgres", password=parts.password or None,
                            host=parts.hostname or "127.0.0.1", port=parts.port or 5432)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cur.execute(f'CREATE DATABASE "{name}"')
    finally:
        conn.close()


def median(fn, n: int = 3) -> float:
    times = []
    for _ in range(n):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return sorted(times)[len(times) // 2]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=500_000, help="referral and case opens (500,000)")
    args = parser.parse_args(argv)
    url = database_url()
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    fresh_database(url)
    import django

    django.setup()
    from django.core.management import call_command
    from django.core.paginator import Paginator
    from django.db import connection
    from django.utils import timezone

    from agencies.models import AgencyKind, Partnership, Role, Sector
    from allegations.models import AccessLog
    from records import selectors
    from records.models import ViewLog
    from tests.agencies.factories import AgencyFactory, UserFactory, member
    from tests.allegations.factories import make_referral

    call_command("migrate", verbosity=0, interactive=False)
    rng = random.Random(7)
    Partnership.objects.create(name="Bench Partnership")
    lado = AgencyFactory(name="Bench LADO Service", kind=AgencyKind.LADO_SERVICE, sector=Sector.SOCIAL_CARE)
    school = AgencyFactory(name="Bench School", kind=AgencyKind.SCHOOL, sector=Sector.EDUCATION, lado_service=lado)
    officer = member(UserFactory(username="bench.officer"), lado, Role.LADO_OFFICER)
    manager = member(UserFactory(username="bench.manager"), lado, Role.LADO_MANAGER)
    referrer = member(UserFactory(username="bench.referrer"), school, Role.SENIOR_MANAGER)
    referrals = [make_referral(actor=referrer, lado_service=lado, agency=school) for _ in range(50)]
    now = timezone.now()

    def when():
        return now - dt.timedelta(seconds=rng.randrange(365 * 86400))

    started = time.perf_counter()
    AccessLog.objects.bulk_create((AccessLog(user=officer, referral=rng.choice(referrals), what="case", at=when())
                                   for _ in range(args.rows)), batch_size=10_000)
    ViewLog.objects.bulk_create((ViewLog(user=officer, referral=rng.choice(referrals), what="minutes", at=when())
                                 for _ in range(args.rows // 5)), batch_size=10_000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    total = args.rows + args.rows // 5
    print(f"Wrote {total:,} log rows in {time.perf_counter() - started:.1f} s")

    def audit_page(**filters):
        page = Paginator(selectors.access_log(user=manager, **filters), 50).get_page(1)
        list(page.object_list)
        return page.paginator.count

    def stream():
        return sum(1 for _ in selectors.access_log(user=manager).iterator(chunk_size=2000))

    print(f"Who has opened this case (20 newest of ~{total // 50:,}): {median(lambda: selectors.readers_of(referral=referrals[0])) * 1000:.1f} ms")
    print(f"Audit page 1, unfiltered ({total:,} rows): {median(audit_page):.2f} s")
    month = (now - dt.timedelta(days=30)).date()
    print(f"Audit page 1, the last month: {median(lambda: audit_page(date_from=month)):.2f} s")
    print(f"Audit page 1, one reference: {median(lambda: audit_page(reference=referrals[0].reference)):.2f} s")
    print(f"CSV of everything ({total:,} rows), streamed: {median(stream, 1):.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
