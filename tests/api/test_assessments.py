"""Assessments over the API: scored by the same service as the assess form; and measures."""

import json

import pytest

from assessments.models import RiskAssessment
from tests.factories import ControlMeasureFactory, HazardFactory, WorkplaceFactory

from .conftest import bearer

pytestmark = pytest.mark.django_db
URL = "/api/v1/assessments/"


def post(client, data, headers):
    return client.post(URL, json.dumps(data), content_type="application/json", headers=headers)


@pytest.fixture
def row(enterprise_a):
    return HazardFactory(workplace=WorkplaceFactory(department__enterprise=enterprise_a))


def test_create_scores_through_the_service(client, officer_a, row):
    response = post(
        client, {"hazard_id": row.pk, "inputs": {"probability": 2, "severity": 2}}, bearer(officer_a)
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assessment = RiskAssessment.objects.get(pk=body["id"])
    assert (body["score"], body["band"], body["level"]) == (
        float(assessment.score),
        assessment.band,
        assessment.level,
    )
    assert body["is_current"]
    row.refresh_from_db()
    assert row.risk_level == assessment.level
    detail = client.get(f"{URL}{body['id']}/", headers=bearer(officer_a))
    assert detail.json()["level"] == body["level"]


def test_high_risk_needs_measures_as_on_the_form(client, officer_a, row):
    high = {"hazard_id": row.pk, "inputs": {"probability": 5, "severity": 5}}
    refused = post(client, high, bearer(officer_a))
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["measures"]
    measure = {"control_level": "engineering", "description": "Ограждение", "responsible": "Мастер"}
    response = post(client, {**high, "measures": [{**measure, "due_date": "2030-01-01"}]}, bearer(officer_a))
    assert response.status_code == 201, response.content
    assert response.json()["level"] == 5
    assert row.measures.count() == 1


def test_refusals(client, officer_a, officer_b, reviewer_region, row):
    data = {"hazard_id": row.pk, "inputs": {"probability": 2, "severity": 2}}
    assert post(client, data, bearer(officer_b)).status_code == 404
    assert post(client, data, bearer(reviewer_region)).status_code == 403
    bad = post(client, {**data, "inputs": {"probability": 9}}, bearer(officer_a))
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "inputs"
    first = post(client, {**data, "expected_current": "0"}, bearer(officer_a))
    assert first.status_code == 201
    stale = post(client, {**data, "expected_current": "0"}, bearer(officer_a))
    assert stale.status_code == 412
    assert RiskAssessment.objects.count() == 1


def test_measures_listed_and_scoped(client, officer_a, officer_b, row):
    measure = ControlMeasureFactory(hazard=row)
    body = client.get("/api/v1/measures/", headers=bearer(officer_a)).json()
    assert [m["id"] for m in body["items"]] == [measure.pk]
    assert client.get(f"/api/v1/measures/{measure.pk}/", headers=bearer(officer_b)).status_code == 404
