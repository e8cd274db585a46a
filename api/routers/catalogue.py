"""The Order 776n catalogue — groups, hazards, hazardous events, model measures — plus the own
hazards and events (Order 36) of the enterprises the caller sees."""

from django.db.models import Q
from ninja import Query, Router

from assessments.models import DeletedRowKind
from enterprises.models import Enterprise
from hazards.models import HazardGroup, HazardousEvent, HazardType, ModelMeasure

from ..pagination import changes_page
from ..schemas.catalogue import EventPage, GroupPage, HazardTypePage, ModelMeasurePage
from ..schemas.common import READ_ERRORS
from ..schemas.paging import PageQuery
from ..tombstones import deletions

router = Router(tags=["776n catalogue"])


def _page(rows, params, deleted=None):
    """The catalogue is never archived. Only an enterprise's own entries leave it, deleted outright
    when its register is restored from an export (re-created under new ids): those come as
    tombstones."""
    return changes_page(
        rows,
        params,
        deleted=deleted,
    )


def _visible(rows, user):
    """The 776n items and the own items of the enterprises the user sees."""
    return rows.filter(Q(enterprise__isnull=True) | Q(enterprise__in=Enterprise.objects.for_user(user)))


@router.get("/groups/", response={200: GroupPage, **READ_ERRORS}, url_name="catalogue_groups")
def group_list(request, params: Query[PageQuery]):
    return _page(HazardGroup.objects.all(), params)


@router.get("/hazards/", response={200: HazardTypePage, **READ_ERRORS}, url_name="catalogue_hazards")
def hazard_type_list(request, params: Query[PageQuery]):
    deleted = deletions(request.auth, DeletedRowKind.HAZARD_TYPE)
    return _page(_visible(HazardType.objects.all(), request.auth), params, deleted)


@router.get("/events/", response={200: EventPage, **READ_ERRORS}, url_name="catalogue_events")
def event_list(request, params: Query[PageQuery]):
    deleted = deletions(request.auth, DeletedRowKind.EVENT)
    return _page(_visible(HazardousEvent.objects.all(), request.auth), params, deleted)


@router.get(
    "/model-measures/", response={200: ModelMeasurePage, **READ_ERRORS}, url_name="catalogue_model_measures"
)
def model_measure_list(request, params: Query[PageQuery]):
    return _page(ModelMeasure.objects.all(), params)
