"""Business actions of risk assessment: score, re-assess, approve, plan and complete measures,
record incidents. Scores come from scoring.py here, never from a model's save()."""

import datetime
from collections.abc import Iterable, Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hazards.models import Hazard, HazardousEvent
from hazards.services import hazards_flag_for_reassessment

from . import scoring
from .models import (
    AssessmentReason,
    AssessmentStatus,
    ControlMeasure,
    Incident,
    MeasureStatus,
    RiskAssessment,
    RiskMethod,
    RiskMethodVersion,
)

DEFAULT_METHOD_CODE = "matrix-5x5"


def method_version_for(enterprise) -> RiskMethodVersion:
    """The current version of the enterprise's chosen method (the 5×5 matrix if none chosen)."""
    method = enterprise.risk_method or RiskMethod.objects.get(code=DEFAULT_METHOD_CODE)
    version = method.current_version()
    if version is None:
        raise ValidationError(_("The method “%(method)s” has no version yet.") % {"method": method})
    return version


def _evaluate(config, inputs, field: str) -> scoring.Result:
    try:
        return scoring.evaluate(config, inputs)
    except scoring.InvalidInputError as error:
        raise ValidationError({field: _("Choose one of the listed levels for every input.")}) from error


@transaction.atomic
def assessment_create(
    *,
    hazard: Hazard,
    assessor,
    inputs: Mapping[str, object],
    residual_inputs: Mapping[str, object] | None = None,
    reason: str = AssessmentReason.INITIAL,
    assessed_on: datetime.date | None = None,
    comment: str = "",
    method_version: RiskMethodVersion | None = None,
) -> RiskAssessment:
    """Score a register row and make the new assessment its current one; earlier ones stay."""
    # Lock the row: two officers assessing at once must not both become "current".
    hazard = (
        Hazard.objects.select_for_update(of=("self",))
        .select_related("enterprise__risk_method")
        .get(pk=hazard.pk)
    )
    version = method_version or method_version_for(hazard.enterprise)
    current = _evaluate(version.config, inputs, "inputs")
    residual = None
    if residual_inputs:
        residual = _evaluate(version.config, residual_inputs, "residual_inputs")
        if residual.score > current.score:
            raise ValidationError(
                {"residual_inputs": _("The residual risk cannot be higher than the current risk.")}
            )
    assessed_on = assessed_on or timezone.localdate()
    if assessed_on > timezone.localdate():
        raise ValidationError({"assessed_on": _("An assessment cannot be dated in the future.")})

    previous = RiskAssessment.objects.filter(hazard=hazard, is_current=True).first()
    if previous is not None:
        previous.is_current = False
        previous.save(update_fields=["is_current", "updated_at"])

    assessment = RiskAssessment.objects.create(
        hazard=hazard,
        method_version=version,
        reason=reason,
        inputs={key: str(value) for key, value in inputs.items()},
        score=current.score,
        band=current.band.key,
        level=current.band.level,
        residual_inputs={key: str(value) for key, value in residual_inputs.items()} if residual else None,
        residual_score=residual.score if residual else None,
        residual_band=residual.band.key if residual else "",
        residual_level=residual.band.level if residual else None,
        assessor=assessor,
        assessed_on=assessed_on,
        comment=comment,
    )
    hazard.risk_level = assessment.level
    hazard.residual_level = assessment.residual_level
    hazard.needs_reassessment = False
    hazard.save(update_fields=["risk_level", "residual_level", "needs_reassessment", "updated_at"])
    return assessment


@transaction.atomic
def assessment_approve(*, assessment: RiskAssessment, user) -> RiskAssessment:
    """Draft → approved. An approved assessment is read-only; a change is a re-assessment."""
    if not user.can_approve:
        raise PermissionDenied
    if assessment.status == AssessmentStatus.APPROVED:
        return assessment
    assessment.status = AssessmentStatus.APPROVED
    assessment.approved_by = user
    assessment.approved_at = timezone.now()
    assessment.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
    return assessment


@transaction.atomic
def measure_plan(
    *,
    hazard: Hazard,
    control_level: str,
    description: str,
    responsible: str,
    due_date: datetime.date | None = None,
    periodicity: str = "",
    model_measure=None,
) -> ControlMeasure:
    measure = ControlMeasure(
        hazard=hazard,
        control_level=control_level,
        description=description,
        responsible=responsible,
        due_date=due_date,
        periodicity=periodicity,
        model_measure=model_measure,
    )
    measure.full_clean()
    measure.save()
    return measure


@transaction.atomic
def measure_complete(
    *, measure: ControlMeasure, done_on: datetime.date | None = None, note: str = ""
) -> ControlMeasure:
    """Mark a measure done; its register row then needs re-rating until it is re-assessed."""
    done_on = done_on or timezone.localdate()
    if done_on > timezone.localdate():
        raise ValidationError({"done_on": _("A measure cannot be done in the future.")})
    measure.status = MeasureStatus.DONE
    measure.done_on = done_on
    measure.completion_note = note
    measure.save(update_fields=["status", "done_on", "completion_note", "updated_at"])
    hazards_flag_for_reassessment([measure.hazard])
    return measure


@transaction.atomic
def incident_record(
    *,
    workplace,
    kind: str,
    occurred_at: datetime.datetime,
    description: str,
    severity: str = "",
    people_affected: int = 1,
    days_lost: int = 0,
    event: HazardousEvent | None = None,
    hazards: Iterable[Hazard] = (),
    act_number: str = "",
    reported_by=None,
) -> Incident:
    """Record an incident; the register rows involved are flagged for re-assessment."""
    hazards = list(hazards)
    if any(h.enterprise_id != workplace.enterprise_id for h in hazards):
        raise ValidationError({"hazards": _("A register row of another enterprise was chosen.")})
    incident = Incident(
        enterprise_id=workplace.enterprise_id,
        workplace=workplace,
        kind=kind,
        severity=severity,
        occurred_at=occurred_at,
        description=description,
        people_affected=people_affected,
        days_lost=days_lost,
        event=event,
        act_number=act_number,
        reported_by=reported_by,
    )
    incident.full_clean()
    incident.save()
    incident.hazards.set(hazards)
    hazards_flag_for_reassessment(hazards)
    return incident
