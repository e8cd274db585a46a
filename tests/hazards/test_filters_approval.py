"""The register's filter by approval state (the state of each row's current assessment) and the
badges of the register list, whose cost does not grow with the rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.models import AssessmentStatus
from assessments.services import assessment_approve, assessment_create, assessment_return
from hazards import filters
from tests.factories import HazardFactory, WorkplaceFactory

pytestmark = pytest.mark.django_db

MIDDLE = {"probability": 3, "severity": 3}


def test_the_filters_values_name_the_assessment_statuses():
    assert set(filters.APPROVAL_STATUSES.values()) == set(AssessmentStatus.values)


@pytest.fixture
def rows(enterprise_a, officer_a, manager_a):
    def row(number):
        return HazardFactory(workplace=WorkplaceFactory(department__enterprise=enterprise_a, number=number))

    approved, waiting, returned, corrected, unrated = (row(str(n)) for n in range(1, 6))
    assessment_approve(
        assessment=assessment_create(hazard=approved, assessor=officer_a, inputs=MIDDLE), user=manager_a
    )
    assessment_create(hazard=waiting, assessor=officer_a, inputs=MIDDLE)
    assessment_return(
        assessment=assessment_create(hazard=returned, assessor=officer_a, inputs=MIDDLE),
        user=manager_a,
        reason="Исправить",
    )
    # Returned, then corrected: its current assessment waits again.
    assessment_return(
        assessment=assessment_create(hazard=corrected, assessor=officer_a, inputs=MIDDLE),
        user=manager_a,
        reason="Исправить",
    )
    assessment_create(hazard=corrected, assessor=officer_a, inputs={"probability": 2, "severity": 3})
    return {
        "approved": approved,
        "waiting": waiting,
        "returned": returned,
        "corrected": corrected,
        "none": unrated,
    }


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("approved", ["approved"]),
        ("waiting", ["waiting", "corrected"]),
        ("returned", ["returned"]),
        ("none", ["none"]),
        ("", ["approved", "waiting", "returned", "corrected", "none"]),
    ],
)
def test_register_filters_by_approval_state(client, officer_a, enterprise_a, rows, value, expected):
    client.force_login(officer_a)
    response = client.get(reverse("assessments:register", args=[enterprise_a.pk]), {"approval": value})
    assert response.status_code == 200
    assert sorted(row.pk for row in response.context["page"]) == sorted(rows[key].pk for key in expected)


def test_an_unknown_approval_state_is_an_error_not_a_500(client, officer_a, enterprise_a, rows):
    client.force_login(officer_a)
    response = client.get(reverse("assessments:register", args=[enterprise_a.pk]), {"approval": "maybe"})
    assert response.status_code == 200
    assert "approval" in response.context["filter"].form.errors


def _register_queries(client, user, enterprise, officer, manager, count) -> int:
    for n in range(count):
        hazard = HazardFactory(workplace=WorkplaceFactory(department__enterprise=enterprise, number=f"{n}"))
        draft = assessment_create(hazard=hazard, assessor=officer, inputs=MIDDLE)
        if n % 2:
            assessment_return(assessment=draft, user=manager, reason=f"Причина {n}")
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("assessments:register", args=[enterprise.pk]))
    assert len(response.context["page"]) == count
    return len(queries)


def test_the_approval_badges_cost_the_same_queries_for_few_and_many_rows(
    client, enterprise_a, enterprise_b, officer_a, officer_b, admin_user
):
    few = _register_queries(client, admin_user, enterprise_a, officer_a, admin_user, 2)
    many = _register_queries(client, admin_user, enterprise_b, officer_b, admin_user, 30)
    assert few == many
