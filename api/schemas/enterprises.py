import datetime

from ninja import Schema

from .common import Tombstone


class RegionOut(Schema):
    code: str
    name_ru: str
    name_en: str
    federal_district: str
    updated_at: datetime.datetime


class RegionPage(Schema):
    items: list[RegionOut]
    tombstones: list[Tombstone]
    next_cursor: str | None


class EnterpriseOut(Schema):
    id: int
    short_name: str
    full_name: str
    inn: str
    ogrn: str
    okved: str
    insurance_class: int | None
    region: str
    address: str
    joined_pilot_on: datetime.date | None
    archived_at: datetime.datetime | None
    updated_at: datetime.datetime
    version: str

    @staticmethod
    def resolve_region(obj) -> str:
        return obj.region.code

    @staticmethod
    def resolve_version(obj) -> str:
        from hazards.services import version_token

        return version_token(obj.updated_at)


class EnterprisePage(Schema):
    items: list[EnterpriseOut]
    tombstones: list[Tombstone]
    next_cursor: str | None
