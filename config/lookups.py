"""Conditions on many values at once, as PostgreSQL arrays.

``column = ANY(ARRAY(subquery))``: a subquery's ids as an array PostgreSQL works out first. Unlike ``IN (subquery)``, PostgreSQL can OR it with other indexed conditions (a BitmapOr of index scans)
instead of testing every row, and it reads the rows the array names through their index rather than
hashing the subquery and scanning everything else against it.
"""

from __future__ import annotations

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import F, Lookup, Q, Value


class EqualsAny(Lookup):
    lookup_name = "equals_any"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = compiler.compile(self.rhs)
        return f"{lhs} = ANY({rhs})", (*lhs_params, *rhs_params)


class EqualsAnyId(Lookup):
    lookup_name = "equals_any_id"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = compiler.compile(self.rhs)
        return f"{lhs} = ANY({rhs}::bigint[])", (*lhs_params, *rhs_params)


def any_of(column: str, subquery) -> Q:
    """``column = ANY(ARRAY(subquery))`` as a condition; ``subquery`` gives one column."""
    return Q(EqualsAny(F(column), ArraySubquery(subquery)))


def ids_in(column: str, ids) -> Q:
    """``column = ANY('{1,2,...}'::bigint[])``: `pk__in` for a batch of ids (a sweep's 500), sent as ONE array
    literal. `pk__in` sends a parameter per id, which psycopg2 writes into the statement and PostgreSQL parses one
    by one: twice the time of the read or update itself at 500 ids (issue 19)."""
    return Q(EqualsAnyId(F(column), Value(array_literal(int(pk) for pk in ids))))


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
    if isinstance(value, int):
        return str(value)
    # Quoted, with the two characters that are special inside quotes escaped: anything else stands as it is.
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'
