"""Browsing an enterprise's structure (structural units, nested, and their workplaces) and a user's
own settings."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from .access import get_for_user
from .models import Enterprise, User, Workplace
from .okpdtr import okpdtr_matches
from .ordering import workplace_order
from .services import department_tree


@login_required
def structure(request, enterprise_pk):
    """Departments → workplaces as a tree, each workplace linking to its register page."""
    enterprise = get_for_user(Enterprise.objects.select_related("region"), request.user, pk=enterprise_pk)
    tree, _by_id = department_tree(enterprise)
    workplaces: dict = {}
    for workplace in Workplace.objects.filter(enterprise=enterprise).active().order_by(*workplace_order()):
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


class PreferencesForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["language", "weekly_digest"]
        labels = {"language": _("Language of e-mails")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Save")))


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    """A user's own settings: the language of the e-mails and the weekly reminder."""
    form = PreferencesForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your settings are saved."))
        return redirect("enterprises:preferences")
    return render(request, "enterprises/preferences.html", {"form": form})


@login_required
@require_http_methods(["GET"])
def okpdtr_options(request):
    """The ОКПДТР classifier's matches of what is typed in the workplace form, as <option>s for
    its datalist (htmx). The classifier is public reference data: any signed-in user may ask."""
    kind = "position" if "position" in request.GET else "okpdtr_code"
    entries = okpdtr_matches(request.GET.get(kind, ""))
    return render(request, "enterprises/_okpdtr_options.html", {"entries": entries, "kind": kind})
