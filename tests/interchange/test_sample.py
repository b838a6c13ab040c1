"""The sample history (../shared/data/sample) imported into an empty product, exported, and back again."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core import mail

from agencies.models import Agency, AgencyKind, Notification
from allegations.models import Case, CaseStatus, Event, Referral, Subject
from deadlines import chasing
from deadlines.models import Deadline
from meetings.models import Meeting

from .conftest import CASES, MEETINGS, SAMPLE, export_records, run_export, run_import, table_counts

pytestmark = pytest.mark.django_db


def _instant(text):
    return dt.datetime.fromisoformat(text).timestamp() if text else None


def _deadline_set(deadlines):
    return {(d["kind"], _instant(d["due_at"]), _instant(d["met_at"]), d["status"]) for d in deadlines}


def test_every_referrals_deadlines_are_the_expected_ones(sample_imported):
    expected = json.loads((SAMPLE / "expected-deadlines.json").read_text())
    records = export_records()
    assert len(records) == 724
    for reference, record in records.items():
        assert _deadline_set(record["deadlines"]) == _deadline_set(expected.get(reference, [])), reference
    assert set(expected) <= set(records)
    # Referrals without deadlines (advice and other contacts) are compared too: they have none.
    assert sum(1 for r in records.values() if not r["deadlines"]) == 724 - 191


@pytest.mark.django_db(transaction=True)
def test_round_trip_gives_the_same_file(tmp_path):
    run = run_import(cases=CASES, meetings=MEETINGS)
    assert run.ok, run.err
    first = run_export()
    path = tmp_path / "export.jsonl"
    path.write_text(first, encoding="utf-8")
    # Into an empty product: remove everything the first import wrote.
    _empty_the_product()
    assert Referral.objects.count() == 0 and Agency.objects.count() == 0
    run = run_import(cases=path)
    assert run.ok, run.err
    assert "724 new" in run.out and "114 new" in run.out
    assert run_export() == first


def _empty_the_product():
    from django.apps import apps
    from django.db import connection

    tables = [m._meta.db_table for m in apps.get_models() if m._meta.app_label in ("allegations", "meetings", "agencies")]
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " CASCADE")


def test_importing_again_changes_nothing_and_says_so(sample_imported):
    before = table_counts()
    run = run_import(cases=CASES, meetings=MEETINGS)
    assert run.ok, run.err
    assert "0 new, 724 already imported" in run.out
    assert "Meetings: 0 new, 114 already imported" in run.out
    assert table_counts() == before


def test_importing_the_export_into_the_same_product_changes_nothing(sample_imported, tmp_path):
    path = tmp_path / "export.jsonl"
    path.write_text(run_export(), encoding="utf-8")
    before = table_counts()
    run = run_import(cases=path)
    assert run.ok, run.err
    assert "0 new, 724 already imported" in run.out
    assert table_counts() == before


def test_dry_run_writes_nothing(db):
    before = table_counts()
    run = run_import(cases=CASES, meetings=MEETINGS, dry_run=True)
    assert run.ok, run.err
    assert "Dry run, nothing written" in run.out and "724 new" in run.out
    assert table_counts() == before


def test_what_is_written(sample_imported):
    assert Referral.objects.count() == 724
    assert Case.objects.count() == 191
    assert Case.objects.filter(status=CaseStatus.OPEN).count() == 21
    assert Meeting.objects.count() == 114
    assert not Meeting.objects.filter(chair__isnull=False).exists()
    assert not Meeting.objects.filter(minutes_deadline__isnull=True).exists()
    service = Agency.objects.get(kind=AgencyKind.LADO_SERVICE)
    assert service.name.endswith("LADO service")
    assert not Referral.objects.exclude(lado_service=service).exists()
    # 20 employers, matched to agencies by name.
    assert Agency.objects.exclude(kind=AgencyKind.LADO_SERVICE).count() == 20
    assert not Referral.objects.filter(employer__isnull=True).exists()
    # One subject per name and date of birth; people without a date of birth get their own records.
    assert Subject.objects.count() < 724
    repeated = Referral.objects.get(reference="MAS-2018-00026").subject
    assert repeated.given_key and repeated.family_key
    assert Referral.objects.filter(imported_from="cases.csv").count() == 724
    assert not Case.objects.filter(status=CaseStatus.CLOSED, closed_months__isnull=True).exists()
    # Nothing sends notices on import.
    assert Notification.objects.count() == 0 and mail.outbox == []


def test_history_says_imported_from_which_file_and_by_whom(db, django_user_model):
    importer = django_user_model.objects.create_user(username="importer")
    run = run_import(cases=CASES, meetings=MEETINGS, by="importer")
    assert run.ok, run.err
    referral = Referral.objects.get(reference="MAS-2018-00026")
    record = referral.history.get()
    assert record.history_user == importer
    assert record.history_change_reason == "Imported from cases.csv line 2 by importer"
    meeting = Meeting.objects.select_related("case__referral").filter(case__referral__reference="MAS-2021-00343").first()
    assert meeting.history.get().history_change_reason == "Imported from meetings.csv line 2 by importer"
    deadline = referral.deadlines.get()
    assert deadline.history.get().history_change_reason.startswith("Imported from cases.csv line 2 by importer")
    assert referral.case.history.get().history_user == importer
    event = Event.objects.get(referral=referral)
    assert event.verb == "imported" and event.actor == importer
    assert event.summary == "Imported from cases.csv line 2 by importer"
    assert "Casey" not in event.summary and "Hughes" not in event.summary


def test_without_by_the_history_names_the_system_user(db):
    import getpass

    run = run_import(cases=CASES, meetings=MEETINGS)
    assert run.ok
    record = Referral.objects.get(reference="MAS-2018-00026").history.get()
    assert record.history_user is None
    assert record.history_change_reason == f"Imported from cases.csv line 2 by {getpass.getuser()}"


def test_imported_deadlines_that_are_met_or_of_closed_cases_are_never_chased(sample_imported):
    mail.outbox.clear()
    counts = chasing.sweep()
    chased = Deadline.objects.filter(reminder_sent_at__isnull=False) | Deadline.objects.filter(overdue_sent_at__isnull=False)
    quiet = chased.filter(met_at__isnull=False) | chased.filter(case__status=CaseStatus.CLOSED)
    assert not quiet.exists()
    # Only open cases' unmet deadlines were handled. Long overdue when imported, they are the backlog: marked
    # overdue without one notice per deadline per officer (the LADO managers get one summary a day).
    open_unmet = Deadline.objects.filter(case__status=CaseStatus.OPEN, met_at__isnull=True).exclude(status="waived")
    assert open_unmet.exists()
    assert counts == {"reminder": 0, "overdue": 0, "escalation": 0, "digests": 0}
    assert not open_unmet.filter(overdue_sent_at__isnull=True).exists()
    assert not Notification.objects.filter(key__regex=r"^deadline-[0-9]+-").exists()
    for message in mail.outbox:
        for name in ("Casey", "Hughes"):
            assert name not in message.body


def test_a_product_with_only_closed_and_met_deadlines_sends_nothing(db, tmp_path):
    lines = CASES.read_text().splitlines()
    header, rows = lines[0], lines[1:]
    import csv

    reader = list(csv.DictReader([header, *rows]))
    quiet = [r for r in reader if r["closed_at"] or r["contact_type"] != "referral"]
    path = tmp_path / "closed.csv"
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=reader[0].keys())
        writer.writeheader()
        writer.writerows(quiet)
    run = run_import(cases=path)
    assert run.ok, run.err
    mail.outbox.clear()
    counts = chasing.sweep()
    assert counts == {"reminder": 0, "overdue": 0, "escalation": 0, "digests": 0}
    assert Notification.objects.count() == 0 and mail.outbox == []
