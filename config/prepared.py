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

from django.core.exceptions import EmptyResultSet
from django.db import connections, router
from django.db.models import Expression, IntegerField, Model, QuerySet
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
        return _converted(rows, converters, connection)

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


def _converted(rows: list, converters: dict, connection) -> list[tuple]:
    """The rows with the database's converters applied, as the ORM's compiler applies them
    (SQLCompiler.apply_converters), as tuples."""
    if not converters:
        return rows
    rows = [list(row) for row in rows]
    for row in rows:
        for position, (functions, expression) in converters.items():
            for function in functions:
                row[position] = function(row[position], expression, connection)
    return [tuple(row) for row in rows]


class KeptReads:
    """Reads whose SQL is kept per key, once compiled from their queryset: a list page's rows and its count.

    A list's page is one queryset built from what its request asks (the person's need-to-know filter, the list's
    filters, its order, its page), and compiling it is most of the cost of reading it (issue 19: about 1.5 ms of the
    triage queue's Python, its count and its page). The caller gives a key holding *everything the SQL is made
    from*, and a function that builds the queryset, called only when nothing is kept for that key: on the next
    request with the same key the same SQL runs with the same parameters, and its rows are read afresh. Only SQL
    is kept, never a row: what the database holds (a restriction made, a referral closed) shows at once.

    The key must change whenever the SQL would: a caller keys by the person, the ids need-to-know filters by, each
    filter's value and the page (tests/allegations/test_kept_reads.py compares the kept SQL with the SQL the ORM
    writes, and two people's and two filters' reads). The database is part of each key. At most ``maxsize``
    reads are kept; when full it starts again."""

    def __init__(self, model: type[Model], maxsize: int = 512):
        self.model = model  # whose reads these are (the router places them by it)
        self.maxsize = maxsize
        self._kept: dict[tuple, tuple] = {}

    def rows(self, key: tuple, build: Callable[[], QuerySet]) -> list[tuple]:
        """The rows of ``build()``, a values_list() queryset (its slice included), as tuples."""
        alias, kept = self._kept_for("rows", key)
        if kept is None:
            queryset = build()
            alias = self._alias(queryset)
            if queryset._iterable_class.__name__ != "ValuesListIterable":
                raise ValueError("Only values_list() querysets' rows can be kept")
            compiler = queryset.query.get_compiler(using=alias)
            try:
                sql, params = compiler.as_sql()
            except EmptyResultSet:  # nothing to ask (an empty page): no query, as the ORM does
                return []
            if compiler.has_extra_select:  # columns only for the order (Django trims them): not kept
                return list(queryset)
            converters = compiler.get_converters([expression for expression, _, _ in compiler.select])
            kept = self._keep("rows", key, alias, (sql, tuple(params), converters))
        sql, params, converters = kept
        connection = connections[alias]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        return _converted(rows, converters, connection)

    def count(self, key: tuple, build: Callable[[], QuerySet]) -> int:
        """``build().count()``: the SQL Django writes for it (read as it runs, the first time), kept."""
        alias, kept = self._kept_for("count", key)
        if kept is None:
            queryset = build()
            alias = self._alias(queryset)
            written = []

            def note(execute, sql, params, many, context):
                written.append((sql, params))
                return execute(sql, params, many, context)

            with connections[alias].execute_wrapper(note):
                count = queryset.count()
            if len(written) == 1:  # (none when Django knows the answer without asking: an empty IN)
                self._keep("count", key, alias, (written[0][0], tuple(written[0][1])))
            return count
        sql, params = kept
        with connections[alias].cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()[0]

    def forget(self) -> None:
        self._kept.clear()

    def _alias(self, queryset: QuerySet) -> str:
        if queryset._db or queryset.model is not self.model:
            raise ValueError(f"Only reads of {self.model.__name__} that the router places can be kept here")
        return router.db_for_read(self.model)

    def _kept_for(self, kind: str, key: tuple) -> tuple[str, tuple | None]:
        """The database the router reads from now, and what is kept for the key there."""
        alias = router.db_for_read(self.model)
        return alias, self._kept.get((kind, alias, key))

    def _keep(self, kind: str, key: tuple, alias: str, compiled: tuple) -> tuple:
        if len(self._kept) >= self.maxsize:
            self._kept.clear()
        self._kept[(kind, alias, key)] = compiled
        return compiled


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
