from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, Q
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from assessments.models import OPEN_MEASURE_STATUSES
from enterprises.models import Enterprise
from hazards.models import HazardStatus, RiskLevel


@never_cache
def healthz(request):
    """For load balancers and container health checks: the process is up and the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@login_required
def home(request):
    """The enterprises the user may see, with the register's headline figures."""
    today = timezone.localdate()
    active = Q(hazards__status=HazardStatus.ACTIVE)
    enterprises = (
        Enterprise.objects.for_user(request.user)
        .active()
        .select_related("region")
        .annotate(
            workplace_count=Count("workplaces", distinct=True),
            hazard_count=Count("hazards", filter=active, distinct=True),
            serious_count=Count(
                "hazards", filter=active & Q(hazards__risk_level__gte=RiskLevel.HIGH), distinct=True
            ),
            overdue_count=Count(
                "hazards__measures",
                filter=Q(
                    hazards__measures__status__in=OPEN_MEASURE_STATUSES,
                    hazards__measures__due_date__lt=today,
                ),
                distinct=True,
            ),
        )
        .order_by("region__code", "short_name")
    )
    page = Paginator(enterprises, 50).get_page(request.GET.get("page"))
    return render(request, "home.html", {"page": page})
