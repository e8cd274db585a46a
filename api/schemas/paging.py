import datetime
from typing import Annotated, Literal

from django.utils import timezone
from ninja import Schema
from pydantic import AfterValidator, Field

from ..pagination import DEFAULT_LIMIT, MAX_LIMIT
from .common import text


def _in_utc(moment: datetime.datetime) -> datetime.datetime:
    """Any offset the ISO format allows, in UTC (PostgreSQL refuses offsets past ±15:59); a time
    without an offset is RiskPilot's local time."""
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    try:
        return moment.astimezone(datetime.UTC)
    except (OverflowError, ValueError):
        raise ValueError("out of range") from None


class PageQuery(Schema):
    """Paging and sync parameters every list takes."""

    cursor: text(200) | None = Field(
        None, description="next_cursor of the previous page; absent for the first page."
    )
    limit: Annotated[int, Field(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT
    ordering: Literal["id", "-id", "updated_at", "-updated_at"] = "id"
    updated_since: Annotated[datetime.datetime, AfterValidator(_in_utc)] | None = Field(
        None,
        description=(
            "Only rows changed after this moment, oldest change first (ordering is ignored); rows "
            "archived since come as tombstones, and rows deleted since (a restored register "
            "export) as tombstones marked deleted, after the changed rows and paged like them."
        ),
    )
