"""Register rows (hazards at workplaces): read with the register's filters, create and update
through hazards.services — the same rules, history and optimistic locking as the forms."""

import datetime
from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce, Length
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import Field

from assessments.models import DeletedRowKind
from assessments.search import refresh_deferred as search_refresh_deferred
from assessments.views.register_filters import with_measure_status, with_overdue_measures
from enterprises.access import get_for_user
from enterprises.models import Department, Workplace
from enterprises.services import department_tree, descendants
from hazards import services
from hazards.filters import with_approval
from hazards.models import Hazard, HazardousEvent, HazardStatus
from hazards.search import search

from ..auth import writer_auth
from ..conditional import etag, expected_version, not_modified, to_update, written
from ..pagination import ORDERINGS, Key, changes_page
from ..schemas.common import READ_ERRORS, UPDATE_ERRORS, WRITE_ERRORS, created_links, listed_links, text
from ..schemas.hazards import HazardBulkIn, HazardBulkOut, HazardDescription, HazardIn, HazardOut, HazardPage
from ..schemas.paging import PageQuery
from ..tombstones import deletions

router = Router(tags=["register rows"])

# Every row a response shows needs these: one query per page, whatever its size.
ROWS = Hazard.objects.select_related("workplace", "event")


# The register page's sorts (hazards.filters.SORTS) as keyset orderings: the same order, each
# nullable key in Coalesce (levels and review dates without a value last, as on the page) and the
# id last, so that a page always ends at one row.
_WORKPLACE = [Key(F("workplace__number_sort")), Key(F("workplace__number"))]
_EVENT = [Key(F("event__hazard_type__group__number")), Key(Length("event__code")), Key(F("event__code"))]
_ID = [Key(F("id"))]
REGISTER_ORDERINGS = {
    **ORDERINGS,
    "workplace": [*_WORKPLACE, *_EVENT, *_ID],
    "event": [*_EVENT, *_WORKPLACE, *_ID],
    "-level": [Key(Coalesce("risk_level", 0), descending=True), *_WORKPLACE, *_ID],
    "level": [Key(Coalesce("risk_level", 6)), *_WORKPLACE, *_ID],
    "next_review": [Key(Coalesce("next_review_on", Value(datetime.date.max))), *_WORKPLACE, *_ID],
}
# What ``fields`` may name: the item's fields.
FIELDS = tuple(HazardOut.model_fields)


class HazardQuery(PageQuery):
    """The register page's filters and sorts (assessments.views.register_filters.RegisterFilter)."""

    ordering: Literal[
        "id", "-id", "updated_at", "-updated_at", "workplace", "event", "-level", "level", "next_review"
    ] = Field(
        "id",
        description="id or time of change, or one of the register page's sorts: workplace, event, "
        "-level (highest first), level, next_review (soonest first, rows without a date last).",
    )
    enterprise: int | None = Field(None, ge=1, le=2**63 - 1)
    department: int | None = Field(
        None, ge=1, le=2**63 - 1, description="A structural unit, with its sub-units."
    )
    workplace: int | None = Field(None, ge=1, le=2**63 - 1)
    group: int | None = Field(None, ge=1, le=32767, description="776n hazard group number.")
    level: Literal["1", "2", "3", "4", "5", "none"] | None = Field(
        None, description="Current risk level 1–5, or 'none' for rows not rated yet."
    )
    approval: Literal["approved", "waiting", "returned", "none"] | None = Field(
        None, description="The approval state of the current assessment; 'none': not assessed."
    )
    measure_status: Literal["planned", "in_progress", "done", "cancelled", "none"] | None = Field(
        None, description="Rows with a measure in this state; 'none': no measure planned."
    )
    overdue: bool = Field(False, description="Rows with an open measure past its due date.")
    status: Literal["active", "eliminated", "archived", "all"] = Field(
        "active", description="Ignored with updated_since, which returns every change."
    )
    needs_reassessment: bool = False
    due_for_review: bool = False
    q: text(200) | None = Field(
        None, description="The register's search: every word in the row's texts (stems and prefixes)."
    )
    fields: text(500) | None = Field(
        None,
        description="Only these fields of each item, comma-separated (e.g. id,risk_level,version); "
        "the id is always included.",
    )


def _department(user, pk: int) -> set[int]:
    """The unit (one the caller sees) and its sub-units; an unknown unit matches no row."""
    department = Department.objects.for_user(user).select_related("enterprise").filter(pk=pk).first()
    if department is None:
        return set()
    _tree, by_id = department_tree(department.enterprise)
    return descendants(department.pk, by_id)


def _filtered(rows, params: HazardQuery, user):
    if params.enterprise:
        # The redundant condition on the workplace's enterprise lets PostgreSQL join that
        # enterprise's workplaces by index for the sorts on the workplace's number, rather than
        # scanning all of them (as the register page does: assessments.views.register_page).
        rows = rows.filter(enterprise_id=params.enterprise, workplace__enterprise_id=params.enterprise)
    if params.department:
        rows = rows.filter(workplace__department_id__in=_department(user, params.department))
    if params.workplace:
        rows = rows.filter(workplace_id=params.workplace)
    if params.group:
        rows = rows.filter(event__hazard_type__group__number=params.group)
    if params.level == "none":
        rows = rows.filter(risk_level__isnull=True)
    elif params.level:
        rows = rows.filter(risk_level=int(params.level))
    if params.updated_since is None and params.status not in ("all", "archived"):
        rows = rows.filter(status=params.status)
    if params.needs_reassessment:
        rows = rows.filter(needs_reassessment=True)
    if params.due_for_review:
        rows = rows.filter(next_review_on__lte=timezone.localdate())
    # The register page's own filters, so that the API and the page list the same rows.
    if params.approval:
        rows = with_approval(rows, params.approval)
    if params.measure_status:
        rows = with_measure_status(rows, params.measure_status)
    if params.overdue:
        rows = with_overdue_measures(rows)
    if params.q:
        rows = search(rows, params.q)
    return rows


def _selected(fields: str | None) -> set[str] | None:
    if not fields:
        return None
    chosen = {name.strip() for name in fields.split(",") if name.strip()}
    unknown = sorted(chosen - set(FIELDS))
    if unknown:
        raise ValidationError({"fields": _("Unknown fields: %(names)s.") % {"names": ", ".join(unknown)}})
    return chosen | {"id"}


def _archived_time(row) -> datetime.datetime | None:
    # The register never deletes: an archived row is the tombstone, archived at its last change.
    return row.updated_at if row.status == HazardStatus.ARCHIVED else None


@router.get(
    "/",
    response={200: HazardPage, **READ_ERRORS},
    url_name="hazards",
    exclude_unset=True,
    openapi_extra=listed_links("hazard_detail", "hazard_update", "hazard_status"),
)
def hazard_list(request, params: Query[HazardQuery]):
    """The register's rows with the register page's filters and sorts. ``fields`` selects the
    fields of each item (the other lists return whole items)."""
    fields = _selected(params.fields)
    rows = _filtered(ROWS.for_user(request.auth), params, request.auth)
    if params.status == "archived" and params.updated_since is None:
        # Asked for explicitly: archived rows as items (changes_page leaves them out otherwise).
        rows = rows.filter(status=HazardStatus.ARCHIVED)
        archived = None
    else:
        archived = Q(status=HazardStatus.ARCHIVED)
    page = changes_page(
        rows,
        params,
        archived=archived,
        archived_time=_archived_time,
        orderings=REGISTER_ORDERINGS,
        deleted=deletions(request.auth, DeletedRowKind.HAZARD, params.enterprise),
    )
    if fields is not None:
        page["items"] = [HazardOut.from_orm(row).dict(include=fields) for row in page["items"]]
    return page


@router.get("/{int:pk}/", response={200: HazardOut, 304: None, **READ_ERRORS}, url_name="hazard")
def hazard_detail(request, pk: int, response: HttpResponse):
    hazard = get_for_user(ROWS, request.auth, pk=pk)
    if (unchanged := not_modified(request, hazard)) is not None:
        return unchanged
    response["ETag"] = etag(hazard)
    return hazard


class _Catalogue:
    """The workplaces and events the rows of one request name, each read once: a bulk create
    costs two queries for them, not two per row. Access as get_for_user: a workplace outside the
    caller's scope is 404, a read-only caller 403."""

    def __init__(self, user, rows: list[HazardIn]):
        if not user.can_write:
            raise PermissionDenied
        self.workplaces = (
            Workplace.objects.for_user(user)
            .select_related("enterprise")
            .in_bulk({row.workplace_id for row in rows})
        )
        self.event_ids = {row.event_id for row in rows}
        self.events: dict[int, dict] = {}

    def workplace(self, pk: int) -> Workplace:
        if pk not in self.workplaces:
            raise Http404
        return self.workplaces[pk]

    def event(self, enterprise_id: int, pk: int):
        if enterprise_id not in self.events:
            self.events[enterprise_id] = HazardousEvent.objects.available_to(enterprise_id).in_bulk(
                self.event_ids
            )
        return self.events[enterprise_id].get(pk)


def _add(user, data: HazardIn, catalogue: _Catalogue) -> Hazard:
    workplace = catalogue.workplace(data.workplace_id)
    event = catalogue.event(workplace.enterprise_id, data.event_id)
    if event is None:
        raise ValidationError({"event_id": _("No such hazardous event in this enterprise's catalogue.")})
    values = data.dict(exclude={"workplace_id", "event_id"})
    return services.hazard_add(workplace=workplace, event=event, identified_by=user, **values)


@router.post(
    "/",
    response={201: HazardOut, **WRITE_ERRORS},
    auth=writer_auth(),
    url_name="hazards",
    openapi_extra=created_links("hazard_detail"),
)
def hazard_create(request, payload: HazardIn, response: HttpResponse):
    hazard = _add(request.auth, payload, _Catalogue(request.auth, [payload]))
    response["Location"] = f"{request.path}{hazard.pk}/"
    return written(response, ROWS, hazard.pk, 201)


@router.post(
    "/bulk/", response={201: HazardBulkOut, **WRITE_ERRORS}, auth=writer_auth(), url_name="hazards_bulk"
)
def hazard_bulk_create(request, payload: HazardBulkIn):
    """Up to 100 rows in one request, all or nothing: one refused row refuses them all, and its
    errors name it (rows.<index>.<field>)."""
    created = []
    catalogue = _Catalogue(request.auth, payload.rows)
    # The rows' search texts are written together once all rows are in.
    with transaction.atomic(), search_refresh_deferred():
        for index, row in enumerate(payload.rows):
            try:
                created.append(_add(request.auth, row, catalogue).pk)
            except ValidationError as error:
                error.prefix = f"rows.{index}."
                raise
    return Status(201, {"items": list(ROWS.filter(pk__in=created).order_by("pk"))})


@router.put(
    "/{int:pk}/",
    response={200: HazardOut, **UPDATE_ERRORS},
    auth=writer_auth(Hazard.objects.all()),
    url_name="hazard",
)
def hazard_update(request, pk: int, payload: HazardDescription, response: HttpResponse):
    """Change how a row is described. If-Match must carry the version (ETag) last read: a row
    changed since is refused with 412, nothing written."""
    hazard, version = to_update(request, Hazard.objects.all(), pk)
    services.hazard_update(hazard=hazard, version=version, **payload.dict())
    return written(response, ROWS, pk)


class StatusIn(Schema):
    status: HazardStatus


@router.post(
    "/{int:pk}/status/",
    response={200: HazardOut, **UPDATE_ERRORS},
    auth=writer_auth(Hazard.objects.all()),
    url_name="hazard_status",
)
def hazard_status(request, pk: int, payload: StatusIn, response: HttpResponse):
    """Eliminate, archive or restore a row (the register never deletes; an archived row is a
    tombstone for clients that sync). If-Match as for an update."""
    version = expected_version(request)
    with transaction.atomic():
        hazard = Hazard.objects.select_for_update(of=("self",)).get(pk=pk)
        services.check_version(obj=hazard, expected=version)
        services.hazard_set_status(hazard=hazard, status=payload.status)
    return written(response, ROWS, pk)
