"""Keyset (cursor) pagination: a page is "the rows after this key", so page 1,000 costs what page
1 costs and rows written meanwhile never shift a page. The cursor is opaque to clients: the
ordering's value and the id of the last row, base64-encoded."""

import base64
import datetime
import json

from django.db.models import Q
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from ninja.errors import HttpError

DEFAULT_LIMIT = 100
MAX_LIMIT = 500

# Orderings every list offers: by id (stable, the default) and by time of change (for sync).
ORDERINGS = ("id", "-id", "updated_at", "-updated_at")


class BadCursor(HttpError):
    def __init__(self):
        super().__init__(400, _("The cursor is invalid; start again without one."))


def _encode(value, pk: int) -> str:
    if isinstance(value, datetime.datetime):
        value = value.isoformat()
    raw = json.dumps([value, pk], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str, field: str):
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value, pk = json.loads(raw)
        pk = int(pk)
        if field == "updated_at":
            value = parse_datetime(value)
            if value is None:
                raise ValueError
        else:
            value = int(value)
    except (ValueError, TypeError, json.JSONDecodeError):
        raise BadCursor from None
    return value, pk


def paginate(queryset, *, ordering: str, cursor: str | None, limit: int):
    """(rows of this page, cursor of the next page or None)."""
    field = ordering.lstrip("-")
    descending = ordering.startswith("-")
    if cursor:
        value, pk = _decode(cursor, field)
        if field == "id":
            queryset = queryset.filter(pk__lt=pk) if descending else queryset.filter(pk__gt=pk)
        elif descending:
            queryset = queryset.filter(Q(updated_at__lt=value) | Q(updated_at=value, pk__lt=pk))
        else:
            queryset = queryset.filter(Q(updated_at__gt=value) | Q(updated_at=value, pk__gt=pk))
    if field == "id":
        queryset = queryset.order_by(ordering)
    else:
        queryset = queryset.order_by(ordering, "-pk" if descending else "pk")
    rows = list(queryset[: limit + 1])
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = _encode(getattr(last, field), last.pk)
    return rows, next_cursor


def changes_page(queryset, *, archived, archived_time, updated_since, ordering, cursor, limit) -> dict:
    """One page of a list. With ``updated_since``: every row changed since then, in the order of
    change; rows archived meanwhile come as tombstones (id and time of archiving) instead of
    items, so a client keeping a copy drops them. Without it: the live rows only.

    ``archived`` is the Q of archived rows; ``archived_time(row)`` the time a row was archived,
    None for a live row."""
    if updated_since is not None:
        queryset = queryset.filter(updated_at__gt=updated_since)
        ordering = "updated_at"
    else:
        queryset = queryset.exclude(archived)
    rows, next_cursor = paginate(queryset, ordering=ordering, cursor=cursor, limit=limit)
    items, tombstones = [], []
    for row in rows:
        moment = archived_time(row) if updated_since is not None else None
        if moment is not None:
            tombstones.append({"id": row.pk, "archived_at": moment})
        else:
            items.append(row)
    return {"items": items, "tombstones": tombstones, "next_cursor": next_cursor}
