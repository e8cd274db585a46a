"""The action plan: the enterprise's versions, drawing up a new one, its page, the employer's
approval («УТВЕРЖДАЮ») and its files (the approved version's kept PDF, the .xlsx)."""

import datetime

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assessments.exports import XLSX_CONTENT_TYPE
from enterprises.access import get_for_user
from enterprises.models import Department, Enterprise
from enterprises.services import department_tree
from hazards.services import version_token
from riskpilot.forms import VersionField
from riskpilot.submissions.forms import OnceFormMixin
from riskpilot.submissions.views import create_once

from ..models import ActionPlan, PlanStatus
from ..plans import plan_approve, plan_completion, plan_context, plan_create, plan_render_queue
from ..rendering import plan_xlsx

DATE_WIDGET = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class PlanForm(OnceFormMixin, forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=300)
    period_start = forms.DateField(label=gettext_lazy("Period from"), widget=DATE_WIDGET)
    period_end = forms.DateField(
        label=gettext_lazy("Period to"),
        widget=DATE_WIDGET,
        help_text=gettext_lazy(
            "The plan lists the planned and running measures due by this day, and the periodic ones."
        ),
    )
    department = forms.ModelChoiceField(
        label=gettext_lazy("Structural unit"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=gettext_lazy("The whole enterprise"),
        help_text=gettext_lazy("A unit includes the units inside it."),
    )

    def __init__(self, *args, enterprise, **kwargs):
        super().__init__(*args, **kwargs)
        tree, _by_id = department_tree(enterprise)
        field = self.fields["department"]
        field.queryset = Department.objects.filter(enterprise=enterprise, archived_at__isnull=True)
        field.choices = [("", field.empty_label)] + [
            (department.pk, "\u00a0\u00a0" * depth + department.name)
            for department, depth in tree
            if department.archived_at is None
        ]
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Draw up the plan")))

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The period ends before it begins."))
        if start and end and (end - start).days > 3 * 366:
            self.add_error("period_end", _("A plan covers at most three years."))
        return cleaned


class PlanApproveForm(forms.Form):
    position = forms.CharField(
        label=gettext_lazy("Your position, as under «APPROVED»"),
        max_length=300,
        help_text=gettext_lazy("For example: Director."),
    )
    version = VersionField()


def _plan_for_user(user, pk, **kwargs) -> ActionPlan:
    return get_for_user(
        ActionPlan.objects.select_related("enterprise", "department", "approved_by", "created_by"),
        user,
        pk=pk,
        **kwargs,
    )


@login_required
@require_GET
def plan_list(request, enterprise_pk):
    enterprise = get_for_user(Enterprise.objects.select_related("region"), request.user, pk=enterprise_pk)
    plans = list(
        ActionPlan.objects.filter(enterprise=enterprise).select_related(
            "department", "approved_by", "created_by"
        )
    )
    current = next((plan for plan in plans if plan.status == PlanStatus.APPROVED), None)
    return render(
        request,
        "documents/plans/plan_list.html",
        {
            "enterprise": enterprise,
            "plans": plans,
            "current": current,
            "completion": plan_completion(current) if current else None,
            "can_write": request.user.can_write,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_new(request, enterprise_pk):
    enterprise = get_for_user(Enterprise.objects, request.user, write=True, pk=enterprise_pk)
    if request.method == "POST":
        form = PlanForm(request.POST, enterprise=enterprise)
        if form.is_valid():
            data = form.cleaned_data
            try:
                plan, _created = create_once(
                    request, form, lambda: plan_create(enterprise=enterprise, user=request.user, **data)
                )
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                return redirect("documents:plan", pk=plan.pk)
    else:
        year = timezone.localdate().year
        form = PlanForm(
            enterprise=enterprise,
            initial={
                "title": _("Plan of measures to reduce occupational risk levels for %(year)s")
                % {"year": year},
                "period_start": datetime.date(year, 1, 1),
                "period_end": datetime.date(year, 12, 31),
            },
        )
    return render(request, "documents/plans/plan_form.html", {"enterprise": enterprise, "form": form})


@login_required
@require_GET
def plan_detail(request, pk):
    plan = _plan_for_user(request.user, pk)
    if plan.status == PlanStatus.APPROVED and not plan.file:
        # Its render was lost or never queued (the demo approves its plan without one).
        plan_render_queue(plan)
        plan.refresh_from_db(fields=["file"])  # without a broker it was rendered just now
    context = plan_context(plan)
    approve_form = None
    if plan.status == PlanStatus.DRAFT and request.user.can_approve:
        approve_form = PlanApproveForm(
            initial={"position": request.user.position, "version": version_token(plan.updated_at)}
        )
    context.update({"approve_form": approve_form})
    return render(request, "documents/plans/plan_detail.html", context)


@login_required
@require_POST
def plan_approve_view(request, pk):
    plan = _plan_for_user(request.user, pk, write=True)
    if not request.user.can_approve:
        raise PermissionDenied
    form = PlanApproveForm(request.POST)
    if form.is_valid():
        try:
            plan_approve(
                plan=plan,
                user=request.user,
                position=form.cleaned_data["position"],
                version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("The plan is approved. Its PDF is being prepared."))
            return redirect("documents:plan", pk=plan.pk)
    context = plan_context(plan)
    context.update({"approve_form": form})
    return render(request, "documents/plans/plan_detail.html", context, status=200)


@login_required
@require_GET
def plan_pdf(request, pk):
    plan = _plan_for_user(request.user, pk)
    if not plan.file:
        raise Http404
    name = f"action-plan-{plan.enterprise.inn}-v{plan.version}.pdf"
    return FileResponse(
        plan.file.open("rb"), as_attachment=True, filename=name, content_type="application/pdf"
    )


@login_required
@require_GET
def plan_xlsx_view(request, pk):
    plan = _plan_for_user(request.user, pk)
    response = HttpResponse(plan_xlsx(plan), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = (
        f'attachment; filename="action-plan-{plan.enterprise.inn}-v{plan.version}.xlsx"'
    )
    return response
