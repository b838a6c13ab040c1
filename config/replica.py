"""Reports and figures may read from a read-only replica of the database (issue 19 §7: scale out).

With DATABASE_REPLICA_URL set, settings add a second database alias, "replica". Code that only reads and can
bear a few seconds' lag (the figures, the annual report, the dashboard) runs inside `replica_reads()` (or a view
decorated with `@reads_from_replica`), and ReplicaRouter sends its reads there. Everything else reads from the
primary, and every write goes to the primary whatever the context: a replica is never written to, never
migrated, and not read inside a transaction on the primary (which may have just written what it would read).
Without DATABASE_REPLICA_URL nothing changes: the router answers None and Django uses "default".
"""

from __future__ import annotations

import contextvars
import functools
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"

_reading_from_replica: contextvars.ContextVar[bool] = contextvars.ContextVar("reading_from_replica", default=False)


def replica_configured() -> bool:
    return REPLICA in connections.settings


@contextmanager
def replica_reads():
    """Reads inside this block go to the replica when there is one."""
    token = _reading_from_replica.set(True)
    try:
        yield
    finally:
        _reading_from_replica.reset(token)


def reads_from_replica(view):
    """A read-only view (a report, figures) whose queries, template included, read from the replica."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        with replica_reads():
            return view(request, *args, **kwargs)

    wrapped.reads_from_replica = True  # carried up by functools.wraps of the decorators above it
    return wrapped


class ReplicaRouter:
    """DATABASE_ROUTERS: reads in replica_reads() to the replica, everything else to the primary."""

    def db_for_read(self, model, **hints):
        if (_reading_from_replica.get() and replica_configured()
                and not connections[DEFAULT_DB_ALIAS].in_atomic_block):
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the same rows as the primary: an object read from either may point to the other's.
        return {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPLICA, None}

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS  # the replica follows the primary's schema by replication
