"""Report orders the caller may see (reports.models.ReportScopedQuerySet.for_user, as the report
archive) and their PDF files; a new order goes through reports.services.report_request with the
report pages' rules of who may order which scope."""

import datetime
import math

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.responses import Status
from pydantic import Field

from dashboards.views import region_for_user
from enterprises.access import get_for_user
from enterprises.models import Enterprise
from reports import pdf, services
from reports.models import Report, ReportStatus, ReportType

from ..conditional import etag, not_modified
from ..errors import problem
from ..pagination import changes_page
from ..schemas.common import READ_ERRORS, WRITE_ERRORS, created_links
from ..schemas.paging import PageQuery
from ..schemas.reports import ReportOrderIn, ReportOut, ReportPage

router = Router(tags=["reports"])
REPORTS = Report.objects.select_related("region")


class ReportQuery(PageQuery):
    type: ReportType | None = None
    enterprise: int | None = Field(None, ge=1, le=2**63 - 1)
    status: ReportStatus | None = None
    mine: bool = Field(False, description="Only the reports the caller ordered.")


def _report(user, pk) -> Report:
    report = REPORTS.for_user(user).filter(pk=pk).first()
    if report is None:
        raise Http404
    return report


@router.get("/", response={200: ReportPage, **READ_ERRORS}, url_name="reports")
def report_list(request, params: Query[ReportQuery]):
    rows = REPORTS.for_user(request.auth)
    if params.type:
        rows = rows.filter(type=params.type)
    if params.enterprise:
        rows = rows.filter(enterprise_id=params.enterprise)
    if params.status:
        rows = rows.filter(status=params.status)
    if params.mine:
        rows = rows.filter(requested_by=request.auth)
    return changes_page(
        rows,
        params,
        # A report is never deleted (rendering again makes a new version): no tombstones.
    )


@router.get("/{int:pk}/", response={200: ReportOut, 304: None, **READ_ERRORS}, url_name="report")
def report_detail(request, pk: int, response: HttpResponse):
    report = _report(request.auth, pk)
    if (unchanged := not_modified(request, report)) is not None:
        return unchanged
    response["ETag"] = etag(report)
    return report


@router.get(
    "/{int:pk}/file/",
    response={200: None, **READ_ERRORS},
    url_name="report_file",
    openapi_extra={
        "responses": {
            "200": {
                "description": "The PDF",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def report_file(request, pk: int):
    """The rendered PDF; 404 until the report is ready."""
    report = _report(request.auth, pk)
    if report.status != ReportStatus.READY or not report.file:
        raise Http404
    return FileResponse(
        report.file.open("rb"), as_attachment=True, filename=report.file_name, content_type="application/pdf"
    )


def _scope(user, order: ReportOrderIn):
    """The enterprise or region the order names, under the report pages' access rules (404 for a
    scope the caller may not order)."""
    if order.type == ReportType.ENTERPRISE:
        if order.enterprise_id is None:
            raise ValidationError({"enterprise_id": _("This field is required.")})
        return get_for_user(Enterprise.objects.all(), user, pk=order.enterprise_id)
    if order.type == ReportType.REGION:
        if not order.region:
            raise ValidationError({"region": _("This field is required.")})
        return region_for_user(user, order.region)
    if not user.sees_everything:
        raise Http404
    return None


# The 429 of an order over the hourly limit says when to come back (the token throttle's says
# the same). Keyed by the status as a number, as django-ninja keys the responses.
RETRY_AFTER = {
    429: {
        "headers": {
            "Retry-After": {
                "description": "Seconds until another request may succeed.",
                "schema": {"type": "integer", "minimum": 1},
            }
        }
    }
}


@router.post(
    "/",
    response={200: ReportOut, 201: ReportOut, **WRITE_ERRORS},
    url_name="reports",
    openapi_extra={
        "responses": {
            **created_links("report_detail", "report_file", statuses=(200, 201))["responses"],
            **RETRY_AFTER,
        }
    },
)
def report_order(request, payload: ReportOrderIn, response: HttpResponse):
    """Order a PDF report. An existing report of the same scope, period and language is returned
    (200) unless ``regenerate``; a new order (201) is queued for rendering: follow it at its
    Location until ``status`` is ready, then download ``file_url``. Orders count against the
    hourly limit of the report pages: over it, 429 with Retry-After, the seconds until the
    oldest order of the hour leaves it."""
    user = request.auth
    scope = _scope(user, payload)
    month = datetime.date.fromisoformat(f"{payload.month}-01")
    if month > timezone.localdate():
        raise ValidationError({"month": _("The month has not begun yet.")})
    order = {
        "type": payload.type,
        "scope": scope,
        "period": pdf.period_of(month, quarter=payload.quarter),
        "language": payload.language,
    }
    try:
        report, queued = services.report_request(**order, user=user, regenerate=payload.regenerate)
    except services.QuotaExceeded as refused:
        # Not invalid input but too many requests: the same order succeeds once the oldest order
        # of the hour leaves it. The detail is the pages' message, in the caller's language.
        wait = math.ceil((refused.free_at - timezone.now()).total_seconds())
        return problem(429, detail=" ".join(refused.messages), Retry_After=str(max(wait, 1)))
    except services.BROKER_UNREACHABLE:
        # The row was committed before the task was sent: the reconciler queues it once the
        # broker is back (reports.delivery.reconcile).
        report, queued = services.report_latest(**order), True
    report = REPORTS.get(pk=report.pk)
    response["ETag"] = etag(report)
    response["Location"] = f"{request.path}{report.pk}/"
    return Status(201 if queued else 200, report)
