"""Deleting a referral and everything under it, history included (STYLE.md: "retention and deletion must
reach history tables, permission rows and files too").

Everything that would go with the referral is found by Django's own deletion collector (so a table other
code adds later, e.g. records.Document, is reached through its foreign key without a change here),
following PROTECT links too: a case protects its referral, a circulation its minutes version, and so on;
they are all part of the same record. Rows are then deleted table by table with plain DELETEs (foreign
keys on PostgreSQL are checked at commit), so no signal runs and simple_history writes no "deleted" row
holding a last copy of the content. Then every history row of those records, and of rows that hung from
them and were deleted earlier, is deleted. Files are removed after the commit.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.admin.utils import NestedObjects
from django.db import DEFAULT_DB_ALIAS, models, transaction

from records import append_only

logger = logging.getLogger(__name__)


def _collect(roots: list[models.Model]) -> dict[type[models.Model], set]:
    collector = NestedObjects(using=DEFAULT_DB_ALIAS)
    for root in roots:  # collect() takes rows of one model at a time
        collector.collect([root])
    seen: set = set()
    while pending := collector.protected - seen:
        seen |= pending
        collector.protected = set()
        for obj in pending:
            collector.collect([obj])
    found: dict[type[models.Model], set] = defaultdict(set)
    for model, instances in collector.data.items():
        found[model].update(obj.pk for obj in instances)
    for model, instances in collector.model_objs.items():
        found[model].update(obj.pk for obj in instances)
    # Rows outside the record pointing at it with SET_NULL (none known today): unlink them.
    for (field, value), batches in collector.field_updates.items():
        for batch in batches:
            pks = [obj.pk for obj in batch] if not isinstance(batch, models.QuerySet) else list(batch.values_list("pk", flat=True))
            outside = [pk for pk in pks if pk not in found.get(field.model, ())]
            if outside:
                field.model._base_manager.filter(pk__in=outside).update(**{field.name: value})
    return found


def _history_model(model):
    attr = getattr(model._meta, "simple_history_manager_attribute", None)
    return getattr(model, attr).model if attr else None


def _history_rows(found: dict[type[models.Model], set]) -> dict[type[models.Model], set]:
    """History rows (their history_id) of the collected records, and of records that hung from them
    and were deleted before (a withdrawn suspension, a removed invitation), to a fixed point."""
    historied = [m for m in apps.get_models() if _history_model(m) is not None]
    ids = {m: set(found.get(m, ())) for m in historied}
    while True:
        grown = False
        for model in historied:
            history = _history_model(model)
            for field in history._meta.concrete_fields:
                target = getattr(field, "related_model", None)
                if not field.is_relation or target is None or not ids.get(target):
                    continue
                new_ids = set(history.objects.filter(**{f"{field.attname}__in": ids[target]})
                              .values_list(model._meta.pk.attname, flat=True)) - ids[model]
                # Only rows already deleted: a live record that once pointed here (an action whose
                # deadline was ours, a referral moved to another subject) keeps its history.
                new_ids -= set(model._base_manager.filter(pk__in=new_ids).values_list("pk", flat=True))
                if new_ids:
                    ids[model] |= new_ids
                    grown = True
        if not grown:
            break
    rows: dict[type[models.Model], set] = {}
    for model, pks in ids.items():
        if pks:
            history = _history_model(model)
            found_rows = set(history.objects.filter(**{f"{model._meta.pk.attname}__in": pks})
                             .values_list("history_id", flat=True))
            if found_rows:
                rows[history] = found_rows
    return rows


def _stored_path(obj) -> Path:
    """Where a document's file is: the records app says (records.services.document_path), if it is there."""
    try:
        from records.services import document_path
    except ImportError:
        return Path(getattr(settings, "DOCUMENT_ROOT", "")) / obj.stored_name
    return document_path(obj)


def _files_of(found) -> list:
    """Files the records point at: FileFields, and documents' stored names under DOCUMENT_ROOT."""
    files = []
    for model, pks in found.items():
        file_fields = [f for f in model._meta.concrete_fields if isinstance(f, models.FileField)]
        if file_fields:
            for obj in model._base_manager.filter(pk__in=pks).only(*[f.name for f in file_fields]):
                for f in file_fields:
                    value = getattr(obj, f.name)
                    if value and value.name:
                        files.append((value.storage, value.name))
        if any(f.name == "stored_name" for f in model._meta.concrete_fields):
            for obj in model._base_manager.filter(pk__in=pks):
                files.append((None, str(_stored_path(obj))))
    return files


def _remove_files(files) -> None:
    for storage, name in files:
        try:
            if storage is None:
                Path(name).unlink(missing_ok=True)
            else:
                storage.delete(name)
        except OSError:
            logger.warning("A file of a deleted record could not be removed (it stays on disk)")


def purge(roots: list[models.Model]) -> tuple[dict[str, int], int]:
    """Delete the roots, everything under them and all their history, in the caller's transaction.

    Returns the rows deleted per table ("app_label.Model": n) and the number of files that will be removed
    after the commit."""
    found = _collect(roots)
    history = _history_rows(found)
    files = _files_of(found)
    counts: dict[str, int] = {}
    # The access log and the history tables refuse DELETE (records/append_only.py) except here.
    with append_only.purging():
        for model, pks in list(found.items()) + list(history.items()):
            if not pks:
                continue
            pk_name = "history_id" if model in history and model not in found else "pk"
            deleted = model._base_manager.filter(**{f"{pk_name}__in": list(pks)})._raw_delete(DEFAULT_DB_ALIAS)
            if deleted:
                counts[model._meta.label] = counts.get(model._meta.label, 0) + deleted
    transaction.on_commit(lambda: _remove_files(files))
    return dict(sorted(counts.items())), len(files)
