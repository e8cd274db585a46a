import datetime
from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field

from ..pagination import DEFAULT_LIMIT, MAX_LIMIT
from .common import text


class PageQuery(Schema):
    """Paging and sync parameters every list takes."""

    cursor: text(200) | None = Field(
        None, description="next_cursor of the previous page; absent for the first page."
    )
    limit: Annotated[int, Field(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT
    ordering: Literal["id", "-id", "updated_at", "-updated_at"] = "id"
    updated_since: datetime.datetime | None = Field(
        None,
        description=(
            "Only rows changed after this moment, oldest change first (ordering is ignored); rows "
            "archived since come as tombstones."
        ),
    )
