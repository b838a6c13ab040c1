"""New rows written with PostgreSQL's COPY, each with the history row that simple-history's
`bulk_create_with_history` would write for it.

At 100,000 referrals, most of an import's time went into Django compiling INSERTs (a placeholder
and a field conversion per value) and simple-history building a second model instance per row for
its history. Here the ids come from the table's own sequence, as an INSERT takes them, the values
are spelled once in COPY's text format, and each history row reuses its row's values: the same
rows and the same history (type "+", the row's `_change_reason`, the user and date given, the
row's own `_history_user` or `_history_date` when it has one), one COPY per table.

Only plain columns are written this way (text, numbers, booleans, dates, aware date-times and
foreign keys to them). A model with any other kind of column (an array, JSON, a database default)
goes through `bulk_create_with_history` as before, as does a history model with fields of its own.
"""

from __future__ import annotations

import datetime as dt
import io

from django.conf import settings
from django.db import connections, router
from django.db.models import signals
from django.db.models.base import ModelState
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, get_history_model_for_model

NULL = "\\N"
TEXT = frozenset({"CharField", "TextField", "EmailField", "URLField", "SlugField"})
INTEGER = frozenset({"AutoField", "BigAutoField", "SmallAutoField", "IntegerField", "BigIntegerField",
                     "SmallIntegerField", "PositiveIntegerField", "PositiveSmallIntegerField",
                     "PositiveBigIntegerField"})
HISTORY_OWN = frozenset({"history_id", "history_date", "history_change_reason", "history_type", "history_user_id"})


def _escaped(value: str) -> str:
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        value = value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return value


def _plain(value) -> str:
    """A value as Django's get_db_prep_save leaves it, in COPY's text format."""
    if value is None:
        return NULL
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise TypeError("a naive date-time reached COPY")
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return _escaped(value)
    raise TypeError(f"cannot write {type(value).__name__} with COPY")


def _converter(field, connection):
    """value -> COPY text, as field.get_db_prep_save(value) would store it; None if the field is not plain."""
    kind = (field.target_field if field.is_relation else field).get_internal_type()

    def slow(value):
        return _plain(field.get_db_prep_save(value, connection))

    if kind in TEXT:
        return lambda v: NULL if v is None else _escaped(v if isinstance(v, str) else str(v))
    if kind in INTEGER:
        return lambda v: NULL if v is None else (str(v) if type(v) is int else slow(v))
    if kind == "BooleanField":
        return lambda v: "t" if v is True else "f" if v is False else slow(v)
    if kind == "DateField":
        return lambda v: NULL if v is None else (v.isoformat() if type(v) is dt.date else slow(v))
    if kind == "DateTimeField":
        return lambda v: NULL if v is None else (
            v.isoformat() if isinstance(v, dt.datetime) and v.tzinfo is not None else slow(v))
    return None


class _Plan:
    """How one model's rows (and their history rows) are spelled, worked out once per model and database."""

    def __init__(self, model, connection):
        self.fields = [f for f in model._meta.concrete_fields]
        self.ok = not any(getattr(f, "generated", False) or f.has_db_default() for f in self.fields)
        self.converters = [_converter(f, connection) for f in self.fields]
        self.ok = self.ok and all(c is not None for c in self.converters)
        self.attnames = [f.attname for f in self.fields]
        self.pre_save = [f for f in self.fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]
        self.columns = ", ".join(connection.ops.quote_name(f.column) for f in self.fields)
        self.table = model._meta.db_table
        self.history = None
        if self.ok and hasattr(model._meta, "simple_history_manager_attribute"):
            history = get_history_model_for_model(model)
            position = {name: i for i, name in enumerate(self.attnames)}
            tracked = [f.attname for f in history.tracked_fields]
            own = [f.attname for f in history._meta.concrete_fields if f.attname not in set(tracked)]
            if set(own) == HISTORY_OWN and all(name in position for name in tracked) and not hasattr(
                    history, "history_relation"):
                names = tracked + ["history_date", "history_change_reason", "history_type", "history_user_id"]
                columns = [history._meta.get_field(n).column for n in tracked] + [
                    history._meta.get_field(n).column for n in names[len(tracked):]]
                self.history = (history, [position[n] for n in tracked],
                                ", ".join(connection.ops.quote_name(c) for c in columns))


_plans: dict[tuple, _Plan] = {}


def _plan(model, connection) -> _Plan:
    key = (model, connection.alias)
    if key not in _plans:
        _plans[key] = _Plan(model, connection)
    return _plans[key]


def _reserve(connection, table: str, column: str, count: int) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                       [connection.ops.quote_name(table), column, count])
        return sorted(row[0] for row in cursor.fetchall())


def _copy(connection, table: str, columns: str, lines: io.StringIO) -> None:
    lines.seek(0)
    with connection.cursor() as cursor:
        cursor.copy_expert(f"COPY {connection.ops.quote_name(table)} ({columns}) FROM STDIN", lines)


_specs: dict = {}


def build(model, **values):
    """A new instance of `model`, as `model(**values)` gives it, built the way Django builds a row read from the
    database (positional values, no descriptor or default look-up per field): several times quicker, which counts
    for hundreds of thousands of rows. `values` are by field name or, for a foreign key, its `_id` name."""
    spec = _specs.get(model)
    if spec is None:
        # Without pre_init or post_init receivers, Model.__init__ only sets each field's value on a new instance.
        plain_init = not (signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model))
        spec = _specs[model] = (plain_init, [(f.attname, f.name if f.is_relation else None, f.get_default)
                                             for f in model._meta.concrete_fields])
    plain_init, fields = spec
    args = {}
    related = []
    for attname, name, default in fields:
        if attname in values:
            args[attname] = values.pop(attname)
        elif name is not None and name in values:
            instance = values.pop(name)
            related.append((name, instance))
            args[attname] = None
        else:
            args[attname] = default()
    if values:
        raise TypeError(f"{model.__name__} has no field named {', '.join(values)}")
    if plain_init:
        obj = model.__new__(model)
        obj._state = ModelState()
        obj.__dict__.update(args)
    else:
        obj = model(*args.values())
    for name, instance in related:
        setattr(obj, name, instance)  # as model(**values) does: the id, and the instance cached
    return obj


def copy_create(objs: list, model, *, history: bool = True, default_user=None, default_date=None) -> list:
    """Insert `objs` (new instances of `model`) and, with `history`, one "+" history row each; like
    `bulk_create_with_history(objs, model, default_user=..., default_date=...)` (or `bulk_create`
    without history), the instances get their ids."""
    if not objs:
        return objs
    alias = router.db_for_write(model)
    connection = connections[alias]
    plan = _plan(model, connection)
    history = history and getattr(settings, "SIMPLE_HISTORY_ENABLED", True)
    if connection.vendor != "postgresql" or not plan.ok or (history and plan.history is None):
        if history:
            return bulk_create_with_history(objs, model, default_user=default_user, default_date=default_date)
        return model._default_manager.bulk_create(objs)
    pk = model._meta.pk
    missing = [obj for obj in objs if obj.pk is None]
    if missing and pk.get_internal_type() not in ("AutoField", "BigAutoField", "SmallAutoField"):
        raise ValueError(f"{model.__name__}: new rows without an id, and no sequence to take one from")
    for obj, value in zip(missing, _reserve(connection, plan.table, pk.column, len(missing)), strict=True):
        setattr(obj, pk.attname, value)

    rows, history_rows = io.StringIO(), io.StringIO()
    converters, attnames = plan.converters, plan.attnames
    if history:
        history_model, tracked, history_columns = plan.history
        default_when = _plain(default_date or timezone.now())
        # simple-history asks for the default user per row (the request's user, if any): the same for every row.
        fallback_user = None
        for obj in objs:
            if not hasattr(obj, "_history_user"):
                fallback_user = default_user or history_model.get_default_history_user(obj)
                break
        fallback_user = _plain(fallback_user.pk if fallback_user else None)
    for obj in objs:
        obj._prepare_related_fields_for_save(operation_name="bulk_create")
        for field in plan.pre_save:
            field.pre_save(obj, True)
        texts = [convert(getattr(obj, name)) for convert, name in zip(converters, attnames)]
        rows.write("\t".join(texts))
        rows.write("\n")
        if history:
            if hasattr(obj, "_history_user"):
                user = _plain(obj._history_user.pk if obj._history_user else None)
            else:
                user = fallback_user
            reason = getattr(obj, "_change_reason", None) or None
            when = _plain(obj._history_date) if hasattr(obj, "_history_date") else default_when
            history_rows.write("\t".join([texts[i] for i in tracked]))
            history_rows.write(f"\t{when}\t{_plain(reason)}\t+\t{user}\n")
        obj._state.adding = False
        obj._state.db = alias
    _copy(connection, plan.table, plan.columns, rows)
    if history:
        _copy(connection, history_model._meta.db_table, history_columns, history_rows)
    return objs


__all__ = ["build", "copy_create"]
