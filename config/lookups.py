"""``column = ANY(ARRAY(subquery))``: a subquery's ids as an array PostgreSQL works out first.

Unlike ``IN (subquery)``, PostgreSQL can OR it with other indexed conditions (a BitmapOr of index scans)
instead of testing every row, and it reads the rows the array names through their index rather than
hashing the subquery and scanning everything else against it.
"""

from __future__ import annotations

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import F, Lookup, Q


class EqualsAny(Lookup):
    lookup_name = "equals_any"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = compiler.compile(self.rhs)
        return f"{lhs} = ANY({rhs})", (*lhs_params, *rhs_params)


def any_of(column: str, subquery) -> Q:
    """``column = ANY(ARRAY(subquery))`` as a condition; ``subquery`` gives one column."""
    return Q(EqualsAny(F(column), ArraySubquery(subquery)))
