"""The Deadline table moved from allegations to deadlines (issue 13) with its data.

The migrations are run backwards to before the move and forwards again on a database holding
deadlines and their history: every row survives unchanged, the content types keep their ids under
the new label, and the history table keeps exactly one append-only trigger, the one pgtrigger
knows by the new label (so the retention purge's pgtrigger.ignore() still reaches it).
"""

import pgtrigger
import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from deadlines.models import Deadline

OLD_TRIGGER = "pgtrigger_append_only_09942"  # pgtrigger's id for allegations.HistoricalDeadline:append_only
from records.append_only import TRIGGER
from tests.allegations.factories import make_referral


def _rows(table: str, order: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT md5(string_agg(t::text, ',' ORDER BY {order})), count(*) FROM {table} t")
        return cursor.fetchone()


def _tables() -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.table_names(cursor))


def _triggers(table: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal ORDER BY tgname",
                       [table])
        return [row[0] for row in cursor.fetchall()]


def _migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.mark.django_db(transaction=True)
def test_migrating_back_and_forth_keeps_every_deadline_and_its_history(lado_service, agency_a, agency_a_manager):
    for n in range(3):
        make_referral(actor=agency_a_manager, lado_service=lado_service, agency=agency_a, given=f"Sam{n}")
    deadline_rows = _rows("deadlines_deadline", "id")
    history_rows = _rows("deadlines_historicaldeadline", "history_id")
    assert deadline_rows[1] == 3 and history_rows[1] >= 3
    content_types = {ct.model: ct.pk for ct in ContentType.objects.filter(app_label="deadlines")}
    [(model, trigger)] = pgtrigger.registered(f"{Deadline.history.model._meta.label}:{TRIGGER}")
    new_trigger = trigger.get_pgid(model)
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()

    _migrate([("deadlines", None)])  # before the move: the tables and content types are allegations' again
    assert {"allegations_deadline", "allegations_historicaldeadline"} <= _tables()
    assert not {"deadlines_deadline", "deadlines_historicaldeadline"} & _tables()
    assert _rows("allegations_deadline", "id") == deadline_rows
    assert _rows("allegations_historicaldeadline", "history_id") == history_rows
    ContentType.objects.clear_cache()
    assert {ct.model: ct.pk for ct in ContentType.objects.filter(app_label="allegations",
                                                                 model__in=content_types)} == content_types
    # As a database made before the move has it: the trigger under the id of the old label.
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TRIGGER {new_trigger} ON allegations_historicaldeadline RENAME TO {OLD_TRIGGER}")

    _migrate(leaves)
    pgtrigger.install()  # what migrate does after the migrations (PGTRIGGER_INSTALL_ON_MIGRATE)
    assert _rows("deadlines_deadline", "id") == deadline_rows
    assert _rows("deadlines_historicaldeadline", "history_id") == history_rows
    ContentType.objects.clear_cache()
    assert {ct.model: ct.pk for ct in ContentType.objects.filter(app_label="deadlines")} == content_types
    assert _triggers("deadlines_historicaldeadline") == [new_trigger]
    assert Deadline.objects.filter(kind=Deadline.Kind.INITIAL_DISCUSSION).count() == 3
