"""`make benchmark`'s runner (benchmarks/run_all.py): the lines it collects and the table it prints (issue 19).

No benchmark runs here: the table is built from the runs' results as the runner keeps them."""

from benchmarks import run_all
from benchmarks.run_all import Run, Target, database_for, environment_for, parse_target, summary

SIZES = [100_000, 1_000_000]


def _run(script, size, lines=(), returncode=0, last=("done",), timed_out=False):
    targets = [t for t in (parse_target(line, script) for line in lines) if t]
    return Run(script, size, returncode, 12.0, list(last), targets, timed_out)


def _row(table, *cells):
    """The table's rows that hold every one of ``cells``."""
    return [line for line in table if all(cell in line for cell in cells)]


def test_a_target_line_is_read_and_other_lines_are_not():
    target = parse_target("TARGET 1. triage queue p95 <= 15 ms | 100,000 | median 9.1 ms, p95 12.0 ms | met\n")
    assert target == Target("1. triage queue p95 <= 15 ms", "100,000", "median 9.1 ms, p95 12.0 ms", True)
    assert target.number == "1"
    assert parse_target("TARGET 6 import | 100,000 | 71.2 s | not met").met is False
    assert parse_target("Triage queue      21.0     23.3     8") is None
    assert parse_target("TARGET 1 queue | 100,000 | 12 ms | fine") is None


def test_a_target_without_a_number_counts_for_its_script():
    assert Target("sweep 10,000 due", "1,000,000", "1.2 s", True, "chasing_sweep").number == "5"
    assert Target("annual report", "100,000", "0.4 s", True, "annual_report").number == "6"
    assert Target("Python per queue request", "100,000", "5 ms", True, "queue_and_case").number == "3"
    assert Target("case page p95", "100,000", "20 ms", True, "queue_and_case").number == "2"
    assert Target("triage queue p95", "100,000", "20 ms", True, "queue_and_case").number == "1"


def test_each_size_has_a_database_of_its_own():
    url = "postgres://postgres@127.0.0.1:5432/ma_bench"
    assert database_for(url, 100_000) == url
    assert database_for(url, 1_000_000) == "postgres://postgres@127.0.0.1:5432/ma_bench_1m"
    assert database_for(url, 5_000) == "postgres://postgres@127.0.0.1:5432/ma_bench_5000"


def test_the_annual_report_never_gets_the_queue_benchmarks_database():
    scripts = {s.name: s for s in run_all.SCRIPTS}
    env = {"BENCH_DATABASE_URL": "postgres://postgres@127.0.0.1:5432/ma_x_bench"}
    queue = environment_for(scripts["queue_and_case"], 1_000_000, env)
    report = environment_for(scripts["annual_report"], 1_000_000, env)
    assert queue["BENCH_DATABASE_URL"].endswith("/ma_x_bench_1m")
    assert report["BENCH_DATABASE_URL"].endswith("/ma_bench_report_1m")
    assert queue["DJANGO_SETTINGS_MODULE"] == "config.settings.test"
    assert "DJANGO_SETTINGS_MODULE" not in environment_for(scripts["load"], 100_000, {})


def test_a_failure_is_a_crash_or_a_refused_page_not_a_missed_target():
    missed = _run("load", 100_000, ["TARGET 4. load | 100,000 | 5.8 req/s | not met"], returncode=1)
    assert not missed.failed
    assert _run("queue_and_case", 100_000, returncode=2).failed  # a page answered something but 200
    assert _run("import_cases", 100_000, returncode=1).failed  # exit 1 with no figure at all
    crashed = _run("load", 100_000, ["TARGET 4. load | 100,000 | 5.8 req/s | not met"], returncode=1,
                   last=["Traceback (most recent call last):", "KeyError: 'x'"])
    assert crashed.failed
    assert _run("load", 100_000, ["TARGET 4. load | 100,000 | 160 req/s | met"], returncode=-15, timed_out=True).failed


def test_the_table_names_every_target_at_every_size_with_its_figure_or_why_not():
    runs = [
        _run("queue_and_case", 100_000, [
            "TARGET 1. triage queue p95 <= 15 ms | 100,000 | median 9.0 ms, p95 12.5 ms | met",
            "TARGET 2. case page queries <= 12 | 100,000 | 12 queries | met",
        ]),
        _run("queue_and_case", 1_000_000, returncode=2, last=["BENCHMARK FAILED: GET /cases/ answered 500"]),
        _run("load", 100_000, ["TARGET 4. load | 100,000 | 5.8 req/s | not met"], returncode=1),
        _run("chasing_sweep", 100_000, ["TARGET sweep | 100,000 open, 1,000 due | 0.9 s | met"]),
    ]
    table = summary(runs, SIZES, only={"queue_and_case", "load", "chasing_sweep"})

    assert _row(table, "1. triage queue p95 <= 15 ms", "100,000", "p95 12.5 ms", "met")
    assert _row(table, "2. case page queries <= 12", "12 queries", "met")
    assert _row(table, "4. load", "5.8 req/s", "NOT MET")
    assert _row(table, "5. sweep", "100,000 open, 1,000 due", "0.9 s", "met")
    # queue_and_case.py printed nothing for target 3 at 100,000; at 1,000,000 it failed.
    assert _row(table, "3. Python", "100,000", "queue_and_case.py printed no figure for it")
    for number in ("1.", "2.", "3."):
        assert _row(table, number, "1,000,000", "queue_and_case.py failed (exit status 2)")
    assert _row(table, "4. ", "1,000,000", "not run")
    assert _row(table, "6. ", "100,000", "import_cases.py", "not asked for")
    assert _row(table, "6. ", "100,000", "annual_report.py", "not asked for")
    assert _row(table, "7. ", "tests/test_compose_ports.py", "tests/config/test_replica.py")
    # The failure is told with its exit status and last lines; the missed load target is not a failure.
    assert _row(table, "FAILED: queue_and_case.py at 1,000,000, exit status 2")
    assert _row(table, "BENCHMARK FAILED: GET /cases/ answered 500")
    assert not _row(table, "FAILED: load.py")
    for number in "123456":
        for size in ("100,000", "1,000,000"):
            assert [line for line in table if line.startswith(number) and f"| {size}" in line], (number, size)
