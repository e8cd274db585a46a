"""The manager's approval queue: the drafts of an enterprise waiting for a decision, approved one
by one or several at once after a confirmation, or returned to the officer with a reason.
Everyone who sees the enterprise may read the queue; only managers and administrators decide."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from enterprises.access import get_for_user
from enterprises.models import Enterprise

from .. import services
from ..forms import ApprovalForm, ReturnForm
from ..models import AssessmentStatus, RiskAssessment
from .risk_common import add_service_errors, band_display

PAGE_SIZE = 50


def _item(assessment: RiskAssessment, *, version: str | None = None) -> dict:
    """A draft as the queue and the confirmation show it; ``version`` is the one the queue
    carried, compared with the draft as it is now."""
    token = services.approval_token(assessment)
    return {
        "assessment": assessment,
        "band": band_display(assessment.method_version.config, assessment.band),
        "version": version if version is not None else token,
        "changed": version is not None and version != token,
    }


def _label(assessment: RiskAssessment) -> str:
    hazard = assessment.hazard
    return _("workplace № %(number)s, %(event)s") % {
        "number": hazard.workplace.number,
        "event": f"{hazard.event.code} {hazard.event.name}",
    }


@login_required
@require_GET
def queue(request, enterprise_pk):
    """The drafts waiting for approval, oldest first."""
    enterprise = get_for_user(Enterprise.objects.all(), request.user, pk=enterprise_pk)
    waiting = (
        RiskAssessment.objects.filter(hazard__enterprise=enterprise)
        .waiting_for_approval()
        .select_related("hazard__workplace", "hazard__event", "assessor", "method_version")
        .order_by("created_at", "pk")
    )
    page = Paginator(waiting, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "assessments/approvals/queue.html",
        {
            "enterprise": enterprise,
            "page": page,
            "items": [_item(a) for a in page],
            "can_approve": request.user.can_approve,
        },
    )


@login_required
@require_POST
def approve(request, enterprise_pk):
    """Without ``confirm``: the chosen drafts on a confirmation page. With it: approve them,
    and report each one refused (outdated, returned, changed since the queue was loaded)."""
    enterprise = get_for_user(Enterprise.objects.all(), request.user, write=True, pk=enterprise_pk)
    if not request.user.can_approve:
        raise PermissionDenied
    data = request.POST
    if data.get("only"):
        # A row's own "Approve" button in the queue: that draft alone, whatever else is ticked.
        data = data.copy()
        data.setlist("assessments", [data["only"]])
    form = ApprovalForm(data, enterprise=enterprise)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("assessments:approvals", enterprise_pk=enterprise.pk)
    chosen = sorted(form.cleaned_data["assessments"], key=lambda a: (a.created_at, a.pk))
    versions = form.versions
    if not form.cleaned_data["confirm"]:
        return render(
            request,
            "assessments/approvals/confirm.html",
            {
                "enterprise": enterprise,
                "items": [_item(a, version=versions[a.pk]) for a in chosen],
            },
        )
    outcome = services.assessments_approve(assessments=chosen, user=request.user, versions=versions)
    if outcome.approved:
        count = len(outcome.approved)
        messages.success(
            request,
            ngettext("%(count)d assessment approved.", "%(count)d assessments approved.", count)
            % {"count": count},
        )
    if outcome.already:
        count = len(outcome.already)
        messages.info(
            request,
            ngettext(
                "%(count)d assessment had already been approved by someone else.",
                "%(count)d assessments had already been approved by someone else.",
                count,
            )
            % {"count": count},
        )
    for assessment, reason in outcome.refused:
        messages.warning(
            request,
            _("Not approved — %(row)s: %(reason)s") % {"row": _label(assessment), "reason": reason},
        )
    return redirect("assessments:approvals", enterprise_pk=enterprise.pk)


@login_required
def assessment_return(request, pk):
    """GET: the draft and the reason to write. POST: return it to the officer."""
    assessment = get_for_user(
        RiskAssessment.objects.select_related(
            "hazard__enterprise", "hazard__workplace", "hazard__event", "assessor", "method_version"
        ),
        request.user,
        write=True,
        pk=pk,
    )
    if not request.user.can_approve:
        raise PermissionDenied
    enterprise = assessment.hazard.enterprise
    if assessment.status != AssessmentStatus.DRAFT or assessment.is_outdated:
        messages.info(request, _("This assessment is no longer waiting for approval."))
        return redirect("assessments:hazard", pk=assessment.hazard_id)
    if request.method == "POST":
        form = ReturnForm(request.POST)
        if form.is_valid():
            try:
                services.assessment_return(
                    assessment=assessment,
                    user=request.user,
                    reason=form.cleaned_data["reason"],
                    version=form.cleaned_data["version"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Assessment returned to %(officer)s with your reason — %(row)s.")
                    % {"officer": assessment.assessor, "row": _label(assessment)},
                )
                return redirect("assessments:approvals", enterprise_pk=enterprise.pk)
    else:
        form = ReturnForm(initial={"version": services.approval_token(assessment)})
    return render(
        request,
        "assessments/approvals/return_form.html",
        {"enterprise": enterprise, "item": _item(assessment), "form": form},
    )
