"""Structural units and workplaces (with their SOUT data) of the enterprises the caller sees, and
the workers of a workplace — names, so only for the enterprise's own officers and managers."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponse
from ninja import Query, Router
from pydantic import Field

from assessments.models import DeletedRowKind
from enterprises.access import get_for_user
from enterprises.models import ENTERPRISE_ROLES, Department, Workplace

from ..conditional import etag, not_modified
from ..pagination import changes_page
from ..schemas.common import READ_ERRORS, WRITE_ERRORS
from ..schemas.paging import PageQuery
from ..schemas.structure import UnitOut, UnitPage, WorkerPage, WorkplaceOut, WorkplacePage
from ..tombstones import deletions

units = Router(tags=["units"])
workplaces = Router(tags=["workplaces"])

ARCHIVED = Q(archived_at__isnull=False)
# The SOUT factors of a page come in one more query, whatever the page size.
WORKPLACES = Workplace.objects.prefetch_related("sout_factors")


class UnitQuery(PageQuery):
    enterprise: int | None = Field(None, ge=1, le=2**63 - 1)


class WorkplaceQuery(PageQuery):
    enterprise: int | None = Field(None, ge=1, le=2**63 - 1)
    department: int | None = Field(None, ge=1, le=2**63 - 1, description="Directly in this unit.")


def _page(rows, params, deleted):
    return changes_page(
        rows,
        params,
        archived=ARCHIVED,
        archived_time=lambda row: row.archived_at,
        deleted=deleted,
    )


@units.get("/", response={200: UnitPage, **READ_ERRORS}, url_name="units")
def unit_list(request, params: Query[UnitQuery]):
    rows = Department.objects.for_user(request.auth)
    if params.enterprise:
        rows = rows.filter(enterprise_id=params.enterprise)
    return _page(rows, params, deletions(request.auth, DeletedRowKind.UNIT, params.enterprise))


@units.get("/{int:pk}/", response={200: UnitOut, 304: None, **READ_ERRORS}, url_name="unit")
def unit_detail(request, pk: int, response: HttpResponse):
    unit = get_for_user(Department.objects.all(), request.auth, pk=pk)
    if (unchanged := not_modified(request, unit)) is not None:
        return unchanged
    response["ETag"] = etag(unit)
    return unit


@workplaces.get("/", response={200: WorkplacePage, **READ_ERRORS}, url_name="workplaces")
def workplace_list(request, params: Query[WorkplaceQuery]):
    rows = WORKPLACES.for_user(request.auth)
    if params.enterprise:
        rows = rows.filter(enterprise_id=params.enterprise)
    if params.department:
        rows = rows.filter(department_id=params.department)
    return _page(rows, params, deletions(request.auth, DeletedRowKind.WORKPLACE, params.enterprise))


@workplaces.get("/{int:pk}/", response={200: WorkplaceOut, 304: None, **READ_ERRORS}, url_name="workplace")
def workplace_detail(request, pk: int, response: HttpResponse):
    workplace = get_for_user(WORKPLACES, request.auth, pk=pk)
    if (unchanged := not_modified(request, workplace)) is not None:
        return unchanged
    response["ETag"] = etag(workplace)
    return workplace


@workplaces.get("/{int:pk}/workers/", response={200: WorkerPage, **WRITE_ERRORS}, url_name="workers")
def workplace_workers(request, pk: int, params: Query[PageQuery]):
    """The workers of the workplace, with their periods there. Names are personal data: the
    enterprise's own officers and managers get them; everyone else who sees the workplace
    (reviewers, who see counts only) gets 403. A worker who leaves keeps the row with the end of
    the period (``employed_to``), so ``updated_since`` returns leavers as items, never tombstones."""
    user = request.auth
    workplace = get_for_user(Workplace.objects.all(), user, pk=pk)
    if user.role not in ENTERPRISE_ROLES or user.enterprise_id != workplace.enterprise_id:
        raise PermissionDenied
    return changes_page(
        workplace.workers.all(),
        params,
    )
