"""Browsing an enterprise's structure: structural units (nested) and their workplaces."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .access import get_for_user
from .models import Enterprise, Workplace
from .services import department_tree, natural_key


@login_required
def structure(request, enterprise_pk):
    """Departments → workplaces as a tree, each workplace linking to its register page."""
    enterprise = get_for_user(Enterprise.objects.select_related("region"), request.user, pk=enterprise_pk)
    tree, _by_id = department_tree(enterprise)
    workplaces: dict = {}
    for workplace in sorted(
        Workplace.objects.filter(enterprise=enterprise).active(), key=lambda w: natural_key(w.number)
    ):
        workplaces.setdefault(workplace.department_id, []).append(workplace)

    nodes = []
    hidden_depth = None  # below an archived unit everything is hidden
    for department, depth in tree:
        if hidden_depth is not None and depth > hidden_depth:
            continue
        hidden_depth = None
        if department.archived_at is not None:
            hidden_depth = depth
            continue
        own = workplaces.get(department.pk, [])
        nodes.append(
            {
                "department": department,
                "depth": min(depth, 5),
                "workplaces": own,
                "headcount": sum(w.headcount_total for w in own),
            }
        )
    return render(
        request,
        "enterprises/enterprise_structure.html",
        {
            "enterprise": enterprise,
            "nodes": nodes,
            "workplace_count": sum(len(node["workplaces"]) for node in nodes),
            "headcount": sum(node["headcount"] for node in nodes),
        },
    )
