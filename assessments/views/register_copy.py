"""Copying a workplace's register rows to analogous workplaces, with their ratings as drafts if
the officer asks (assessments.services.hazards_copy_with_ratings)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from enterprises.access import get_for_user
from enterprises.models import Workplace
from riskpilot.submissions.views import create_once

from .. import services
from ..forms import HazardCopyWithRatingForm
from .risk_common import add_service_errors


@login_required
def hazard_copy(request, workplace_pk):
    source = get_for_user(
        Workplace.objects.active().select_related("enterprise", "department"),
        request.user,
        write=True,
        pk=workplace_pk,
    )
    form = HazardCopyWithRatingForm(request.POST if request.method == "POST" else None, source=source)
    context = {"form": form, "workplace": source, "enterprise": source.enterprise}
    if request.method == "POST" and form.is_valid():
        copied = {}

        def copy():
            copied["result"] = services.hazards_copy_with_ratings(
                source_rows=form.cleaned_data["rows"],
                targets=form.cleaned_data["targets"],
                user=request.user,
                carry_rating=form.cleaned_data["carry_rating"],
            )
            return source  # what the submission's key remembers: the copy has no object of its own

        try:
            _source, first = create_once(request, form, copy)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if not first:
                return redirect("assessments:workplace", pk=source.pk)
            result = copied["result"]
            # Shown at once rather than after a redirect: a reload posts the same key again and
            # is sent to the workplace (and the copy skips duplicates anyway).
            targets = form.cleaned_data["targets"].select_related("department")
            rated = {assessment.hazard_id for assessment in result.rated}
            report = [
                {"target": target, "created": created, "skipped": skipped}
                for target, created, skipped in result.copy.by_target(targets)
            ]
            return render(
                request,
                "hazards/hazard_copy_done.html",
                {
                    **context,
                    "result": result.copy,
                    "rated": rated,
                    "rated_count": len(rated),
                    "report": report,
                },
            )
    return render(request, "hazards/hazard_copy.html", context)
