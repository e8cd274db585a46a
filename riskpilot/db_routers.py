"""Database routing for a read replica (settings: DATABASE_REPLICA_URL).

The dashboards read from the replica: their figures come from roll-ups refreshed every few
minutes, so a replica a few seconds behind shows the same page. A view opts in with
``@replica_reads``; inside it every read goes to the replica (one database per query: Django
refuses subqueries that span two). Everywhere else — the register, what an officer has just saved
and expects to see — reads the primary, and every write and migration goes to the primary."""

import functools
from contextvars import ContextVar

_reading_replica = ContextVar("reading_replica", default=False)


def replica_reads(view):
    """Serve this read-only view from the replica, when one is configured."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        token = _reading_replica.set(True)
        try:
            return view(*args, **kwargs)
        finally:
            _reading_replica.reset(token)

    return wrapped


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        return "replica" if _reading_replica.get() else "default"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # both aliases hold the same database

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
