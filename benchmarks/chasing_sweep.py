#!/usr/bin/env python
"""The chasing sweep over 1,000,000 open deadlines: 10,000 notices due, sent in one pass (issue 19, target 5).

Run by hand or by `make benchmark` (not part of the test suite):

    BENCH_CHASE_DATABASE_URL=postgres://postgres@127.0.0.1:5432/ma_bench_chase \
        DJANGO_SETTINGS_MODULE=config.settings.test .venv/bin/python benchmarks/chasing_sweep.py [--open N]

It drops and creates its own database on every run (``ma_bench_chase``, or ``BENCH_CHASE_DATABASE_URL``; the
name must contain ``bench``), migrates it, and writes the deadlines in one ``INSERT ... SELECT`` over
``generate_series`` with the table's indexes dropped and built again afterwards (1,000,000 rows in seconds,
where COPY of rows made in Python took minutes). 10,000 referrals without a case are shared by 20 LADO officers
(their owners); one officer chose the daily digest for deadlines, and the digest hour has passed.

Each measurement is one full ``chasing.sweep()`` pass, timed from its start until every e-mail has been sent: the
inbox entries, history rows, deliveries and outbox messages in bulk, each batch's e-mails sent by
``outbox.tasks.deliver_many`` through one connection, and the daily digests of the same pass. Three runs:

1. the target, **as deployed**: a real Celery worker as docker-compose starts one (``celery -A config worker``:
   prefork, one process per core, persistent database connections; started, and its URLconf loaded, before the
   pass, as a worker that has been running is) is handed beat's task (``deadlines.tasks.chase_deadlines``). One of
   its processes sweeps; each batch's e-mails, handed over when the batch commits, are sent by another while the
   sweep writes the next batch. Each e-mail is made whole and written to a file (``config.mail.MailboxBackend``,
   as SMTP would make and send it; ``sweep_worker_settings.py``). Timed from the hand-over until every notice is
   written, no outbox message is waiting, no delivery is queued and the pass's digest is recorded (read every
   20 ms). Left out with ``--no-worker``.
2. the same again, **in one process** (for comparison, not the target's figure): ``--open`` (1,000,000) open
   deadlines, 1 % (10,000) with a reminder due; Celery runs each batch's task here when the batch commits
   (``task_always_eager``), through the locmem e-mail backend, so the batches' writing and their sending take
   turns: the pass with no overlap at all. This process has loaded its URLconf before the pass (config.warm), as a
   worker does when it starts.
3. 1,000 due among as many open, in one process: the same work per deadline (exit status 1 if it costs more than
   twice run 2's per deadline: the sweep had started to grow with the open rows).

Before each sweep it prints ``EXPLAIN (ANALYZE, BUFFERS)`` of the first claim query. It prints the target and
whether it was met, and a line ``TARGET sweep, as deployed | <size> | <figure> | met|not met`` for run 1 (what
`make benchmark` collects; run 2's figure is printed beside it, for comparison). Any error, or a sweep whose
e-mails do not carry each notice's delivery exactly once (its own e-mail, or the one e-mail listing a person's
notices of a batch), exits non-zero.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import datetime as dt
import logging
import os
import re
import subprocess
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
OFFICERS = 20
TARGET_DUE, TARGET_OPEN, TARGET_SECONDS = 10_000, 1_000_000, 2.0


def database_url() -> str:
    url = os.environ.get("BENCH_CHASE_DATABASE_URL", DEFAULT_DATABASE_URL)
    if "bench" not in urlparse(url).path:
        sys.exit("Refusing to use a database whose name does not contain 'bench': this script drops it.")
    return url


def migrated_database(url: str) -> None:
    """Drop the benchmark's database and create it migrated: cloned from a template database migrated once for
    the present migrations (its name carries their digest; migrating from nothing takes minutes here)."""
    import hashlib

    name = urlparse(url).path.lstrip("/")
    digest = hashlib.sha256()
    for path in sorted(ROOT.glob("*/migrations/*.py")):
        digest.update(path.name.encode() + path.read_bytes())
    template = f"{name}_migrated_{digest.hexdigest()[:10]}"
    conn = qc._admin_connection(url)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", [f"{name}_migrated_%"])
            templates = [row[0] for row in cur.fetchall()]
            for old in templates:
                if old != template:
                    cur.execute(f'DROP DATABASE "{old}" WITH (FORCE)')
            if template not in templates:
                qc.ensure_database(url.replace(f"/{name}", f"/{template}"), drop=True)
                started = time.perf_counter()
                subprocess.run([sys.executable, __file__, "--migrate-only"], check=True,
                               env={**os.environ, "DATABASE_URL": url.replace(f"/{name}", f"/{template}")})
                print(f"Migrated the template database {template} in {time.perf_counter() - started:.0f} s")
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cur.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    finally:
        conn.close()


def setup_people():
    """The LADO service, its manager and OFFICERS officers; the first officer chose the daily digest for deadline
    notices, and the partnership's digest hour is midnight (a digest is due whenever this runs)."""
    from django.contrib.auth import get_user_model

    from agencies.models import Agency, AgencyKind, Membership, NoticeDelivery, Partnership, Role, Sector
    from agencies.notices import notice_preferences_update

    Partnership.objects.filter(pk=Partnership.current().pk).update(digest_hour=0)
    service = Agency.objects.create(name="Bench LADO Service", kind=AgencyKind.LADO_SERVICE, sector=Sector.SOCIAL_CARE)
    User = get_user_model()
    officers = [User.objects.create_user(f"chase.officer{i}", email=f"officer{i}@bench.invalid")
                for i in range(OFFICERS)]
    manager = User.objects.create_user("chase.manager", email="manager@bench.invalid")
    for officer in officers:
        Membership.objects.create(user=officer, agency=service, role=Role.LADO_OFFICER)
    Membership.objects.create(user=manager, agency=service, role=Role.LADO_MANAGER)
    notice_preferences_update(actor=officers[0], choices={"deadlines": NoticeDelivery.DIGEST})
    return service, officers


def load_referrals(service, officers, now) -> list[int]:
    """Referrals without a case, each assigned to an officer (the deadlines' owner), with COPY."""
    from allegations.models import Referral, Subject

    subject = Subject.objects.create(given_name="Bench", family_name="Subject")
    table = qc.Table(Referral)
    ids = [
        table.add(reference=f"MAS-CHASE-{i:06d}", lado_service_id=service.pk, subject_id=subject.pk,
                  workforce="children", timing="contemporaneous", employer_name="Bench School", sector="education",
                  status="discussed", assigned_to_id=officers[i % len(officers)].pk,
                  received_at=now - dt.timedelta(days=3), created_at=now - dt.timedelta(days=3))
        for i in range(REFERRALS)
    ]
    table.write()
    return ids


def _literal(copy_text: str) -> str:
    """A COPY default (queue_and_case.Table) as an SQL literal."""
    return "NULL" if copy_text == "\\N" else "'" + copy_text.replace("'", "''") + "'"


def load_deadlines(referral_ids, now, *, not_due: int, due: int) -> None:
    """`not_due` open deadlines whose reminder is hours to weeks away and `due` whose reminder is due, spread
    evenly through the table, written by PostgreSQL itself (INSERT ... SELECT over generate_series) with the
    table's indexes dropped and built again after: no row passes through Python, and each index is built once
    rather than updated a million times."""
    from django.db import connection

    from deadlines.models import Deadline

    total = not_due + due
    if not total:
        return
    table = Deadline._meta.db_table
    given = {
        "referral_id": "(%(referrals)s::bigint[])[1 + (g + g / 97) %% cardinality(%(referrals)s::bigint[])]",
        "kind": "'police_review'",
        "status": "'open'",
        "anchor_at": "%(now)s::timestamptz - interval '2 days'",
        # due: every (total // due)-th row, reminded 1 to 600 minutes ago; else reminded 1 hour to 40 days ahead
        "remind_at": "CASE WHEN %(due)s > 0 AND g %% (%(total)s / GREATEST(%(due)s, 1)) = 0 AND g / (%(total)s / GREATEST(%(due)s, 1)) <= %(due)s"
                     " THEN %(now)s::timestamptz - make_interval(mins => (1 + (g * 7) %% 600)::int)"
                     " ELSE %(now)s::timestamptz + make_interval(mins => (60 + (g * 7919) %% 57600)::int) END",
    }
    fields = [f for f in Deadline._meta.concrete_fields if not f.primary_key]
    defaults = qc.Table(Deadline).defaults
    computed = {
        "remind_at": "remind_at",  # the subquery's, so that due_at and escalate_at follow it
        "due_at": "GREATEST(remind_at, %(now)s::timestamptz) + interval '2 days'",
        "escalate_at": "GREATEST(remind_at, %(now)s::timestamptz) + interval '3 days'",
    }
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    values = ", ".join(computed.get(f.attname) or given.get(f.attname) or _literal(defaults[f.attname]) for f in fields)
    sql = (f"INSERT INTO {connection.ops.quote_name(table)} ({columns}) SELECT {values} "
           f"FROM (SELECT g, {given['remind_at']} AS remind_at FROM generate_series(1, %(total)s::bigint) AS g) AS rows")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN "
                       "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)", [table, table])
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        cursor.execute(sql, {"referrals": list(referral_ids), "now": now, "total": total, "due": due})
        for _, definition in indexes:
            cursor.execute(definition)


def analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # as autovacuum would have, after the load


def counts(now) -> tuple[int, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM deadlines_deadline WHERE met_at IS NULL AND status IN ('open', 'overdue')")
        open_count = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM deadlines_deadline WHERE reminder_sent_at IS NULL AND remind_at <= %s",
                       [now])
        due = cursor.fetchone()[0]
    return open_count, due


def explain_claim(now) -> list[str]:
    from django.db import connection, transaction

    from deadlines import chasing

    stage = chasing.STAGES[0]
    query = chasing.claim_query(stage, now, 500)  # as the sweep runs it: the claim with what the chase reads
    with transaction.atomic():
        sql, params = query.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            plan = [row[0] for row in cursor.fetchall()]
        transaction.set_rollback(True)  # EXPLAIN ANALYZE took the row locks: let them go
    return plan


def timed_sweep(*, profiled: bool = False) -> tuple[float, dict, int, int, float]:
    """One pass, its e-mails sent (eager Celery, locmem): (seconds, counts, queries, the e-mails sent, seconds of
    them spent sending the e-mails)."""
    from django.core import mail
    from django.db import connection

    from deadlines import chasing

    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    from outbox import services

    sending = 0.0
    run_batch = services.messages_run

    def timed_batch(**kwargs):  # outbox.tasks.deliver_many's work: how much of the pass is sending
        nonlocal sending
        t0 = time.perf_counter()
        try:
            return run_batch(**kwargs)
        finally:
            sending += time.perf_counter() - t0

    mail.outbox = []
    services.messages_run = timed_batch
    profile = cProfile.Profile() if profiled else None
    start, cpu = time.perf_counter(), time.process_time()
    with connection.execute_wrapper(count):
        if profile:
            profile.enable()
        result = chasing.sweep()  # as beat runs it: now, and the digests of the notices up to the pass's end
        if profile:
            profile.disable()
    seconds = time.perf_counter() - start
    timed_sweep.cpu = time.process_time() - cpu  # this process's CPU (Python; PostgreSQL's is its own)
    services.messages_run = run_batch
    if profile:
        pstats.Stats(profile).sort_stats("tottime").print_stats(25)
        pstats.Stats(profile).sort_stats("cumulative").print_stats(60)
    return seconds, result, queries, list(mail.outbox), sending


class Worker:
    """A real Celery worker as docker-compose runs one (`celery -A config worker`, prefork, as many processes as
    the machine has cores, persistent database connections), on a queue of the benchmark's own, reading its
    database and writing each e-mail to a folder (sweep_worker_settings)."""

    def __init__(self, url: str):
        import tempfile
        import uuid

        from config.celery import app as celery_app

        self.queue = f"bench-sweep-{uuid.uuid4().hex[:8]}"
        self.mail_dir = Path(tempfile.mkdtemp(prefix="ma-bench-sweep-mail-"))
        self.log = Path(tempfile.mkstemp(prefix="ma-bench-sweep-worker-", suffix=".log")[1])
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "sweep_worker_settings", "DATABASE_URL": url,
               "DATABASE_CONN_MAX_AGE": "60", "BENCH_MAIL_DIR": str(self.mail_dir),
               "CELERY_TASK_DEFAULT_QUEUE": self.queue,  # what it hands over itself comes back to it
               "PYTHONPATH": os.pathsep.join([str(ROOT / "benchmarks"), str(ROOT)])}
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", self.queue, "-n", f"{self.queue}@%h",
                 "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=WARNING"],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        celery_app.conf.task_default_queue = self.queue  # what this process asks for goes to this worker
        self.app = celery_app
        deadline = time.monotonic() + 60
        while len(self.processes()) < 1 + (os.cpu_count() or 1):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"FAILED: the worker did not start:\n{self.log.read_text()[-3000:]}")
            time.sleep(0.1)

    def processes(self) -> list[int]:
        """The worker's first process and the processes of its pool."""
        try:
            children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        except OSError:
            return []
        return [self.process.pid, *map(int, children)]

    def cpu(self) -> float:
        """CPU seconds used so far by the worker's processes (/proc/<pid>/stat: utime + stime)."""
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        for pid in self.processes():
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        return total / ticks

    def emails(self) -> list:
        """The e-mails the worker wrote, each with its headers as `extra_headers` (what check_sent reads)."""
        import email
        from email import policy
        from types import SimpleNamespace

        found = []
        for path in sorted(self.mail_dir.glob("*.eml")):
            message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
            found.append(SimpleNamespace(extra_headers={name: str(value) for name, value in message.items()}))
        return found

    def stop(self) -> None:
        import shutil

        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
        shutil.rmtree(self.mail_dir, ignore_errors=True)
        self.log.unlink(missing_ok=True)
        import redis
        from django.conf import settings

        client = redis.Redis.from_url(settings.CELERY_BROKER_URL)  # the queue and kombu's bindings for it
        leftovers = list(client.scan_iter(match=f"*{self.queue}*"))
        if leftovers:
            client.delete(*leftovers)
        client.close()


def deployed_sweep(worker: Worker, before: int, due: int) -> tuple[float, float]:
    """One pass as production runs it: beat's task (deadlines.tasks.chase_deadlines) handed to the worker, which
    sweeps in one of its processes while another sends each committed batch's e-mails (outbox.tasks.deliver_many).
    Timed from the hand-over until every notice is written and every e-mail sent (no outbox message waiting, no
    delivery queued, and the digest of the pass recorded), read every 20 ms. Returns (seconds, the worker's CPU
    seconds)."""
    from django.db import connection

    from deadlines.tasks import chase_deadlines

    poll = ("SELECT (SELECT count(*) FROM agencies_notification WHERE id > %s AND key LIKE 'deadline-%%'), "
            "(SELECT count(*) FROM outbox_message WHERE done_at IS NULL AND gave_up_at IS NULL), "
            "(SELECT count(*) FROM outbox_delivery WHERE status = 'queued'), "
            "(SELECT count(*) FROM outbox_delivery WHERE key LIKE 'digest:%%')")
    with connection.cursor() as cursor:
        cursor.execute(poll, [before])
        digests = cursor.fetchone()[3]
        cursor.execute("SELECT coalesce(max(id), 0) FROM outbox_delivery")
        deliveries = cursor.fetchone()[0]
        cpu = worker.cpu()
        start = time.perf_counter()
        chase_deadlines.apply_async()
        give_up = start + 120
        while True:
            cursor.execute(poll, [before])
            notices, waiting, queued, now_digests = cursor.fetchone()
            if notices >= due and not waiting and not queued and now_digests > digests:
                break
            if worker.process.poll() is not None or time.perf_counter() > give_up:
                raise SystemExit(f"FAILED: the worker's pass did not finish ({notices} notices, {waiting} messages "
                                 f"waiting, {queued} deliveries queued):\n{worker.log.read_text()[-3000:]}")
            time.sleep(0.02)
        seconds, cpu = time.perf_counter() - start, worker.cpu() - cpu
        # When the sweeps' last batch was written and the last e-mail recorded sent, after the first batch written
        cursor.execute("SELECT extract(epoch FROM max(created_at) - min(created_at)) FROM agencies_notification "
                       "WHERE id > %s", [before])
        written = cursor.fetchone()[0]
        cursor.execute("SELECT extract(epoch FROM (SELECT max(sent_at) FROM outbox_delivery WHERE id > %s) - "
                       "(SELECT min(created_at) FROM agencies_notification WHERE id > %s))", [deliveries, before])
        sent = cursor.fetchone()[0]
        print(f"   from the first batch written: the last written after {float(written or 0):.2f} s, the last e-mail "
              f"recorded sent after {float(sent or 0):.2f} s")
        return seconds, cpu


def deadlines_remove() -> None:
    """Every deadline and its history gone (what the runs chased stays: notices, deliveries, messages)."""
    from django.db import connection

    with connection.cursor() as cursor:
        # CASCADE: and the tables referring to them (empty here)
        cursor.execute("TRUNCATE deadlines_historicaldeadline, deadlines_deadline CASCADE")


def check_sent(result: dict, emails: list, before: int) -> None:
    """Every notice of the pass reached its person once: in an e-mail (its own, or one listing a person's notices of
    a batch), or as a line in today's digest, or it waits for tomorrow's (its person's digest for today went in an
    earlier pass). Exit non-zero otherwise."""
    from collections import Counter

    from agencies.models import Notification
    from outbox.delivery import DELIVERIES_HEADER, DELIVERY_HEADER
    from outbox.models import Delivery, DeliveryStatus, Message

    notices = Notification.objects.filter(pk__gt=before)
    waiting = Message.objects.filter(done_at__isnull=True).count()
    unsent = Delivery.objects.exclude(status=DeliveryStatus.SENT).count()
    immediate = notices.filter(digest__isnull=True, digest_pending=False).count()
    digested = notices.filter(digest__isnull=False).count()
    pending = notices.filter(digest_pending=True).values_list("user_id", flat=True).distinct()
    tomorrow = [u for u in pending if not Delivery.objects.filter(key__startswith=f"digest:{u}:").exists()]
    # Each delivery in exactly one e-mail: its own, or a listing's (one per person per batch).
    carried = Counter(pk for email in emails for pk in re.findall(r"\d+", email.extra_headers.get(DELIVERIES_HEADER)
                                                                  or email.extra_headers[DELIVERY_HEADER]))
    repeated = [pk for pk, times in carried.items() if times > 1]
    if (waiting or unsent or repeated or len(carried) != immediate + result["digests"] or tomorrow
            or immediate + digested + notices.filter(digest_pending=True).count() != notices.count()):
        raise SystemExit(f"FAILED: {len(emails)} e-mails sent carrying {len(carried)} deliveries, "
                         f"{immediate + result['digests']} expected, {len(repeated)} in more than one; {waiting} "
                         f"outbox messages not done, {unsent} deliveries not sent; people with notices waiting for a "
                         f"digest and none sent: {tomorrow}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--open", type=int, default=TARGET_OPEN, help="open deadlines in the target run (1,000,000)")
    parser.add_argument("--no-explain", action="store_true")
    parser.add_argument("--profile", action="store_true", help="print where each measured pass spends its time")
    parser.add_argument("--no-worker", action="store_true",
                        help="only the runs in one process (no Celery worker: run 1 is left out)")
    parser.add_argument("--migrate-only", action="store_true", help=argparse.SUPPRESS)  # the template database
    args = parser.parse_args(argv)
    due = args.open // 100
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    if args.migrate_only:
        import django

        django.setup()
        qc.migrate()
        return 0

    url = database_url()
    os.environ["DATABASE_URL"] = url
    migrated_database(url)

    import django

    django.setup()
    from django.conf import settings
    from django.utils import timezone

    from agencies.models import Notification
    from config.celery import app as celery_app

    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    logging.getLogger("celery.app.trace").setLevel(logging.WARNING)  # not each task's 500 outcomes

    now = timezone.now()
    started = time.perf_counter()
    service, officers = setup_people()
    referral_ids = load_referrals(service, officers, now)
    # This process stands for a worker that has run before: it loaded the URLconf when it started, as a worker
    # does before forking its processes (config.celery, config.warm), not in the pass measured.
    from config.warm import urls_load

    urls_load()
    worker = None if args.no_worker else Worker(url)

    results = []

    def load(label, *, not_due, due):
        t0 = time.perf_counter()
        load_deadlines(referral_ids, now, not_due=not_due, due=due)
        loaded = time.perf_counter() - t0
        analyze()
        open_count, due_count = counts(now)
        print(f"\n== {label}: {open_count:,} open deadlines, {due_count:,} with a reminder due "
              f"(loaded in {loaded:.1f} s, then VACUUM ANALYZE in {time.perf_counter() - t0 - loaded:.1f} s)")
        if not args.no_explain:
            plan = explain_claim(now)
            print("\n".join("   " + line for line in plan))
            # The claim joins each row's referral by its key: a plan that reads every referral (to hash them) would
            # make the sweep grow with the referrals, not the deadlines due. With fewer due (1,000 among 100,000)
            # the planner may rightly hash the benchmark's 10,000 referrals once (a few ms): only the target's size
            # fails on it.
            if any("Seq Scan on allegations_referral" in line for line in plan):
                if args.open >= TARGET_OPEN:
                    sys.exit("FAILED: the sweep's claim reads every referral (see the plan above)")
                print("   (the claim hashes every referral at this size: see the plan above)")
        before = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        return open_count, due_count, before

    def run_deployed(label, *, not_due, due):
        open_count, due_count, before = load(label, not_due=not_due, due=due)
        from outbox.models import Delivery

        digests = Delivery.objects.filter(key__startswith="digest:").count()
        seconds, cpu = deployed_sweep(worker, before, due_count)
        emails = worker.emails()
        chased = {"reminder": Notification.objects.filter(pk__gt=before).count(),
                  "digests": Delivery.objects.filter(key__startswith="digest:").count() - digests}
        check_sent(chased, emails, before)
        per = seconds / max(chased["reminder"], 1) * 1000
        print(f"   pass as deployed: {seconds:.2f} s for {chased['reminder']:,} notices chased and {len(emails):,} "
              f"e-mails sent ({chased['digests']} digest), {per:.3f} ms per notice; CPU of the worker's processes "
              f"{cpu:.2f} s")
        results.append((label, open_count, due_count, seconds, per, None, len(emails), None))

    def run(label, *, not_due, due):
        open_count, due_count, before = load(label, not_due=not_due, due=due)
        seconds, chased, queries, sent, sending = timed_sweep(profiled=args.profile)
        check_sent(chased, sent, before)
        emails = len(sent)
        per = seconds / max(chased["reminder"], 1) * 1000
        print(f"   pass: {seconds:.2f} s for {chased['reminder']:,} notices chased and {emails:,} e-mails sent "
              f"({chased['digests']} digest), {queries:,} queries, {per:.3f} ms per notice; of which sending the "
              f"e-mails (outbox.tasks.deliver_many) {sending:.2f} s, {sending / max(emails, 1) * 1000:.2f} ms each, "
              f"and writing the notices, their once-keys, deliveries and outbox messages {seconds - sending:.2f} s; "
              f"CPU of this process {timed_sweep.cpu:.2f} s ({timed_sweep.cpu / max(chased['reminder'], 1) * 1000:.3f} "
              f"ms per notice)")
        after = timed_sweep()
        print(f"   next pass (nothing due): {after[0] * 1000:.1f} ms, {after[2]} queries")
        results.append((label, open_count, due_count, seconds, per, after[0], emails, sending))

    try:
        if worker is not None:
            run_deployed("1 (target, as deployed: a worker sweeps while another of its processes sends)",
                         not_due=args.open - due, due=due)
            deadlines_remove()  # the next run starts again from the same table
        celery_app.conf.task_always_eager = True  # each batch's e-mails sent here, as its transaction commits
        run("2 (target, in one process: each batch's e-mails sent before the next batch)",
            not_due=args.open - due, due=due)
        run("3 (1,000 more due, as many open, in one process)", not_due=0, due=1_000)
    finally:
        if worker is not None:
            worker.stop()

    print("\n| run | open | due | pass s | of which sending s | e-mails | ms per notice | empty pass ms |\n"
          "|---|---:|---:|---:|---:|---:|---:|---:|")
    for label, open_count, due_count, seconds, per, empty, emails, sending in results:
        print(f"| {label} | {open_count:,} | {due_count:,} | {seconds:.2f} | "
              f"{'-' if sending is None else f'{sending:.2f}'} | {emails:,} | {per:.3f} | "
              f"{'-' if empty is None else f'{empty * 1000:.1f}'} |")
    print(f"\nTotal {time.perf_counter() - started:.0f} s; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")

    exact = due == TARGET_DUE and args.open == TARGET_OPEN
    print(f"\nTarget: {TARGET_DUE:,} notices due among {TARGET_OPEN:,} open deadlines sent in <= {TARGET_SECONDS:g} s.")
    # The target's figure is the pass as deployed (run 1); the pass in one process (run 2) is printed beside it, for
    # comparison: it is the same work with no overlap at all, not how the product runs it.
    deployed = next((r for r in results if r[0].startswith("1 ")), None)
    alone = next(r for r in results if r[0].startswith("2 "))
    print(f"For comparison, in one process (run 2): {due:,} due among {args.open:,} open in {alone[3]:.2f} s.")
    if deployed is None:
        print("TARGET sweep | not measured as deployed (--no-worker) | - | not met")
    else:
        met = exact and deployed[3] <= TARGET_SECONDS
        print(f"TARGET sweep, as deployed | {due:,} due among {args.open:,} open | {deployed[3]:.2f} s | "
              f"{'met' if met else 'not met'}")
    return 0 if results[-1][4] <= 2 * results[-2][4] else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except SystemExit:
        raise
    except BaseException:
        import traceback

        traceback.print_exc()
        print("FAILED: the sweep benchmark stopped with an error (above)", file=sys.stderr)
        sys.exit(2)
