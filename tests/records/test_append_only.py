"""The access log and the history tables are append-only in the database (issue 12 §4,
records/append_only.py): UPDATE and DELETE are refused by a PostgreSQL trigger, whoever sends them,
except inside the retention purge, which says so in its own transaction."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from allegations.models import AccessLog, Case
from records.append_only import TRIGGER, append_only_models, purging
from records.models import ViewLog

pytestmark = pytest.mark.django_db

REFUSED = "pgtrigger: Cannot update or delete rows"


def _refused(action) -> str:
    with pytest.raises(DatabaseError) as error, transaction.atomic():
        action()
    return str(error.value)


def test_every_history_table_and_the_access_log_has_the_trigger():
    labels = {m._meta.label for m in append_only_models()}
    assert {"allegations.AccessLog", "records.ViewLog", "meetings.PdfDownload", "allegations.HistoricalCase",
            "allegations.HistoricalReferral", "records.HistoricalDocument", "agencies.HistoricalMembership",
            "allegations.HistoricalRestriction_may_open"} <= labels
    with connection.cursor() as cursor:
        cursor.execute("SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                       "WHERE t.tgname LIKE %s AND NOT t.tgisinternal", [f"pgtrigger_{TRIGGER}_%"])
        protected = {row[0] for row in cursor.fetchall()}
    assert {m._meta.db_table for m in append_only_models()} <= protected


def test_the_access_log_refuses_update_and_delete(case, lado_officer, login):
    from django.urls import reverse

    login(lado_officer).get(reverse("allegations:case_detail", args=[case.reference]))
    log = AccessLog.objects.get(case=case)
    assert REFUSED in _refused(lambda: AccessLog.objects.filter(pk=log.pk).update(what="referral"))
    assert REFUSED in _refused(lambda: AccessLog.objects.filter(pk=log.pk).delete())

    def raw_sql():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM allegations_accesslog")
    assert REFUSED in _refused(raw_sql)
    ViewLog.objects.create(user=lado_officer, referral=case.referral, what=ViewLog.What.EXPORT)
    assert REFUSED in _refused(lambda: ViewLog.objects.update(what=ViewLog.What.EXPORT))
    assert AccessLog.objects.filter(pk=log.pk, what="case").exists()


def test_history_cannot_be_rewritten_or_deleted(case):
    history = Case.history.model
    first = history.objects.filter(id=case.pk).order_by("history_id").first()
    assert REFUSED in _refused(
        lambda: history.objects.filter(history_id=first.history_id).update(history_change_reason="Nothing happened"))
    assert REFUSED in _refused(lambda: history.objects.filter(id=case.pk).delete())
    assert history.objects.filter(history_id=first.history_id).exclude(history_change_reason="Nothing happened").exists()


def test_only_the_purge_deletes_and_only_inside_it(case):
    history = Case.history.model
    with transaction.atomic():
        with purging():
            deleted, _ = history.objects.filter(id=case.pk).delete()
        assert deleted >= 1
        # Outside the context, in the same transaction, the trigger refuses again.
        referral_history = case.referral.history.model
        assert referral_history.objects.filter(id=case.referral_id).exists()
        assert REFUSED in _refused(lambda: referral_history.objects.filter(id=case.referral_id).delete())


def test_a_person_who_changed_something_is_deactivated_not_deleted(case, lado_officer, agency_a_viewer, login):
    """Their history names them: deleting them would rewrite it, which the database refuses; the
    administration offers no delete, only deactivation."""
    from django.urls import reverse

    from tests.agencies.factories import UserFactory

    editor = UserFactory(username="editor")
    membership = agency_a_viewer.memberships.get()
    membership.job_title, membership._history_user = "Office manager", editor
    membership.save()
    assert REFUSED in _refused(lambda: editor.delete())  # SET NULL on their history rows: refused
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    admin = login(root)
    assert admin.get(reverse("admin:auth_user_delete", args=[lado_officer.pk])).status_code == 403
    page = admin.get(reverse("admin:auth_user_change", args=[lado_officer.pk])).content.decode()
    assert reverse("admin:auth_user_delete", args=[lado_officer.pk]) not in page
