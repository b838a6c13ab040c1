"""Many rows written in one statement built from arrays, without a model instance each (a sweep's batch).

`rows_insert` sends `INSERT INTO <table> (...) SELECT ... FROM unnest(%s::type[], ...)`: one parameter per column
whatever the number of rows, each an array literal (array_literal), so the statement is the same for 5 rows or
500, PostgreSQL parses one value per column, and Python builds no model instances (bulk_create's instances and its
`VALUES (%s, ...)` per row were most of the sweep's own CPU). The caller gives every column that has no database
default: it bypasses the models' defaults, `save()` and signals, so it is for plain rows whose fields the caller
spells out (notices, deliveries, outbox messages). `ids_in` is `pk__in` for a batch's ids, sent the same way.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import F, Lookup, Q, Value


def rows_insert(table: str, columns: dict[str, tuple[str, list]], *, constants: dict[str, object] | None = None,
                conflict: str = "", returning: str = "") -> list[tuple]:
    """Insert one row per position of the columns' lists. `columns` maps a column to (its SQL type, its values);
    `constants` a column to one value for every row. `conflict` is the ON CONFLICT target (e.g. "(key)"): a row
    that conflicts is skipped (DO NOTHING), as bulk_create(ignore_conflicts=True) skips it. Returns the rows of
    `returning` (e.g. "key, id") for the rows inserted now, or []."""
    constants = constants or {}
    quote = connection.ops.quote_name
    names = ", ".join(quote(name) for name in [*columns, *constants])
    arrays = ", ".join(f"%s::{kind}[]" for kind, _ in columns.values())
    select = ", ".join(["u.*", *(["%s"] * len(constants))])
    sql = f"INSERT INTO {quote(table)} ({names}) SELECT {select} FROM unnest({arrays}) AS u"
    if conflict:
        sql += f" ON CONFLICT {conflict} DO NOTHING"
    if returning:
        sql += f" RETURNING {returning}"
    with connection.cursor() as cursor:
        cursor.execute(sql, [*constants.values(), *(array_literal(values) for _, values in columns.values())])
        return cursor.fetchall() if returning else []


def array_literal(values) -> str:
    """A PostgreSQL array literal (``{"a","b",NULL}``) of plain values (text, numbers, booleans, None), to send as
    ONE parameter cast to the column's array type (``%s::varchar[]``). A Python list would be sent as
    ``ARRAY['a','b',...]``, an expression of one constant per value that psycopg2 quotes and PostgreSQL parses one
    by one: at 500 rows of seven columns that was half the time of a sweep's insert (issue 19)."""
    return "{" + ",".join(map(_element, values)) + "}"


def _element(value) -> str:
    if value is None:
        return "NULL"
    if value is True or value is False:
        return "t" if value else "f"
    if type(value) is int:
        return str(value)
    # Quoted, with the two characters that are special inside quotes escaped: anything else stands as it is.
    text = value if type(value) is str else str(value)
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


class EqualsAnyId(Lookup):
    lookup_name = "equals_any_id"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = compiler.compile(self.rhs)
        return f"{lhs} = ANY({rhs}::bigint[])", (*lhs_params, *rhs_params)


def ids_in(column: str, ids) -> Q:
    """``column = ANY('{1,2,...}'::bigint[])``: `pk__in` for a batch of ids (a sweep's 500), sent as ONE array
    literal. `pk__in` sends a parameter per id, which psycopg2 writes into the statement and PostgreSQL parses one
    by one: twice the time of the read or update itself at 500 ids (issue 19)."""
    return Q(EqualsAnyId(F(column), Value(array_literal(int(pk) for pk in ids))))
