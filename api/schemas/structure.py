import datetime

from ninja import Schema

from .common import Tombstone


def _version(obj) -> str:
    from hazards.services import version_token

    return version_token(obj.updated_at)


class UnitOut(Schema):
    """A structural unit (shop, section, team), nested through ``parent_id``."""

    id: int
    enterprise_id: int
    parent_id: int | None
    name: str
    kind: str
    archived_at: datetime.datetime | None
    updated_at: datetime.datetime
    version: str

    @staticmethod
    def resolve_version(obj) -> str:
        return _version(obj)


class UnitPage(Schema):
    items: list[UnitOut]
    tombstones: list[Tombstone]
    next_cursor: str | None


class SoutFactorOut(Schema):
    factor: str
    sout_class: str


class WorkplaceOut(Schema):
    """A workplace as on its SOUT card, with the classes of its factors."""

    id: int
    enterprise_id: int
    department_id: int
    number: str
    position: str
    okpdtr_code: str
    job_function: str
    equipment: str
    headcount_total: int
    headcount_women: int
    headcount_under_18: int
    headcount_disabled: int
    sout_card_number: str
    sout_class: str
    sout_date: datetime.date | None
    sout_factors: list[SoutFactorOut]
    archived_at: datetime.datetime | None
    updated_at: datetime.datetime
    version: str

    @staticmethod
    def resolve_sout_factors(obj) -> list:
        return list(obj.sout_factors.all())

    @staticmethod
    def resolve_version(obj) -> str:
        return _version(obj)


class WorkplacePage(Schema):
    items: list[WorkplaceOut]
    tombstones: list[Tombstone]
    next_cursor: str | None


class WorkerOut(Schema):
    """Personal data (152-FZ): only the enterprise's officers and managers get it."""

    id: int
    surname: str
    first_name: str
    patronymic: str
    personnel_number: str
    position: str
    employed_from: datetime.date | None
    employed_to: datetime.date | None
    updated_at: datetime.datetime


class WorkerPage(Schema):
    items: list[WorkerOut]
    tombstones: list[Tombstone]
    next_cursor: str | None
