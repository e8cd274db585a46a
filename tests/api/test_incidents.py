"""Incidents over the API: scoped, victims without names, a constant number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.models import IncidentKind
from tests.factories import IncidentFactory, WorkplaceFactory

from .conftest import bearer

pytestmark = pytest.mark.django_db
URL = "/api/v1/incidents/"


def test_incidents_scoped_with_victims(client, officer_a, officer_b, enterprise_a):
    workplace = WorkplaceFactory(department__enterprise=enterprise_a)
    incident = IncidentFactory(workplace=workplace, kind=IncidentKind.ACCIDENT)
    body = client.get(URL, headers=bearer(officer_a)).json()
    assert [i["id"] for i in body["items"]] == [incident.pk]
    assert len(body["items"][0]["victims"]) == 1
    assert set(body["items"][0]["victims"][0]) == {"outcome", "days_lost", "position"}
    assert client.get(URL, headers=bearer(officer_b)).json()["items"] == []
    assert client.get(f"{URL}{incident.pk}/", headers=bearer(officer_b)).status_code == 404


def test_incident_queries_do_not_grow(client, officer_a, enterprise_a):
    workplace = WorkplaceFactory(department__enterprise=enterprise_a)
    for _ in range(5):
        IncidentFactory(workplace=workplace, kind=IncidentKind.ACCIDENT)
    headers = bearer(officer_a)
    client.get(URL, headers=headers)  # the token's first use is written once
    counts = []
    for limit in (1, 5):
        with CaptureQueriesContext(connection) as queries:
            assert len(client.get(URL, {"limit": limit}, headers=headers).json()["items"]) == limit
        counts.append(len(queries))
    assert counts[0] == counts[1]
