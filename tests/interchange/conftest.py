"""Helpers for the import and export tests: the sample history, running the commands, counting rows."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

SAMPLE = Path(settings.BASE_DIR).parent / "shared" / "data" / "sample"
CASES = SAMPLE / "cases.csv"
MEETINGS = SAMPLE / "meetings.csv"


class Run:
    def __init__(self, ok: bool, out: str, err: str):
        self.ok, self.out, self.err = ok, out, err

    @property
    def problems(self) -> list[str]:
        return [line for line in self.err.splitlines() if line.strip()]


def run_import(**options) -> Run:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_cases", stdout=out, stderr=err, **{k: str(v) if isinstance(v, Path) else v
                                                                  for k, v in options.items()})
    except CommandError as error:
        err.write(f"{error}\n")
        return Run(False, out.getvalue(), err.getvalue())
    return Run(True, out.getvalue(), err.getvalue())


def run_export() -> str:
    out = io.StringIO()
    call_command("export_cases", output="-", stdout=out)
    return out.getvalue()


def export_records() -> dict[str, dict]:
    return {record["reference"]: record for record in map(json.loads, run_export().splitlines())}


def table_counts() -> dict[str, int]:
    """Rows in every table of the product (history tables included)."""
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


@pytest.fixture
def sample_imported(db):
    run = run_import(cases=CASES, meetings=MEETINGS)
    assert run.ok, run.err
    return run


@pytest.fixture
def write_csv(tmp_path):
    """Write a CSV with the given header and rows; returns its path."""

    def _write(name: str, header: list[str], rows: list[list[str]]) -> Path:
        path = tmp_path / name
        import csv

        with path.open("w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(header)
            writer.writerows(rows)
        return path

    return _write
