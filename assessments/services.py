"""Business actions of risk assessment: score, re-assess, approve, plan and complete measures,
record incidents. Scores come from scoring.py here, never from a model's save()."""

import datetime
import os
import re
import unicodedata
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, F, Value, When
from django.template.defaultfilters import filesizeformat
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from enterprises.models import Workplace
from hazards.models import ControlLevel, Hazard, HazardousEvent, HazardStatus, RiskLevel
from hazards.services import (
    CopyResult,
    check_version,
    hazards_copy,
    hazards_flag_for_reassessment,
    stale_edit_error,
    version_token,
)

from . import notices, scoring
from .models import (
    OPEN_MEASURE_STATUSES,
    AssessmentReason,
    AssessmentStatus,
    ControlMeasure,
    EvidenceType,
    Incident,
    IncidentKind,
    IncidentVictim,
    MeasureEvidence,
    MeasureStatus,
    RiskAssessment,
    RiskMethod,
    RiskMethodVersion,
    VictimOutcome,
    WorkplaceReview,
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


def current_assessment_token(assessment: RiskAssessment | None) -> str:
    """The version token of the assessment form: the row's current assessment when the form was
    loaded ("0" for none), since a re-assessment replaces it rather than editing it."""
    return str(assessment.pk) if assessment is not None else "0"


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
    expected_current: str | None = None,
) -> RiskAssessment:
    """Score a register row and make the new assessment its current one; earlier ones stay.
    ``expected_current`` is the form's token (current_assessment_token when it was loaded): if
    someone re-assessed the row meanwhile, the new assessment is refused, nothing written."""
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

    previous = (
        RiskAssessment.objects.filter(hazard=hazard, is_current=True).select_related("assessor").first()
    )
    if expected_current and expected_current != current_assessment_token(previous):
        raise stale_edit_error(
            obj=previous,
            kind="assessment",
            changed_at=previous.created_at if previous else None,
            user=previous.assessor if previous else None,
        )
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


def approval_token(assessment: RiskAssessment) -> str:
    """The version of a draft as the approval pages carry it: the last change of the assessment
    and of its register row (reads ``hazard``). A manager decides on what the page showed; if
    either changed since, the decision is refused rather than applied to something unseen."""
    return f"{version_token(assessment.updated_at)}-{version_token(assessment.hazard.updated_at)}"


def _lock_for_decision(assessment: RiskAssessment, *, user, version: str | None) -> RiskAssessment | None:
    """The draft, locked and read again, if a manager may still decide on it; None if it is
    approved already. Raises ValidationError when it was returned, is outdated or changed since
    ``version`` was read (absent ``version``: a script, nothing to compare)."""
    if not user.can_approve:
        raise PermissionDenied
    # The row first, then the assessment: the order assessment_create takes them in, so an
    # approval and a re-assessment of the same row wait for each other instead of deadlocking.
    hazard = Hazard.objects.select_for_update().get(pk=assessment.hazard_id)
    locked = RiskAssessment.objects.select_for_update().get(pk=assessment.pk)
    locked.hazard = hazard
    if locked.status == AssessmentStatus.APPROVED:
        return None
    if locked.status == AssessmentStatus.RETURNED:
        raise ValidationError(
            _(
                "This assessment was returned to the officer for correction; their re-assessment "
                "will be approved instead."
            ),
            code="returned",
        )
    if locked.is_outdated:
        raise ValidationError(
            _("This assessment is outdated: a newer assessment replaced it or its row is no longer active."),
            code="outdated",
        )
    if version is not None and version != approval_token(locked):
        raise ValidationError(
            _(
                "The register row or its assessment changed after the page was loaded; reload it "
                "to see the change."
            ),
            code="stale",
        )
    return locked


def _copy_decision(source: RiskAssessment, target: RiskAssessment) -> None:
    for field in _DECISION_FIELDS:
        setattr(target, field, getattr(source, field))


_DECISION_FIELDS = (
    "status",
    "approved_by_id",
    "approved_at",
    "returned_by_id",
    "returned_at",
    "return_reason",
    "updated_at",
)


@transaction.atomic
def assessment_approve(*, assessment: RiskAssessment, user, version: str | None = None) -> RiskAssessment:
    """Draft → approved. An approved assessment is read-only; a change is a re-assessment.
    An outdated or returned draft is refused, and so is one changed since ``version``
    (approval_token) was read."""
    locked = _lock_for_decision(assessment, user=user, version=version)
    if locked is None:
        # Of two managers approving at once, the second finds it approved and leaves the first's
        # name and time in place (the caller compares approved_by).
        assessment.refresh_from_db(fields=["status", "approved_by", "approved_at", "updated_at"])
        return assessment
    # The locked copy is saved, so its history record holds the row as it is, not as the
    # caller's possibly older copy had it; the caller's copy is brought up to date.
    locked.status = AssessmentStatus.APPROVED
    locked.approved_by = user
    locked.approved_at = timezone.now()
    locked.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
    _copy_decision(locked, assessment)
    return assessment


@dataclass
class ApprovalOutcome:
    """What a bulk approval did with each draft: approved now, found approved by someone else,
    or refused with the reason."""

    approved: list[RiskAssessment]
    already: list[RiskAssessment]
    refused: list[tuple[RiskAssessment, str]]


@transaction.atomic
def assessments_approve(
    *, assessments: Sequence[RiskAssessment], user, versions: Mapping[int, str]
) -> ApprovalOutcome:
    """Approve several drafts at once, each as assessment_approve would. ``versions`` holds each
    draft's approval_token as the page showed it; a draft without one is refused like a changed
    one. Refusals are reported, never applied: the others are approved all the same."""
    if not user.can_approve:
        raise PermissionDenied
    outcome = ApprovalOutcome(approved=[], already=[], refused=[])
    # In the rows' order, so two bulk approvals lock their rows in the same order.
    for assessment in sorted(assessments, key=lambda a: (a.hazard_id, a.pk)):
        version = versions.get(assessment.pk)
        if not version:
            outcome.refused.append(
                (assessment, _("The page did not say which version of it you saw; reload the page."))
            )
            continue
        try:
            approved = assessment_approve(assessment=assessment, user=user, version=version)
        except ValidationError as error:
            outcome.refused.append((assessment, " ".join(error.messages)))
            continue
        if approved.approved_by_id == user.pk:
            outcome.approved.append(approved)
        else:
            outcome.already.append(approved)
    return outcome


RETURN_REASON_MAX_LENGTH = 2000


@transaction.atomic
def assessment_return(
    *, assessment: RiskAssessment, user, reason: str, version: str | None = None
) -> RiskAssessment:
    """Draft → returned to the officer, with what to correct. The assessment stays current
    (its rating is still the row's) until the officer re-assesses the row; the new draft then
    waits for approval again."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say what the officer has to correct.")})
    if len(reason) > RETURN_REASON_MAX_LENGTH:
        raise ValidationError(
            {"reason": _("Keep the reason under %(limit)d characters.") % {"limit": RETURN_REASON_MAX_LENGTH}}
        )
    locked = _lock_for_decision(assessment, user=user, version=version)
    if locked is None:
        raise ValidationError(
            _("This assessment is already approved; a change needs a re-assessment of the row."),
            code="approved",
        )
    locked.status = AssessmentStatus.RETURNED
    locked.returned_by = user
    locked.returned_at = timezone.now()
    locked.return_reason = reason
    locked.save(update_fields=["status", "returned_by", "returned_at", "return_reason", "updated_at"])
    _copy_decision(locked, assessment)
    return assessment


def measure_assignee_choices(enterprise):
    """Who may be made responsible for a measure: the enterprise's active users."""
    from enterprises.models import User

    return User.objects.filter(enterprise=enterprise, is_active=True).order_by(
        "last_name", "first_name", "username"
    )


def _responsible_check(*, hazard: Hazard, assignee, responsible: str) -> str:
    """Exactly one of a user of the row's enterprise and a typed name; returns the name to store."""
    responsible = (responsible or "").strip()
    if assignee is not None and responsible:
        raise ValidationError({"responsible": _("Choose a user or type a name, not both.")})
    if assignee is None and not responsible:
        raise ValidationError(
            {"assignee": _("Choose the responsible user, or type a name if the person has no account.")}
        )
    if assignee is not None and not (assignee.is_active and assignee.enterprise_id == hazard.enterprise_id):
        raise ValidationError(
            {"assignee": _("The responsible user must be an active user of the enterprise.")}
        )
    return responsible


@transaction.atomic
def measure_plan(
    *,
    hazard: Hazard,
    control_level: str,
    description: str,
    responsible: str = "",
    assignee=None,
    due_date: datetime.date | None = None,
    periodicity: str = "",
    model_measure=None,
) -> ControlMeasure:
    """A new measure of the row's plan; its responsible user, if any, is told by e-mail."""
    responsible = _responsible_check(hazard=hazard, assignee=assignee, responsible=responsible)
    if model_measure is not None and not control_level:
        control_level = model_measure.control_level
    measure = ControlMeasure(
        hazard=hazard,
        control_level=control_level,
        description=description,
        assignee=assignee,
        responsible=responsible,
        due_date=due_date,
        periodicity=periodicity,
        model_measure=model_measure,
    )
    measure.full_clean()
    measure.save()
    if assignee is not None:
        notices.notice_assigned(measure=measure)
    return measure


def _lock(measure: ControlMeasure, version: str | None) -> ControlMeasure:
    locked = (
        ControlMeasure.objects.select_for_update(of=("self",))
        .select_related("hazard", "assignee")
        .get(pk=measure.pk)
    )
    check_version(obj=locked, expected=version, kind="measure")
    return locked


@transaction.atomic
def measure_update(
    *,
    measure: ControlMeasure,
    responsible: str = "",
    assignee=None,
    due_date: datetime.date | None = None,
    periodicity: str = "",
    version: str | None = None,
) -> ControlMeasure:
    """Change who is responsible for an open measure and when it is due. A new responsible user
    is told by e-mail; ``version`` is the form's token (a measure changed meanwhile is refused)."""
    measure = _lock(measure, version)
    if not measure.is_open:
        raise ValidationError(_("Only an open measure can be changed."))
    responsible = _responsible_check(hazard=measure.hazard, assignee=assignee, responsible=responsible)
    previous_assignee = measure.assignee_id
    measure.assignee = assignee
    measure.responsible = responsible
    measure.due_date = due_date
    measure.periodicity = periodicity
    measure.full_clean()
    measure.save()
    if assignee is not None and assignee.pk != previous_assignee:
        notices.notice_assigned(measure=measure)
    return measure


@transaction.atomic
def measure_start(*, measure: ControlMeasure, version: str | None = None) -> ControlMeasure:
    """Planned → in progress. Done and cancelled measures stay as they are."""
    measure = _lock(measure, version)
    if measure.status != MeasureStatus.PLANNED:
        raise ValidationError(_("Only a planned measure can be started."))
    measure.status = MeasureStatus.IN_PROGRESS
    measure.save(update_fields=["status", "updated_at"])
    return measure


@transaction.atomic
def measure_cancel(*, measure: ControlMeasure, reason: str, version: str | None = None) -> ControlMeasure:
    """Planned or in progress → cancelled, with the reason. The history record of this save is
    the cancellation's date for the period figures (dashboards.history.cancellation_dates)."""
    measure = _lock(measure, version)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for cancelling the measure.")})
    if not measure.is_open:
        raise ValidationError(
            _("This measure is no longer open: it is %(status)s.")
            % {"status": measure.get_status_display().lower()}
        )
    measure.status = MeasureStatus.CANCELLED
    measure.cancel_reason = reason
    measure.save(update_fields=["status", "cancel_reason", "updated_at"])
    return measure


def my_tasks(user):
    """The user's measures across the register rows they may see: open ones first (by due date,
    those without one last), then the closed ones, newest first. One query."""
    return (
        ControlMeasure.objects.for_user(user)
        .filter(assignee=user)
        .select_related("hazard__workplace", "hazard__event", "hazard__enterprise")
        .annotate(
            closed=Case(When(status__in=OPEN_MEASURE_STATUSES, then=Value(0)), default=Value(1)),
        )
        .order_by("closed", F("due_date").asc(nulls_last=True), "-updated_at", "pk")
    )


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


def incident_victims_check(*, kind: str, victims: Sequence[Mapping]) -> None:
    """Which kinds of incident have victims (REFERENCE §4.1): an accident one or more, each with
    an outcome of Order 223n; the other kinds none. Raises ValidationError under "victims"."""
    if kind == IncidentKind.ACCIDENT and not victims:
        raise ValidationError(
            {"victims": _("An accident at work has at least one victim: give each victim's outcome.")}
        )
    if kind != IncidentKind.ACCIDENT and victims:
        message = {
            IncidentKind.MICROTRAUMA: _(
                "A microtrauma causes no loss of working capacity (Labour Code, art. 226): it has no "
                "victims and no days of incapacity. If the worker lost working days, record an accident."
            ),
            IncidentKind.NEAR_MISS: _("A near miss harmed nobody: it has no victims."),
            IncidentKind.OCCUPATIONAL_DISEASE: _(
                "An occupational disease concerns one worker and is counted per case: it has no victims "
                "to list."
            ),
        }.get(kind, _("Only an accident at work has victims."))
        raise ValidationError({"victims": message})
    for victim in victims:
        outcome, days = victim.get("outcome"), victim.get("days_lost") or 0
        if outcome not in VictimOutcome.values:
            raise ValidationError({"victims": _("Give each victim's outcome (Order 223n).")})
        if not isinstance(days, int) or days < 0:
            raise ValidationError({"victims": _("Days of incapacity cannot be negative.")})
        if outcome == VictimOutcome.FATAL and days:
            raise ValidationError(
                {"victims": _("A fatal outcome has no days of incapacity: leave the days at 0.")}
            )


@transaction.atomic
def incident_record(
    *,
    workplace,
    kind: str,
    occurred_at: datetime.datetime,
    description: str,
    victims: Sequence[Mapping] = (),
    event: HazardousEvent | None = None,
    hazards: Iterable[Hazard] = (),
    act_number: str = "",
    reported_by=None,
) -> Incident:
    """Record an incident with its victims (accidents only: each a mapping of ``outcome``,
    ``days_lost`` and optionally ``position``); the register rows involved are flagged for
    re-assessment."""
    hazards = list(hazards)
    victims = list(victims)
    if any(h.enterprise_id != workplace.enterprise_id for h in hazards):
        raise ValidationError({"hazards": _("A register row of another enterprise was chosen.")})
    incident_victims_check(kind=kind, victims=victims)
    incident = Incident(
        enterprise_id=workplace.enterprise_id,
        workplace=workplace,
        kind=kind,
        occurred_at=occurred_at,
        description=description,
        event=event,
        act_number=act_number,
        reported_by=reported_by,
    )
    incident.full_clean()
    incident.save()
    for victim in victims:
        row = IncidentVictim(
            incident=incident,
            outcome=victim["outcome"],
            days_lost=victim.get("days_lost") or 0,
            position=victim.get("position") or "",
        )
        row.full_clean()
        row.save()
    incident.hazards.set(hazards)
    hazards_flag_for_reassessment(hazards)
    return incident


def _victim_rows(victims: Iterable[Mapping]) -> list[tuple[str, int, str]]:
    return [(v["outcome"], v.get("days_lost") or 0, (v.get("position") or "").strip()) for v in victims]


@transaction.atomic
def incident_update(
    *,
    incident: Incident,
    kind: str,
    occurred_at: datetime.datetime,
    description: str,
    workplace,
    victims: Sequence[Mapping] = (),
    event: HazardousEvent | None = None,
    hazards: Iterable[Hazard] = (),
    act_number: str = "",
    version: str | None = None,
) -> Incident:
    """Correct a recorded incident under the same rules as recording it. ``version`` is the
    form's token (version_token of the incident as it was loaded): an incident changed since is
    refused, nothing written. Victims are replaced only if they changed (each change is in their
    history); rows newly linked are flagged for re-assessment. Saving the incident moves its
    ``updated_at``, which is how the dashboards' roll-ups learn that its figures changed."""
    hazards = list(hazards)
    victims = list(victims)
    locked = Incident.objects.select_for_update(of=("self",)).get(pk=incident.pk)
    check_version(obj=locked, expected=version, kind="incident")
    if locked.is_cancelled:
        raise ValidationError(_("A cancelled incident cannot be corrected."))
    if workplace.enterprise_id != locked.enterprise_id:
        raise ValidationError({"workplace": _("The workplace belongs to another enterprise.")})
    if any(h.enterprise_id != locked.enterprise_id for h in hazards):
        raise ValidationError({"hazards": _("A register row of another enterprise was chosen.")})
    incident_victims_check(kind=kind, victims=victims)
    values = {
        "kind": kind,
        "occurred_at": occurred_at,
        "description": description,
        "workplace_id": workplace.pk,
        "event_id": event.pk if event is not None else None,
        "act_number": act_number,
    }
    changed = [name for name, value in values.items() if getattr(locked, name) != value]
    old_victims = list(locked.victims.order_by("id"))
    victims_changed = _victim_rows(
        {"outcome": v.outcome, "days_lost": v.days_lost, "position": v.position} for v in old_victims
    ) != _victim_rows(victims)
    old_hazard_ids = set(locked.hazards.values_list("pk", flat=True))
    new_hazard_ids = {h.pk for h in hazards}
    if not changed and not victims_changed and old_hazard_ids == new_hazard_ids:
        return locked
    for name in changed:
        setattr(locked, name, values[name])
    locked.full_clean()
    # Saved even when only the victims or the rows changed: the history records who corrected
    # it, and the new updated_at tells the roll-ups to recount.
    locked.save()
    if victims_changed:
        for victim in old_victims:
            victim.delete()
        for outcome, days, position in _victim_rows(victims):
            row = IncidentVictim(incident=locked, outcome=outcome, days_lost=days, position=position)
            row.full_clean()
            row.save()
    if old_hazard_ids != new_hazard_ids:
        locked.hazards.set(hazards)
        hazards_flag_for_reassessment([h for h in hazards if h.pk not in old_hazard_ids])
    return locked


@transaction.atomic
def incident_cancel(*, incident: Incident, user, reason: str, version: str | None = None) -> Incident:
    """Cancel an incident recorded in error: it stays, marked cancelled with the reason, who and
    when, and leaves every figure (the figures count active() incidents; the new updated_at makes
    the roll-ups recount its enterprise)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the incident is cancelled.")})
    locked = Incident.objects.select_for_update(of=("self",)).get(pk=incident.pk)
    check_version(obj=locked, expected=version, kind="incident")
    if locked.is_cancelled:
        return locked
    locked.archived_at = timezone.now()
    locked.cancelled_by = user
    locked.cancel_reason = reason
    locked.save(update_fields=["archived_at", "cancelled_by", "cancel_reason", "updated_at"])
    return locked


# --- Copying rows to analogous workplaces with their ratings -------------------------------------


def copied_rating_comment(source: Hazard) -> str:
    """The note on a rating carried over to a copy, in the register's own language (the
    register is kept in Russian whatever language the officer reads it in)."""
    with translation.override(settings.LANGUAGE_CODE):
        return _("Copied from workplace № %(number)s") % {"number": source.workplace.number}


@dataclass
class RatedCopyResult:
    """What hazards_copy_with_ratings did: the copy, and the draft ratings carried over."""

    copy: CopyResult
    rated: list[RiskAssessment]


@transaction.atomic
def hazards_copy_with_ratings(
    *, source_rows: Iterable[Hazard], targets: Iterable[Workplace], user, carry_rating: bool = False
) -> RatedCopyResult:
    """Copy register rows to analogous workplaces (hazards.services.hazards_copy) and, if asked,
    give each copy its source's current rating as a new draft assessment, scored again by the
    same method version and marked "copied from workplace № …" so that the officer checks it
    at the new workplace before it is approved. A source row not rated yet gives an unrated copy."""
    result = RatedCopyResult(copy=hazards_copy(source_rows=source_rows, targets=targets, user=user), rated=[])
    if not carry_rating or not result.copy.created:
        return result
    currents = {
        a.hazard_id: a
        for a in RiskAssessment.objects.filter(
            hazard_id__in={source.pk for source in result.copy.copied_from.values()}, is_current=True
        ).select_related("method_version")
    }
    for copy in result.copy.created:
        source = result.copy.copied_from[copy.pk]
        current = currents.get(source.pk)
        if current is None:
            continue
        result.rated.append(
            assessment_create(
                hazard=copy,
                assessor=user,
                inputs=current.inputs,
                residual_inputs=current.residual_inputs,
                reason=AssessmentReason.INITIAL,
                comment=copied_rating_comment(source),
                method_version=current.method_version,
            )
        )
    return result


# --- Assessment with its mandatory measures -----------------------------------------------------


def band_requires_measures_without_plan(*, hazard: Hazard, result: scoring.Result) -> bool:
    """Whether this score obliges the officer to plan a measure now: the band requires action
    and the row has no open measure yet."""
    return result.band.requires_measures and not hazard.measures.open().exists()


@transaction.atomic
def assessment_record(
    *,
    hazard: Hazard,
    assessor,
    inputs: Mapping[str, object],
    residual_inputs: Mapping[str, object] | None = None,
    reason: str = AssessmentReason.INITIAL,
    assessed_on: datetime.date | None = None,
    comment: str = "",
    measures: Sequence[Mapping[str, object]] = (),
    expected_current: str | None = None,
) -> RiskAssessment:
    """An assessment as the assess form makes it: with the measures planned beside it, in one
    transaction. When the band requires measures and the row has none open, at least one is
    required, so no high risk is left without a plan."""
    version = method_version_for(hazard.enterprise)
    current = _evaluate(version.config, inputs, "inputs")
    if not measures and band_requires_measures_without_plan(hazard=hazard, result=current):
        raise ValidationError(
            {"measures": _("This risk level requires control measures: plan at least one.")}
        )
    assessment = assessment_create(
        hazard=hazard,
        assessor=assessor,
        inputs=inputs,
        residual_inputs=residual_inputs,
        reason=reason,
        assessed_on=assessed_on,
        comment=comment,
        method_version=version,
        expected_current=expected_current,
    )
    for measure in measures:
        measure_plan(hazard=hazard, **measure)
    return assessment


def plan_relies_on_weak_controls(*, hazard: Hazard, measures: Iterable[ControlMeasure]) -> bool:
    """REFERENCE §3.5: a plan whose only measures are administrative or PPE while the residual
    risk (the current risk when no residual was given) stays high or critical. Takes the measures
    already loaded, so a page that shows them asks nothing more of the database."""
    levels = {m.control_level for m in measures if m.status != MeasureStatus.CANCELLED}
    residual = hazard.residual_level or hazard.risk_level
    weak = {ControlLevel.ADMINISTRATIVE, ControlLevel.PPE}
    return bool(levels) and levels <= weak and residual is not None and residual >= RiskLevel.HIGH


# --- Evidence of completed measures -------------------------------------------------------------

_IMAGE_TYPES = {"JPEG": EvidenceType.JPEG, "PNG": EvidenceType.PNG, "WEBP": EvidenceType.WEBP}
_EXTENSIONS = {
    EvidenceType.JPEG: ".jpg",
    EvidenceType.PNG: ".png",
    EvidenceType.WEBP: ".webp",
    EvidenceType.PDF: ".pdf",
}


# Photos larger than this are refused before they are decoded: a small PNG or WebP can declare a
# 100-megapixel canvas that takes gigabytes to decode (a decompression bomb). 50 MP holds any
# phone or camera photo; Pillow's own limit (89 MP, an error only past 179 MP) is looser.
EVIDENCE_MAX_PIXELS = 50_000_000


def _too_many_pixels() -> ValidationError:
    return ValidationError(
        _("The image is larger than %(limit)d megapixels; upload a smaller photo.")
        % {"limit": EVIDENCE_MAX_PIXELS // 1_000_000},
        code="too_many_pixels",
    )


def evidence_inspect(file) -> str:
    """The evidence type of an uploaded file, judged by its content (never by its name or the
    browser's word): Pillow must read and verify an image, a PDF must start with %PDF-. Only the
    image's header is read: its size is checked before anything is decoded."""
    size = file.size or 0
    if size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    if size > settings.MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("The file is %(size)s; the limit is %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(settings.MAX_UPLOAD_BYTES)},
            code="too_big",
        )
    file.seek(0)
    head = file.read(5)
    file.seek(0)
    if head == b"%PDF-":
        return EvidenceType.PDF
    refused = ValidationError(
        _("Upload a photo (JPEG, PNG, WebP) or a PDF document; this file is neither."), code="type"
    )
    try:
        with warnings.catch_warnings():
            # Pillow warns of a large canvas; the explicit limit below refuses it instead.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(file) as image:
                kind = image.format
                width, height = image.size
                if width * height > EVIDENCE_MAX_PIXELS:
                    raise _too_many_pixels()
                image.verify()
    except Image.DecompressionBombError:
        raise _too_many_pixels() from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise refused from None
    finally:
        file.seek(0)
    if kind not in _IMAGE_TYPES:
        raise refused
    return _IMAGE_TYPES[kind]


def evidence_file_name(name: str, content_type: str) -> str:
    """A display name safe to show and to send back in Content-Disposition: no folders, no
    control characters, the extension of the type actually found."""
    base = os.path.basename((name or "").replace("\\", "/"))
    stem = os.path.splitext(unicodedata.normalize("NFC", base))[0]
    stem = re.sub(r"[^\w\- .()]+", "_", stem).strip(" ._")[:150]
    return f"{stem or 'evidence'}{_EXTENSIONS[content_type]}"


@transaction.atomic
def evidence_add(*, measure: ControlMeasure, file, uploaded_by) -> MeasureEvidence:
    """Attach a photo or document to a measure, stored privately under a random name."""
    content_type = evidence_inspect(file)
    original_name = evidence_file_name(getattr(file, "name", ""), content_type)
    evidence = MeasureEvidence(
        measure=measure,
        original_name=original_name,
        content_type=content_type,
        size=file.size,
        uploaded_by=uploaded_by,
    )
    # The storage name gets the detected type's extension, whatever the upload was called.
    evidence.file.save(original_name, file, save=False)
    evidence.save()
    return evidence


@transaction.atomic
def measure_complete_with_evidence(
    *,
    measure: ControlMeasure,
    file,
    uploaded_by,
    done_on: datetime.date | None = None,
    note: str = "",
    version: str | None = None,
) -> MeasureEvidence:
    """Mark an open measure done with its evidence; the row is flagged for re-rating. ``version``
    is the form's token: a measure changed since the form was loaded is refused."""
    # Lock the measure: two people completing it at once must not both attach and re-flag.
    measure = (
        ControlMeasure.objects.select_for_update(of=("self",)).select_related("hazard").get(pk=measure.pk)
    )
    check_version(obj=measure, expected=version, kind="measure")
    if measure.status not in OPEN_MEASURE_STATUSES:
        raise ValidationError(
            _("This measure is no longer open: it is %(status)s.")
            % {"status": measure.get_status_display().lower()}
        )
    try:
        evidence_inspect(file)
    except ValidationError as error:
        raise ValidationError({"file": error.messages}) from error
    measure_complete(measure=measure, done_on=done_on, note=note)
    return evidence_add(measure=measure, file=file, uploaded_by=uploaded_by)


# --- Periodic review of a workplace -------------------------------------------------------------


@dataclass(frozen=True)
class LastReview:
    """When a workplace was last reviewed. ``recorded`` reviews (WorkplaceReview) give a precise
    moment; older registers (imports, demo data) only have the date of their newest periodic-review
    assessment, whose rows were often all entered later, so only business dates are compared."""

    moment: datetime.datetime  # changes recorded after this are "since the last review"
    on: datetime.date
    by: object | None
    recorded: bool


def last_review(workplace: Workplace) -> LastReview | None:
    """The newest WorkplaceReview of the workplace; else the date of the newest periodic-review
    assessment of its rows (from the start of the next day); None for a first review."""
    review = (
        WorkplaceReview.objects.filter(workplace=workplace)
        .select_related("reviewer")
        .order_by("-created_at")
        .first()
    )
    if review is not None:
        return LastReview(review.created_at, review.reviewed_on, review.reviewer, recorded=True)
    assessment = (
        RiskAssessment.objects.filter(hazard__workplace=workplace, reason=AssessmentReason.PERIODIC_REVIEW)
        .select_related("assessor")
        .order_by("-assessed_on", "-created_at")
        .first()
    )
    if assessment is None:
        return None
    next_day = assessment.assessed_on + datetime.timedelta(days=1)
    moment = datetime.datetime.combine(next_day, datetime.time.min, tzinfo=timezone.get_current_timezone())
    return LastReview(moment, assessment.assessed_on, assessment.assessor, recorded=False)


def review_can_confirm(*, assessment: RiskAssessment | None, version: RiskMethodVersion) -> bool:
    """A rating can be carried forward only if there is one and it used the method version the
    enterprise uses now, or one that rates alike (other inputs would not fit the current scales;
    a version that only rewords its descriptions changes none)."""
    if assessment is None:
        return False
    return assessment.method_version_id == version.pk or scoring.same_scoring(
        assessment.method_version.config, version.config
    )


@transaction.atomic
def workplace_review_complete(
    *,
    workplace: Workplace,
    reviewer,
    confirm: Iterable[Hazard],
    next_review_on: datetime.date,
    reviewed_on: datetime.date | None = None,
    comment: str = "",
) -> WorkplaceReview:
    """Close a workplace's periodic review: each confirmed row gets a new assessment with the
    same inputs (reason "periodic review"); rated rows not confirmed are flagged for
    re-assessment; every active row gets the next review date."""
    # One review of a workplace at a time: the second waits and then sees the first's result.
    workplace = Workplace.objects.select_for_update().get(pk=workplace.pk)
    reviewed_on = reviewed_on or timezone.localdate()
    if reviewed_on > timezone.localdate():
        raise ValidationError({"reviewed_on": _("A review cannot be dated in the future.")})
    if next_review_on <= reviewed_on:
        raise ValidationError({"next_review_on": _("The next review must come after this one.")})
    rows = list(Hazard.objects.filter(workplace=workplace, status=HazardStatus.ACTIVE).order_by("pk"))
    by_pk = {row.pk: row for row in rows}
    confirm_pks = {hazard.pk for hazard in confirm}
    if confirm_pks - by_pk.keys():
        raise ValidationError({"confirm": _("Only active rows of this workplace can be confirmed.")})
    version = method_version_for(workplace.enterprise)
    currents = {
        a.hazard_id: a
        for a in RiskAssessment.objects.filter(hazard__in=rows, is_current=True).select_related(
            "method_version"
        )
    }
    for pk in sorted(confirm_pks):
        if not review_can_confirm(assessment=currents.get(pk), version=version):
            raise ValidationError(
                {
                    "confirm": _("Row %(row)s has no rating under the current method: re-assess it.")
                    % {"row": by_pk[pk]}
                }
            )
    confirmed = flagged = 0
    for row in rows:
        previous = currents.get(row.pk)
        if row.pk in confirm_pks:
            assessment_create(
                hazard=row,
                assessor=reviewer,
                inputs=previous.inputs,
                residual_inputs=previous.residual_inputs,
                reason=AssessmentReason.PERIODIC_REVIEW,
                assessed_on=reviewed_on,
                comment=_("Rating confirmed at the periodic review."),
                method_version=version,
            )
            confirmed += 1
            row.refresh_from_db()
        elif previous is not None and not row.needs_reassessment:
            row.needs_reassessment = True
            flagged += 1
        row.next_review_on = next_review_on
        row.save(update_fields=["needs_reassessment", "next_review_on", "updated_at"])
    # Written last, so the changes above all happen before the review's moment (see the model).
    return WorkplaceReview.objects.create(
        workplace=workplace,
        reviewer=reviewer,
        reviewed_on=reviewed_on,
        next_review_on=next_review_on,
        confirmed_count=confirmed,
        flagged_count=flagged,
        comment=comment,
    )
