"""Incidents of an enterprise: record one against a workplace and its register rows, and list
them with filters by kind and period."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from enterprises.access import get_for_user
from enterprises.models import Enterprise
from hazards.models import Hazard
from submissions.views import create_once

from .. import services
from ..forms import IncidentFilterForm, IncidentForm
from ..models import Incident
from .risk_common import add_service_errors

PAGE_SIZE = 25


def _workplace_from_query(request, enterprise):
    raw = request.GET.get("workplace", "")
    if not raw.isdigit():
        return None
    return enterprise.workplaces.filter(pk=int(raw), archived_at__isnull=True).first()


@login_required
def incident_add(request, enterprise_pk):
    enterprise = get_for_user(Enterprise.objects.all(), request.user, write=True, pk=enterprise_pk)
    workplace = _workplace_from_query(request, enterprise)
    if request.htmx and request.method == "GET":
        # The workplace changed: only the list of its register rows is sent back.
        form = IncidentForm(enterprise=enterprise, workplace=workplace)
        return render(request, "assessments/risk/_incident_hazards.html", {"form": form})
    if request.method == "POST":
        form = IncidentForm(request.POST, enterprise=enterprise)
        if form.is_valid():
            data = form.cleaned_data
            try:
                _incident, created = create_once(
                    request,
                    form,
                    lambda: services.incident_record(
                        workplace=data["workplace"],
                        kind=data["kind"],
                        severity=data["severity"],
                        occurred_at=data["occurred_at"],
                        description=data["description"],
                        people_affected=data["people_affected"],
                        days_lost=data["days_lost"],
                        event=data["event"],
                        hazards=data["hazards"],
                        act_number=data["act_number"],
                        reported_by=request.user,
                    ),
                )
            except ValidationError as error:
                add_service_errors(form, error)
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
        form = IncidentForm(enterprise=enterprise, workplace=workplace)
    return render(request, "assessments/risk/incident_form.html", {"enterprise": enterprise, "form": form})


@login_required
def incidents(request, enterprise_pk):
    enterprise = get_for_user(Enterprise.objects.all(), request.user, pk=enterprise_pk)
    filters = IncidentFilterForm(request.GET or None)
    queryset = (
        Incident.objects.for_user(request.user)
        .active()
        .filter(enterprise=enterprise)
        .select_related("workplace", "event")
        .prefetch_related(Prefetch("hazards", queryset=Hazard.objects.select_related("event").order_by("id")))
        .order_by("-occurred_at", "-id")
    )
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
