"""Browsing the register: an enterprise's overview, a workplace's page and the register list
with its export. Every figure on the overview links to the filtered list behind it."""

import datetime

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from enterprises.access import get_for_user
from enterprises.models import Enterprise, Workplace
from enterprises.ordering import workplace_sort_key
from enterprises.services import department_path, department_tree, natural_key
from hazards.filters import NOT_RATED
from hazards.models import Hazard, HazardStatus, RiskLevel

from .. import exports
from ..models import ControlMeasure, Incident
from .register_filters import RegisterFilter, with_measure_counts
from .register_history import workplace_history
from .register_page import register_page

RECENT_INCIDENT_DAYS = 90


@login_required
@require_GET
def overview(request, enterprise_pk):
    enterprise = get_for_user(Enterprise.objects.select_related("region"), request.user, pk=enterprise_pk)
    today = timezone.localdate()
    active = Hazard.objects.filter(enterprise=enterprise, status=HazardStatus.ACTIVE)

    by_level = dict(active.values_list("risk_level").annotate(count=Count("id")).order_by())
    flags = active.aggregate(
        total=Count("id"),
        needs_reassessment=Count("id", filter=Q(needs_reassessment=True)),
        due_for_review=Count("id", filter=Q(next_review_on__lte=today)),
    )
    overdue = (
        ControlMeasure.objects.filter(hazard__in=active)
        .overdue(today)
        .aggregate(measures=Count("id"), rows=Count("hazard", distinct=True))
    )

    # A workplace counts as assessed when it has active rows and every one of them is rated.
    workplaces = list(
        Workplace.objects.filter(enterprise=enterprise)
        .active()
        .select_related("department")
        .annotate(
            rows=Count("hazards", filter=Q(hazards__status=HazardStatus.ACTIVE)),
            unrated=Count(
                "hazards", filter=Q(hazards__status=HazardStatus.ACTIVE, hazards__risk_level__isnull=True)
            ),
        )
    )
    unassessed = sorted((w for w in workplaces if not w.rows or w.unrated), key=workplace_sort_key)

    since = timezone.now() - datetime.timedelta(days=RECENT_INCIDENT_DAYS)
    incidents = Incident.objects.filter(enterprise=enterprise).active().filter(occurred_at__gte=since)
    recent_incidents = list(incidents.with_victims().select_related("workplace").order_by("-occurred_at")[:5])

    levels = [
        {"level": level, "label": label, "count": by_level.get(level, 0), "filter": str(level)}
        for level, label in reversed(RiskLevel.choices)
    ]
    return render(
        request,
        "assessments/register/overview.html",
        {
            "enterprise": enterprise,
            "today": today,
            "levels": levels,
            "not_rated": {"count": by_level.get(None, 0), "filter": NOT_RATED},
            "active_total": flags["total"],
            "needs_reassessment": flags["needs_reassessment"],
            "due_for_review": flags["due_for_review"],
            "overdue_measures": overdue["measures"],
            "overdue_rows": overdue["rows"],
            "workplace_total": len(workplaces),
            "workplace_assessed": len(workplaces) - len(unassessed),
            "unassessed": unassessed,
            "incident_count": incidents.count(),
            "recent_incidents": recent_incidents,
            "recent_days": RECENT_INCIDENT_DAYS,
        },
    )


@login_required
@require_GET
def workplace(request, pk):
    workplace = get_for_user(
        Workplace.objects.select_related("enterprise", "department"), request.user, pk=pk
    )
    enterprise = workplace.enterprise
    _tree, departments_by_id = department_tree(enterprise)
    rows = sorted(
        with_measure_counts(Hazard.objects.filter(workplace=workplace)).select_related(
            "event__hazard_type__group"
        ),
        key=lambda row: (row.event.hazard_type.group.number, natural_key(row.event.code), row.pk),
    )
    active = [row for row in rows if row.status == HazardStatus.ACTIVE]
    recent_incidents = list(
        Incident.objects.filter(workplace=workplace).active().order_by("-occurred_at")[:5]
    )
    return render(
        request,
        "assessments/register/workplace.html",
        {
            "workplace": workplace,
            "enterprise": enterprise,
            "department_path": department_path(workplace.department, departments_by_id),
            "rows": active,
            "inactive_rows": [row for row in rows if row.status != HazardStatus.ACTIVE],
            "open_measures": sum(row.open_measures for row in active),
            "overdue_measures": sum(row.overdue_measures for row in active),
            "history": workplace_history(workplace, departments_by_id=departments_by_id),
            "recent_incidents": recent_incidents,
            "can_write": request.user.can_write and workplace.archived_at is None,
            "today": timezone.localdate(),
        },
    )


@login_required
@require_GET
def register(request, enterprise_pk):
    """All rows of the enterprise, filtered, sorted and paged; ?format=xlsx or csv exports
    exactly the filtered rows (every page)."""
    enterprise = get_for_user(Enterprise.objects.select_related("region"), request.user, pk=enterprise_pk)
    rows = Hazard.objects.for_user(request.user).filter(enterprise=enterprise)
    register_filter = RegisterFilter(request.GET, queryset=rows, enterprise=enterprise)
    export_format = request.GET.get("format")
    if export_format in exports.FORMATS:
        queryset = with_measure_counts(register_filter.qs).select_related(
            "workplace__department", "event__hazard_type__group"
        )
        query = request.GET.copy()
        query.pop("format", None)
        query.pop("page", None)
        return exports.register_response(
            queryset,
            export_format=export_format,
            enterprise=enterprise,
            departments_by_id=register_filter.departments_by_id,
            query=query.urlencode(),
        )
    page = register_page(register_filter.qs, request.GET.get("page"), enterprise=enterprise)
    filtered = any(value for name, value in register_filter.form.cleaned_data.items() if name != "sort")
    return render(
        request,
        "assessments/register/register_list.html",
        {
            "enterprise": enterprise,
            "filter": register_filter,
            "page": page,
            "filtered": filtered,
            "today": timezone.localdate(),
            "can_write": request.user.can_write,
        },
    )
