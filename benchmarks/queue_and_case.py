#!/usr/bin/env python
"""Server time of the triage queue, the case list and a case page over 100,000 referrals.

Run by hand or with ``make benchmark``; it is not part of the test suite (pytest only
collects ``tests/``). It uses its own database (``ma_bench`` by default, or
``BENCH_DATABASE_URL``), never the development or test database:

    DJANGO_SETTINGS_MODULE=config.settings.test .venv/bin/python benchmarks/queue_and_case.py [--reload]

The first run creates the database, migrates it and loads the synthetic data (about a
minute); later runs reuse it unless ``--reload`` is given or the row count differs.
It signs in as a LADO officer with the password and the authenticator's code
(benchmarks/signin.py). Each page gets a few warm-up requests, then timed requests through
Django's test client (the whole server side: middleware, view, queries, template; no
network). A page that answers anything but a 200 stops the run (exit status 2).
"""

from __future__ import annotations

import argparse
import datetime as dt
import enum
import io
import math
import os
import random
import re
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/ma_bench"
REFERENCE_PREFIX = "MAS-BENCH-"
OFFICER_USERNAME = "bench.officer"
QUEUE_SLOW_MS = 150
PYTHON_TARGET_MS = 6  # issue 19, target 3: Python per request on the triage queue, at any size
FLUSH_EVERY = 50_000  # referrals made before their rows are written with COPY

GIVEN_NAMES = """Aaliyah Adam Aisha Alex Alice Amelia Amir Ann Ben Beth Callum Carl Chloe Chris Claire Dan David
Deborah Ellie Emily Emma Faisal Fiona Gareth Grace Hannah Harry Ian Imran Jack James Jane Jason Jess John Karen
Kate Kevin Laura Leah Liam Lucy Mark Mary Matthew Mohammed Naomi Neil Nicola Oliver Omar Paul Priya Rachel
Ravi Rebecca Richard Robert Ruth Ryan Sam Sarah Simon Sophie Stephen Steven Susan Tom Tracy Wendy Yusuf Zoe""".split()
FAMILY_NAMES = """Adams Ahmed Ali Allen Anderson Armstrong Atkinson Bailey Baker Barker Barnes Bell Bennett Brown
Butler Campbell Carter Chapman Clark Clarke Cole Collins Cook Cooper Cox Davies Davis Dixon Edwards Ellis Evans
Fisher Fletcher Foster Fox Graham Gray Green Griffiths Hall Harris Harrison Harvey Hill Holmes Hughes Hunt Hussain
Jackson James Jenkins Johnson Jones Kaur Kelly Khan King Knight Lee Lewis Lloyd Marshall Martin Mason Matthews
Miller Mills Mitchell Moore Morgan Morris Murphy Murray Okafor Owen Palmer Parker Patel Pearson Phillips Powell
Price Reid Richards Richardson Roberts Robinson Rogers Rose Russell Scott Shaw Simpson Singh Smith Stevens Stewart
Taylor Thomas Thompson Turner Walker Walsh Ward Watson White Wilkinson Williams Wilson Wood Wright Young""".split()
SEARCH_SURNAME = "Okafor"

# Share of referrals in each state. Open work (new or discussed) is the queue's head.
STATE_WEIGHTS = {"new": 2.5, "discussed": 2.5, "case": 30, "advice": 45, "not_allegation": 15, "transferred": 5}


# --- The benchmark database --------------------------------------------------------

def database_url() -> str:
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    name = urlparse(url).path.lstrip("/")
    if "bench" not in name:
        # --reload drops the database: never let it point at the development or test database.
        sys.exit(f"Refusing to use database {name!r}: the benchmark database's name must contain 'bench'.")
    return url


def _admin_connection(url: str):
    import psycopg2

    parts = urlparse(url)
    conn = psycopg2.connect(
        dbname="postgres", user=parts.username or "postgres", password=parts.password or None,
        host=parts.hostname or "127.0.0.1", port=parts.port or 5432,
    )
    conn.autocommit = True
    return conn


def ensure_database(url: str, *, drop: bool) -> None:
    name = urlparse(url).path.lstrip("/")
    conn = _admin_connection(url)
    try:
        with conn.cursor() as cur:
            if drop:
                cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cur.fetchone() is None:
                cur.execute(f'CREATE DATABASE "{name}"')
                print(f"Created database {name}")
    finally:
        conn.close()


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


# --- Synthetic data -------------------------------------------------------------------

def _plan_states(rng: random.Random, n: int) -> list[str]:
    states, weights = zip(*STATE_WEIGHTS.items())
    return rng.choices(states, weights=weights, k=n)


def _copy_text(value) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    value = str(value)
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        value = value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return value


class Table:
    """Rows for one model, written with COPY: ids come from the model's own sequence, and
    every column a row does not give gets the field's default, as Django would insert it."""

    def __init__(self, model):
        from django.db import connection

        self.model = model
        self.fields = [f for f in model._meta.concrete_fields]
        self.defaults = {}
        for field in self.fields:
            if not field.primary_key:
                self.defaults[field.attname] = _copy_text(field.get_db_prep_save(field.get_default(), connection))
        self.rows: list[dict] = []
        self._ids: list[int] = []

    def add(self, **values) -> int:
        if not self._ids:
            self._ids = self._reserve(5000)
        values["id"] = self._ids.pop()
        self.rows.append(values)
        return values["id"]

    def _reserve(self, count: int) -> list[int]:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [self.model._meta.db_table, count],
            )
            return [row[0] for row in reversed(cursor.fetchall())]

    def write(self) -> int:
        from django.db import connection

        names = [f.attname for f in self.fields]
        defaults = [self.defaults.get(name) for name in names]
        buffer = io.StringIO()
        for row in self.rows:
            buffer.write("\t".join(
                _copy_text(row[name]) if name in row else default for name, default in zip(names, defaults)
            ))
            buffer.write("\n")
        buffer.seek(0)
        columns = ", ".join(connection.ops.quote_name(f.column) for f in self.fields)
        with connection.cursor() as cursor:
            cursor.copy_expert(
                f"COPY {connection.ops.quote_name(self.model._meta.db_table)} ({columns}) FROM STDIN", buffer
            )
        count = len(self.rows)
        self.rows = []
        return count


def load(n: int, *, seed: int = 20240601) -> None:
    """Load ``n`` referrals quickly.

    Rows go straight into PostgreSQL with COPY, which deliberately bypasses the
    services and django-simple-history (no history rows; events only for receipt,
    triage and opening and closing a case): this is synthetic benchmark data, and
    going through the services would take hours. The showcase case at the end is
    made through the services, so it has real history and events.
    """
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from agencies.models import Agency, AgencyKind, Membership, Partnership, Role, Sector
    from allegations.matching import phonetic_key
    from allegations.models import (
        Case, CaseStatus, Category, ContactType, EmploymentType, Event, HowArose, Outcome, Referral,
        ReferralStatus, Route, Strand, Subject, Timing, TriageDecision, Workforce,
    )
    from deadlines.models import Deadline

    rng = random.Random(seed)
    started = time.perf_counter()

    def progress(what: str) -> None:
        print(f"  {what:<52} {time.perf_counter() - started:6.1f} s")

    now = timezone.now().replace(microsecond=0)
    span = dt.timedelta(days=5 * 365)
    first = now - span
    keys = {name: phonetic_key(name) for name in GIVEN_NAMES + FAMILY_NAMES}

    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")

        Partnership.current()
        lado = Agency(name="Benchshire LADO Service", kind=AgencyKind.LADO_SERVICE, sector=Sector.SOCIAL_CARE,
                      authority="Benchshire")
        lado.save()
        agency_specs = [
            ("Benchshire Primary Academy Trust", AgencyKind.SCHOOL, Sector.EDUCATION, Workforce.CHILDREN, "Teacher"),
            ("St Anne's High School", AgencyKind.SCHOOL, Sector.EDUCATION, Workforce.CHILDREN, "Teaching assistant"),
            ("Benchshire College", AgencyKind.COLLEGE, Sector.EDUCATION, Workforce.CHILDREN, "Lecturer"),
            ("Little Acorns Nursery", AgencyKind.EARLY_YEARS, Sector.EARLY_YEARS, Workforce.CHILDREN, "Nursery practitioner"),
            ("Hearth Fostering", AgencyKind.FOSTERING_AGENCY, Sector.FOSTERING, Workforce.CHILDREN, "Foster carer"),
            ("Oak House Children's Home", AgencyKind.RESIDENTIAL_HOME, Sector.RESIDENTIAL, Workforce.CHILDREN, "Residential worker"),
            ("Benchshire Police", AgencyKind.POLICE, Sector.POLICE, Workforce.CHILDREN, "Police officer"),
            ("Benchshire Hospitals NHS Trust", AgencyKind.NHS_TRUST, Sector.HEALTH, Workforce.CHILDREN, "Nurse"),
            ("Riverside Football Club", AgencyKind.SPORTS_CLUB, Sector.SPORTS, Workforce.CHILDREN, "Coach"),
            ("Meadow View Care Home", AgencyKind.CARE_PROVIDER, Sector.CARE_HOME, Workforce.ADULTS, "Care worker"),
            ("Homecare Benchshire", AgencyKind.CARE_PROVIDER, Sector.HOME_CARE, Workforce.ADULTS, "Home carer"),
        ]
        agencies = []
        for name, kind, sector, workforce, role in agency_specs:
            agency = Agency(name=name, kind=kind, sector=sector, lado_service=lado)
            agency.save()
            agencies.append((agency, workforce, role))

        officer = get_user_model().objects.create_user(
            username=OFFICER_USERNAME, first_name="Bench", last_name="Officer", email="bench.officer@example.org",
        )
        Membership.objects.create(user=officer, agency=lado, role=Role.LADO_OFFICER, job_title="LADO")

        # Subjects: about one person in ten is referred again (previous allegations).
        subjects = Table(Subject)
        n_subjects = max(1, int(n * 0.9))
        subject_ids = []
        for _ in range(n_subjects):
            given, family = rng.choice(GIVEN_NAMES), rng.choice(FAMILY_NAMES)
            subject_ids.append(subjects.add(
                given_name=given, family_name=family, given_key=keys[given], family_key=keys[family],
                date_of_birth=dt.date(1955, 1, 1) + dt.timedelta(days=rng.randrange(365 * 45)), created_at=first,
            ))
        progress(f"{subjects.write():,} subjects")

        states = _plan_states(rng, n)
        # The showcase case: recent and open, about a person referred three times before.
        showcase = n - 30
        states[showcase] = "case"
        earlier = {n // 10, n // 3, n // 2}
        status_of = {
            "new": ReferralStatus.NEW, "discussed": ReferralStatus.DISCUSSED, "case": ReferralStatus.CASE_OPENED,
            "advice": ReferralStatus.ADVICE, "not_allegation": ReferralStatus.NOT_ALLEGATION,
            "transferred": ReferralStatus.TRANSFERRED,
        }
        contact_type_of = {
            "advice": ContactType.ADVICE, "not_allegation": ContactType.NOT_ALLEGATION,
            "transferred": ContactType.TRANSFER,
        }
        decision_of = {
            "advice": TriageDecision.Decision.ADVICE, "not_allegation": TriageDecision.Decision.NOT_ALLEGATION,
            "transferred": TriageDecision.Decision.TRANSFER,
        }
        referrals, deadlines, triages, cases, strands, events = (
            Table(Referral), Table(Deadline), Table(TriageDecision), Table(Case), Table(Strand), Table(Event))
        step = span / n
        showcase_id = None
        written = {"referrals": 0, "deadlines": 0, "triage decisions": 0, "cases": 0, "strands": 0, "events": 0}

        def flush() -> None:
            # In chunks, so that 1,000,000 referrals do not hold every row in memory at once. The foreign
            # keys are checked at the end of the transaction (Django makes them deferrable).
            for what, table in zip(written, (referrals, deadlines, triages, cases, strands, events)):
                written[what] += table.write()

        for i, state in enumerate(states):
            if i and i % FLUSH_EVERY == 0:
                flush()
                progress(f"{i:,} referrals written")
            agency, workforce, role = rng.choice(agencies)
            subject_id = subject_ids[i] if i < n_subjects else rng.choice(subject_ids)
            if i in earlier or i == showcase:
                subject_id = subject_ids[0]
            received = first + step * i + dt.timedelta(seconds=rng.randrange(600))
            discussed = None if state == "new" else received + dt.timedelta(hours=rng.uniform(1, 30))
            referral_id = referrals.add(
                reference=f"{REFERENCE_PREFIX}{i + 1:06d}", lado_service_id=lado.pk, referring_agency_id=agency.pk,
                referrer_name="Pat Referrer", referrer_role="Designated safeguarding lead",
                received_at=received, created_at=received, concern_arose_at=received - dt.timedelta(days=2),
                how_arose=rng.choice(HowArose.values), workforce=workforce,
                contact_type=contact_type_of.get(state, ContactType.REFERRAL),
                timing=Timing.NON_RECENT if rng.random() < 0.1 else Timing.CONTEMPORANEOUS,
                category=rng.choice(Category.values), description="Synthetic benchmark referral.",
                subject_id=subject_id, subject_role=role, employment_type=EmploymentType.PAID, employer_id=agency.pk,
                employer_name=agency.name, sector=agency.sector, children_count=1, status=status_of[state],
                assigned_to_id=officer.pk if rng.random() < 0.7 else None,
                initial_discussion_at=discussed, initial_discussion_with="Pat Referrer" if discussed else "",
            )
            due = received + dt.timedelta(hours=24)
            deadlines.add(
                referral_id=referral_id, kind=Deadline.Kind.INITIAL_DISCUSSION, anchor_at=received, due_at=due,
                met_at=discussed, status=Deadline.Status.OPEN if discussed is None else (
                    Deadline.Status.MET if discussed <= due else Deadline.Status.MET_LATE),
            )
            events.add(at=received, referral_id=referral_id, verb="referral_received",
                       summary=f"Referral received, submitted by {agency.name}")
            if state in ("new", "discussed"):
                continue
            decided = discussed + dt.timedelta(hours=rng.uniform(0, 48))
            decision = decision_of.get(state) or rng.choice(
                [TriageDecision.Decision.THRESHOLD_MET, TriageDecision.Decision.STRATEGY])
            triages.add(
                referral_id=referral_id, decision=decision, harmed=state == "case",
                rationale="Synthetic triage decision.", decided_by_id=officer.pk, decided_at=decided,
                transfer_to="Elsewhere LADO Service" if state == "transferred" else "",
            )
            events.add(at=decided, actor_id=officer.pk, referral_id=referral_id, verb="triage_decision",
                       summary=f"Triage decision: {decision.label}")
            if state != "case":
                continue
            route = Route.STRATEGY_DISCUSSION if decision == TriageDecision.Decision.STRATEGY else rng.choice(
                [Route.POSITION_OF_TRUST, Route.EMPLOYER])
            closed = decided + dt.timedelta(days=rng.randrange(30, 300))
            is_open = closed > now or i == showcase
            case = {"referral_id": referral_id, "owner_id": officer.pk, "route": route, "opened_at": decided,
                    "status": CaseStatus.OPEN if is_open else CaseStatus.CLOSED}
            if not is_open:
                case.update(outcome=rng.choice(Outcome.values), outcome_recorded_at=closed, closed_at=closed,
                            closed_by_id=officer.pk, closure_summary="Synthetic closure.")
            case_id = cases.add(**case)
            if i == showcase:
                showcase_id = case_id
            for kind in Strand.Kind.values:
                strands.add(
                    case_id=case_id, kind=kind, concluded_on=None if is_open else closed.date(),
                    status=rng.choice([Strand.Status.NOT_STARTED, Strand.Status.ACTIVE, Strand.Status.NOT_REQUIRED])
                    if is_open else Strand.Status.CONCLUDED,
                )
            review_due = decided + dt.timedelta(days=28)
            review_met = None if is_open else min(review_due, closed)
            deadlines.add(
                referral_id=referral_id, case_id=case_id, kind=Deadline.Kind.CASE_REVIEW, anchor_at=decided,
                due_at=review_due, met_at=review_met,
                status=Deadline.Status.OPEN if review_met is None else Deadline.Status.MET,
            )
            events.add(at=decided, actor_id=officer.pk, referral_id=referral_id, case_id=case_id, verb="case_opened",
                       summary=f"Case opened: {route.label}")
            if not is_open:
                events.add(at=closed, actor_id=officer.pk, referral_id=referral_id, case_id=case_id,
                           verb="case_closed", summary="Case closed", reason="Synthetic closure.")
        flush()
        progress(", ".join(f"{count:,} {what}" for what, count in written.items()))

        _showcase_history(Case.objects.get(pk=showcase_id), officer, [a for a, _, _ in agencies], now)
        progress("showcase case, through the services")

    # Autovacuum would do this in production: fresh statistics and visibility map.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"Loaded {n:,} referrals in {time.perf_counter() - started:.1f} s")


def analyze_people() -> None:
    """Fresh planner statistics for the people and their memberships, as a live service's have.

    load()'s VACUUM ANALYZE ran with one officer; benchmarks/load.py signs in fifty more afterwards, and
    autovacuum need not analyze a table of a few dozen rows. Without this the planner takes the service's officers
    (the queue's officer filter) for one row and joins them by a nested loop over every pair: 0.5 ms a request
    at 51 officers instead of 0.1 ms, which no live service with its real staff would spend.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE auth_user, agencies_membership")


def _showcase_history(case, officer, agencies, now) -> None:
    """Give one case the history of a busy case, through the services (real history and events)."""
    from allegations import services
    from allegations.models import Child, Decision, Disagreement, RiskAssessment, Strand, Suspension

    today = now.date()
    for name in ("Sam", "Jordan"):
        Child.objects.create(referral=case.referral, given_name=name, family_name="Child")
    services.strand_update(actor=officer, case=case, kind=Strand.Kind.POLICE, status=Strand.Status.ACTIVE,
                           lead="DC Smith, Benchshire Police", started_on=today, reason="Police investigating")
    services.strand_update(actor=officer, case=case, kind=Strand.Kind.EMPLOYER, status=Strand.Status.ACTIVE,
                           lead="HR, Benchshire Primary Academy Trust", started_on=today, reason="Employer enquiry")
    services.suspension_record(actor=officer, case=case, arrangement=Suspension.Arrangement.SUSPENDED,
                               decided_on=today, decided_by="Head teacher", lado_informed_on=today,
                               notes="Suspended pending the police investigation.")
    for level in (RiskAssessment.Level.HIGH, RiskAssessment.Level.MEDIUM):
        services.risk_assessment_record(actor=officer, case=case, level=level, summary=f"Risk is {level}.",
                                        controls="No unsupervised contact.")
    for n in range(6):
        services.decision_record(actor=officer, case=case, decision=f"Decision {n + 1}: review in four weeks.",
                                 rationale="Police enquiries continue.", made_at=Decision.MadeAt.BETWEEN_MEETINGS)
    disagreement = services.disagreement_record(
        actor=officer, case=case, kind=Disagreement.Kind.CHALLENGE, raised_on=today, raised_by="Police",
        about="The timing of the employer's interview.")
    services.disagreement_resolve(actor=officer, disagreement=disagreement, status=Disagreement.Status.RESOLVED,
                                  resolution="Interview after the police interview.", escalated_to="",
                                  resolved_on=today)
    for agency in agencies[:2]:
        services.case_share_with(actor=officer, case=case, agency=agency, level="safeguarding", reason="Part of the enquiry")


# --- Measuring ------------------------------------------------------------------------

def measure(client, url: str, *, expect: str, warmup: int, requests: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from benchmarks.signin import NotOK, get_ok

    def get():
        return get_ok(client, url)

    for _ in range(warmup):
        response = get()
    if expect not in response.text:
        raise NotOK(f"{url} does not show {expect!r}: the benchmark would time an empty page")
    timings = []
    with python_time() as python:
        for _ in range(requests):
            start = time.perf_counter()
            python.start()
            get()
            timings.append((time.perf_counter() - start) * 1000)
            python.stop()
    # Queries are counted on one more request, so capturing them does not slow the timed ones.
    with CaptureQueriesContext(connection) as captured:
        get()
    timings.sort()
    p95 = timings[math.ceil(0.95 * len(timings)) - 1]  # nearest rank
    return {"url": url, "median": statistics.median(timings), "p95": p95, "queries": len(captured.captured_queries),
            "python": statistics.median(python.python_ms), "cpu": statistics.median(python.cpu_ms)}


class python_time:
    """Python per request (issue 19, target 3): each request's time less the time its queries took, summed
    around every query with ``connection.execute_wrapper``; and, because the machine is shared, the process's
    CPU time too (time waiting for PostgreSQL is not CPU time, time another process has the core is not either)."""

    def __init__(self):
        from django.db import connection

        self.connection = connection
        self.python_ms: list[float] = []
        self.cpu_ms: list[float] = []
        self._sql = 0.0

    def _wrapper(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self._sql += time.perf_counter() - start

    def __enter__(self):
        self._wrapping = self.connection.execute_wrapper(self._wrapper)
        self._wrapping.__enter__()
        return self

    def __exit__(self, *exc):
        return self._wrapping.__exit__(*exc)

    def start(self) -> None:
        self._sql = 0.0
        self._cpu = time.process_time()
        self._wall = time.perf_counter()

    def stop(self) -> None:
        self.python_ms.append((time.perf_counter() - self._wall - self._sql) * 1000)
        self.cpu_ms.append((time.process_time() - self._cpu) * 1000)


def print_python_target(results: dict) -> bool:
    """The target line: Python per request on the triage queue ≤ PYTHON_TARGET_MS (True when met)."""
    queue = results["Triage queue"]
    met = queue["python"] <= PYTHON_TARGET_MS
    print(f"\nTarget 3 (issue 19): Python per request on the triage queue <= {PYTHON_TARGET_MS} ms: "
          f"{queue['python']:.1f} ms (median time less SQL; CPU {queue['cpu']:.1f} ms): "
          + ("met" if met else "NOT met") + f" (load average {', '.join(f'{x:.1f}' for x in os.getloadavg())})")
    return met


def explain_queue(officer) -> list[tuple[str, list[str], list[str]]]:
    """EXPLAIN ANALYZE of the queue's first page (default ordering) and of the paginator's count:
    (title, plan lines, indexes used) for each."""
    from django.db import connection

    from allegations import selectors

    queryset = selectors.triage_queue(user=officer)
    page_sql, params = queryset[:25].query.sql_with_params()
    # The paginator's count, as allegations/paging.py makes it: at most 1,001 rows.
    count_sql, count_params = queryset.order_by().values("pk")[:1001].query.sql_with_params()
    found = []
    with connection.cursor() as cursor:
        for title, sql, sql_params in (
            ("Queue page: first 25, default ordering", page_sql, params),
            ("Queue count: the paginator's COUNT(*), capped", f"SELECT COUNT(*) FROM ({count_sql}) AS q", count_params),
        ):
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", sql_params)
            lines = [row[0] for row in cursor.fetchall()]
            indexes = re.findall(r"Index (?:Only )?Scan(?: Backward)? using (\S+) on allegations_referral\b", "\n".join(lines))
            found.append((title, lines, sorted(set(indexes))))
    return found


def target_lines(results: dict, referrals: int) -> list[str]:
    """Issue 19's targets 1 and 2 as ``TARGET name | size | figure | met|not met`` (benchmarks/run_all.py)."""
    size = f"{referrals:,}"
    queue_ms = 15 if referrals <= 100_000 else 20
    lines = []
    for number, title, name, p95_ms, max_queries in (
        (1, "Triage queue", "triage queue", queue_ms, 8),
        (1, "Case list", "case list", 20, 8),
        (2, "Case page", "case page", 25, 12),
    ):
        result = results[title]
        lines.append(f"TARGET {number}. {name} p95 <= {p95_ms} ms | {size} | median {result['median']:.1f} ms, "
                     f"p95 {result['p95']:.1f} ms | {'met' if result['p95'] <= p95_ms else 'not met'}")
        lines.append(f"TARGET {number}. {name} queries <= {max_queries} | {size} | {result['queries']} queries | "
                     f"{'met' if result['queries'] <= max_queries else 'not met'}")
    queue = results["Triage queue"]
    lines.append(f"TARGET 3. python per request on the triage queue <= {PYTHON_TARGET_MS} ms | {size} | "
                 f"{queue['python']:.1f} ms (CPU {queue['cpu']:.1f} ms) | "
                 f"{'met' if queue['python'] <= PYTHON_TARGET_MS else 'not met'}")
    return lines


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reload", action="store_true", help="drop the benchmark database and load it again")
    parser.add_argument("--referrals", type=int, default=100_000, help="how many referrals to load (100,000)")
    parser.add_argument("--requests", type=int, default=50, help="timed requests per page (50)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests per page first (3)")
    parser.add_argument("--no-explain", action="store_true", help="do not print the queue's query plan")
    args = parser.parse_args(argv)

    url = database_url()
    os.environ["DATABASE_URL"] = url  # before the settings are imported
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    ensure_database(url, drop=args.reload)

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from allegations.models import Case, Referral
    from benchmarks.signin import signed_in_client

    migrate()
    loaded = Referral.objects.filter(reference__startswith=REFERENCE_PREFIX).count()
    if loaded != args.referrals or not get_user_model().objects.filter(username=OFFICER_USERNAME).exists():
        if loaded:
            print(f"The database holds {loaded:,} benchmark referrals, not {args.referrals:,}: reloading")
            connection.close()
            ensure_database(url, drop=True)
            migrate()
        print(f"Loading {args.referrals:,} referrals into {connection.settings_dict['NAME']}")
        load(args.referrals)
    else:
        print(f"Reusing {loaded:,} referrals in {connection.settings_dict['NAME']} (--reload to rebuild)")

    analyze_people()  # whoever else has signed in to this database since it was loaded (benchmarks/load.py)
    officer = get_user_model().objects.get(username=OFFICER_USERNAME)
    showcase = Case.objects.filter(referral__reference=f"{REFERENCE_PREFIX}{args.referrals - 30 + 1:06d}").get()
    client = signed_in_client(officer)  # the password, then the authenticator's code

    reference = showcase.referral.reference
    pages = [  # (title, address, text the page must show)
        ("Triage queue", "/triage/", REFERENCE_PREFIX),
        ("Triage queue, open only", "/triage/?status=open", REFERENCE_PREFIX),
        (f"Triage queue, search {SEARCH_SURNAME!r}", f"/triage/?q={SEARCH_SURNAME}", SEARCH_SURNAME),
        ("Case list", "/cases/", REFERENCE_PREFIX),
        ("My work", "/my-work/", REFERENCE_PREFIX),
        ("Case page", f"/cases/{reference}/", 'id="summary"'),  # the overview (decisions have their own page)
    ]
    print(f"\n{args.warmup} warm-up then {args.requests} timed requests per page, signed in as a LADO officer"
          " (password and authenticator code)\n")
    print(f"{'page':<34} {'median ms':>10} {'p95 ms':>8} {'queries':>8} {'python ms':>10} {'cpu ms':>7}")
    print("-" * 82)
    results = {}
    for title, page_url, expect in pages:
        result = measure(client, page_url, expect=expect, warmup=args.warmup, requests=args.requests)
        results[title] = result
        print(f"{title:<34} {result['median']:>10.1f} {result['p95']:>8.1f} {result['queries']:>8}"
              f" {result['python']:>10.1f} {result['cpu']:>7.1f}")
    print_python_target(results)

    if not args.no_explain:
        explained = explain_queue(officer)
        for title, lines, _ in explained:
            print(f"\n-- {title}")
            print("\n".join(lines))
        print()
        for title, _, indexes in explained:
            print(f"{title}: reads referrals through {', '.join(indexes) or 'NO INDEX (sequential scan)'}")
        page_indexes = explained[0][2]
        print("The queue page uses the referral_queue index: "
              + ("yes" if "referral_queue" in page_indexes else "no")
              + ("; it uses referral_queue_order, its index in the page's own order" if "referral_queue_order" in page_indexes else ""))
    print()
    for line in target_lines(results, args.referrals):
        print(line)
    queue = results["Triage queue"]["median"]
    if queue > QUEUE_SLOW_MS:
        print(f"\nThe queue page's median ({queue:.0f} ms) is over {QUEUE_SLOW_MS} ms: investigate.")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
