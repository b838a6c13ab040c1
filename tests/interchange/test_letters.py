"""A case's letters (issue 17 §3) in the export, and read back by an import of it onto a new case with history
saying they were imported; a bad value is a problem and nothing is written; a line without them imports as
before."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest

from allegations import letters
from allegations.models import Case, Letter, LetterKind

from .conftest import export_records, run_import, table_counts

pytestmark = pytest.mark.django_db


def _write(*records) -> Path:
    path = Path(tempfile.mkdtemp()) / "export.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


@pytest.fixture
def with_letters(case, lado_officer, lado_manager, settings, tmp_path):
    settings.DOCUMENT_ROOT = str(tmp_path / "documents")
    letters.letter_draft(actor=lado_officer, case=case, kind=LetterKind.INVITATION, recipient="DS Patel")
    sent = letters.letter_draft(actor=lado_officer, case=case, kind=LetterKind.OUTCOME_EMPLOYER,
                                recipient="The head teacher")
    sent = letters.letter_approve(actor=lado_manager, letter=sent)
    letters.letter_mark_sent(actor=lado_officer, letter=sent, sent_by=Letter.SentBy.POST)
    return case


def test_the_letters_go_out_and_come_back_on_a_new_case(with_letters, lado_officer):
    record = export_records()[with_letters.reference]
    assert [(x["kind"], x["status"]) for x in record["letters"]] == [("invitation", "draft"),
                                                                    ("outcome_employer", "sent")]
    assert record["letters"][1]["sent_by"] == "post" and record["letters"][1]["approved_at"]
    copy = {**record, "reference": "OLD-2026-7"}
    run = run_import(cases=_write(copy), by=lado_officer.username)
    assert run.ok, run.err
    new = Case.objects.get(referral__reference="OLD-2026-7")
    imported = new.letters.get(kind="outcome_employer")
    assert imported.status == "sent" and imported.approved_by == lado_officer and imported.pdf is None
    assert imported.history.get().history_change_reason.startswith("Imported from export.jsonl line 1 by")
    assert export_records()["OLD-2026-7"]["letters"] == record["letters"]


def test_a_bad_letter_is_a_problem_and_nothing_is_written(with_letters, lado_officer):
    record = {**export_records()[with_letters.reference], "reference": "OLD-2026-8"}
    record["letters"][0]["kind"] = "ransom_note"
    record["letters"][1]["approved_at"] = None
    before = table_counts()
    run = run_import(cases=_write(record), by=lado_officer.username)
    assert not run.ok
    assert "letters[0].kind" in run.err and "letters[1].approved_at" in run.err
    assert table_counts() == before


def test_a_line_without_letters_imports_as_before(with_letters, lado_officer):
    record = {**export_records()[with_letters.reference], "reference": "OLD-2026-9"}
    del record["letters"]
    run = run_import(cases=_write(record), by=lado_officer.username)
    assert run.ok, run.err
    assert not Case.objects.get(referral__reference="OLD-2026-9").letters.exists()
