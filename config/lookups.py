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
    by one: twice the time of the read or update itself at 500 ids (issue 19). (outbox.bulk.array_literal does the
    same for text.)"""
    return Q(EqualsAnyId(F(column), Value("{" + ",".join(str(int(pk)) for pk in ids) + "}")))

