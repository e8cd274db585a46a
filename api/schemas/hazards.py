import datetime
from typing import Annotated

from ninja import Schema
from pydantic import Field

from hazards.models import Activity

from .common import Tombstone, text


class HazardOut(Schema):
    id: int
    enterprise_id: int
    workplace_id: int
    workplace_number: str
    event_id: int
    event_code: str
    source: str
    activity: str
    object_description: str
    existing_controls: str
    exposed_description: str
    exposed_count: int
    identified_on: datetime.date
    status: str
    next_review_on: datetime.date | None
    needs_reassessment: bool
    risk_level: int | None
    residual_level: int | None
    updated_at: datetime.datetime
    version: str

    @staticmethod
    def resolve_workplace_number(obj) -> str:
        return obj.workplace.number

    @staticmethod
    def resolve_event_code(obj) -> str:
        return obj.event.code

    @staticmethod
    def resolve_version(obj) -> str:
        from hazards.services import version_token

        return version_token(obj.updated_at)


class HazardFields(Schema):
    """The fields of a register row that the list's ``fields`` parameter chose."""

    id: int
    enterprise_id: int = None
    workplace_id: int = None
    workplace_number: str = None
    event_id: int = None
    event_code: str = None
    source: str = None
    activity: str = None
    object_description: str = None
    existing_controls: str = None
    exposed_description: str = None
    exposed_count: int = None
    identified_on: datetime.date = None
    status: str = None
    next_review_on: datetime.date | None = None
    needs_reassessment: bool = None
    risk_level: int | None = None
    residual_level: int | None = None
    updated_at: datetime.datetime = None
    version: str = None


class HazardPage(Schema):
    # Whole items are tried first and kept when they match: no second validation per row.
    items: list[Annotated[HazardOut | HazardFields, Field(union_mode="left_to_right")]]
    tombstones: list[Tombstone]
    next_cursor: str | None


class HazardDescription(Schema):
    """What an officer describes about a register row (hazards.services.DESCRIPTION_FIELDS)."""

    source: text(10000, min_length=1)
    activity: Activity = Activity.ROUTINE
    object_description: text(500) = ""
    existing_controls: text(10000) = ""
    exposed_description: text(300) = ""
    exposed_count: Annotated[int, Field(ge=0, le=2147483647)] = 1
    next_review_on: datetime.date | None = None


class HazardIn(HazardDescription):
    workplace_id: Annotated[int, Field(ge=1, le=2**63 - 1)]
    event_id: Annotated[int, Field(ge=1, le=2**63 - 1)]


class HazardBulkIn(Schema):
    rows: Annotated[list[HazardIn], Field(min_length=1, max_length=100)]


class HazardBulkOut(Schema):
    items: list[HazardOut]
