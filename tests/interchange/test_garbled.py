"""Property: whatever the files hold, the import reports problems (FILE:LINE: column: reason) or imports;
it never fails with anything else (no traceback)."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interchange.columns import CASE_COLUMN_NAMES, CASE_COLUMNS, MEETING_COLUMN_NAMES
from interchange.importing import import_cases

from .conftest import CASES

pytestmark = pytest.mark.django_db

PROBLEM = re.compile(r"^.+:\d+: .+: .+$", re.S)
SAMPLE_ROWS = list(csv.DictReader(CASES.read_text(encoding="utf-8").splitlines()))[:40]
PLAUSIBLE = sorted({v for r in SAMPLE_ROWS for v in r.values()} | {c for col in CASE_COLUMNS for c in col.choices}
                   | {"", " ", "2024-02-30", "2024-03-31T01:30", "9999-12-31T23:59:59+14:00", "-1", "1e3", "NaN",
                      "true", "null", "0001-01-01T00:00Z", "2024-10-27T01:30"})
CELL = st.one_of(st.sampled_from(PLAUSIBLE), st.text(max_size=30))


class Rollback(Exception):
    pass


def _run(tmp_path, cases: bytes, meetings: bytes | None = None, dry_run: bool = False):
    cases_path = tmp_path / "cases.csv"
    cases_path.write_bytes(cases)
    meetings_path = None
    if meetings is not None:
        meetings_path = tmp_path / "meetings.csv"
        meetings_path.write_bytes(meetings)
    try:
        with transaction.atomic():
            result = import_cases(cases=cases_path, meetings=meetings_path, dry_run=dry_run)
            raise Rollback
    except Rollback:
        pass
    for problem in result.problems:
        assert PROBLEM.match(str(problem)), str(problem)
    return result


def _csv(header, rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                           HealthCheck.too_slow])


@SETTINGS
@given(data=st.binary(max_size=400))
def test_any_bytes(tmp_path, data):
    result = _run(tmp_path, data, data)
    assert result.problems or not data.strip()


@SETTINGS
@given(text=st.text(max_size=400))
def test_any_text(tmp_path, text):
    _run(tmp_path, text.encode("utf-8"))


@SETTINGS
@given(
    header=st.lists(st.sampled_from([*CASE_COLUMN_NAMES, "extra"]), min_size=1, max_size=26),
    rows=st.lists(st.lists(CELL, max_size=27), max_size=5),
)
def test_any_cells_under_a_plausible_header(tmp_path, header, rows):
    _run(tmp_path, _csv(header, rows))


@SETTINGS
@given(
    picks=st.lists(st.tuples(st.integers(0, len(SAMPLE_ROWS) - 1), st.sampled_from(CASE_COLUMN_NAMES), CELL),
                   min_size=0, max_size=6),
    meetings=st.lists(st.fixed_dictionaries({c: CELL for c in MEETING_COLUMN_NAMES}), max_size=4),
)
def test_sample_rows_with_garbled_cells(tmp_path, picks, meetings):
    rows = [dict(r) for r in SAMPLE_ROWS[:8]]
    for index, column, value in picks:
        rows[index % len(rows)][column] = value
    # The sample predates the transfer columns and the unnamed person's description: an absent column is an empty cell.
    cases = _csv(CASE_COLUMN_NAMES, [[r.get(c, "") for c in CASE_COLUMN_NAMES] for r in rows])
    meeting_file = _csv(MEETING_COLUMN_NAMES, [[m[c] for c in MEETING_COLUMN_NAMES] for m in meetings])
    result = _run(tmp_path, cases, meeting_file)
    if not picks and not meetings:
        assert not result.problems and result.referrals_new == 8


@SETTINGS
@given(lines=st.lists(st.one_of(
    st.text(max_size=60),
    st.dictionaries(st.sampled_from([*CASE_COLUMN_NAMES, "meetings", "x"]),
                    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), CELL,
                              st.lists(st.dictionaries(st.text(max_size=8), CELL, max_size=3), max_size=2)),
                    max_size=10).map(lambda d: __import__("json").dumps(d)),
), max_size=5))
def test_any_json_lines(tmp_path, lines):
    _run(tmp_path, ("{}\n" + "\n".join(lines)).encode("utf-8"))
