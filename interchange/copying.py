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

import contextlib
import contextvars
import datetime as dt
import io
import operator
import queue
import sys
import threading

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
        self.values_of = operator.itemgetter(*self.attnames) if len(self.attnames) > 1 else (
            lambda d, name=self.attnames[0]: (d[name],))
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
    stream = _stream.get()
    if stream is not None and stream.connection is connection:
        return stream.reserve(table, column, count)
    with connection.cursor() as cursor:
        return _nextvals(cursor, connection, table, column, count)


def _nextvals(cursor, connection, table: str, column: str, count: int) -> list[int]:
    cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                   [connection.ops.quote_name(table), column, count])
    return sorted(row[0] for row in cursor.fetchall())


def _copy(connection, table: str, columns: str, lines: io.StringIO) -> None:
    lines.seek(0)
    sql = f"COPY {connection.ops.quote_name(table)} ({columns}) FROM STDIN"
    stream = _stream.get()
    if stream is not None and stream.connection is connection:
        stream.copy(sql, lines)
        return
    with connection.cursor() as cursor:
        cursor.copy_expert(sql, lines)


_stream: contextvars.ContextVar[_Stream | None] = contextvars.ContextVar("interchange_copy_stream", default=None)


class _Stream:
    """COPYs sent by a thread of their own while the caller spells the next table's rows.

    An import's Python (reading each row's values and spelling them) and PostgreSQL's work (writing the rows, their
    indexes) took about as long as each other, one after the other. Here the caller hands each table's text over and
    goes on; the thread sends the COPYs in the order given, on the caller's connection, inside its transaction. The
    ids the caller needs next come from a second connection: a sequence is not transactional, so `nextval` there
    takes the same ids, in the same order, as it would in the transaction, without waiting for the COPYs ahead.
    """

    def __init__(self, connection):
        self.connection = connection
        self.queue: queue.Queue = queue.Queue(maxsize=4)  # a few tables' text in memory at most
        self.error: BaseException | None = None
        self.cancelled = False  # the caller failed: what is left is not sent
        self.ids = None
        self.thread = threading.Thread(target=self._run, name="interchange-copy", daemon=True)

    def _run(self) -> None:
        raw = self.connection.connection
        while True:
            item = self.queue.get()
            try:
                if item is None:
                    return
                if self.error is None and not self.cancelled:
                    sql, lines = item
                    try:
                        with self.connection.wrap_database_errors, raw.cursor() as cursor:
                            if lines is None:
                                cursor.execute(sql)
                            else:
                                cursor.copy_expert(sql, lines, size=1 << 18)
                    except BaseException as error:  # handed to the caller, which stops and rolls back
                        self.error = error
            finally:
                self.queue.task_done()

    def _raise(self) -> None:
        if self.error is not None:
            raise self.error

    def copy(self, sql: str, lines: io.StringIO) -> None:
        self._raise()
        self.queue.put((sql, lines))

    def check_constraints(self) -> None:
        """Check the deferred foreign keys of the rows sent so far now, in the thread, rather than all at the commit,
        where they took several seconds at 100,000 referrals with nothing else to do meanwhile. Every deferrable
        constraint of the schema is INITIALLY DEFERRED, so deferring them all again leaves the transaction as it
        was; a row that breaks one fails the import, as at the commit."""
        self._raise()
        self.queue.put(("SET CONSTRAINTS ALL IMMEDIATE; SET CONSTRAINTS ALL DEFERRED", None))

    def reserve(self, table: str, column: str, count: int) -> list[int]:
        self._raise()
        if self.ids is None:
            self.ids = self.connection.get_new_connection(self.connection.get_connection_params())
            self.ids.autocommit = True
        with self.connection.wrap_database_errors, self.ids.cursor() as cursor:
            return _nextvals(cursor, self.connection, table, column, count)

    def wait(self) -> None:
        """Until every COPY handed over has been sent (then the connection is the caller's alone again)."""
        self.queue.join()
        self._raise()

    def close(self) -> None:
        self.queue.put(None)
        self.thread.join()
        if self.ids is not None:
            self.ids.close()


@contextlib.contextmanager
def streaming(using: str = "default"):
    """Within it (and inside a transaction), copy_create's COPYs to `using` are sent by a thread of their own;
    on leaving, every one has been sent, and the first error, if any, is raised. Queries of the caller's own on
    that connection wait for their turn, so use wait() before reading rows written by copy_create."""
    connection = connections[using]
    if connection.vendor != "postgresql" or not connection.in_atomic_block:
        yield None
        return
    stream = _Stream(connection)
    stream.thread.start()
    token = _stream.set(stream)
    try:
        yield stream
        stream.wait()
    except BaseException:
        stream.cancelled = True
        raise
    finally:
        _stream.reset(token)
        stream.close()
        if stream.error is not None and sys.exc_info()[1] is not stream.error:
            raise stream.error


_specs: dict = {}
_NO_DEFAULT = object()
# Defaults that are the same value every time and cannot be changed in place: worked out once per model.
_IMMUTABLE = (type(None), str, int, float, bool, dt.date, dt.time, dt.timedelta)


def _constant_default(field):
    """The field's default if it is one immutable value (no callable default), else _NO_DEFAULT."""
    if field.has_default() and callable(field.default):
        return _NO_DEFAULT
    value = field.get_default()
    return value if type(value) in _IMMUTABLE else _NO_DEFAULT


def _spec(model):
    # Without pre_init or post_init receivers, Model.__init__ only sets each field's value on a new instance.
    plain_init = not (signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model))
    fields = model._meta.concrete_fields
    constants, computed = {}, []
    for f in fields:
        value = _constant_default(f)
        if value is _NO_DEFAULT:
            computed.append((f.attname, f.get_default))
        else:
            constants[f.attname] = value
    related = {f.name: f.attname for f in fields if f.is_relation}
    return plain_init, [f.attname for f in fields], frozenset(f.attname for f in fields), related, constants, computed


def build(model, **values):
    """A new instance of `model`, as `model(**values)` gives it, built the way Django builds a row read from the
    database (positional values, no descriptor or default look-up per field): several times quicker, which counts
    for hundreds of thousands of rows. `values` are by field name or, for a foreign key, its `_id` name."""
    spec = _specs.get(model)
    if spec is None:
        spec = _specs[model] = _spec(model)
    plain_init, order, attnames, related_names, constants, computed = spec
    args = constants.copy()
    for attname, default in computed:
        if attname not in values:
            args[attname] = default()
    related = []
    for key, value in values.items():
        if key in attnames:
            args[key] = value
        elif key in related_names:
            related.append((key, value))
            args[related_names[key]] = None
        else:
            raise TypeError(f"{model.__name__} has no field named {key}")
    if plain_init:
        obj = model.__new__(model)
        obj._state = ModelState()
        obj.__dict__.update(args)
    else:
        obj = model(*[args[attname] for attname in order])
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
        stream = _stream.get()
        if stream is not None and stream.connection is connection:
            stream.wait()  # the COPYs handed over first, then this insert, in order
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
    values_of = plan.values_of
    for obj in objs:
        if obj._state.__dict__.get("fields_cache"):
            # Only a related instance set on the row can be unsaved: with none cached, there is nothing to check.
            obj._prepare_related_fields_for_save(operation_name="bulk_create")
        for field in plan.pre_save:
            field.pre_save(obj, True)
        try:
            values = values_of(obj.__dict__)  # a new instance holds every column's value in its __dict__
        except KeyError:
            values = [getattr(obj, name) for name in attnames]
        texts = [convert(value) for convert, value in zip(converters, values)]
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
