#!/usr/bin/env python
"""One chasing sweep over 1,000,000 open deadlines: its work grows with the number due, not open.

Run by hand (not part of the test suite):

    DJANGO_SETTINGS_MODULE=config.settings.test .venv/bin/python benchmarks/chasing_sweep.py

It drops and creates its own database on every run (``ma_bench_chase``, or
``BENCH_CHASE_DATABASE_URL``; the name must contain ``bench``), migrates it and writes the
deadlines with COPY (queue_and_case.py's loader). Three measurements, each a full
``chasing.sweep()`` (inbox entries, history rows, e-mails to the locmem outbox):

1. 100,000 open deadlines, 1 % (1,000) with a reminder due;
2. 1,000,000 open, 1 % (10,000) due;
3. 1,000,000 open, 1,000 due: the same number due as in 1, ten times as many open.

Before each sweep it prints ``EXPLAIN (ANALYZE, BUFFERS)`` of the first claim query (the
reminder stage's ``SELECT ... FOR UPDATE SKIP LOCKED LIMIT 500``), which reads the partial
index ``deadline_chase_reminder``: it holds only rows still to chase, and is read in order
up to the first row not yet due. It exits with 1 if sweep 3 takes more than twice as long
per due deadline as sweep 1 (the sign that the sweep had started to grow with the open rows).
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
sys.path.insert(0, str(ROOT / "benchmarks"))

import queue_and_case as qc  # noqa: E402  (the COPY loader and the database helpers)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/ma_bench_chase"
REFERRALS = 10_000
CHUNK = 100_000


def database_url() -> str:
    url = os.environ.get("BENCH_CHASE_DATABASE_URL", DEFAULT_DATABASE_URL)
    if "bench" not in urlparse(url).path:
        sys.exit("Refusing to use a database whose name does not contain 'bench': this script drops it.")
    return url


def setup_people():
    from agencies.models import Agency, AgencyKind, Membership, Partnership, Role, Sector
    from django.contrib.auth import get_user_model

    Partnership.current()
    service = Agency.objects.create(name="Bench LADO Service", kind=AgencyKind.LADO_SERVICE, sector=Sector.SOCIAL_CARE)
    User = get_user_model()
    officer = User.objects.create_user("chase.officer", email="officer@bench.invalid")
    manager = User.objects.create_user("chase.manager", email="manager@bench.invalid")
    Membership.objects.create(user=officer, agency=service, role=Role.LADO_OFFICER)
    Membership.objects.create(user=manager, agency=service, role=Role.LADO_MANAGER)
    return service, officer


def load_referrals(service, officer, now) -> list[int]:
    """Referrals without a case, assigned to the officer (the deadlines' owner)."""
    from allegations.models import Referral, Subject

    subject = Subject.objects.create(given_name="Bench", family_name="Subject")
    table = qc.Table(Referral)
    ids = [
        table.add(reference=f"MAS-CHASE-{i:06d}", lado_service_id=service.pk, subject_id=subject.pk,
                  workforce="children", timing="contemporaneous", employer_name="Bench School", sector="education",
                  status="discussed", assigned_to_id=officer.pk, received_at=now - dt.timedelta(days=3),
                  created_at=now - dt.timedelta(days=3))
        for i in range(REFERRALS)
    ]
    table.write()
    return ids


def load_deadlines(referral_ids, now, *, not_due: int, due: int, rng: random.Random) -> None:
    """`not_due` open deadlines whose reminder is days to weeks away, `due` whose reminder is due."""
    from deadlines.models import Deadline

    table = qc.Table(Deadline)
    plan = [False] * not_due + [True] * due
    rng.shuffle(plan)
    for is_due in plan:
        anchor = now - dt.timedelta(days=2)
        remind_at = now - dt.timedelta(minutes=rng.randint(1, 600)) if is_due else now + dt.timedelta(minutes=rng.randint(60, 60 * 24 * 40))
        due_at = max(remind_at, now) + dt.timedelta(days=2)
        table.add(referral_id=rng.choice(referral_ids), kind="police_review", anchor_at=anchor, due_at=due_at,
                  remind_at=remind_at, escalate_at=due_at + dt.timedelta(days=1), status="open")
        if len(table.rows) >= CHUNK:
            table.write()
    table.write()


def analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # as autovacuum would have, after the COPY


def counts() -> tuple[int, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM deadlines_deadline WHERE met_at IS NULL AND status IN ('open', 'overdue')")
        open_count = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM deadlines_deadline WHERE reminder_sent_at IS NULL AND remind_at <= now()")
        due = cursor.fetchone()[0]
    return open_count, due


def explain_claim(now) -> list[str]:
    from django.db import connection, transaction

    from deadlines import chasing

    stage = chasing.STAGES[0]
    query = chasing.claim_query(stage, now, 500).values_list("pk", flat=True)
    with transaction.atomic():
        sql, params = query.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            plan = [row[0] for row in cursor.fetchall()]
        transaction.set_rollback(True)  # EXPLAIN ANALYZE took the row locks: let them go
    return plan


def timed_sweep(now) -> tuple[float, dict, int]:
    from django.db import connection

    from deadlines import chasing

    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    start = time.perf_counter()
    with connection.execute_wrapper(count):
        result = chasing.sweep(now=now)
    return time.perf_counter() - start, result, queries


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--open", type=int, default=1_000_000, help="open deadlines in the large runs (1,000,000)")
    parser.add_argument("--no-explain", action="store_true")
    args = parser.parse_args(argv)
    small, large = args.open // 10, args.open

    url = database_url()
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    qc.ensure_database(url, drop=True)

    import django

    django.setup()
    from django.utils import timezone

    qc.migrate()
    rng = random.Random(20261123)
    now = timezone.now()
    started = time.perf_counter()
    service, officer = setup_people()
    referral_ids = load_referrals(service, officer, now)

    results = []

    def run(label, *, not_due, due):
        t0 = time.perf_counter()
        load_deadlines(referral_ids, now, not_due=not_due, due=due, rng=rng)
        analyze()
        open_count, due_count = counts()
        print(f"\n== {label}: {open_count:,} open deadlines, {due_count:,} with a reminder due "
              f"(loaded in {time.perf_counter() - t0:.0f} s)")
        if not args.no_explain:
            print("\n".join("   " + line for line in explain_claim(now)))
        seconds, chased, queries = timed_sweep(now)
        per = seconds / max(chased["reminder"], 1) * 1000
        print(f"   sweep: {seconds:.2f} s, {chased}, {queries:,} queries, {per:.2f} ms per deadline chased")
        after = timed_sweep(now)
        print(f"   next sweep (nothing due): {after[0] * 1000:.1f} ms, {after[2]} queries")
        results.append((label, open_count, due_count, seconds, per, after[0]))

    run("1", not_due=small - small // 100, due=small // 100)
    run("2", not_due=(large - small) - (large // 100), due=large // 100)
    run("3", not_due=0, due=small // 100)

    print("\n| run | open | due | sweep s | ms per deadline chased | empty sweep ms |\n|---|---:|---:|---:|---:|---:|")
    for label, open_count, due_count, seconds, per, empty in results:
        print(f"| {label} | {open_count:,} | {due_count:,} | {seconds:.2f} | {per:.2f} | {empty * 1000:.1f} |")
    print(f"\nTotal {time.perf_counter() - started:.0f} s")
    return 0 if results[2][4] <= 2 * results[0][4] else 1


if __name__ == "__main__":
    sys.exit(main())
