"""Regions: reference data (the federal subjects), the same for every signed-in user."""

from typing import Annotated

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Path, Query, Router

from enterprises.models import FederalDistrict, Region

from ..conditional import etag, not_modified
from ..pagination import changes_page
from ..schemas.common import READ_ERRORS
from ..schemas.enterprises import RegionOut, RegionPage
from ..schemas.paging import PageQuery

router = Router(tags=["regions"])


class RegionQuery(PageQuery):
    federal_district: FederalDistrict | None = None


@router.get("/", response={200: RegionPage, **READ_ERRORS}, url_name="regions")
def region_list(request, params: Query[RegionQuery]):
    """Every region (85 at most: one page of the default size). Regions are never archived or
    deleted, so ``updated_since`` returns the ones changed since and no tombstones."""
    regions = Region.objects.all()
    if params.federal_district:
        regions = regions.filter(federal_district=params.federal_district)
    return changes_page(
        regions,
        params,
    )


@router.get("/{code}/", response={200: RegionOut, 304: None, **READ_ERRORS}, url_name="region")
def region_detail(request, code: Annotated[str, Path(pattern=r"^\d{2}$")], response: HttpResponse):
    region = get_object_or_404(Region, code=code)
    if (unchanged := not_modified(request, region)) is not None:
        return unchanged
    response["ETag"] = etag(region)
    return region
