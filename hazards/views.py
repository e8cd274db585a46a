"""Register rows: add from the 776n catalogue, edit, eliminate or archive, and the enterprise's
own hazards (Order 36). Copying rows to analogous workplaces (with their ratings, if asked) is
assessments.views.register_copy: the ratings are the assessments app's."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from enterprises.access import get_for_user
from enterprises.models import Enterprise, Workplace
from riskpilot.submissions.views import create_once

from . import services
from .forms import (
    HazardEditForm,
    HazardForm,
    HazardStatusForm,
    OwnEventForm,
    catalogue_events,
    grouped_choices,
    search_events,
)
from .models import Hazard, HazardousEvent, HazardStatus


def _add_errors(form, error: ValidationError) -> None:
    """A service's refusal, shown beside the field it names (or above the form)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _row_url(hazard: Hazard) -> str:
    return reverse("assessments:hazard", args=[hazard.pk])


def _workplace_for_write(request, pk) -> Workplace:
    return get_for_user(
        Workplace.objects.active().select_related("enterprise", "department"), request.user, write=True, pk=pk
    )


def _catalogue_context(events, query: str, selected: str) -> dict:
    return {
        "choices": grouped_choices(events),
        "selected": selected,
        "match_count": len(events),
        "query": query,
    }


@login_required
def hazard_add(request, workplace_pk):
    workplace = _workplace_for_write(request, workplace_pk)
    enterprise = workplace.enterprise
    events = catalogue_events(enterprise)
    form = HazardForm(
        request.POST if request.method == "POST" else None,
        instance=Hazard(enterprise=enterprise, workplace=workplace),
        events=events,
        initial={"event": request.GET.get("event"), "exposed_count": workplace.headcount_total},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            hazard, created = create_once(
                request,
                form,
                lambda: services.hazard_add(workplace=workplace, identified_by=request.user, **data),
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            if created:
                messages.success(
                    request,
                    _("Hazardous event %(code)s added to workplace № %(number)s. Assess the risk now.")
                    % {"code": hazard.event.code, "number": workplace.number},
                )
            return redirect(_row_url(hazard))
    selected = str(form["event"].value() or "")
    event = form.fields["event"].events.get(selected)
    return render(
        request,
        "hazards/hazard_form.html",
        {
            "form": form,
            "workplace": workplace,
            "enterprise": enterprise,
            "catalogue": _catalogue_context(events, "", selected),
            "catalogue_size": len(events),
            "event": event,
            "model_measures": event.model_measures.order_by("id") if event else [],
        },
    )


@login_required
@require_GET
def catalogue_search(request):
    """The 776n catalogue (plus the enterprise's own events) narrowed by code or words in Russian
    or English: the grouped <select> of the add form for htmx, JSON otherwise."""
    enterprise = None
    if request.GET.get("enterprise", "").isdigit():
        enterprise = get_for_user(Enterprise.objects, request.user, pk=request.GET["enterprise"])
    elif request.user.enterprise_id:
        enterprise = request.user.enterprise
    query = request.GET.get("q", "")[:200]
    events = search_events(catalogue_events(enterprise), query)
    if request.htmx:
        context = _catalogue_context(events, query, request.GET.get("event", ""))
        return render(request, "hazards/_event_select.html", {"catalogue": context})
    return JsonResponse(
        {
            "query": query,
            "results": [
                {
                    "id": event.pk,
                    "code": event.code,
                    "name": event.name,
                    "hazard": str(event.hazard_type),
                    "group": str(event.hazard_type.group),
                    "own": event.enterprise_id is not None,
                }
                for event in events
            ],
        }
    )


@login_required
@require_GET
def model_measures(request):
    """The catalogue's model control measures of one hazardous event, offered as suggestions."""
    event_id = request.GET.get("event", "")
    event = None
    if event_id.isdigit():
        visible = Q(enterprise__isnull=True) | Q(enterprise__in=Enterprise.objects.for_user(request.user))
        event = HazardousEvent.objects.filter(visible, pk=event_id).first()
    measures = event.model_measures.order_by("id") if event else []
    return render(request, "hazards/_model_measures.html", {"event": event, "model_measures": measures})


@login_required
def hazard_edit(request, pk):
    hazard = get_for_user(
        Hazard.objects.select_related("workplace__department", "event__hazard_type__group", "enterprise"),
        request.user,
        write=True,
        pk=pk,
    )
    form = HazardEditForm(request.POST if request.method == "POST" else None, instance=hazard)
    if request.method == "POST" and form.is_valid():
        try:
            services.hazard_update(hazard=hazard, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The register row was saved."))
            return redirect(_row_url(hazard))
    return render(
        request,
        "hazards/hazard_edit.html",
        {
            "form": form,
            "hazard": hazard,
            "workplace": hazard.workplace,
            "enterprise": hazard.enterprise,
            "statuses": [choice for choice in HazardStatus.choices if choice[0] != hazard.status],
        },
    )


@login_required
@require_POST
def hazard_set_status(request, pk):
    """Eliminate, archive or restore a row: the register never deletes."""
    hazard = get_for_user(
        Hazard.objects.select_related("event", "workplace"), request.user, write=True, pk=pk
    )
    form = HazardStatusForm(request.POST)
    if form.is_valid():
        services.hazard_set_status(hazard=hazard, status=form.cleaned_data["status"])
        messages.success(
            request,
            _("Row %(code)s at workplace № %(number)s: status “%(status)s”.")
            % {
                "code": hazard.event.code,
                "number": hazard.workplace.number,
                "status": hazard.get_status_display(),
            },
        )
    else:
        messages.error(request, _("Choose a valid status."))
    return redirect("hazards:edit", pk=hazard.pk)


@login_required
def own_event_add(request, enterprise_pk):
    enterprise = get_for_user(Enterprise.objects, request.user, write=True, pk=enterprise_pk)
    workplace = None
    if request.GET.get("workplace", "").isdigit():
        workplace = Workplace.objects.filter(enterprise=enterprise, pk=request.GET["workplace"]).first()
        if workplace is None:
            raise Http404
    form = OwnEventForm(request.POST if request.method == "POST" else None, enterprise=enterprise)
    if request.method == "POST" and form.is_valid():
        try:
            event, created = create_once(
                request, form, lambda: services.own_event_add(enterprise=enterprise, **form.cleaned_data)
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            if created:
                messages.success(request, _("Own hazardous event %(code)s added.") % {"code": event.code})
            if workplace is not None:
                return redirect(f"{reverse('hazards:add', args=[workplace.pk])}?event={event.pk}")
            return redirect("hazards:own_add", enterprise_pk=enterprise.pk)
    own_events = (
        HazardousEvent.objects.filter(enterprise=enterprise)
        .select_related("hazard_type__group")
        .order_by("hazard_type__group__number", "code")
    )
    return render(
        request,
        "hazards/own_event_form.html",
        {"form": form, "enterprise": enterprise, "workplace": workplace, "own_events": own_events},
    )
