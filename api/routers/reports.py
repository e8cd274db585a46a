"""Report orders the caller may see (reports.models.ReportScopedQuerySet.for_user, as the report
archive) and their PDF files."""

from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from ninja import Query, Router
from pydantic import Field

from reports.models import Report, ReportStatus, ReportType

from ..conditional import etag, not_modified
from ..pagination import changes_page
from ..schemas.common import READ_ERRORS
from ..schemas.paging import PageQuery
from ..schemas.reports import ReportOut, ReportPage

router = Router(tags=["reports"])
REPORTS = Report.objects.select_related("region")


class ReportQuery(PageQuery):
    type: ReportType | None = None
    enterprise: int | None = Field(None, ge=1, le=2**63 - 1)


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
    return changes_page(
        rows,
        # A report is never deleted; rendering again makes a new version.
        archived=Q(pk__in=[]),
        archived_time=lambda row: None,
        updated_since=params.updated_since,
        ordering=params.ordering,
        cursor=params.cursor,
        limit=params.limit,
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
