import datetime

from ninja import Schema

from .common import Tombstone


class ReportOut(Schema):
    """A PDF report order: queued, rendering, ready (its file at ``file_url``) or failed."""

    id: int
    type: str
    enterprise_id: int | None
    region: str | None
    period_start: datetime.date
    period_end: datetime.date
    language: str
    version: int
    status: str
    size: int | None
    sha256: str
    pages: int | None
    file_url: str | None
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_region(obj) -> str | None:
        return obj.region.code if obj.region_id else None

    @staticmethod
    def resolve_file_url(obj, context) -> str | None:
        if obj.status != "ready" or not obj.file:
            return None
        return context["request"].build_absolute_uri(f"/api/v1/reports/{obj.pk}/file/")


class ReportPage(Schema):
    items: list[ReportOut]
    tombstones: list[Tombstone]
    next_cursor: str | None
