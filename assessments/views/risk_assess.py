"""Assess a register row with the enterprise's method, with a live preview of the score and band
and, where the band requires action, the mandatory measure in the same form."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from enterprises.access import get_for_user
from hazards.models import Hazard, HazardStatus
from riskpilot.submissions.views import create_once

from .. import services
from ..forms import AssessmentForm, MeasureForm
from ..models import AssessmentReason, AssessmentStatus, MeasureStatus
from .risk_common import add_service_errors, preview


def _default_reason(request, hazard, previous) -> str:
    """The reason asked for in the link (?reason=), else what flagged the row since its current
    rating: an incident, then a completed measure."""
    asked = request.GET.get("reason", "")
    if asked in AssessmentReason.values:
        return asked
    if previous is None:
        return AssessmentReason.INITIAL
    if previous.status == AssessmentStatus.RETURNED:
        # A correction asked for by the manager: the same reason as the assessment it corrects.
        return previous.reason
    if hazard.needs_reassessment:
        if hazard.incidents.filter(created_at__gt=previous.created_at).exists():
            return AssessmentReason.AFTER_INCIDENT
        if hazard.measures.filter(status=MeasureStatus.DONE, updated_at__gt=previous.created_at).exists():
            return AssessmentReason.AFTER_MEASURES
    return AssessmentReason.CHANGE


@login_required
def assess(request, pk):
    """GET: the form, started from the current rating. GET from htmx: only the score preview.
    POST: a new assessment (a re-assessment never changes an earlier one)."""
    hazard = get_for_user(
        Hazard.objects.select_related("enterprise__risk_method", "workplace", "event"),
        request.user,
        write=True,
        pk=pk,
    )
    if hazard.status != HazardStatus.ACTIVE:
        messages.error(request, _("This row is not active: restore it before assessing it."))
        return redirect("assessments:hazard", pk=hazard.pk)
    try:
        version = services.method_version_for(hazard.enterprise)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("assessments:hazard", pk=hazard.pk)
    config = version.config
    previous = hazard.assessments.filter(is_current=True).select_related("returned_by").first()
    needs_measure_plan = not hazard.measures.open().exists()

    if request.htmx and request.method == "GET":
        form = AssessmentForm(config=config)
        return render(
            request,
            "assessments/risk/_score_preview.html",
            {
                "preview": preview(
                    config, request.GET, input_keys=form.input_keys, needs_measure_plan=needs_measure_plan
                )
            },
        )

    if request.method == "POST":
        form = AssessmentForm(request.POST, config=config)
        measure_form = MeasureForm(request.POST, prefix="measure", hazard=hazard, optional=True)
        values = request.POST
        # Both forms are checked, so every mistake is shown at once.
        if all([form.is_valid(), measure_form.is_valid()]):
            measures = [] if measure_form.is_empty() else [measure_form.measure]
            try:
                _assessment, created = create_once(
                    request,
                    form,
                    lambda: services.assessment_record(
                        hazard=hazard,
                        assessor=request.user,
                        inputs=form.inputs,
                        residual_inputs=form.residual_inputs,
                        reason=form.cleaned_data["reason"],
                        assessed_on=form.cleaned_data["assessed_on"],
                        comment=form.cleaned_data["comment"],
                        measures=measures,
                        expected_current=form.cleaned_data["current"],
                    ),
                )
            except ValidationError as error:
                errors = dict(error.error_dict) if hasattr(error, "error_dict") else {None: error.error_list}
                if "measures" in errors:
                    measure_form.add_error("description", errors.pop("measures"))
                if errors:
                    first = form.input_keys[0]
                    add_service_errors(
                        form,
                        ValidationError(errors),
                        field_map={"inputs": first, "residual_inputs": f"residual_{first}"},
                    )
            else:
                if created:
                    messages.success(request, _("Assessment saved. A manager approves it to make it final."))
                return redirect("assessments:hazard", pk=hazard.pk)
    else:
        initial = {"reason": _default_reason(request, hazard, previous)}
        form = AssessmentForm(initial=initial, config=config, previous=previous)
        measure_form = MeasureForm(prefix="measure", hazard=hazard, optional=True)
        values = {**form.initial}

    return render(
        request,
        "assessments/risk/assessment_form.html",
        {
            "hazard": hazard,
            "version": version,
            "form": form,
            "measure_form": measure_form,
            "previous": previous,
            "needs_measure_plan": needs_measure_plan,
            "preview": preview(
                config, values, input_keys=form.input_keys, needs_measure_plan=needs_measure_plan
            ),
        },
    )
