"""Keyset (cursor) pagination: a page is "the rows after this key", so page 1,000 costs what page
1 costs and rows written meanwhile never shift a page. An ordering is a list of sort keys ending
with the id, so that every row has one place; the cursor is opaque to clients: the ordering's
name and the keys of the last row, base64-encoded, checked when it comes back."""

import base64
import datetime
import json
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import F, Q
from django.utils.translation import gettext as _
from ninja.errors import HttpError

DEFAULT_LIMIT = 100
MAX_LIMIT = 500
_BIGINT = 2**63


@dataclass(frozen=True)
class Key:
    """One sort key: a field or an expression (never NULL: wrap nullable ones in Coalesce, so
    that "after this value" is a plain comparison)."""

    expression: object
    descending: bool = False


def keys_by(field: str, descending: bool = False) -> list[Key]:
    """A field, then the id, both in the same direction."""
    keys = [Key(F(field), descending)] if field != "id" else []
    return [*keys, Key(F("id"), descending)]


# Orderings every list offers: by id (stable, the default) and by time of change (for sync).
ORDERINGS = {
    "id": keys_by("id"),
    "-id": keys_by("id", descending=True),
    "updated_at": keys_by("updated_at"),
    "-updated_at": keys_by("updated_at", descending=True),
}


class BadCursor(HttpError):
    def __init__(self):
        super().__init__(400, _("The cursor is invalid; start again without one."))


def _plain(value):
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return value


def _encode(ordering: str, values: list) -> str:
    raw = json.dumps([ordering, *map(_plain, values)], separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str, ordering: str, count: int) -> list:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        name, *values = json.loads(raw)
    except (ValueError, TypeError):
        raise BadCursor from None
    # A cursor of another ordering, or values no column holds (PostgreSQL would refuse them
    # only when the query runs).
    if name != ordering or len(values) != count:
        raise BadCursor
    for value in values:
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise BadCursor
        if isinstance(value, int) and not -_BIGINT <= value < _BIGINT:
            raise BadCursor
        if isinstance(value, str) and ("\x00" in value or len(value) > 300):
            raise BadCursor
    return values


def _after(names: list[str], keys: list[Key], values: list) -> Q:
    """Rows after ``values`` in the order of ``keys``: (k1 beyond v1) or (k1 = v1 and k2 beyond
    v2) or …"""
    after = Q(pk__in=[])
    equal = Q()
    for name, key, value in zip(names, keys, values, strict=True):
        after |= equal & Q(**{f"{name}__{'lt' if key.descending else 'gt'}": value})
        equal &= Q(**{name: value})
    return after


def paginate(queryset, *, ordering: str, cursor: str | None, limit: int, orderings: dict | None = None):
    """(rows of this page, cursor of the next page or None)."""
    keys = (orderings or ORDERINGS)[ordering]
    names = [f"page_key_{index}" for index in range(len(keys))]
    queryset = queryset.annotate(**{name: key.expression for name, key in zip(names, keys, strict=True)})
    if cursor:
        values = _decode(cursor, ordering, len(keys))
        try:
            queryset = queryset.filter(_after(names, keys, values))
        except (ValueError, TypeError, ValidationError):
            # A value the key's column cannot hold (a word for a number, a bad date).
            raise BadCursor from None
    queryset = queryset.order_by(*(f"-{n}" if k.descending else n for n, k in zip(names, keys, strict=True)))
    rows = list(queryset[: limit + 1])
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = _encode(ordering, [getattr(rows[-1], name) for name in names])
    return rows, next_cursor


# The ordering of the deletions' pages, which follow the changed rows of an ``updated_since`` pull.
DELETIONS = "deleted"
_DELETION_KEYS = {DELETIONS: [Key(F("deleted_at")), Key(F("id"))]}


def _ordering_of(cursor: str) -> str | None:
    """The ordering a cursor names (None for one that is not ours: paginate refuses it)."""
    try:
        name = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))[0]
    except (ValueError, TypeError, IndexError, KeyError):
        return None
    return name if isinstance(name, str) else None


def _deletions_page(deleted, *, cursor: str, limit: int) -> tuple[list[dict], str | None]:
    rows, next_cursor = paginate(
        deleted, ordering=DELETIONS, cursor=cursor, limit=limit, orderings=_DELETION_KEYS
    )
    return [
        {"id": row.object_id, "archived_at": row.deleted_at, "deleted": True} for row in rows
    ], next_cursor


def changes_page(
    queryset,
    params,
    *,
    archived=None,
    archived_time=None,
    orderings=None,
    deleted=None,
    enterprise_path: str = "enterprise",
) -> dict:
    """One page of a list, as ``params`` (a schemas.paging.PageQuery) ask: ``limit``, ``cursor``,
    ``ordering``, ``updated_since``. With ``updated_since``: every row changed since then, in the order of
    change; rows archived meanwhile come as tombstones (id and time of archiving) instead of
    items, so a client keeping a copy drops them. Without it: the live rows only.

    ``archived`` is the Q of archived rows (None: the rows are never archived);
    ``archived_time(row)`` the time a row was archived, None for a live row. ``deleted``: the rows
    of this list deleted outright that the caller may see (api.tombstones.deletions); with
    ``updated_since`` those deleted since follow the changed rows, paged like them, as tombstones
    marked ``deleted``. A restore re-creates the rows it deleted under new ids but with the times
    of change of the export, so the rows of an enterprise restored since (``enterprise_path`` leads
    to it) count as changed whatever their updated_at."""
    updated_since, cursor, limit = params.updated_since, params.cursor, params.limit
    if updated_since is None:
        if archived is not None:
            queryset = queryset.exclude(archived)
        rows, next_cursor = paginate(
            queryset, ordering=params.ordering, cursor=cursor, limit=limit, orderings=orderings
        )
        return {"items": rows, "tombstones": [], "next_cursor": next_cursor}

    gone = deleted.filter(deleted_at__gt=updated_since) if deleted is not None else None
    if gone is not None and cursor and _ordering_of(cursor) == DELETIONS:
        tombstones, next_cursor = _deletions_page(gone, cursor=cursor, limit=limit)
        return {"items": [], "tombstones": tombstones, "next_cursor": next_cursor}

    changed = Q(updated_at__gt=updated_since)
    if gone is not None:
        changed |= Q(**{f"{enterprise_path}_id__in": gone.values("enterprise_id")})
    rows, next_cursor = paginate(queryset.filter(changed), ordering="updated_at", cursor=cursor, limit=limit)
    items, tombstones = [], []
    for row in rows:
        moment = archived_time(row) if archived_time is not None else None
        if moment is not None:
            tombstones.append({"id": row.pk, "archived_at": moment, "deleted": False})
        else:
            items.append(row)
    if next_cursor is None and gone is not None:
        # The changed rows are done: the deletions fill the rest of this page, then pages of their
        # own. Every deletion is after the moment, so a cursor at it starts with the first.
        start = _encode(DELETIONS, [updated_since.isoformat(), 0])
        if len(rows) < limit:
            more, next_cursor = _deletions_page(gone, cursor=start, limit=limit - len(rows))
            tombstones += more
        elif gone.exists():
            next_cursor = start
    return {"items": items, "tombstones": tombstones, "next_cursor": next_cursor}
