"""Incidents of an enterprise: record one against a workplace and its register rows, list them
with filters by kind and period, and open one to see everything recorded, correct it (with its
history) or cancel it with a reason."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from enterprises.access import get_for_user
from enterprises.models import Enterprise
from hazards.models import Hazard
from riskpilot.submissions.views import create_once

from .. import services
from ..forms import IncidentCancelForm, IncidentEditForm, IncidentFilterForm, IncidentForm, VictimFormSet
from ..models import Incident, IncidentKind
from .risk_common import add_service_errors
from .risk_history import incident_history

PAGE_SIZE = 25
VICTIMS = "victims"  # the victims formset's prefix
VICTIM_FIELDS = ("outcome", "days_lost", "position")


def _an_id(raw) -> int | None:
    # ASCII digits within the 64-bit range: a longer number cannot even be bound on SQLite.
    raw = str(raw or "")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 18 else None


def _workplace_from_query(request, enterprise):
    pk = _an_id(request.GET.get("workplace"))
    if pk is None:
        return None
    return enterprise.workplaces.filter(pk=pk, archived_at__isnull=True).first()


def _kind(data) -> str:
    """The kind of incident chosen so far, or "" for none (or one that does not exist)."""
    kind = data.get("kind") or ""
    return kind if kind in IncidentKind.values else ""


def _victims_formset(data=None, *, kind=None, redisplay: bool = False, add: bool = False, initial=None):
    """The victims part of the form: blank (one empty row for an accident, none for the other
    kinds or before a kind is chosen: a near miss or a microtrauma never starts with a victim),
    the victims already recorded (``initial``), bound to a submission, or a redisplay of one,
    unbound so that nobody sees errors for a form not yet sent: with one more row (``add``), or
    with none once a kind other than an accident is chosen (what is not shown is not sent)."""
    if data is None:
        rows = list(initial or [])
        if kind == IncidentKind.ACCIDENT and not rows:
            rows.append({"days_lost": 0})
        formset = VictimFormSet(initial=rows, prefix=VICTIMS)
        formset.extra = len(rows)
        return formset
    if not redisplay:
        return VictimFormSet(data, prefix=VICTIMS, kind=kind)
    rows = []
    bound = VictimFormSet(data, prefix=VICTIMS)
    if bound.management_form.is_valid():
        for form in bound.forms:
            if data.get(f"{form.prefix}-DELETE"):
                continue
            rows.append({name: data.get(f"{form.prefix}-{name}", "") for name in VICTIM_FIELDS})
    if kind and kind != IncidentKind.ACCIDENT:
        rows = []
    elif add or (kind == IncidentKind.ACCIDENT and not rows):
        rows.append({"days_lost": 0})
    formset = VictimFormSet(initial=rows, prefix=VICTIMS)
    formset.extra = len(rows)
    return formset


def _form_again(data, enterprise, incident=None):
    """The incident form as it was filled in, unbound (for "add another victim" without JS)."""
    initial = {name: data.get(name) for name in IncidentForm.base_fields if name != "hazards"}
    initial["hazards"] = data.getlist("hazards")
    if incident is not None:
        initial["version"] = data.get("version")
        return IncidentEditForm(initial=initial, incident=incident)
    pk = _an_id(initial.get("workplace"))
    workplace = None if pk is None else enterprise.workplaces.filter(pk=pk, archived_at__isnull=True).first()
    return IncidentForm(initial=initial, enterprise=enterprise, workplace=workplace)


def _render_form(request, enterprise, form, victims, incident=None):
    return render(
        request,
        "assessments/risk/incident_form.html",
        {
            "enterprise": enterprise,
            "form": form,
            "victims": victims,
            "kind": _chosen_kind(request, form),
            "incident": incident,
            "form_url": _form_url(enterprise, incident),
        },
    )


def _form_url(enterprise, incident=None) -> str:
    if incident is not None:
        return reverse("assessments:incident_edit", args=[incident.pk])
    return reverse("assessments:incident_add", args=[enterprise.pk])


def _chosen_kind(request, form) -> str:
    return _kind(request.POST) or _kind(form.initial)


def _form_parts(request, enterprise, incident=None):
    """The parts of the form sent back by htmx or for "add another victim" without JS, or None
    for a plain request. Nothing is written."""
    form_url = _form_url(enterprise, incident)
    if request.htmx and request.method == "GET":
        if request.htmx.target == "incident-victims":
            # The kind changed: the victims part shown for an accident, none for the others.
            kind = _kind(request.GET)
            victims = _victims_formset(request.GET, kind=kind, redisplay=True)
            return render(
                request,
                "assessments/risk/_incident_victims.html",
                {"enterprise": enterprise, "victims": victims, "kind": kind, "form_url": form_url},
            )
        # The workplace changed: only the list of its register rows is sent back.
        workplace = _workplace_from_query(request, enterprise)
        if incident is not None:
            form = IncidentEditForm(incident=incident, workplace=workplace or incident.workplace)
        else:
            form = IncidentForm(enterprise=enterprise, workplace=workplace)
        return render(request, "assessments/risk/_incident_hazards.html", {"form": form})
    if request.method == "POST" and "add_victim" in request.POST:
        # "Add another victim": the same page again with one more row.
        kind = _kind(request.POST)
        victims = _victims_formset(request.POST, kind=kind, redisplay=True, add=True)
        if request.htmx:
            return render(
                request,
                "assessments/risk/_incident_victims.html",
                {"enterprise": enterprise, "victims": victims, "kind": kind, "form_url": form_url},
            )
        return _render_form(
            request, enterprise, _form_again(request.POST, enterprise, incident), victims, incident
        )
    return None


def _victims_errors(victims, form, error: ValidationError) -> None:
    if hasattr(error, "error_dict") and "victims" in error.error_dict:
        # The victims' rule is shown above the victims, the rest beside the fields.
        victims.non_form_errors().extend(ValidationError(error.error_dict.pop("victims")).messages)
    if not hasattr(error, "error_dict") or error.error_dict:
        add_service_errors(form, error)


@login_required
def incident_add(request, enterprise_pk):
    enterprise = get_for_user(Enterprise.objects.all(), request.user, write=True, pk=enterprise_pk)
    part = _form_parts(request, enterprise)
    if part is not None:
        return part
    if request.method == "POST":
        form = IncidentForm(request.POST, enterprise=enterprise)
        victims = _victims_formset(request.POST, kind=_kind(request.POST))
        # Both validated, so every error shows at once.
        form_valid, victims_valid = form.is_valid(), victims.is_valid()
        if form_valid and victims_valid:
            data = form.cleaned_data
            try:
                _incident, created = create_once(
                    request,
                    form,
                    lambda: services.incident_record(
                        workplace=data["workplace"],
                        kind=data["kind"],
                        occurred_at=data["occurred_at"],
                        description=data["description"],
                        victims=victims.victims(),
                        event=data["event"],
                        hazards=data["hazards"],
                        act_number=data["act_number"],
                        reported_by=request.user,
                    ),
                )
            except ValidationError as error:
                _victims_errors(victims, form, error)
            else:
                flagged = len(data["hazards"])
                if created:
                    messages.success(
                        request,
                        _("Incident recorded.")
                        + " "
                        + ngettext(
                            "%(count)d register row is flagged “re-assessment needed”.",
                            "%(count)d register rows are flagged “re-assessment needed”.",
                            flagged,
                        )
                        % {"count": flagged},
                    )
                return redirect("assessments:incidents", enterprise_pk=enterprise.pk)
    else:
        # A kind in the address (?kind=near_miss) is chosen already, with the defaults of its kind.
        kind = _kind(request.GET)
        form = IncidentForm(
            enterprise=enterprise,
            workplace=_workplace_from_query(request, enterprise),
            initial={"kind": kind},
        )
        victims = _victims_formset(kind=kind)
    return _render_form(request, enterprise, form, victims)


def _incident_for_user(request, pk, *, write: bool = False) -> Incident:
    return get_for_user(
        Incident.objects.select_related("enterprise", "workplace__department", "event"),
        request.user,
        write=write,
        pk=pk,
    )


def _initial(incident: Incident) -> dict:
    return {
        "kind": incident.kind,
        "occurred_at": timezone.localtime(incident.occurred_at),
        "workplace": incident.workplace_id,
        "hazards": [h.pk for h in incident.hazards.all()],
        "description": incident.description,
        "event": incident.event_id,
        "act_number": incident.act_number,
    }


@login_required
@require_GET
def incident_detail(request, pk):
    incident = get_for_user(
        Incident.objects.select_related(
            "enterprise", "workplace__department", "event", "reported_by", "cancelled_by"
        )
        .with_victims()
        .prefetch_related(
            Prefetch("hazards", queryset=Hazard.objects.select_related("event").order_by("id"))
        ),
        request.user,
        pk=pk,
    )
    return render(
        request,
        "assessments/risk/incident_detail.html",
        {
            "enterprise": incident.enterprise,
            "incident": incident,
            "history": incident_history(incident),
            "can_write": request.user.can_write and not incident.is_cancelled,
        },
    )


@login_required
def incident_edit(request, pk):
    incident = _incident_for_user(request, pk, write=True)
    enterprise = incident.enterprise
    if incident.is_cancelled:
        messages.error(request, _("A cancelled incident cannot be corrected."))
        return redirect("assessments:incident", pk=incident.pk)
    part = _form_parts(request, enterprise, incident)
    if part is not None:
        return part
    if request.method == "POST":
        form = IncidentEditForm(request.POST, incident=incident)
        victims = _victims_formset(request.POST, kind=_kind(request.POST))
        form_valid, victims_valid = form.is_valid(), victims.is_valid()
        if form_valid and victims_valid:
            data = form.cleaned_data
            try:
                services.incident_update(
                    incident=incident,
                    kind=data["kind"],
                    occurred_at=data["occurred_at"],
                    description=data["description"],
                    workplace=data["workplace"],
                    victims=victims.victims(),
                    event=data["event"],
                    hazards=data["hazards"],
                    act_number=data["act_number"],
                    version=data["version"],
                )
            except ValidationError as error:
                _victims_errors(victims, form, error)
            else:
                messages.success(request, _("Incident corrected."))
                return redirect("assessments:incident", pk=incident.pk)
    else:
        form = IncidentEditForm(incident=incident, initial=_initial(incident))
        victims = _victims_formset(
            kind=incident.kind,
            initial=[
                {"outcome": v.outcome, "days_lost": v.days_lost, "position": v.position}
                for v in incident.victims.order_by("id")
            ],
        )
    return _render_form(request, enterprise, form, victims, incident)


@login_required
def incident_cancel(request, pk):
    incident = _incident_for_user(request, pk, write=True)
    if incident.is_cancelled:
        return redirect("assessments:incident", pk=incident.pk)
    form = IncidentCancelForm(request.POST if request.method == "POST" else None, incident=incident)
    if request.method == "POST" and form.is_valid():
        try:
            services.incident_cancel(
                incident=incident,
                user=request.user,
                reason=form.cleaned_data["reason"],
                version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Incident cancelled: it no longer counts in the figures."))
            return redirect("assessments:incident", pk=incident.pk)
    return render(
        request,
        "assessments/risk/incident_cancel.html",
        {"enterprise": incident.enterprise, "incident": incident, "form": form},
    )


@login_required
def incidents(request, enterprise_pk):
    enterprise = get_for_user(Enterprise.objects.all(), request.user, pk=enterprise_pk)
    filters = IncidentFilterForm(request.GET or None)
    queryset = (
        Incident.objects.for_user(request.user)
        .filter(enterprise=enterprise)
        .with_victims()
        .select_related("workplace", "event")
        .prefetch_related(Prefetch("hazards", queryset=Hazard.objects.select_related("event").order_by("id")))
        .order_by("-occurred_at", "-id")
    )
    if not (filters.is_valid() and filters.cleaned_data["cancelled"]):
        queryset = queryset.active()
    if filters.is_valid():
        data = filters.cleaned_data
        if data["kind"]:
            queryset = queryset.filter(kind=data["kind"])
        # The period is in local dates: from the start of the first day to the end of the last.
        tz = timezone.get_current_timezone()
        if data["date_from"]:
            start = datetime.datetime.combine(data["date_from"], datetime.time.min, tzinfo=tz)
            queryset = queryset.filter(occurred_at__gte=start)
        if data["date_to"]:
            end = datetime.datetime.combine(
                data["date_to"] + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
            )
            queryset = queryset.filter(occurred_at__lt=end)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "assessments/risk/incident_list.html",
        {
            "enterprise": enterprise,
            "filters": filters,
            "page": page,
            "query": query.urlencode(),
            "can_write": request.user.can_write,
        },
    )
