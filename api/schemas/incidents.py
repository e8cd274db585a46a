import datetime

from ninja import Schema

from .common import Tombstone


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
    updated_at: datetime.datetime

    @staticmethod
    def resolve_hazard_ids(obj) -> list[int]:
        return [hazard.pk for hazard in obj.hazards.all()]

    @staticmethod
    def resolve_victims(obj) -> list:
        return list(obj.victims.all())


class IncidentPage(Schema):
    items: list[IncidentOut]
    tombstones: list[Tombstone]
    next_cursor: str | None
