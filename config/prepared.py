"""A read that every page makes, compiled to SQL once per process and run again with other values.

The ORM builds and compiles a queryset afresh each time it runs: some 0.3 ms of CPU even for a read of one
row from one table, which is most of what the read costs. The few reads that every signed-in page makes (a
person's memberships for their standing, their unread notifications for the navigation) are the same SQL
each time with one value changed, so they are written here as the queryset they are, compiled once, and
run with the new value in the place of a stand-in (a value no real row has)::

    MEMBERSHIPS = Prepared(lambda user_id: Membership.objects.filter(user_id=user_id).values_list("role"))
    MEMBERSHIPS.rows(user.pk)   # [("lado_officer",), ...], as list(queryset) would give (as tuples)

Only querysets whose rows are plain values (values_list) and whose stand-ins reach the SQL as parameters
(compared values do) can be prepared; anything else is refused when it is first compiled.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connections, router
from django.db.models import Expression, IntegerField, QuerySet
from django.db.models.sql import Query

# Stand-ins: integers no primary key reaches, one per value the query takes.
_STAND_INS = (-914_207_331_845, -914_207_331_846, -914_207_331_847)


class Prepared:
    def __init__(self, build: Callable[..., QuerySet]):
        self.build = build
        self._compiled: tuple | None = None

    def rows(self, *values: Any) -> list[tuple]:
        model, sql, positions, params, converters = self._compiled or self._compile()
        params = list(params)
        for position, value in zip(positions, values, strict=True):
            params[position] = value
        # The database the ORM would read it from (config.replica.ReplicaRouter decides).
        connection = connections[router.db_for_read(model)]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if converters:  # as the ORM's compiler applies them (SQLCompiler.apply_converters)
            rows = [list(row) for row in rows]
            for row in rows:
                for position, (functions, expression) in converters.items():
                    for function in functions:
                        row[position] = function(row[position], expression, connection)
            rows = [tuple(row) for row in rows]
        return rows

    def _compile(self) -> tuple:
        stand_ins = _STAND_INS[: self.build.__code__.co_argcount]
        queryset = self.build(*stand_ins)
        if queryset._iterable_class.__name__ != "ValuesListIterable" or queryset._db:
            raise ValueError("Only values_list() querysets, read where the router says, can be prepared")
        compiler = queryset.query.get_compiler(using=router.db_for_read(queryset.model))
        sql, params = compiler.as_sql()
        positions = []
        for stand_in in stand_ins:
            found = [i for i, p in enumerate(params) if p == stand_in]
            if len(found) != 1:
                raise ValueError(f"{sql!r}: a stand-in is not one parameter of the query")
            positions.append(found[0])
        converters = compiler.get_converters([expression for expression, _, _ in compiler.select])
        self._compiled = (queryset.model, sql, positions, tuple(params), converters)
        return self._compiled


class KeptSubquery(Expression):
    """A subquery of ids for ``field__in=`` filters whose SQL is the same on every request, compiled once per process
    (and database) instead of each time a query that filters by it is compiled.

    For the subqueries that need-to-know builds from a person's id or their groups' ids and nothing read from the
    database (allegations.querysets.hidden_referral_ids, the shared cases and meetings): the rule is still the ORM
    queryset its module builds, and its rows are still read afresh by every query that uses it; only its SQL text is
    kept. Compiling it was about a fifth of a millisecond each time, two or three times on a page (issue 19). It is
    compiled as a subquery of a query of its own model, so its aliases are those Django gives it inside most pages'
    queries; it refers to nothing outside itself, so no alias of the query around it can clash with its own.
    """

    def __init__(self, queryset: QuerySet):
        super().__init__(output_field=IntegerField())
        self.queryset = queryset
        self._compiled: dict[str, tuple[str, tuple]] = {}

    def resolve_expression(self, *args, **kwargs):
        return self  # nothing in it refers to the query it is put in

    def as_sql(self, compiler, connection):
        compiled = self._compiled.get(connection.alias)
        if compiled is None:
            query = self.queryset.query.chain()
            query.clear_ordering(clear_default=True)  # as an __in= lookup does with a queryset
            query = query.resolve_expression(Query(self.queryset.model))
            sql, params = query.as_sql(query.get_compiler(connection=connection), connection)
            compiled = self._compiled[connection.alias] = (sql, tuple(params))
        return compiled
