"""Enterprises the caller sees (enterprises.access)."""

from django.db.models import Q
from django.http import HttpResponse
from ninja import Query, Router
from pydantic import Field

from enterprises.access import get_for_user
from enterprises.models import Enterprise

from ..conditional import etag, not_modified
from ..pagination import changes_page
from ..schemas.common import READ_ERRORS, text
from ..schemas.enterprises import EnterpriseOut, EnterprisePage
from ..schemas.paging import PageQuery

router = Router(tags=["enterprises"])


class EnterpriseQuery(PageQuery):
    region: text(2) | None = Field(None, description="Region code, e.g. 56.")
    q: text(200) | None = Field(None, description="Part of the name or the INN.")


@router.get("/", response={200: EnterprisePage, **READ_ERRORS}, url_name="enterprises")
def enterprise_list(request, params: Query[EnterpriseQuery]):
    enterprises = Enterprise.objects.for_user(request.auth).select_related("region")
    if params.region:
        enterprises = enterprises.filter(region__code=params.region)
    if params.q:
        enterprises = enterprises.filter(
            Q(short_name__icontains=params.q) | Q(full_name__icontains=params.q) | Q(inn=params.q)
        )
    return changes_page(
        enterprises,
        params,
        archived=Q(archived_at__isnull=False),
        archived_time=lambda row: row.archived_at,
    )


@router.get("/{int:pk}/", response={200: EnterpriseOut, 304: None, **READ_ERRORS}, url_name="enterprise")
def enterprise_detail(request, pk: int, response: HttpResponse):
    enterprise = get_for_user(Enterprise.objects.select_related("region"), request.auth, pk=pk)
    if (unchanged := not_modified(request, enterprise)) is not None:
        return unchanged
    response["ETag"] = etag(enterprise)
    return enterprise
