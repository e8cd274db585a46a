"""Regions: reference data (the federal subjects), the same for every signed-in user."""

from typing import Annotated

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Path, Query, Router, Schema

from enterprises.models import FederalDistrict, Region

from ..conditional import etag, not_modified
from ..schemas.common import READ_ERRORS
from ..schemas.enterprises import RegionOut, RegionPage

router = Router(tags=["regions"])


class RegionQuery(Schema):
    federal_district: FederalDistrict | None = None


@router.get("/", response={200: RegionPage, **READ_ERRORS}, url_name="regions")
def region_list(request, filters: Query[RegionQuery]):
    """Every region (85 rows at most: one page)."""
    regions = Region.objects.order_by("code")
    if filters.federal_district:
        regions = regions.filter(federal_district=filters.federal_district)
    return {"items": list(regions), "next_cursor": None}


@router.get("/{code}/", response={200: RegionOut, 304: None, **READ_ERRORS}, url_name="region")
def region_detail(request, code: Annotated[str, Path(pattern=r"^\d{2}$")], response: HttpResponse):
    region = get_object_or_404(Region, code=code)
    if (unchanged := not_modified(request, region)) is not None:
        return unchanged
    response["ETag"] = etag(region)
    return region
