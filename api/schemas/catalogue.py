import datetime

from ninja import Schema

from .common import Tombstone


class GroupOut(Schema):
    id: int
    number: int
    name_ru: str
    name_en: str
    updated_at: datetime.datetime


class HazardTypeOut(Schema):
    id: int
    code: str
    group_id: int
    name_ru: str
    name_en: str
    enterprise_id: int | None
    updated_at: datetime.datetime


class EventOut(Schema):
    id: int
    code: str
    hazard_type_id: int
    name_ru: str
    name_en: str
    enterprise_id: int | None
    updated_at: datetime.datetime


class ModelMeasureOut(Schema):
    id: int
    code: str
    event_id: int
    name_ru: str
    name_en: str
    control_level: str
    updated_at: datetime.datetime


def page(item):
    return type(
        f"{item.__name__.removesuffix('Out')}Page",
        (Schema,),
        {"__annotations__": {"items": list[item], "tombstones": list[Tombstone], "next_cursor": str | None}},
    )


GroupPage = page(GroupOut)
HazardTypePage = page(HazardTypeOut)
EventPage = page(EventOut)
ModelMeasurePage = page(ModelMeasureOut)
