"""The access log and every history table are append-only in the database (issue 12 §4).

A PostgreSQL trigger (django-pgtrigger's Protect) on each of them refuses UPDATE and DELETE,
whoever runs the SQL: the product, a shell, a script. Rows can only be added. The one exception
is the retention purge (governance/purge.py), which deletes a record's log and history inside
``purging()``: pgtrigger's ignore, a transaction-local setting sent with each statement of that
purge, so it says so in the same transaction and nothing else is let through.

The triggers are installed by ``migrate`` (PGTRIGGER_INSTALL_ON_MIGRATE) rather than by
migrations of their own: the history tables are made by django-simple-history, so the list
follows every historied model without a migration per app. pg_dump keeps them with the tables.

TRUNCATE (the test suite's flush between live-server tests) is not a row change and is not
refused; deleting a person who changed anything is (their history keeps them), deactivate them.
"""

from __future__ import annotations

from contextlib import contextmanager

import pgtrigger
from django.apps import apps

TRIGGER = "append_only"
# Who opened or downloaded what (the access log page combines them: records.selectors.audit_rows).
ACCESS_LOGS = ("allegations.AccessLog", "records.ViewLog", "meetings.PdfDownload")


def append_only_models() -> list:
    from simple_history.models import HistoricalChanges

    history = [m for m in apps.get_models() if issubclass(m, HistoricalChanges) or _is_m2m_history(m)]
    return [apps.get_model(label) for label in ACCESS_LOGS] + sorted(history, key=lambda m: m._meta.label)


def _is_m2m_history(model) -> bool:
    """simple_history's many-to-many history (e.g. who may open a restricted case, over time)."""
    return model.__name__.startswith("Historical") and any(f.name == "history" for f in model._meta.fields)


def register() -> None:
    protect = pgtrigger.Protect(name=TRIGGER, operation=pgtrigger.Update | pgtrigger.Delete)
    for model in append_only_models():
        pgtrigger.register(protect)(model)


def trigger_uris() -> list[str]:
    return [f"{m._meta.label}:{TRIGGER}" for m in append_only_models()]


@contextmanager
def purging():
    """For the retention purge only: lets its DELETEs through, in its own transaction."""
    with pgtrigger.ignore(*trigger_uris()):
        yield
