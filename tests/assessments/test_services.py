"""Assessment services: scoring through the method version, current vs residual, re-assessment
history, flags raised by completed measures and incidents."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from assessments.models import AssessmentStatus, Incident, IncidentVictim, RiskAssessment, RiskMethod
from assessments.services import (
    assessment_approve,
    assessment_create,
    incident_record,
    measure_complete,
)
from hazards.models import RiskLevel
from tests.factories import ControlMeasureFactory, HazardFactory, IncidentFactory, WorkplaceFactory

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
        occurred_at=timezone.now() - datetime.timedelta(hours=2),
        description="Ушиб кисти",
        victims=[{"outcome": "light", "days_lost": 5}],
        hazards=[hazard],
        reported_by=officer_a,
    )
    hazard.refresh_from_db()
    other.refresh_from_db()
    assert hazard.needs_reassessment and not other.needs_reassessment


@pytest.mark.parametrize(
    ("kind", "victims"),
    [
        ("accident", []),
        ("near_miss", [{"outcome": "light", "days_lost": 0}]),
        ("microtrauma", [{"outcome": "light", "days_lost": 2}]),
        ("occupational_disease", [{"outcome": "severe", "days_lost": 0}]),
        ("accident", [{"outcome": "fatal", "days_lost": 3}]),
        ("accident", [{"outcome": "group", "days_lost": 3}]),
        ("accident", [{"outcome": "light", "days_lost": -1}]),
    ],
)
def test_victims_only_for_accidents_and_as_223n_has_them(hazard, kind, victims):
    with pytest.raises(ValidationError) as raised:
        incident_record(
            workplace=hazard.workplace,
            kind=kind,
            occurred_at=timezone.now(),
            description="—",
            victims=victims,
            hazards=[hazard],
        )
    assert "victims" in raised.value.message_dict
    assert not Incident.objects.exists() and not IncidentVictim.objects.exists()
    hazard.refresh_from_db()
    assert not hazard.needs_reassessment


def test_a_group_accident_holds_victims_with_their_own_outcomes(hazard):
    incident = incident_record(
        workplace=hazard.workplace,
        kind="accident",
        occurred_at=timezone.now() - datetime.timedelta(days=1),
        description="Обрушение кровли",
        victims=[
            {"outcome": "fatal", "days_lost": 0},
            {"outcome": "severe", "days_lost": 90, "position": "Горнорабочий подземный"},
            {"outcome": "severe", "days_lost": 60},
        ],
    )
    incident = Incident.objects.with_victims().get(pk=incident.pk)
    assert incident.is_group and incident.worst_outcome == "fatal"
    assert (incident.people_count, incident.fatal_count, incident.severe_count, incident.days_lost) == (
        3,
        1,
        2,
        150,
    )
    assert incident.victims.filter(position="Горнорабочий подземный").count() == 1
    assert [v.history.count() for v in incident.victims.all()] == [1, 1, 1]


def test_one_victim_is_not_a_group_and_other_kinds_count_one_worker_or_none(hazard):
    accident = IncidentFactory(workplace=hazard.workplace, kind="accident", victims=[("severe", 40)])
    assert not accident.is_group and accident.worst_outcome == "severe" and accident.people_count == 1
    microtrauma = IncidentFactory(workplace=hazard.workplace, kind="microtrauma")
    near_miss = IncidentFactory(workplace=hazard.workplace, kind="near_miss")
    assert (microtrauma.people_count, microtrauma.days_lost, microtrauma.worst_outcome) == (1, 0, "")
    assert (near_miss.people_count, near_miss.is_group) == (0, False)


def test_the_database_refuses_days_for_a_fatal_outcome(hazard):
    accident = IncidentFactory(workplace=hazard.workplace, kind="accident", victims=[])
    with pytest.raises(IntegrityError), transaction.atomic():
        IncidentVictim.objects.create(incident=accident, outcome="fatal", days_lost=5)
    with pytest.raises(IntegrityError), transaction.atomic():
        IncidentVictim.objects.create(incident=accident, outcome="group", days_lost=0)


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
