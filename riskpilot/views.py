from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from enterprises.models import ENTERPRISE_ROLES, Role
from reports import delivery


@never_cache
def healthz(request):
    """For load balancers and container health checks: the process is up and the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@never_cache
def health(request):
    """For monitoring: the database and the cache, and the work that is owed — report e-mails not
    delivered, reports waiting. Counts only: no names, addresses or settings, so it may be public.
    503 when the database does not answer; a dead cache only degrades (pages compute instead)."""
    from reports.models import Report, ReportStatus

    body = {"status": "ok", "database": "ok", "cache": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        body["deliveries"] = delivery.delivery_counts()
        body["reports"] = {
            "queued": Report.objects.filter(status__in=[ReportStatus.QUEUED, ReportStatus.RENDERING]).count(),
            "failed": Report.objects.filter(status=ReportStatus.FAILED).count(),
        }
    except DatabaseError:
        body.update(status="error", database="unavailable")
    ping = getattr(cache, "ping", None)
    if ping is not None and not ping():
        body["cache"] = "unavailable"
        if body["status"] == "ok":
            body["status"] = "degraded"
    if body["status"] == "ok" and body["deliveries"]["failed"]:
        body["status"] = "degraded"
    return JsonResponse(body, status=503 if body["database"] != "ok" else 200)


@login_required
def home(request):
    """Everyone starts where their role works: officers on their enterprise's register, managers
    on its approval queue, reviewers on their region's dashboard, federal reviewers and admins on
    all regions'."""
    user = request.user
    if user.role == Role.MANAGER and user.enterprise_id and not user.is_superuser:
        return redirect("assessments:approvals", enterprise_pk=user.enterprise_id)
    if user.role in ENTERPRISE_ROLES and user.enterprise_id and not user.is_superuser:
        return redirect("assessments:overview", enterprise_pk=user.enterprise_id)
    if user.is_regional_reviewer and user.region_id:
        return redirect("dashboards:region", code=user.region.code)
    if user.sees_everything:
        return redirect("dashboards:federal")
    # An account whose role has no enterprise or region yet: say so instead of an empty page.
    return render(request, "home.html")
