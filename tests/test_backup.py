"""Backup and restore (scripts/backup.py): a real pg_dump of the test database, restored into a
fresh database, checked table by table and file by file."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg2
import pytest
from django.db import connection

from allegations.models import Case, Referral
from tests.allegations.factories import make_case, make_referral
from tests.database import database_url

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "backup.py"

pytestmark = pytest.mark.django_db(transaction=True)


def _url(name: str) -> str:
    return database_url(name)


def _run(*args, media: Path):
    env = dict(os.environ, DATABASE_URL=_url(connection.settings_dict["NAME"]), MEDIA_ROOT=str(media))
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, env=env)


@pytest.fixture
def fresh_database():
    name = f"{connection.settings_dict['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    yield name
    conn = psycopg2.connect(_url("postgres"))
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    conn.close()


@pytest.fixture
def records(lado_officer, lado_service, agency_a_manager, agency_a):
    referral = make_referral(actor=agency_a_manager, lado_service=lado_service, agency=agency_a)
    make_case(officer=lado_officer, referral=referral)
    make_referral(actor=agency_a_manager, lado_service=lado_service, agency=agency_a, given="Sam", family="Lee")
    return referral


def test_backup_restore_into_a_fresh_database_loses_nothing(records, fresh_database, tmp_path):
    media = tmp_path / "media"
    (media / "pdfs").mkdir(parents=True)
    (media / "pdfs" / "minutes-1.pdf").write_bytes(b"%PDF-1.7 stand-in bytes \x00\x01")
    backup_dir = tmp_path / "backup"

    made = _run("backup", "--to", str(backup_dir), media=media)
    assert made.returncode == 0, made.stderr
    assert (backup_dir / "database.dump").stat().st_size > 0
    assert "1 media files" in made.stdout

    restored_media = tmp_path / "restored-media"
    restored = _run("restore", "--from", str(backup_dir), "--database", _url(fresh_database),
                    "--media", str(restored_media), media=media)
    assert restored.returncode == 0, restored.stderr
    assert "every table's rows and every media file match" in restored.stdout
    assert (restored_media / "pdfs" / "minutes-1.pdf").read_bytes() == b"%PDF-1.7 stand-in bytes \x00\x01"

    # Look at the restored records themselves, not only the script's word for it.
    conn = psycopg2.connect(_url(fresh_database))
    with conn.cursor() as cur:
        cur.execute("SELECT reference FROM allegations_referral ORDER BY reference")
        assert [r[0] for r in cur.fetchall()] == sorted(Referral.objects.values_list("reference", flat=True))
        cur.execute("SELECT count(*) FROM allegations_case")
        assert cur.fetchone()[0] == Case.objects.count() == 1
        cur.execute("SELECT count(*) FROM allegations_historicalreferral")
        assert cur.fetchone()[0] == Referral.history.count()
    conn.close()


def test_verify_reports_a_lost_record_and_a_changed_file(records, fresh_database, tmp_path):
    media = tmp_path / "media"
    media.mkdir()
    (media / "evidence.txt").write_text("original")
    backup_dir = tmp_path / "backup"
    assert _run("backup", "--to", str(backup_dir), media=media).returncode == 0
    restored_media = tmp_path / "restored-media"
    assert _run("restore", "--from", str(backup_dir), "--database", _url(fresh_database),
                "--media", str(restored_media), media=media).returncode == 0

    conn = psycopg2.connect(_url(fresh_database))
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("DELETE FROM allegations_event WHERE id = (SELECT max(id) FROM allegations_event)")
    conn.close()
    (restored_media / "evidence.txt").write_text("tampered")

    checked = _run("verify", "--from", str(backup_dir), "--database", _url(fresh_database),
                   "--media", str(restored_media), media=media)
    assert checked.returncode == 1
    assert "table allegations_event:" in checked.stderr
    assert "media evidence.txt: contents differ" in checked.stderr
    assert "NOT complete" in checked.stderr


def test_restore_refuses_a_database_that_already_exists(records, tmp_path):
    backup_dir = tmp_path / "backup"
    assert _run("backup", "--to", str(backup_dir), media=tmp_path / "none").returncode == 0
    refused = _run("restore", "--from", str(backup_dir), "--database", _url(connection.settings_dict["NAME"]),
                   "--media", str(tmp_path / "m"), media=tmp_path / "none")
    assert refused.returncode != 0
    assert "already exists: restore only into a fresh database" in refused.stderr
