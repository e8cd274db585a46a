"""The register row's page (data, assessment timeline, measures, incidents, history) and the
approval of an assessment. The forms of the work on a row live in risk_*.py beside this."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from enterprises.access import get_for_user
from hazards.models import ControlLevel, Hazard, HazardStatus, ModelMeasure
from hazards.services import version_token

from .. import services
from ..models import OPEN_MEASURE_STATUSES, AssessmentStatus, RiskAssessment
from .risk_common import band_display, inputs_display, score_display
from .risk_history import row_history

# The row's measures are shown in the order of the hierarchy of controls, strongest first.
_HIERARCHY = [level for level, _label in ControlLevel.choices]


@login_required
def hazard_detail(request, pk):
    hazard = get_for_user(
        Hazard.objects.select_related(
            "enterprise", "workplace__department", "event__hazard_type__group", "identified_by"
        ),
        request.user,
        pk=pk,
    )
    assessments = list(
        hazard.assessments.select_related(
            "assessor", "approved_by", "returned_by", "method_version"
        ).order_by("-assessed_on", "-id")
    )
    timeline = [
        {
            "assessment": a,
            "band": band_display(a.method_version.config, a.band),
            "residual_band": band_display(a.method_version.config, a.residual_band)
            if a.residual_band
            else None,
            "inputs": inputs_display(a.method_version.config, a.inputs),
            "score": score_display(a.score),
            "residual_score": score_display(a.residual_score),
            "residual_inputs": inputs_display(a.method_version.config, a.residual_inputs),
            # A draft a manager can still decide on carries the version they decide on.
            "approval_version": services.approval_token(a)
            if a.status == AssessmentStatus.DRAFT and not a.is_outdated
            else None,
        }
        for a in assessments
    ]
    current = next((a for a in assessments if a.is_current), None)
    measures = list(
        hazard.measures.select_related("model_measure", "assignee")
        .prefetch_related("evidence")
        .order_by("due_date", "id")
    )
    for measure in measures:
        measure.version = version_token(measure.updated_at)
    # Each group keeps its place in the hierarchy (1 elimination … 6 insurance), whichever
    # groups the row has: the same numbers as the form's.
    measure_groups = [
        {
            "level": level,
            "number": number,
            "label": label,
            "measures": [m for m in measures if m.control_level == level],
        }
        for number, (level, label) in enumerate(ControlLevel.choices, start=1)
    ]
    planned_model_measures = {m.model_measure_id for m in measures if m.model_measure_id}
    writable = request.user.can_write and hazard.status == HazardStatus.ACTIVE
    context = {
        "hazard": hazard,
        "timeline": timeline,
        "current": current,
        "trend": {
            "initial": assessments[-1].level if assessments else None,
            "current": hazard.risk_level,
            "residual": hazard.residual_level,
        },
        "measure_groups": [group for group in measure_groups if group["measures"]],
        "open_measure_count": sum(1 for m in measures if m.status in OPEN_MEASURE_STATUSES),
        "weak_plan": services.plan_relies_on_weak_controls(hazard=hazard, measures=measures),
        "model_measures": [
            (mm, mm.pk in planned_model_measures)
            for mm in ModelMeasure.objects.filter(event_id=hazard.event_id).order_by("id")
        ],
        "incidents": list(
            hazard.incidents.with_victims().select_related("workplace").order_by("-occurred_at")
        ),
        "history": row_history(hazard),
        "can_write": writable,
        "can_approve": request.user.can_approve,
    }
    return render(request, "assessments/risk/hazard_detail.html", context)


@login_required
@require_POST
def assessment_approve(request, pk):
    assessment = get_for_user(
        RiskAssessment.objects.select_related("hazard"), request.user, write=True, pk=pk
    )
    if not request.user.can_approve:
        raise PermissionDenied
    if assessment.status == AssessmentStatus.APPROVED:
        messages.info(request, _("This assessment was already approved."))
        return redirect("assessments:hazard", pk=assessment.hazard_id)
    try:
        # The version the page showed, when it sent one (services.approval_token).
        approved = services.assessment_approve(
            assessment=assessment, user=request.user, version=request.POST.get("version") or None
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if approved.approved_by_id == request.user.pk:
            messages.success(request, _("Assessment approved. It can no longer be changed."))
        else:  # someone approved it between the page and the click
            messages.info(request, _("This assessment was already approved."))
    return redirect("assessments:hazard", pk=assessment.hazard_id)
