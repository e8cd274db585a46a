from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from enterprises.models import ENTERPRISE_ROLES


@never_cache
def healthz(request):
    """For load balancers and container health checks: the process is up and the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@login_required
def home(request):
    """Everyone starts where their role works: officers and managers on their enterprise's
    register, reviewers on their region's dashboard, federal reviewers and admins on all regions'."""
    user = request.user
    if user.role in ENTERPRISE_ROLES and user.enterprise_id and not user.is_superuser:
        return redirect("assessments:overview", enterprise_pk=user.enterprise_id)
    if user.is_regional_reviewer and user.region_id:
        return redirect("reports:region", code=user.region.code)
    if user.sees_everything:
        return redirect("reports:federal")
    # An account whose role has no enterprise or region yet: say so instead of an empty page.
    return render(request, "home.html")
