import datetime
from typing import Annotated

from ninja import Schema
from pydantic import Field

from assessments.models import IncidentKind, VictimOutcome

from .common import Tombstone, text

AnId = Annotated[int, Field(ge=1, le=2**63 - 1)]


class VictimOut(Schema):
    """No names: the register keeps no personal data of the victims."""

    outcome: str
    days_lost: int | None
    position: str


class IncidentOut(Schema):
    id: int
    enterprise_id: int
    workplace_id: int
    kind: str
    occurred_at: datetime.datetime
    description: str
    event_id: int | None
    hazard_ids: list[int]
    act_number: str
    victims: list[VictimOut]
    archived_at: datetime.datetime | None
    cancel_reason: str
    updated_at: datetime.datetime
    version: str

    @staticmethod
    def resolve_hazard_ids(obj) -> list[int]:
        return [hazard.pk for hazard in obj.hazards.all()]

    @staticmethod
    def resolve_victims(obj) -> list:
        return list(obj.victims.all())

    @staticmethod
    def resolve_version(obj) -> str:
        from hazards.services import version_token

        return version_token(obj.updated_at)


class IncidentPage(Schema):
    items: list[IncidentOut]
    tombstones: list[Tombstone]
    next_cursor: str | None


class VictimIn(Schema):
    """One victim of an accident: the outcome (Order 223n) and days of incapacity, no name."""

    outcome: VictimOutcome
    days_lost: Annotated[int, Field(ge=0, le=100_000)] = 0
    position: text(200) = ""


class IncidentIn(Schema):
    """What is recorded of an incident, checked as the page's form checks it: not in the future,
    a near miss names its event, victims for an accident only, register rows of the workplace."""

    workplace_id: AnId
    kind: IncidentKind
    occurred_at: datetime.datetime
    description: text(4000, min_length=1)
    event_id: AnId | None = None
    hazard_ids: Annotated[list[AnId], Field(max_length=100)] = Field(default_factory=list)
    act_number: text(50) = ""
    victims: Annotated[list[VictimIn], Field(max_length=100)] = Field(default_factory=list)


class IncidentCancelIn(Schema):
    reason: text(2000, min_length=1)
