"""Incidents (accidents, near misses, microtraumas, occupational diseases) of the enterprises the
caller sees, with their victims' outcomes — never names."""

from django.db.models import Q
from django.http import HttpResponse
from ninja import Query, Router
from pydantic import Field

from assessments.models import Incident
from enterprises.access import get_for_user

from ..conditional import etag, not_modified
from ..pagination import changes_page
from ..schemas.common import READ_ERRORS
from ..schemas.incidents import IncidentOut, IncidentPage
from ..schemas.paging import PageQuery

router = Router(tags=["incidents"])
# The hazards and victims of a page come in two more queries, whatever the page size.
INCIDENTS = Incident.objects.prefetch_related("hazards", "victims")


class IncidentQuery(PageQuery):
    enterprise: int | None = Field(None, ge=1, le=2**63 - 1)
    workplace: int | None = Field(None, ge=1, le=2**63 - 1)


@router.get("/", response={200: IncidentPage, **READ_ERRORS}, url_name="incidents")
def incident_list(request, params: Query[IncidentQuery]):
    rows = INCIDENTS.for_user(request.auth)
    if params.enterprise:
        rows = rows.filter(enterprise_id=params.enterprise)
    if params.workplace:
        rows = rows.filter(workplace_id=params.workplace)
    return changes_page(
        rows,
        archived=Q(archived_at__isnull=False),
        archived_time=lambda row: row.archived_at,
        updated_since=params.updated_since,
        ordering=params.ordering,
        cursor=params.cursor,
        limit=params.limit,
    )


@router.get("/{int:pk}/", response={200: IncidentOut, 304: None, **READ_ERRORS}, url_name="incident")
def incident_detail(request, pk: int, response: HttpResponse):
    incident = get_for_user(INCIDENTS, request.auth, pk=pk)
    if (unchanged := not_modified(request, incident)) is not None:
        return unchanged
    response["ETag"] = etag(incident)
    return incident
