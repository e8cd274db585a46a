import datetime
from typing import Annotated

from ninja import Schema
from pydantic import Field

from assessments.models import Periodicity
from hazards.models import ControlLevel

from .common import Tombstone, text

AnId = Annotated[int, Field(ge=1, le=2**63 - 1)]


class EvidenceOut(Schema):
    """A photo or document attached to a measure; ``url`` downloads it (access-checked)."""

    id: int
    original_name: str
    content_type: str
    size: int
    uploaded_at: datetime.datetime
    url: str

    @staticmethod
    def resolve_url(obj, context) -> str:
        return context["request"].build_absolute_uri(f"/api/v1/evidence/{obj.pk}/file/")


class MeasureOut(Schema):
    id: int
    hazard_id: int
    control_level: str
    description: str
    model_measure_id: int | None
    assignee_id: int | None
    responsible: str
    due_date: datetime.date | None
    periodicity: str
    status: str
    done_on: datetime.date | None
    completion_note: str
    cancel_reason: str
    evidence: list[EvidenceOut]
    updated_at: datetime.datetime
    version: str

    @staticmethod
    def resolve_evidence(obj) -> list:
        return list(obj.evidence.all())

    @staticmethod
    def resolve_version(obj) -> str:
        from hazards.services import version_token

        return version_token(obj.updated_at)


class MeasurePage(Schema):
    items: list[MeasureOut]
    tombstones: list[Tombstone]
    next_cursor: str | None


class MeasureResponsibleIn(Schema):
    """Who answers for a measure and when it is due: a user of the row's enterprise
    (``assignee_id``, told by e-mail) or the name of a person without an account; a due date or a
    periodicity."""

    assignee_id: AnId | None = None
    responsible: text(300) = ""
    due_date: datetime.date | None = None
    periodicity: Periodicity | None = None


class MeasureIn(MeasureResponsibleIn):
    hazard_id: AnId
    control_level: ControlLevel | None = Field(
        None, description="Required unless model_measure_id gives one."
    )
    description: text(4000, min_length=1)
    model_measure_id: AnId | None = Field(None, description="A 776n model measure of the row's event.")


class MeasureCancelIn(Schema):
    reason: text(2000, min_length=1)


class MeasureCompleteIn(Schema):
    done_on: datetime.date | None = Field(None, description="Today when absent; never in the future.")
    note: text(4000) = ""
