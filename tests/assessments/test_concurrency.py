"""Two officers assessing the same register row at the same moment: the row lock in
assessment_create serialises them, so exactly one assessment ends up current."""

import threading

import pytest
from django.db import connection

from assessments.models import RiskAssessment
from assessments.services import assessment_create
from tests.factories import HazardFactory, WorkplaceFactory


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_assessments_leave_exactly_one_current(reference_data, enterprise_a, officer_a, manager_a):
    hazard = HazardFactory(workplace=WorkplaceFactory(department__enterprise=enterprise_a))
    start = threading.Barrier(2)
    errors = []

    def assess(user, probability):
        try:
            start.wait(timeout=10)
            assessment_create(
                hazard=hazard, assessor=user, inputs={"probability": probability, "severity": 3}
            )
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=assess, args=(officer_a, 2)),
        threading.Thread(target=assess, args=(manager_a, 4)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert RiskAssessment.objects.filter(hazard=hazard).count() == 2
    current = RiskAssessment.objects.get(hazard=hazard, is_current=True)
    hazard.refresh_from_db()
    assert hazard.risk_level == current.level
