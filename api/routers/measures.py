"""Control measures of the register rows the caller sees, and their life cycle through
assessments.services — the same rules, notices and optimistic locking as the pages: planned →
in progress → done (with evidence) or cancelled (with the reason). Evidence is uploaded as
multipart, checked as on the page, and downloaded through an access check."""

from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router
from ninja.files import UploadedFile

from assessments import forms, services
from assessments.models import (
    OPEN_MEASURE_STATUSES,
    ControlMeasure,
    DeletedRowKind,
    MeasureEvidence,
    MeasureStatus,
)
from enterprises.access import get_for_user
from hazards.models import Hazard, HazardStatus

from ..auth import writer_auth
from ..conditional import etag, not_modified, to_update, written
from ..errors import Conflict
from ..forms_bridge import cleaned, form_data
from ..pagination import changes_page
from ..schemas.common import READ_ERRORS, UPDATE_ERRORS, WRITE_ERRORS, created_links, listed_links
from ..schemas.measures import (
    MeasureCancelIn,
    MeasureCompleteIn,
    MeasureIn,
    MeasureOut,
    MeasurePage,
    MeasureResponsibleIn,
)
from ..tombstones import deletions
from .assessments import RowQuery, _rows

router = Router(tags=["measures"])
evidence = Router(tags=["measures"])
# The evidence of a page's measures comes in one more query, whatever the page size.
MEASURES = ControlMeasure.objects.prefetch_related("evidence")
# The API's names of the forms' fields.
RENAMED = {"assignee": "assignee_id", "model_measure": "model_measure_id"}


@router.get(
    "/",
    response={200: MeasurePage, **READ_ERRORS},
    url_name="measures",
    openapi_extra=listed_links("measure_detail", "measure_update", "measure_start", "measure_cancel"),
)
def measure_list(request, params: Query[RowQuery]):
    """Control measures; cancelled ones come as tombstones with ``updated_since``."""
    return changes_page(
        _rows(MEASURES.for_user(request.auth), params),
        params,
        archived=Q(status=MeasureStatus.CANCELLED),
        archived_time=lambda row: row.updated_at if row.status == MeasureStatus.CANCELLED else None,
        deleted=deletions(request.auth, DeletedRowKind.MEASURE, params.enterprise),
        enterprise_path="hazard__enterprise",
    )


@router.get("/{int:pk}/", response={200: MeasureOut, 304: None, **READ_ERRORS}, url_name="measure")
def measure_detail(request, pk: int, response: HttpResponse):
    measure = get_for_user(MEASURES, request.auth, pk=pk)
    if (unchanged := not_modified(request, measure)) is not None:
        return unchanged
    response["ETag"] = etag(measure)
    return measure


@router.post(
    "/",
    response={201: MeasureOut, **WRITE_ERRORS},
    auth=writer_auth(),
    url_name="measures",
    openapi_extra=created_links("measure_detail"),
)
def measure_create(request, payload: MeasureIn, response: HttpResponse):
    """Plan a measure of an active register row, checked as the page's form checks it (a due date
    or a periodicity, not in the past; a user of the enterprise or a typed name, not both). A
    responsible user is told by e-mail."""
    hazard = get_for_user(
        Hazard.objects.select_related("enterprise"), request.auth, write=True, pk=payload.hazard_id
    )
    if hazard.status != HazardStatus.ACTIVE:
        raise Conflict(_("This row is not active: restore it before planning measures."))
    values = payload.dict(exclude={"hazard_id"})
    values["assignee"] = values.pop("assignee_id")
    values["model_measure"] = values.pop("model_measure_id")
    form = forms.MeasureForm(form_data(values), hazard=hazard)
    cleaned(form, RENAMED)
    measure = services.measure_plan(hazard=hazard, **form.measure)
    response["Location"] = f"{request.path}{measure.pk}/"
    return written(response, MEASURES, measure.pk, 201)


def _open_measure(request, pk: int) -> tuple[ControlMeasure, str]:
    """An open measure of an active row (409 otherwise), as the page's actions require, and the
    version If-Match names."""
    measure, version = to_update(
        request, ControlMeasure.objects.select_related("hazard__enterprise", "assignee"), pk
    )
    if measure.status not in OPEN_MEASURE_STATUSES:
        raise Conflict(_("This measure is already closed."))
    if measure.hazard.status != HazardStatus.ACTIVE:
        raise Conflict(_("This row is not active: restore it before changing its measures."))
    return measure, version


WRITE_MEASURE = writer_auth(ControlMeasure.objects.all())


@router.put("/{int:pk}/", response={200: MeasureOut, **UPDATE_ERRORS}, auth=WRITE_MEASURE, url_name="measure")
def measure_update(request, pk: int, payload: MeasureResponsibleIn, response: HttpResponse):
    """Change who is responsible for an open measure and when it is due. If-Match: the version
    (ETag) last read; a measure changed since is refused with 412."""
    measure, version = _open_measure(request, pk)
    values = payload.dict()
    values["assignee"] = values.pop("assignee_id")
    form = forms.MeasureEditForm(form_data({**values, "version": version}), measure=measure)
    cleaned(form, RENAMED)
    services.measure_update(measure=measure, **form.changes)
    return written(response, MEASURES, pk)


@router.post(
    "/{int:pk}/start/",
    response={200: MeasureOut, **UPDATE_ERRORS},
    auth=WRITE_MEASURE,
    url_name="measure_start",
)
def measure_start(request, pk: int, response: HttpResponse):
    """Planned → in progress. If-Match as for an update."""
    measure, version = _open_measure(request, pk)
    services.measure_start(measure=measure, version=version)
    return written(response, MEASURES, pk)


@router.post(
    "/{int:pk}/cancel/",
    response={200: MeasureOut, **UPDATE_ERRORS},
    auth=WRITE_MEASURE,
    url_name="measure_cancel",
)
def measure_cancel(request, pk: int, payload: MeasureCancelIn, response: HttpResponse):
    """Planned or in progress → cancelled, with the reason. If-Match as for an update."""
    measure, version = _open_measure(request, pk)
    services.measure_cancel(measure=measure, reason=payload.reason, version=version)
    return written(response, MEASURES, pk)


@router.post(
    "/{int:pk}/complete/",
    response={200: MeasureOut, **UPDATE_ERRORS},
    auth=WRITE_MEASURE,
    url_name="measure_complete",
)
def measure_complete(
    request, pk: int, file: File[UploadedFile], response: HttpResponse, details: Form[MeasureCompleteIn]
):
    """Mark an open measure done with its evidence (multipart/form-data: ``file``, a JPEG, PNG or
    WebP photo or a PDF within the upload limit, judged by its content as on the page). The row
    is then flagged for re-assessment. If-Match as for an update."""
    measure, version = _open_measure(request, pk)
    services.measure_complete_with_evidence(
        measure=measure,
        file=file,
        uploaded_by=request.auth,
        done_on=details.done_on,
        note=details.note,
        version=version,
    )
    return written(response, MEASURES, pk)


@evidence.get(
    "/{int:pk}/file/",
    response={200: None, **READ_ERRORS},
    url_name="evidence_file",
    openapi_extra={
        "responses": {
            "200": {
                "description": "The photo or document",
                "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def evidence_file(request, pk: int):
    """A measure's evidence, to whoever sees its register row (404 to everyone else)."""
    item = get_for_user(MeasureEvidence.objects.all(), request.auth, pk=pk)
    try:
        handle = item.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    # As on the page (assessments.views.risk_measures.evidence): never sniffed, never run in our
    # origin, never cached by a proxy.
    response = FileResponse(
        handle, content_type=item.content_type, as_attachment=not item.is_image, filename=item.original_name
    )
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response
