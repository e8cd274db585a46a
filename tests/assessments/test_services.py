"""Assessment services: scoring through the method version, current vs residual, re-assessment
history, flags raised by completed measures and incidents."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from assessments.models import AssessmentStatus, RiskAssessment, RiskMethod
from assessments.services import (
    assessment_approve,
    assessment_create,
    incident_record,
    measure_complete,
)
from hazards.models import RiskLevel
from tests.factories import ControlMeasureFactory, HazardFactory, WorkplaceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def hazard(enterprise_a):
    return HazardFactory(workplace=WorkplaceFactory(department__enterprise=enterprise_a))


def test_matrix_assessment_scores_and_sets_the_rows_level(hazard, officer_a):
    assessment = assessment_create(
        hazard=hazard,
        assessor=officer_a,
        inputs={"probability": 4, "severity": 4},
        residual_inputs={"probability": 2, "severity": 4},
    )
    assert (assessment.score, assessment.band, assessment.level) == (Decimal(16), "high", RiskLevel.HIGH)
    assert (assessment.residual_score, assessment.residual_level) == (Decimal(8), RiskLevel.MEDIUM)
    assert assessment.method_version.method.code == "matrix-5x5"
    hazard.refresh_from_db()
    assert (hazard.risk_level, hazard.residual_level) == (RiskLevel.HIGH, RiskLevel.MEDIUM)


def test_enterprise_with_fine_kinney_scores_with_it(hazard, officer_a, enterprise_a):
    enterprise_a.risk_method = RiskMethod.objects.get(code="fine-kinney")
    enterprise_a.save()
    assessment = assessment_create(
        hazard=hazard, assessor=officer_a, inputs={"probability": 3, "exposure": 6, "consequence": 15}
    )
    assert assessment.score == Decimal(270)
    assert assessment.level == RiskLevel.HIGH


def test_reassessment_keeps_history_and_moves_current(hazard, officer_a):
    first = assessment_create(hazard=hazard, assessor=officer_a, inputs={"probability": 5, "severity": 5})
    second = assessment_create(
        hazard=hazard, assessor=officer_a, inputs={"probability": 2, "severity": 3}, reason="after_measures"
    )
    first.refresh_from_db()
    assert not first.is_current and second.is_current
    assert RiskAssessment.objects.filter(hazard=hazard).count() == 2
    hazard.refresh_from_db()
    assert hazard.risk_level == RiskLevel.LOW


@pytest.mark.parametrize(
    "inputs",
    [{"probability": 6, "severity": 1}, {"probability": 2}, {"probability": "x", "severity": 1}, {}],
)
def test_invalid_inputs_are_refused_and_change_nothing(hazard, officer_a, inputs):
    with pytest.raises(ValidationError) as error:
        assessment_create(hazard=hazard, assessor=officer_a, inputs=inputs)
    assert "inputs" in error.value.message_dict
    assert not RiskAssessment.objects.exists()
    hazard.refresh_from_db()
    assert hazard.risk_level is None


def test_residual_higher_than_current_is_refused(hazard, officer_a):
    with pytest.raises(ValidationError):
        assessment_create(
            hazard=hazard,
            assessor=officer_a,
            inputs={"probability": 2, "severity": 2},
            residual_inputs={"probability": 5, "severity": 5},
        )
    assert not RiskAssessment.objects.exists()


def test_future_assessment_date_is_refused(hazard, officer_a):
    with pytest.raises(ValidationError):
        assessment_create(
            hazard=hazard,
            assessor=officer_a,
            inputs={"probability": 2, "severity": 2},
            assessed_on=timezone.localdate() + datetime.timedelta(days=1),
        )


def test_only_managers_approve(hazard, officer_a, manager_a):
    assessment = assessment_create(
        hazard=hazard, assessor=officer_a, inputs={"probability": 3, "severity": 3}
    )
    with pytest.raises(PermissionDenied):
        assessment_approve(assessment=assessment, user=officer_a)
    assessment_approve(assessment=assessment, user=manager_a)
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.APPROVED
    assert assessment.approved_by == manager_a


def test_completing_a_measure_flags_the_row_until_reassessed(hazard, officer_a):
    assessment_create(hazard=hazard, assessor=officer_a, inputs={"probability": 4, "severity": 4})
    measure = ControlMeasureFactory(hazard=hazard)
    measure_complete(measure=measure)
    hazard.refresh_from_db()
    assert hazard.needs_reassessment
    assessment_create(hazard=hazard, assessor=officer_a, inputs={"probability": 2, "severity": 4})
    hazard.refresh_from_db()
    assert not hazard.needs_reassessment


def test_incident_flags_the_rows_involved(hazard, officer_a):
    other = HazardFactory(workplace=hazard.workplace)
    incident_record(
        workplace=hazard.workplace,
        kind="accident",
        severity="light",
        occurred_at=timezone.now() - datetime.timedelta(hours=2),
        description="Ушиб кисти",
        days_lost=5,
        hazards=[hazard],
        reported_by=officer_a,
    )
    hazard.refresh_from_db()
    other.refresh_from_db()
    assert hazard.needs_reassessment and not other.needs_reassessment


@pytest.mark.parametrize(
    ("kind", "severity"), [("accident", ""), ("near_miss", "light"), ("microtrauma", "fatal")]
)
def test_severity_only_for_accidents(hazard, kind, severity):
    with pytest.raises(ValidationError):
        incident_record(
            workplace=hazard.workplace,
            kind=kind,
            severity=severity,
            occurred_at=timezone.now(),
            description="—",
        )


def test_incident_cannot_link_another_enterprises_row(hazard, enterprise_b):
    foreign = HazardFactory(workplace=WorkplaceFactory(department__enterprise=enterprise_b))
    with pytest.raises(ValidationError):
        incident_record(
            workplace=hazard.workplace,
            kind="near_miss",
            occurred_at=timezone.now(),
            description="—",
            hazards=[foreign],
        )


def test_only_a_planned_measure_can_be_started(hazard):
    from assessments.models import MeasureStatus
    from assessments.services import measure_start

    measure = ControlMeasureFactory(hazard=hazard)
    measure_start(measure=measure)
    measure.refresh_from_db()
    assert measure.status == MeasureStatus.IN_PROGRESS
    with pytest.raises(ValidationError):
        measure_start(measure=measure)
