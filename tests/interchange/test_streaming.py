"""copying.streaming: COPYs sent by a thread while the import spells the next table, still all or nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import DatabaseError, IntegrityError, transaction

from allegations.models import Event, Subject
from interchange import copying

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 1, 5, 12, 0, tzinfo=dt.UTC)


def _subjects(names):
    subjects = []
    for given in names:
        subject = copying.build(Subject, given_name=given, family_name="Streamed", created_at=NOW)
        subject._change_reason = f"Imported {given}"
        subjects.append(subject)
    return subjects


def test_rows_and_history_are_written_by_the_thread():
    with transaction.atomic(), copying.streaming() as stream:
        assert stream is not None
        first = copying.copy_create(_subjects(["Ann", "Ben"]), Subject, default_date=NOW)
        second = copying.copy_create(_subjects(["Cat"]), Subject, default_date=NOW)
        stream.check_constraints()
    ids = [s.pk for s in first + second]
    assert ids == sorted(ids) and len(set(ids)) == 3  # ids from the table's sequence, in order, before the COPYs ran
    assert list(Subject.objects.filter(pk__in=ids).order_by("pk").values_list("given_name", flat=True)) == [
        "Ann", "Ben", "Cat"]
    history = Subject.history.filter(id__in=ids).order_by("id")
    assert [(h.history_type, h.history_change_reason, h.history_date) for h in history] == [
        ("+", "Imported Ann", NOW), ("+", "Imported Ben", NOW), ("+", "Imported Cat", NOW)]


def test_a_failing_copy_fails_the_block_and_nothing_is_kept():
    before = Subject.objects.count()
    with pytest.raises(DatabaseError), transaction.atomic(), copying.streaming():
        copying.copy_create(_subjects(["Ann"]), Subject, default_date=NOW)
        copying.copy_create(_subjects(["x" * 101]), Subject, default_date=NOW)  # longer than given_name allows
    assert Subject.objects.count() == before


def test_a_broken_foreign_key_is_caught_by_the_check_before_the_commit():
    event = copying.build(Event, at=NOW, referral_id=987654321, verb="imported", summary="no such referral")
    with pytest.raises(IntegrityError), transaction.atomic(), copying.streaming() as stream:
        copying.copy_create([event], Event, history=False)
        stream.check_constraints()
        stream.wait()
    assert not Event.objects.filter(referral_id=987654321).exists()

