"""Assessments of the register rows the caller sees (create = score through
assessments.services, the same as the assess form)."""

from django.http import HttpResponse
from ninja import Query, Router
from ninja.responses import Status
from pydantic import Field

from assessments import services
from assessments.models import DeletedRowKind, RiskAssessment
from enterprises.access import get_for_user
from hazards.models import Hazard

from ..auth import writer_auth
from ..conditional import etag, not_modified
from ..pagination import changes_page
from ..schemas.assessments import AssessmentIn, AssessmentOut, AssessmentPage
from ..schemas.common import READ_ERRORS, UPDATE_ERRORS, created_links
from ..schemas.paging import PageQuery
from ..tombstones import deletions

assessments = Router(tags=["assessments"])


class RowQuery(PageQuery):
    hazard: int | None = Field(None, ge=1, le=2**63 - 1, description="One register row.")
    enterprise: int | None = Field(None, ge=1, le=2**63 - 1)


def _rows(queryset, params: RowQuery):
    if params.hazard:
        queryset = queryset.filter(hazard_id=params.hazard)
    if params.enterprise:
        queryset = queryset.filter(hazard__enterprise_id=params.enterprise)
    return queryset


@assessments.get("/", response={200: AssessmentPage, **READ_ERRORS}, url_name="assessments")
def assessment_list(request, params: Query[RowQuery]):
    """Every assessment, current and earlier (an assessment is never deleted or archived)."""
    return changes_page(
        _rows(RiskAssessment.objects.for_user(request.auth), params),
        params,
        deleted=deletions(request.auth, DeletedRowKind.ASSESSMENT, params.enterprise),
        enterprise_path="hazard__enterprise",
    )


@assessments.get("/{int:pk}/", response={200: AssessmentOut, 304: None, **READ_ERRORS}, url_name="assessment")
def assessment_detail(request, pk: int, response: HttpResponse):
    assessment = get_for_user(RiskAssessment.objects.all(), request.auth, pk=pk)
    if (unchanged := not_modified(request, assessment)) is not None:
        return unchanged
    response["ETag"] = etag(assessment)
    return assessment


@assessments.post(
    "/",
    response={201: AssessmentOut, **UPDATE_ERRORS},
    auth=writer_auth(),
    url_name="assessments",
    openapi_extra=created_links("assessment_detail"),
)
def assessment_create(request, payload: AssessmentIn, response: HttpResponse):
    """Score a register row with its enterprise's method; the new assessment becomes the row's
    current one and sets its level. The response carries score, band and level."""
    user = request.auth
    hazard = get_for_user(Hazard.objects.select_related("enterprise"), user, write=True, pk=payload.hazard_id)
    data = payload.dict(exclude={"hazard_id"})
    for measure in data["measures"]:
        measure["periodicity"] = measure["periodicity"] or ""
    assessment = services.assessment_record(hazard=hazard, assessor=user, **data)
    response["ETag"] = etag(assessment)
    return Status(201, assessment)
