#!/usr/bin/env python
"""How long import_cases takes for 100,000 rows, and export_cases for the result.

Run by hand; it is not part of the test suite. It uses its own database
(``ma_bench_import`` by default, or ``BENCH_IMPORT_DATABASE_URL``; the name must contain
``bench``), which it drops and creates again on every run:

    DJANGO_SETTINGS_MODULE=config.settings.test .venv/bin/python benchmarks/import_cases.py [--rows N]

It writes a synthetic cases.csv and meetings.csv (valid rows in the proportions of the
sample history: most contacts are advice, about a quarter are referrals, most of those
closed with an outcome, some with meetings), then times:

1. the import into the empty database, against issue 19's target: 100,000 rows in at most
   60 seconds (at another --rows, the same rate: 60 s per 100,000);
2. the same import again, which must change nothing ("0 new, N already imported");
3. the export of everything to JSON Lines.

It ends with one line per target, `TARGET <name> | <size> | <figure> | met|not met`, for
the runner of `make benchmark`. A missed target is printed "not met" and is not a failure;
a step that fails (an import that reports problems or writes a different number of rows, a
second import that is not "0 new", an export with the wrong number of lines) stops the run
with a message saying which step, and exit status 2.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/ma_bench_import"
TARGET_SECONDS = 60  # issue 19, target 6: 100,000 referrals imported in at most 60 s
TARGET_ROWS = 100_000

GIVEN = """Aaliyah Adam Aisha Alex Alice Amelia Amir Ann Ben Beth Callum Carl Chloe Chris Claire Dan David Deborah Ellie
Emily Emma Faisal Fiona Gareth Grace Hannah Harry Ian Imran Jack James Jane Jason Jess John Karen Kate Kevin Laura Leah
Liam Lucy Mark Mary Matthew Mohammed Naomi Neil Nicola Oliver Omar Paul Priya Rachel Ravi Rebecca Richard Robert Ruth
Ryan Sam Sarah Simon Sophie Stephen Steven Susan Tom Tracy Wendy Yusuf Zoe""".split()
FAMILY = """Adams Ahmed Ali Allen Anderson Armstrong Atkinson Bailey Baker Barker Barnes Bell Bennett Brown Butler Campbell
Carter Chapman Clark Clarke Cole Collins Cook Cooper Cox Davies Davis Dixon Edwards Ellis Evans Fisher Fletcher Foster Fox
Graham Gray Green Griffiths Hall Harris Harrison Harvey Hill Holmes Hughes Hunt Hussain Jackson James Jenkins Johnson
Jones Kaur Kelly Khan King Knight Lee Lewis Lloyd Marshall Martin Mason Matthews Miller Mills Mitchell Moore Morgan Morris
Murphy Murray Okafor Owen Palmer Parker Patel Pearson Phillips Powell Price Reid Richards Richardson Roberts Robinson
Rogers Rose Russell Scott Shaw Simpson Singh Smith Stevens Stewart Taylor Thomas Thompson Turner Walker Walsh Ward Watson
White Wilkinson Williams Wilson Wood Wright Young""".split()
EMPLOYERS = [(f"{place} {kind}", sector) for place in ("Riverside", "Hillview", "Northfield", "Oakwood", "Meadow",
                                                       "Castle", "Brook", "Kingsway", "Elm", "Park")
             for kind, sector in (("Primary School", "education"), ("Academy", "education"), ("Nursery", "early_years"),
                                  ("Children's Home", "residential"), ("Care Home", "care_home"),
                                  ("Football Club", "sports"), ("Church", "faith"), ("Hospital", "health"))]
REFERRERS = ["County Police", "Designated Safeguarding Lead", "County Children's Social Care", "NHS Trust", "Ofsted", ""]
CONTACT_WEIGHTS = {"advice": 70, "referral": 26, "not_allegation": 2, "transfer": 2}


def database_url() -> str:
    url = os.environ.get("BENCH_IMPORT_DATABASE_URL", DEFAULT_DATABASE_URL)
    name = urlparse(url).path.lstrip("/")
    if "bench" not in name:
        sys.exit(f"Refusing to use database {name!r}: the benchmark database's name must contain 'bench'.")
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


def _local(value: dt.datetime) -> str:
    """Naive London time; never between midnight and 7am, so never in the hour the clocks skip."""
    if value.hour < 7:
        value = value.replace(hour=value.hour + 7)
    return value.strftime("%Y-%m-%dT%H:%M")


def generate(rows: int, seed: int = 7) -> tuple[str, str, int]:
    """cases.csv and meetings.csv as text, and the number of meetings."""
    rng = random.Random(seed)
    people = [(rng.choice(GIVEN), rng.choice(FAMILY), dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(18000)))
              for _ in range(int(rows * 0.9))]
    end = dt.datetime(2026, 9, 30, 17, 0)
    start = end - dt.timedelta(days=5 * 365)
    span = (end - start).total_seconds()
    contact_types, weights = zip(*CONTACT_WEIGHTS.items())
    cases = io.StringIO()
    meetings = io.StringIO()
    cw = csv.writer(cases)
    mw = csv.writer(meetings)
    from interchange.columns import CASE_COLUMN_NAMES, MEETING_COLUMN_NAMES

    cw.writerow(CASE_COLUMN_NAMES)
    mw.writerow(MEETING_COLUMN_NAMES)
    meeting_count = 0
    for n in range(1, rows + 1):
        # Received on a weekday, in working hours, at whole minutes (naive: London time).
        received = start + dt.timedelta(seconds=rng.randrange(int(span)))
        received = received.replace(hour=rng.randrange(8, 18), minute=rng.randrange(60), second=0)
        while received.weekday() >= 5 or (received.month == 3 and received.day >= 25) or (
                received.month == 10 and received.day >= 25):
            received += dt.timedelta(days=1)  # keeps clear of clock-change nights, where naive times can be skipped
        contact = rng.choices(contact_types, weights)[0]
        given, family, dob = rng.choice(people)
        employer, sector = rng.choice(EMPLOYERS)
        arose = (received - dt.timedelta(days=rng.randrange(0, 10))).replace(hour=rng.randrange(7, received.hour + 1))
        row = {c: "" for c in CASE_COLUMN_NAMES}
        row.update(
            reference=f"MAS-BENCH-{n:06d}", workforce="children" if rng.random() < 0.9 else "adults",
            contact_type=contact, timing="contemporaneous" if rng.random() < 0.85 else "non_recent",
            received_at=_local(received), allegation_arose_at=arose.date().isoformat() if rng.random() < 0.3 else _local(arose),
            subject_given_name=given, subject_family_name=family,
            subject_date_of_birth=dob.isoformat() if rng.random() < 0.9 else "",
            subject_role=rng.choice(["teacher", "foster carer", "coach", "care worker", "nursery practitioner"]),
            employer_name=employer, sector=sector, referrer_agency=rng.choice(REFERRERS),
            children_count=str(rng.randrange(0, 4)) if rng.random() < 0.7 else "",
        )
        if contact == "referral":
            row["category"] = rng.choice(["physical", "sexual", "emotional", "neglect", "suitability"])
            if rng.random() < 0.9:
                row["initial_discussion_at"] = _local(received + dt.timedelta(hours=rng.randrange(1, 40)))
            row["route"] = rng.choice(["strategy_discussion", "position_of_trust", "employer", ""])
            held = received
            for _ in range(rng.choice([0, 0, 1, 1, 2, 3]) if row["route"] != "employer" else 0):
                held = held + dt.timedelta(days=rng.randrange(2, 40), hours=rng.randrange(0, 5))
                if held >= end:
                    break
                kind = "strategy_discussion" if row["route"] == "strategy_discussion" and meeting_count % 2 == 0 else \
                    rng.choice(["initial", "review"])
                minutes = held + dt.timedelta(days=rng.randrange(1, 20))
                mw.writerow([row["reference"], kind, _local(held), "true" if rng.random() < 0.9 else "false",
                             _local(minutes) if minutes < end and rng.random() < 0.9 else ""])
                meeting_count += 1
            if rng.random() < 0.92:
                closed = max(held, received) + dt.timedelta(days=rng.randrange(5, 300))
                if closed < end:
                    row["closed_at"] = _local(closed)
                    row["outcome"] = rng.choice(["substantiated", "unsubstantiated", "unfounded", "false", "no_outcome"])
                    row["police_outcome"] = rng.choice(["", "no_police_action", "investigation_nfa"])
                    row["employer_outcome"] = rng.choice(["", "dismissed", "sanction", "no_sanction"])
                    if rng.random() < 0.05:
                        row["dbs_referral_at"] = closed.date().isoformat()
                    if rng.random() < 0.03:
                        row["regulator_referral_at"] = closed.date().isoformat()
                        row["regulator"] = rng.choice(["TRA", "Ofsted", "NMC"])
        else:
            if rng.random() < 0.8:
                row["closed_at"] = _local(received + dt.timedelta(hours=rng.randrange(1, 72)))
        cw.writerow([row[c] for c in CASE_COLUMN_NAMES])
    return cases.getvalue(), meetings.getvalue(), meeting_count


class StepFailed(Exception):
    """A step of the benchmark did not do what it must: the run stops, loudly."""


def _import(cases: Path, meetings: Path) -> str:
    from django.core.management import call_command
    from django.core.management.base import CommandError

    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_cases", cases=str(cases), meetings=str(meetings), stdout=out, stderr=err)
    except CommandError as error:
        problems = err.getvalue().strip().splitlines()
        raise StepFailed(f"{error} First problems: {problems[:5]}") from error
    return out.getvalue().strip()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=TARGET_ROWS, help="how many cases.csv rows (100,000)")
    args = parser.parse_args(argv)

    url = database_url()
    os.environ["DATABASE_URL"] = url  # before the settings are imported
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    fresh_database(url)
    import django

    django.setup()
    from django.apps import apps
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)

    started = time.perf_counter()
    cases_text, meetings_text, meeting_count = generate(args.rows)
    print(f"Generated {args.rows:,} cases.csv rows and {meeting_count:,} meetings in {time.perf_counter() - started:.1f} s")
    load = os.getloadavg()
    print(f"Load average before the import: {load[0]:.2f}, {load[1]:.2f}, {load[2]:.2f}")

    step = "writing the files"
    try:
        with tempfile.TemporaryDirectory() as tmp:
            cases = Path(tmp) / "cases.csv"
            meetings = Path(tmp) / "meetings.csv"
            cases.write_text(cases_text, encoding="utf-8")
            meetings.write_text(meetings_text, encoding="utf-8")

            timings = {}
            expected = {"import into an empty product": f"Referrals: {args.rows} new, 0 already imported. "
                                                        f"Meetings: {meeting_count} new, 0 already imported.",
                        "the same import again": f"Referrals: 0 new, {args.rows} already imported. "
                                                 f"Meetings: 0 new, {meeting_count} already imported."}
            for label, says in expected.items():
                step = label
                started = time.perf_counter()
                summary = _import(cases, meetings)
                timings[label] = time.perf_counter() - started
                print(f"{label}: {timings[label]:.1f} s — {summary}")
                if says not in summary:
                    raise StepFailed(f"expected the import to say ‘{says}’")

            step = "export_cases"
            export = Path(tmp) / "export.jsonl"
            started = time.perf_counter()
            call_command("export_cases", output=str(export), stderr=io.StringIO())
            elapsed = time.perf_counter() - started
            lines = sum(1 for _ in export.open(encoding="utf-8"))
            print(f"export_cases: {elapsed:.1f} s — {lines:,} lines, {export.stat().st_size / 1e6:.1f} MB")
            if lines != args.rows:
                raise StepFailed(f"the export has {lines:,} lines, not {args.rows:,}")
    except Exception as error:  # any failure of a step: say which, loudly, and stop
        print(f"\nFAILED: {step}: {type(error).__name__}: {error}", file=sys.stderr)
        return 2

    counts = {m._meta.label: m._default_manager.count() for m in apps.get_models()
              if m._meta.app_label in ("allegations", "meetings", "agencies")}
    print("Rows written: " + ", ".join(f"{label} {n:,}" for label, n in sorted(counts.items()) if n))
    load = os.getloadavg()
    print(f"Load average after: {load[0]:.2f}, {load[1]:.2f}, {load[2]:.2f}")

    elapsed = timings["import into an empty product"]
    bound = TARGET_SECONDS * args.rows / TARGET_ROWS
    name = f"import {TARGET_ROWS:,} referrals ≤ {TARGET_SECONDS} s"
    if args.rows != TARGET_ROWS:
        name += f" (at {args.rows:,}: ≤ {bound:.0f} s)"
    print(f"\nTarget: {name}. First import: {elapsed:.1f} s: {'met' if elapsed <= bound else 'not met'}.")
    print(f"TARGET {name} | {args.rows:,} | {elapsed:.1f} s | {'met' if elapsed <= bound else 'not met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
