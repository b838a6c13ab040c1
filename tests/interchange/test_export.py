"""The export of records made in the product, and its shape."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from allegations import services
from interchange.columns import CASE_COLUMN_NAMES, EXPORT_EXTRA_KEYS
from interchange.exporting import export_lines
from tests.allegations.factories import make_referral, tell_parents

from .conftest import export_records, run_export, run_import, table_counts

pytestmark = pytest.mark.django_db


def test_a_referral_made_in_the_product(case, lado_officer, agency_a):
    referral = case.referral
    services.case_record_outcome(actor=lado_officer, case=case, outcome="substantiated", police_outcome="caution",
                                 police_outcome_detail="", employer_outcome="dismissed")
    services.case_record_dbs_referral(actor=lado_officer, case=case, referred_on=timezone.localdate(), notes="")
    services.regulator_referral_record(actor=lado_officer, case=case, regulator="TRA", made_on=timezone.localdate(),
                                       made_by="The school")
    tell_parents(case, lado_officer)
    services.case_close(actor=lado_officer, case=case, closed_at=timezone.now(), summary="Done.")
    record = export_records()[referral.reference]
    assert list(record) == [*CASE_COLUMN_NAMES, *EXPORT_EXTRA_KEYS]
    assert record["referrer_agency"] == agency_a.name
    assert record["contact_type"] == "referral"
    assert record["route"] == "position_of_trust"
    assert (record["outcome"], record["police_outcome"], record["employer_outcome"]) == ("substantiated", "caution", "dismissed")
    assert record["regulator"] == "TRA" and record["regulator_referral_at"] == timezone.localdate().isoformat()
    assert record["dbs_referral_at"] == timezone.localdate().isoformat()
    local = timezone.localtime(referral.received_at).replace(microsecond=0)
    assert record["received_at"] == local.isoformat(timespec="seconds")
    assert dt.datetime.fromisoformat(record["closed_at"]).utcoffset() is not None
    assert {d["kind"] for d in record["deadlines"]} >= {"initial_discussion", "case_review"}
    # A product-made record is "already imported" when its export comes back.
    before = table_counts()
    import_path = _write(record)
    run = run_import(cases=import_path)
    assert run.ok, run.err
    assert "0 new, 1 already imported" in run.out
    assert table_counts() == before


def _write(record):
    import tempfile
    from pathlib import Path

    path = Path(tempfile.mkdtemp()) / "export.jsonl"
    path.write_text(json.dumps(record) + "\n")
    return path


def test_an_open_referral_and_absent_values_are_null(referral):
    record = export_records()[referral.reference]
    assert record["route"] is None and record["closed_at"] is None and record["outcome"] is None
    assert record["meetings"] == []
    assert [d["status"] for d in record["deadlines"]] == ["open"]


def test_order_is_received_at_then_reference(agency_a_manager, lado_service, agency_a):
    when = timezone.now() - dt.timedelta(days=3)
    made = [make_referral(actor=agency_a_manager, lado_service=lado_service, agency=agency_a) for _ in range(3)]
    from allegations.models import Referral

    Referral.objects.filter(pk=made[2].pk).update(received_at=when)  # test set-up only: an earlier referral
    references = [json.loads(line)["reference"] for line in run_export().splitlines()]
    assert references[0] == made[2].reference
    assert references[1:] == sorted(r.reference for r in made[:2])


def test_the_export_is_streamed_with_a_fixed_number_of_queries(agency_a_manager, lado_service, agency_a):
    def count_queries(n):
        from allegations.models import Referral

        while Referral.objects.count() < n:
            make_referral(actor=agency_a_manager, lado_service=lado_service, agency=agency_a)
        with CaptureQueriesContext(connection) as queries:
            lines = list(export_lines(chunk_size=100))
        assert len(lines) == n
        return len(queries)

    assert count_queries(2) == count_queries(12)
