"""Optimistic locking's version token, shared by every app whose forms change existing objects.

A form that changes an existing object carries the version it was loaded at (the object's
updated_at, in microseconds since the epoch: exact on SQLite and PostgreSQL alike). The service
compares it with the row it has locked, so a second person's save never silently replaces the
first's: no new column, and every service that saves already moves updated_at."""

import datetime

_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


def version_token(moment: datetime.datetime | None) -> str:
    """The version of an object as a form carries it."""
    if moment is None:
        return ""
    return str((moment - _EPOCH) // datetime.timedelta(microseconds=1))
