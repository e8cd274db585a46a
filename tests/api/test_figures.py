"""Figures for a scope and period: the dashboards' numbers, under the dashboards' access rules."""

from decimal import Decimal

import pytest

from api.schemas.figures import FiguresOut
from dashboards import rollups
from tests.factories import HazardFactory, WorkplaceFactory

from .conftest import bearer

pytestmark = pytest.mark.django_db
FIGURES = "/api/v1/figures/"


@pytest.fixture
def rows(enterprise_a, enterprise_b):
    workplace = WorkplaceFactory(department__enterprise=enterprise_a)
    HazardFactory.create_batch(2, workplace=workplace, risk_level=5)
    HazardFactory(workplace=workplace, risk_level=2)
    HazardFactory(workplace=WorkplaceFactory(department__enterprise=enterprise_b), risk_level=5)
    # The dashboards' stock figures come from the roll-ups, refreshed by a task.
    rollups.refresh()


def test_enterprise_figures_count_its_rows(client, officer_a, enterprise_a, rows):
    body = client.get(FIGURES, {"enterprise": enterprise_a.pk}, headers=bearer(officer_a)).json()
    assert body["enterprises"] == 1
    assert body["counts"]["rows_level_5"] == 2
    assert body["counts"]["rows_level_2"] == 1
    assert body["indicators"]["rows_high_critical"] == 2
    assert body["as_of"] is not None
    # Without a scope: everything the officer sees, which is the same one enterprise.
    assert client.get(FIGURES, headers=bearer(officer_a)).json()["counts"] == body["counts"]


def test_region_figures_for_its_reviewer_only(
    client, reviewer_region, reviewer_other_region, officer_a, rows
):
    code = reviewer_region.region.code
    headers = bearer(reviewer_region)
    body = client.get(FIGURES, {"region": code}, headers=headers).json()
    assert body["enterprises"] == 2
    assert body["counts"]["rows_level_5"] == 3
    # A past quarter: the register as it stood at its end, before these rows were written.
    past = client.get(FIGURES, {"region": code, "period": "2025-Q2"}, headers=headers).json()
    assert past["period"]["first_month"] == "2025-04-01"
    assert past["counts"]["rows_level_5"] == 0
    assert client.get(FIGURES, {"region": code}, headers=bearer(reviewer_other_region)).status_code == 404
    # An officer has no regional dashboard.
    assert client.get(FIGURES, {"region": code}, headers=bearer(officer_a)).status_code == 404


def test_enterprise_outside_scope_and_bad_period(client, officer_b, enterprise_a):
    assert client.get(FIGURES, {"enterprise": enterprise_a.pk}, headers=bearer(officer_b)).status_code == 404
    response = client.get(FIGURES, {"period": "2026-Q5"}, headers=bearer(officer_b))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "period"


def test_counts_carry_a_fractional_average_headcount():
    """At national scale the sum of average headcounts is fractional (a 500 before)."""
    out = FiguresOut.model_validate(
        {
            "scope": "РФ",
            "as_of": None,
            "period": {
                "key": "12m",
                "first_month": "2026-01-01",
                "last_month": "2026-12-01",
                "state_day": "2026-12-05",
            },
            "enterprises": 2,
            "counts": {"rows": 7, "rate_headcount": Decimal("903062.8333333333333333333341")},
            "indicators": {},
        }
    )
    dumped = out.model_dump(mode="json")["counts"]
    assert dumped["rows"] == 7 and isinstance(dumped["rows"], int)
    assert dumped["rate_headcount"] == pytest.approx(903062.8333)
