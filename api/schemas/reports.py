import datetime
from typing import Annotated

from ninja import Schema
from pydantic import Field, StringConstraints

from reports.models import ReportLanguage, ReportType

from .common import Tombstone, text


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
    requested_by_me: bool
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
    def resolve_requested_by_me(obj, context) -> bool:
        return obj.requested_by_id is not None and obj.requested_by_id == context["request"].auth.pk

    @staticmethod
    def resolve_file_url(obj, context) -> str | None:
        if obj.status != "ready" or not obj.file:
            return None
        return context["request"].build_absolute_uri(f"/api/v1/reports/{obj.pk}/file/")


class ReportPage(Schema):
    items: list[ReportOut]
    tombstones: list[Tombstone]
    next_cursor: str | None


class ReportOrderIn(Schema):
    """A PDF report to make, with the report page's choices. Who may order what is the pages'
    rule: an enterprise's report whoever sees the enterprise, a region's summary its regional
    reviewers (and federal ones), the federal summary federal reviewers and administrators."""

    type: ReportType
    enterprise_id: Annotated[int, Field(ge=1, le=2**63 - 1)] | None = Field(
        None, description="For type 'enterprise'."
    )
    region: text(10) | None = Field(None, description="The region's code, for type 'region'.")
    month: Annotated[str, StringConstraints(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")] = Field(
        description="YYYY-MM: the month the report covers (not one still to come)."
    )
    quarter: bool = Field(False, description="The calendar quarter holding the month instead.")
    language: ReportLanguage = ReportLanguage.RU
    regenerate: bool = Field(
        False, description="Render again as a new version; without it the existing report is returned."
    )
