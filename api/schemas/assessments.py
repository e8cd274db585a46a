import datetime
from typing import Annotated

from ninja import Schema
from pydantic import Field

from assessments.models import AssessmentReason, Periodicity
from hazards.models import ControlLevel

from .common import Tombstone, text

Level = Annotated[str | int, Field(description="The chosen level of one input, as the method lists it.")]


class AssessmentOut(Schema):
    """A scoring of a register row by its enterprise's method: score, band and the canonical
    level 1–5 (and the residual ones after the planned measures)."""

    id: int
    hazard_id: int
    method_version_id: int
    reason: str
    inputs: dict[str, str]
    score: float
    band: str
    level: int
    residual_inputs: dict[str, str] | None
    residual_score: float | None
    residual_band: str
    residual_level: int | None
    assessed_on: datetime.date
    comment: str
    status: str
    is_current: bool
    updated_at: datetime.datetime


class AssessmentPage(Schema):
    items: list[AssessmentOut]
    tombstones: list[Tombstone]
    next_cursor: str | None


class MeasurePlanIn(Schema):
    control_level: ControlLevel
    description: text(10000, min_length=1)
    responsible: text(300, min_length=1)
    due_date: datetime.date | None = None
    periodicity: Periodicity | None = None


class AssessmentIn(Schema):
    hazard_id: Annotated[int, Field(ge=1, le=2**63 - 1)]
    inputs: Annotated[dict[text(50), Level], Field(max_length=20)]
    residual_inputs: Annotated[dict[text(50), Level], Field(max_length=20)] | None = None
    reason: AssessmentReason = AssessmentReason.INITIAL
    assessed_on: datetime.date | None = None
    comment: text(10000) = ""
    measures: Annotated[list[MeasurePlanIn], Field(max_length=20)] = Field(
        default_factory=list,
        description="Measures planned with the assessment; required when the band requires them and "
        "the row has none open.",
    )
    expected_current: text(20) | None = Field(
        None,
        description="The id of the row's current assessment when it was read ('0' for none): a row "
        "re-assessed since is refused with 412.",
    )
