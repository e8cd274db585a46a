"""Incidents (accidents, near misses, microtraumas, occupational diseases) of the enterprises the
caller sees, with their victims' outcomes — never names: read, recorded, corrected and cancelled
through assessments.services, as on the pages."""

from django.db.models import Q
from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router
from pydantic import Field

from assessments import forms, services
from assessments.models import DeletedRowKind, Incident
from enterprises.access import get_for_user
from enterprises.models import Workplace

from ..auth import writer_auth
from ..conditional import etag, not_modified, to_update, written
from ..errors import Conflict
from ..forms_bridge import cleaned, form_data
from ..pagination import changes_page
from ..schemas.common import READ_ERRORS, UPDATE_ERRORS, WRITE_ERRORS, created_links, listed_links
from ..schemas.incidents import IncidentCancelIn, IncidentIn, IncidentOut, IncidentPage
from ..schemas.paging import PageQuery
from ..tombstones import deletions

router = Router(tags=["incidents"])
# The hazards and victims of a page come in two more queries, whatever the page size.
INCIDENTS = Incident.objects.prefetch_related("hazards", "victims")


class IncidentQuery(PageQuery):
    enterprise: int | None = Field(None, ge=1, le=2**63 - 1)
    workplace: int | None = Field(None, ge=1, le=2**63 - 1)


@router.get(
    "/",
    response={200: IncidentPage, **READ_ERRORS},
    url_name="incidents",
    openapi_extra=listed_links("incident_detail", "incident_update", "incident_cancel"),
)
def incident_list(request, params: Query[IncidentQuery]):
    rows = INCIDENTS.for_user(request.auth)
    if params.enterprise:
        rows = rows.filter(enterprise_id=params.enterprise)
    if params.workplace:
        rows = rows.filter(workplace_id=params.workplace)
    return changes_page(
        rows,
        params,
        archived=Q(archived_at__isnull=False),
        archived_time=lambda row: row.archived_at,
        deleted=deletions(request.auth, DeletedRowKind.INCIDENT, params.enterprise),
    )


@router.get("/{int:pk}/", response={200: IncidentOut, 304: None, **READ_ERRORS}, url_name="incident")
def incident_detail(request, pk: int, response: HttpResponse):
    incident = get_for_user(INCIDENTS, request.auth, pk=pk)
    if (unchanged := not_modified(request, incident)) is not None:
        return unchanged
    response["ETag"] = etag(incident)
    return incident


# --- Writes, through assessments.services with the page's form rules ----------------------------

# The API's names of the form's fields.
RENAMED = {"workplace": "workplace_id", "event": "event_id", "hazards": "hazard_ids"}


def _form_values(payload: IncidentIn) -> dict:
    return form_data(
        {
            "kind": payload.kind,
            "occurred_at": payload.occurred_at,
            "workplace": payload.workplace_id,
            "hazards": payload.hazard_ids,
            "description": payload.description,
            "event": payload.event_id,
            "act_number": payload.act_number,
        }
    )


def _victims(payload: IncidentIn) -> list[dict]:
    return [victim.dict() for victim in payload.victims]


@router.post(
    "/",
    response={201: IncidentOut, **WRITE_ERRORS},
    auth=writer_auth(),
    url_name="incidents",
    openapi_extra=created_links("incident_detail"),
)
def incident_create(request, payload: IncidentIn, response: HttpResponse):
    """Record an incident at a workplace; the register rows named are flagged for re-assessment."""
    workplace = get_for_user(
        Workplace.objects.select_related("enterprise"), request.auth, write=True, pk=payload.workplace_id
    )
    form = forms.IncidentFields(_form_values(payload), enterprise=workplace.enterprise)
    data = cleaned(form, RENAMED)
    incident = services.incident_record(
        workplace=data["workplace"],
        kind=data["kind"],
        occurred_at=data["occurred_at"],
        description=data["description"],
        victims=_victims(payload),
        event=data["event"],
        hazards=data["hazards"],
        act_number=data["act_number"],
        reported_by=request.auth,
    )
    response["Location"] = f"{request.path}{incident.pk}/"
    return written(response, INCIDENTS, incident.pk, 201)


WRITE_INCIDENT = writer_auth(Incident.objects.all())


def _incident_to_update(request, pk: int) -> tuple[Incident, str]:
    """The incident and the version If-Match names; a cancelled one is 409."""
    incident, version = to_update(request, Incident.objects.select_related("enterprise", "workplace"), pk)
    if incident.is_cancelled:
        raise Conflict(_("A cancelled incident cannot be corrected."))
    return incident, version


@router.put(
    "/{int:pk}/", response={200: IncidentOut, **UPDATE_ERRORS}, auth=WRITE_INCIDENT, url_name="incident"
)
def incident_update(request, pk: int, payload: IncidentIn, response: HttpResponse):
    """Correct an incident (the whole record, as the page's form sends it); each correction is in
    its history. If-Match: the version (ETag) last read; an incident changed since is refused
    with 412."""
    incident, version = _incident_to_update(request, pk)
    form = forms.IncidentEditForm({**_form_values(payload), "version": version}, incident=incident)
    data = cleaned(form, RENAMED)
    services.incident_update(
        incident=incident,
        kind=data["kind"],
        occurred_at=data["occurred_at"],
        description=data["description"],
        workplace=data["workplace"],
        victims=_victims(payload),
        event=data["event"],
        hazards=data["hazards"],
        act_number=data["act_number"],
        version=data["version"],
    )
    return written(response, INCIDENTS, pk)


@router.post(
    "/{int:pk}/cancel/",
    response={200: IncidentOut, **UPDATE_ERRORS},
    auth=WRITE_INCIDENT,
    url_name="incident_cancel",
)
def incident_cancel(request, pk: int, payload: IncidentCancelIn, response: HttpResponse):
    """Cancel an incident recorded in error, with the reason: it stays, marked cancelled, and
    leaves every figure (a tombstone for clients that sync). If-Match as for an update."""
    incident, version = _incident_to_update(request, pk)
    services.incident_cancel(incident=incident, user=request.auth, reason=payload.reason, version=version)
    return written(response, INCIDENTS, pk)
