"""Incidents over the API: scoped, victims without names, a constant number of queries; recorded,
corrected (with history, If-Match) and cancelled through assessments.services."""

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments.models import Incident, IncidentKind
from tests.factories import HazardFactory, IncidentFactory, WorkplaceFactory

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


# --- Writes ---------------------------------------------------------------------------------


def send(client, method, url, data, headers):
    return client.generic(method, url, json.dumps(data), content_type="application/json", headers=headers)


@pytest.fixture
def workplace(enterprise_a):
    return WorkplaceFactory(department__enterprise=enterprise_a)


def accident(workplace, **more):
    return {
        "workplace_id": workplace.pk,
        "kind": "accident",
        "occurred_at": (timezone.now() - datetime.timedelta(hours=2)).isoformat(),
        "description": "Травма руки у конвейера",
        "victims": [{"outcome": "light", "days_lost": 5, "position": "Машинист"}],
        **more,
    }


def test_record_through_the_service_with_the_forms_rules(client, officer_a, workplace):
    row = HazardFactory(workplace=workplace)
    headers = bearer(officer_a)
    response = send(client, "POST", URL, accident(workplace, hazard_ids=[row.pk]), headers)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kind"], body["hazard_ids"], body["victims"][0]["days_lost"]) == ("accident", [row.pk], 5)
    assert response["ETag"] == f'"{body["version"]}"'
    row.refresh_from_db()
    assert row.needs_reassessment
    # The page's rules: not in the future, a near miss names its event, victims for accidents only.
    future = (timezone.now() + datetime.timedelta(days=1)).isoformat()
    refused = send(client, "POST", URL, accident(workplace, occurred_at=future), headers)
    assert [e["field"] for e in refused.json()["errors"]] == ["occurred_at"]
    refused = send(client, "POST", URL, accident(workplace, kind="near_miss"), headers)
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["event_id"]
    refused = send(client, "POST", URL, accident(workplace, kind="microtrauma"), headers)
    assert [e["field"] for e in refused.json()["errors"]] == ["victims"]
    # A row of another workplace is not a choice.
    other = HazardFactory(workplace=WorkplaceFactory(department__enterprise=workplace.enterprise))
    refused = send(client, "POST", URL, accident(workplace, hazard_ids=[other.pk]), headers)
    assert [e["field"] for e in refused.json()["errors"]] == ["hazard_ids"]
    assert Incident.objects.count() == 1


def test_record_refusals(client, officer_b, reviewer_region, workplace):
    assert send(client, "POST", URL, accident(workplace), bearer(officer_b)).status_code == 404
    assert send(client, "POST", URL, accident(workplace), bearer(reviewer_region)).status_code == 403
    assert not Incident.objects.exists()


def test_correct_with_history_and_if_match_then_cancel(client, officer_a, workplace):
    incident = IncidentFactory(workplace=workplace, kind=IncidentKind.ACCIDENT)
    headers = bearer(officer_a)
    url = f"{URL}{incident.pk}/"
    tag = client.get(url, headers=headers)["ETag"]
    correction = accident(workplace, occurred_at=incident.occurred_at.isoformat(), act_number="Н-1/17")
    assert send(client, "PUT", url, correction, headers).status_code == 428
    corrected = send(client, "PUT", url, correction, {**headers, "If-Match": tag})
    assert corrected.status_code == 200, corrected.content
    assert corrected.json()["act_number"] == "Н-1/17"
    assert corrected.json()["victims"] == [{"outcome": "light", "days_lost": 5, "position": "Машинист"}]
    assert incident.history.count() == 2
    stale = send(client, "PUT", url, {**correction, "act_number": "Н-1/18"}, {**headers, "If-Match": tag})
    assert stale.status_code == 412
    incident.refresh_from_db()
    assert incident.act_number == "Н-1/17"
    since = timezone.now()
    new_tag = corrected["ETag"]
    no_reason = send(client, "POST", f"{url}cancel/", {"reason": ""}, {**headers, "If-Match": new_tag})
    assert no_reason.status_code == 422
    cancelled = send(
        client, "POST", f"{url}cancel/", {"reason": "Записан дважды"}, {**headers, "If-Match": new_tag}
    )
    assert cancelled.status_code == 200, cancelled.content
    assert cancelled.json()["cancel_reason"] == "Записан дважды"
    # A cancelled incident is a tombstone for clients that sync, and cannot be corrected.
    body = client.get(URL, {"updated_since": since.isoformat()}, headers=headers).json()
    assert (body["items"], [t["id"] for t in body["tombstones"]]) == ([], [incident.pk])
    again = send(client, "PUT", url, correction, {**headers, "If-Match": cancelled["ETag"]})
    assert again.status_code == 409
