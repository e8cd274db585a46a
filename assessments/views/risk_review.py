"""The periodic review of one workplace: every active row with its rating carried forward for
confirmation, and what is new, changed and removed since the last review.

"The last review" is the moment the newest WorkplaceReview of the workplace was recorded. Registers
from before review records (imports, demo data) fall back to the date of the newest periodic-review
assessment; their rows were often entered long after the work they describe, so then new rows,
re-assessments and completed measures are found by their own dates (identified on, assessed on,
done on), not by when they were typed in (services.last_review)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from enterprises.access import get_for_user
from enterprises.models import Workplace
from hazards.models import Hazard, HazardStatus
from riskpilot.submissions.views import create_once

from .. import services
from ..forms import ReviewForm
from ..models import ControlMeasure, RiskAssessment
from .risk_common import add_service_errors, band_display, inputs_display

# Columns of a register row whose change a reviewer must look at again (levels and flags are the
# assessments' business and are reported as "re-assessed").
_DATA_FIELDS = (
    "event_id",
    "source",
    "activity",
    "object_description",
    "existing_controls",
    "exposed_description",
    "exposed_count",
)
EDITED = gettext_lazy("row data edited")
REASSESSED = gettext_lazy("re-assessed")
MEASURES = gettext_lazy("measures changed")


def _is_new(row, last) -> bool:
    if last is None:
        return False
    return row.created_at > last.moment if last.recorded else row.identified_on > last.on


def changes_since(workplace, last) -> tuple[dict, set]:
    """({row pk: [what changed]}, {pks of rows eliminated or archived}) since the last review.
    Three queries, whatever the number of rows or records."""
    changed: dict[int, list] = {}
    removed: set[int] = set()
    if last is None:
        return changed, removed
    previous = {}
    records = Hazard.history.filter(workplace_id=workplace.pk).order_by("history_date", "history_id")
    for record in records:
        before = previous.get(record.id)
        previous[record.id] = record
        if before is None or record.history_date <= last.moment:
            continue
        if record.status != before.status and record.status != HazardStatus.ACTIVE:
            removed.add(record.id)
        if any(getattr(record, name) != getattr(before, name) for name in _DATA_FIELDS):
            changed.setdefault(record.id, []).append(EDITED)
    assessments = RiskAssessment.objects.filter(hazard__workplace=workplace)
    measures = ControlMeasure.history.filter(hazard__workplace_id=workplace.pk)
    if last.recorded:
        assessments = assessments.filter(created_at__gt=last.moment)
        measures = measures.filter(history_date__gt=last.moment)
    else:
        assessments = assessments.filter(assessed_on__gt=last.on)
        measures = measures.filter(done_on__gt=last.on)
    for pk in sorted(set(assessments.values_list("hazard_id", flat=True))):
        changed.setdefault(pk, []).append(REASSESSED)
    for pk in sorted(set(measures.values_list("hazard_id", flat=True))):
        changed.setdefault(pk, []).append(MEASURES)
    for reasons in changed.values():
        reasons[:] = list(dict.fromkeys(reasons))
    return changed, removed


@login_required
def review_start(request, pk):
    workplace = get_for_user(
        Workplace.objects.select_related("enterprise__risk_method", "department"),
        request.user,
        write=True,
        pk=pk,
    )
    try:
        version = services.method_version_for(workplace.enterprise)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("assessments:workplace", pk=workplace.pk)
    last = services.last_review(workplace)
    rows = list(Hazard.objects.filter(workplace=workplace).select_related("event").order_by("id"))
    active = [row for row in rows if row.status == HazardStatus.ACTIVE]
    currents = {
        a.hazard_id: a
        for a in RiskAssessment.objects.filter(hazard__workplace=workplace, is_current=True).select_related(
            "method_version"
        )
    }
    confirmable_pks = [
        row.pk
        for row in active
        if services.review_can_confirm(assessment=currents.get(row.pk), version=version)
    ]
    confirmable = Hazard.objects.filter(pk__in=confirmable_pks)

    if request.method == "POST":
        form = ReviewForm(request.POST, confirmable=confirmable)
        if form.is_valid():
            data = form.cleaned_data
            try:
                review, created = create_once(
                    request,
                    form,
                    lambda: services.workplace_review_complete(
                        workplace=workplace,
                        reviewer=request.user,
                        confirm=data["confirm"],
                        next_review_on=data["next_review_on"],
                        reviewed_on=data["reviewed_on"],
                        comment=data["comment"],
                    ),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                if created:
                    messages.success(
                        request,
                        _(
                            "Review completed: %(confirmed)d ratings confirmed, %(flagged)d rows left "
                            "for re-assessment. Next review: %(next)s."
                        )
                        % {
                            "confirmed": review.confirmed_count,
                            "flagged": review.flagged_count,
                            "next": date_format(review.next_review_on, "SHORT_DATE_FORMAT"),
                        },
                    )
                return redirect("assessments:workplace", pk=workplace.pk)
    else:
        form = ReviewForm(initial={"confirm": confirmable_pks}, confirmable=confirmable)

    changed, removed = changes_since(workplace, last)
    new_pks = {row.pk for row in active if _is_new(row, last)}
    checked = {str(value) for value in (form["confirm"].value() or [])}
    table = []
    for row in active:
        current = currents.get(row.pk)
        config = current.method_version.config if current else None
        table.append(
            {
                "row": row,
                "current": current,
                "band": band_display(config, current.band) if current else None,
                "inputs": inputs_display(config, current.inputs) if current else "",
                "residual_inputs": inputs_display(config, current.residual_inputs) if current else "",
                "confirmable": row.pk in confirmable_pks,
                "checked": str(row.pk) in checked,
                "is_new": row.pk in new_pks,
                "changes": [] if row.pk in new_pks else changed.get(row.pk, []),
            }
        )
    return render(
        request,
        "assessments/risk/review_form.html",
        {
            "workplace": workplace,
            "form": form,
            "last": last,
            "table": table,
            "new_rows": [row for row in active if row.pk in new_pks],
            "changed_rows": [
                (row, changed[row.pk]) for row in active if row.pk in changed and row.pk not in new_pks
            ],
            "removed_rows": [row for row in rows if row.pk in removed and row.status != HazardStatus.ACTIVE],
        },
    )
