#!/usr/bin/env python
"""Every benchmark at 100,000 and 1,000,000, then one table of issue 19's targets (``make benchmark``).

    .venv/bin/python benchmarks/run_all.py [--sizes 100000,1000000] [--only queue_and_case,load] [--timeout 3600]

Each script runs as a subprocess, one after the other, at each size it supports (``--referrals``, ``--open`` or
``--rows``), with a database of its own for each size (the script's usual database at 100,000; the same name with
``_1m`` at 1,000,000, ``_<n>`` at any other size). Its output is shown as it comes. A script that fails (a non-200
page, a traceback, a timeout) is reported with its exit status and its last lines, and the run goes on.

The scripts report their targets in lines of one form, which this runner collects::

    TARGET <number and name> | <size> | <figure> | met|not met

At the end it prints every target of issue 19 with its figure at each size, or why there is none. Its exit status
is 1 if any script failed; a target missed is shown in the table, not in the exit status.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import re
import signal
import subprocess
import sys
import time
from collections import deque
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SIZES = (100_000, 1_000_000)
LAST_LINES = 15

# Issue 19's targets: (number, short name for the table, the target in full, the scripts that report it).
TARGETS = (
    ("1", "lists flat with size", "the triage queue p95 <= 15 ms at 100,000 referrals and <= 20 ms at 1,000,000; "
          "the case list p95 <= 20 ms at 1,000,000; each in <= 8 queries", ("queue_and_case",)),
    ("2", "case page", "the case page in <= 12 queries and p95 <= 25 ms, whatever its size", ("queue_and_case",)),
    ("3", "Python per request", "Python per queue request <= 6 ms at any size", ("queue_and_case",)),
    ("4", "under load", "50 signed-in users on the queue for 60 s under gunicorn: 0 errors, >= 150 req/s, "
          "p95 <= 350 ms", ("load",)),
    ("5", "the sweep", "10,000 notices due among 1,000,000 open deadlines sent in <= 2 s", ("chasing_sweep",)),
    ("6", "import and report", "100,000 referrals imported in <= 60 s; the annual report over 100,000 in <= 0.5 s",
     ("import_cases", "annual_report")),
    ("7", "scale out", "docker compose up --scale web=3 --scale worker=2 without new code; a read replica", ()),
)
TARGET_7 = "see README \"Scaling out\"; tested by tests/test_compose_ports.py and tests/config/test_replica.py"


@dataclasses.dataclass(frozen=True)
class Script:
    name: str
    size_option: str | None = None  # the option giving its size; None: run once, whatever the sizes
    database_env: str | None = None  # the environment variable the script reads its database from
    database_default: str = ""
    source_env: str | None = None  # the one this runner reads it from, if not database_env
    settings: bool = True  # runs with DJANGO_SETTINGS_MODULE=config.settings.test

    def database(self, env: dict[str, str]) -> str:
        return env.get(self.source_env or self.database_env or "") or self.database_default


PG = "postgres://postgres@127.0.0.1:5432/"
# In the order `make benchmark` has always run them. load.py uses queue_and_case.py's database, loaded just before.
SCRIPTS = (
    Script("queue_and_case", "--referrals", "BENCH_DATABASE_URL", PG + "ma_bench"),
    Script("load", "--referrals", "BENCH_DATABASE_URL", PG + "ma_bench", settings=False),
    Script("chasing_sweep", "--open", "BENCH_CHASE_DATABASE_URL", PG + "ma_bench_chase"),
    Script("import_cases", "--rows", "BENCH_IMPORT_DATABASE_URL", PG + "ma_bench_import"),
    # annual_report.py reads BENCH_DATABASE_URL too, but must not share queue_and_case.py's database (it adds to it).
    Script("annual_report", "--referrals", "BENCH_DATABASE_URL", PG + "ma_bench_report", "BENCH_REPORT_DATABASE_URL"),
    Script("access_log"),
    Script("minutes_pdf"),
)

TARGET_LINE = re.compile(r"^TARGET\s+(?P<name>[^|]+?)\s*\|\s*(?P<size>[^|]*?)\s*\|\s*(?P<figure>[^|]*?)\s*\|"
                         r"\s*(?P<verdict>met|not met)\s*$", re.IGNORECASE)


@dataclasses.dataclass
class Target:
    name: str
    size: str
    figure: str
    met: bool
    script: str = ""

    @property
    def number(self) -> str:
        """The issue's target number: the one the name starts with ("1.", "6 "); else the one its script reports
        (queue_and_case.py reports three: a name about Python is 3, about the case page 2, anything else 1)."""
        match = re.match(r"(\d+)\b", self.name)
        if match:
            return match.group(1)
        if self.script == "queue_and_case":
            name = self.name.lower()
            return "3" if "python" in name else "2" if "case page" in name else "1"
        return next((number for number, _, _, scripts in TARGETS if self.script in scripts), "")


@dataclasses.dataclass
class Run:
    script: str
    size: int | None
    returncode: int
    seconds: float
    last_lines: list[str]
    targets: list[Target]
    timed_out: bool = False

    @property
    def failed(self) -> bool:
        """A script fails when it cannot report: a non-200 page (2), a crash, a timeout. A script's own check
        missed (exit status 1 after its figures, with no traceback) is a missed target, not a failure."""
        if self.returncode == 0:
            return False
        if self.timed_out or self.returncode != 1 or not self.targets:
            return True
        return any(line.startswith("Traceback") for line in self.last_lines)


def parse_target(line: str, script: str = "") -> Target | None:
    """One ``TARGET name | size | figure | met|not met`` line, or None for any other line."""
    match = TARGET_LINE.match(line.strip())
    if not match:
        return None
    return Target(match["name"], match["size"], match["figure"], match["verdict"].lower() == "met", script)


def size_label(size: int | None) -> str:
    return "-" if size is None else f"{size:,}"


def database_for(url: str, size: int) -> str:
    """The database of one size: the script's own at 100,000, ``<name>_1m`` at 1,000,000, ``<name>_<n>`` else."""
    if size == 100_000:
        return url
    parts = urlparse(url)
    name = parts.path.lstrip("/")
    suffix = "1m" if size == 1_000_000 else str(size)
    return urlunparse(parts._replace(path=f"/{name}_{suffix}"))


def environment_for(script: Script, size: int | None, env: dict[str, str]) -> dict[str, str]:
    env = dict(env)
    if script.settings:
        env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    if script.database_env:
        own = script.database(env)
        env[script.database_env] = database_for(own, size) if size is not None else own
    return env


def run_script(script: Script, size: int | None, *, timeout: float, python: str = sys.executable) -> Run:
    command = [python, "-u", str(ROOT / "benchmarks" / f"{script.name}.py")]
    if size is not None:
        command += [script.size_option, str(size)]
    shown = " ".join([f"benchmarks/{script.name}.py", *command[3:]])
    print(f"\n===== {script.name} at {size_label(size)}: {shown}", flush=True)
    env = environment_for(script, size, dict(os.environ))
    last: deque[str] = deque(maxlen=LAST_LINES)
    targets: list[Target] = []
    started = time.monotonic()
    # Its own process group, so that a timeout stops what it started too (gunicorn, for load.py).
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, bufsize=1, start_new_session=True)
    timed_out = False

    def stop(*_):
        nonlocal timed_out
        timed_out = True
        os.killpg(process.pid, signal.SIGTERM)

    alarm = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        for line in process.stdout:
            sys.stdout.write(line)
            last.append(line.rstrip("\n"))
            target = parse_target(line, script.name)
            if target:
                targets.append(target)
        returncode = process.wait()
    except KeyboardInterrupt:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait()
        raise
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, alarm)
    if timed_out:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        last.append(f"(stopped after {timeout:.0f} s)")
    return Run(script.name, size, returncode, time.monotonic() - started, list(last), targets, timed_out)


def _reason(run: Run | None, script: str, only: set[str] | None) -> str:
    if run is None:
        return f"{script}.py not run: " + ("not asked for (--only)" if only is not None and script not in only
                                            else "the size was not asked for (--sizes)")
    if run.failed:
        return (f"{script}.py failed (exit status {run.returncode}" + (", timed out" if run.timed_out else "")
                + "): see its last lines below")
    return f"{script}.py printed no figure for it"


def summary(runs: list[Run], sizes: list[int], only: set[str] | None = None) -> list[str]:
    """The table: every target of the issue at every size, with its figures, or why there is none."""
    rows = [("target", "size", "figure", "met?")]
    for number, what, _, scripts in TARGETS:
        if not scripts:
            rows.append((f"{number}. {what}", "-", TARGET_7, "see tests"))
            continue
        for size in sizes:
            for script in scripts:
                run = next((r for r in runs if r.script == script and r.size == size), None)
                lines = [t for t in run.targets if t.number == number] if run else []
                for t in lines:
                    name = t.name if t.name.startswith(number) else f"{number}. {t.name}"
                    rows.append((name, t.size or size_label(size), t.figure, "met" if t.met else "NOT MET"))
                if not lines:
                    rows.append((f"{number}. {what}", size_label(size), _reason(run, script, only), "-"))
    known = {number for number, *_ in TARGETS}
    for t in (t for r in runs for t in r.targets if t.number not in known):
        rows.append((t.name, t.size, t.figure, "met" if t.met else "NOT MET"))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    out = []
    for i, row in enumerate(rows):
        out.append(" | ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
        if i == 0:
            out.append("-+-".join("-" * width for width in widths))
    out.append("")
    out.extend(f"{number}. {what}: {full}." for number, what, full, _ in TARGETS)
    for r in (r for r in runs if r.failed):
        out.append("")
        out.append(f"FAILED: {r.script}.py at {size_label(r.size)}, exit status {r.returncode}"
                   + (" (timed out)" if r.timed_out else "") + f", after {r.seconds:.0f} s; its last lines:")
        out.extend("    " + line for line in r.last_lines)
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=" ".join(str(s) for s in DEFAULT_SIZES),
                        help="sizes, separated by spaces (100000 1000000)")
    parser.add_argument("--only", default="", help="scripts to run, separated by commas or spaces (all)")
    parser.add_argument("--timeout", type=float, default=3 * 3600, help="seconds a script may take (10,800)")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in re.split(r"[\s,]+", args.sizes.replace("_", "")) if s]
    only = {s.removesuffix(".py") for s in re.split(r"[\s,]+", args.only) if s} or None
    unknown = (only or set()) - {s.name for s in SCRIPTS}
    if unknown:
        parser.error(f"no such benchmark: {', '.join(sorted(unknown))}")

    print(f"Load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    runs = []
    for script in SCRIPTS:
        if only is not None and script.name not in only:
            continue
        for size in (sizes if script.size_option else [None]):
            runs.append(run_script(script, size, timeout=args.timeout))
    print(f"\n===== Issue 19's targets (load average now {' '.join(f'{x:.2f}' for x in os.getloadavg())})\n")
    print("\n".join(summary(runs, sizes, only)))
    return 1 if any(r.failed for r in runs) else 0


if __name__ == "__main__":
    sys.exit(main())
