"""Control measures of a register row: plan one (optionally from a 776n model measure), change who
is responsible and when it is due, start, cancel or mark it done with evidence, the signed-in
user's own measures ("My tasks"), and the access-checked download of the evidence."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from enterprises.access import get_for_user
from hazards.models import Hazard, HazardStatus, ModelMeasure
from hazards.services import version_token
from riskpilot.submissions.views import create_once

from .. import services
from ..forms import MeasureCancelForm, MeasureCompleteForm, MeasureEditForm, MeasurePlanForm, MeasureStartForm
from ..models import OPEN_MEASURE_STATUSES, AssessmentReason, ControlMeasure, MeasureEvidence
from .risk_common import add_service_errors


def _model_measure_initial(request, hazard) -> tuple[ModelMeasure | None, dict]:
    """?model_measure=<id> prefills the form, but only from the row's own event's measures."""
    raw = request.GET.get("model_measure", "")
    if not raw.isdigit():
        return None, {}
    model_measure = ModelMeasure.objects.filter(pk=int(raw), event_id=hazard.event_id).first()
    if model_measure is None:
        return None, {}
    initial = {"description": model_measure.name, "model_measure": model_measure.pk}
    if model_measure.control_level:
        initial["control_level"] = model_measure.control_level
    return model_measure, initial


@login_required
def measure_add(request, pk):
    hazard = get_for_user(
        Hazard.objects.select_related("workplace", "event", "enterprise"), request.user, write=True, pk=pk
    )
    if hazard.status != HazardStatus.ACTIVE:
        messages.error(request, _("This row is not active: restore it before planning measures."))
        return redirect("assessments:hazard", pk=hazard.pk)
    model_measure = None
    if request.method == "POST":
        form = MeasurePlanForm(request.POST, hazard=hazard)
        if form.is_valid():
            try:
                _measure, created = create_once(
                    request, form, lambda: services.measure_plan(hazard=hazard, **form.measure)
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                if created:
                    messages.success(request, _("Measure added to the plan."))
                return redirect("assessments:hazard", pk=hazard.pk)
    else:
        model_measure, initial = _model_measure_initial(request, hazard)
        form = MeasurePlanForm(initial=initial, hazard=hazard)
    return render(
        request,
        "assessments/risk/measure_form.html",
        {"hazard": hazard, "form": form, "model_measure": model_measure},
    )


@login_required
def measure_complete(request, pk):
    measure = get_for_user(
        ControlMeasure.objects.select_related("hazard__workplace", "hazard__event", "hazard__enterprise"),
        request.user,
        write=True,
        pk=pk,
    )
    hazard = measure.hazard
    if measure.status not in OPEN_MEASURE_STATUSES:
        messages.info(request, _("This measure is already closed."))
        return redirect("assessments:hazard", pk=hazard.pk)
    if request.method == "POST":
        form = MeasureCompleteForm(request.POST, request.FILES, measure=measure)
        if form.is_valid():
            try:
                _evidence, created = create_once(
                    request,
                    form,
                    lambda: services.measure_complete_with_evidence(
                        measure=measure,
                        file=form.cleaned_data["file"],
                        uploaded_by=request.user,
                        done_on=form.cleaned_data["done_on"],
                        note=form.cleaned_data["note"],
                        version=form.cleaned_data["version"],
                    ),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                if created:
                    messages.success(
                        request,
                        _(
                            "Measure marked done. Re-rate the risk now: until then the row is flagged "
                            "“re-assessment needed”."
                        ),
                    )
                url = reverse("assessments:assess", kwargs={"pk": hazard.pk})
                return redirect(f"{url}?reason={AssessmentReason.AFTER_MEASURES}")
    else:
        form = MeasureCompleteForm(measure=measure)
    return render(
        request,
        "assessments/risk/measure_complete.html",
        {"hazard": hazard, "measure": measure, "form": form, "max_upload": settings.MAX_UPLOAD_BYTES},
    )


def _open_measure_for_write(request, pk):
    """An open measure of an active row the user may change (404 outside their scope, 403 for
    read-only roles); None, with a message, when it is closed or its row is not active."""
    measure = get_for_user(
        ControlMeasure.objects.select_related(
            "hazard__workplace", "hazard__event", "hazard__enterprise", "assignee"
        ),
        request.user,
        write=True,
        pk=pk,
    )
    if measure.status not in OPEN_MEASURE_STATUSES:
        messages.info(request, _("This measure is already closed."))
        return measure, False
    if measure.hazard.status != HazardStatus.ACTIVE:
        messages.error(request, _("This row is not active: restore it before changing its measures."))
        return measure, False
    return measure, True


@login_required
def measure_edit(request, pk):
    measure, editable = _open_measure_for_write(request, pk)
    if not editable:
        return redirect("assessments:hazard", pk=measure.hazard_id)
    if request.method == "POST":
        form = MeasureEditForm(request.POST, measure=measure)
        if form.is_valid():
            try:
                services.measure_update(measure=measure, **form.changes)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Measure changed."))
                return redirect(
                    f"{reverse('assessments:hazard', args=[measure.hazard_id])}#measure-{measure.pk}"
                )
    else:
        form = MeasureEditForm(measure=measure)
    return render(
        request,
        "assessments/risk/measure_edit.html",
        {"hazard": measure.hazard, "measure": measure, "form": form},
    )


@login_required
@require_POST
def measure_start(request, pk):
    measure, editable = _open_measure_for_write(request, pk)
    if editable:
        form = MeasureStartForm(request.POST)
        try:
            if not form.is_valid():
                raise ValidationError(form.non_field_errors())
            services.measure_start(measure=measure, version=form.cleaned_data["version"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Measure set in progress."))
    return redirect(_back(request, measure))


@login_required
def measure_cancel(request, pk):
    measure, editable = _open_measure_for_write(request, pk)
    if not editable:
        return redirect("assessments:hazard", pk=measure.hazard_id)
    if request.method == "POST":
        form = MeasureCancelForm(request.POST, measure=measure)
        if form.is_valid():
            try:
                services.measure_cancel(
                    measure=measure, reason=form.cleaned_data["reason"], version=form.cleaned_data["version"]
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Measure cancelled."))
                return redirect(
                    f"{reverse('assessments:hazard', args=[measure.hazard_id])}#measure-{measure.pk}"
                )
    else:
        form = MeasureCancelForm(measure=measure)
    return render(
        request,
        "assessments/risk/measure_cancel.html",
        {"hazard": measure.hazard, "measure": measure, "form": form},
    )


def _back(request, measure) -> str:
    """Back to "My tasks" when the action was taken there, else to the measure on its row."""
    if request.POST.get("next") == "my_tasks":
        return reverse("assessments:my_tasks")
    return f"{reverse('assessments:hazard', args=[measure.hazard_id])}#measure-{measure.pk}"


# One page stays readable; the closed ones are the oldest part of the list.
MY_TASKS_LIMIT = 300


@login_required
@require_GET
def my_tasks(request):
    """The signed-in user's measures across the rows they may see, open ones first."""
    measures = list(services.my_tasks(request.user)[:MY_TASKS_LIMIT])
    for measure in measures:
        measure.version = version_token(measure.updated_at)
    open_measures = [m for m in measures if m.status in OPEN_MEASURE_STATUSES]
    return render(
        request,
        "assessments/my_tasks.html",
        {
            "open_measures": open_measures,
            "closed_measures": [m for m in measures if m.status not in OPEN_MEASURE_STATUSES],
            "can_write": request.user.can_write,
            "limit": MY_TASKS_LIMIT,
            "capped": len(measures) == MY_TASKS_LIMIT,
        },
    )


@login_required
@require_GET
def evidence(request, pk):
    """Evidence is served only here, to people who may see its register row (404 to others)."""
    item = get_for_user(MeasureEvidence.objects.all(), request.user, pk=pk)
    try:
        handle = item.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404(_("The file of this evidence is missing.")) from None
    # Images open in the browser; PDFs are downloaded (a PDF viewer is a large attack surface and
    # would run in our origin).
    response = FileResponse(
        handle, content_type=item.content_type, as_attachment=not item.is_image, filename=item.original_name
    )
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response
