"""The OpenAPI schema: valid (openapi-spec-validator), and true to the running application —
Schemathesis generates requests for every operation from the schema served at /api/v1/schema/
and sends them to the application as an officer and as a regional reviewer: no answer may be a
server error, and every answer must match what the schema declares (status and body)."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import validate
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from tests.factories import ControlMeasureFactory, HazardFactory, IncidentFactory, WorkplaceFactory

from .conftest import bearer

SCHEMA_URL = "/api/v1/schema/"
CHECKS = [schemathesis.checks.not_a_server_error, status_code_conformance, response_schema_conformance]


@pytest.mark.django_db
def test_schema_is_valid_openapi_3_1(client):
    response = client.get(SCHEMA_URL)
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.1")
    validate(schema)
    # Every operation declares its problems, and the token and session schemes.
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert "401" in operation["responses"], f"{method} {path}"
            assert operation["security"] == [{"TokenAuth": []}, {"BrowserSession": []}]


def test_docs_page_serves_its_assets_locally(client):
    page = client.get("/api/v1/docs/").content.decode()
    assert "swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower()


@pytest.fixture
def api_schema(db, enterprise_a):
    # Data for the generated requests to find (and the lists' links to follow): rows at a
    # workplace of enterprise A, a measure, an incident.
    workplace = WorkplaceFactory(department__enterprise=enterprise_a)
    rows = HazardFactory.create_batch(3, workplace=workplace)
    ControlMeasureFactory(hazard=rows[0])
    IncidentFactory(workplace=workplace)
    # The whole WSGI application, middleware and all, in this process and this test's
    # transaction; like Django's test client, it must not close the connection after a request.
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi(SCHEMA_URL, get_wsgi_application())
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)


def run_every_operation(schema, headers: dict) -> list[str]:
    """Generated requests for every operation of the schema; the operations that were tried.
    (Schemathesis's own pytest integration does not run on this pytest; its strategies do.)"""
    tried = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        check()
        tried.append(f"{operation.method.upper()} {operation.path}")
    return tried


def test_api_answers_as_the_schema_says_to_an_officer(api_schema, officer_a):
    tried = run_every_operation(api_schema, bearer(officer_a))
    assert "PUT /api/v1/register-rows/{pk}/" in tried
    assert len(tried) == sum(len(ops) for ops in api_schema.raw_schema["paths"].values())


def test_api_answers_as_the_schema_says_to_a_reviewer(api_schema, reviewer_region):
    tried = run_every_operation(api_schema, bearer(reviewer_region))
    assert "POST /api/v1/register-rows/bulk/" in tried


def run_stateful(schema, headers: dict) -> set[tuple[str, int]]:
    """Sequences of calls that follow the schema's links (a list or a create → the operations on
    the object it names, by id), with the same checks; the (operation, status) pairs seen."""
    machine = schema.as_state_machine()
    seen = set()

    class WithToken(machine):
        def get_call_kwargs(self, case):
            return {"headers": headers}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            seen.add((f"{case.operation.method.upper()} {case.operation.path}", response.status_code))
            case.validate_response(response, checks=CHECKS)

    WithToken.run(
        settings=settings(
            max_examples=30,
            stateful_step_count=6,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
    )
    return seen


def test_schema_links_create_and_list_to_the_object(api_schema):
    links = {
        (path, method, name)
        for path, operations in api_schema.raw_schema["paths"].items()
        for method, operation in operations.items()
        for response in operation["responses"].values()
        for name in response.get("links", {})
    }
    assert ("/api/v1/register-rows/", "post", "hazard_detail") in links
    assert ("/api/v1/measures/", "get", "measure_start") in links
    assert ("/api/v1/incidents/", "post", "incident_detail") in links


def declared_links(schema) -> list[tuple[str, str, str]]:
    """(source path, target operation id, the link's pk expression) of every GET-able link."""
    by_id = {
        operation["operationId"]: (path, method)
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
    }
    return [
        (path, link["operationId"], link["parameters"]["pk"])
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if method == "get"
        for response in operation["responses"].values()
        for link in response.get("links", {}).values()
        if by_id[link["operationId"]][1] == "get"
    ]


@pytest.mark.parametrize("persona", ["officer_a", "reviewer_region"])
def test_every_list_link_leads_to_its_object(api_schema, client, persona, request):
    """Deterministic, unlike the stateful runs below: each link of a list, resolved on the list's
    first page as the schema says, names an object its target operation returns."""
    headers = bearer(request.getfixturevalue(persona))
    schema = api_schema.raw_schema
    paths = {op["operationId"]: path for path, ops in schema["paths"].items() for op in ops.values()}
    links = declared_links(schema)
    assert {target for _, target, _ in links} >= {"hazard_detail", "measure_detail", "incident_detail"}
    for source, target, expression in links:
        assert expression == "$response.body#/items/0/id"
        first = client.get(source, headers=headers).json()["items"][0]["id"]
        answer = client.get(paths[target].replace("{pk}", str(first)), headers=headers)
        assert answer.status_code == 200, (source, target)
        assert answer.json()["id"] == first


def test_stateful_runs_as_an_officer(api_schema, officer_a):
    """Sequences that follow the links (which of them Hypothesis happens to walk differs from
    seed to seed: the test above checks the links themselves); every answer passes the checks."""
    seen = run_stateful(api_schema, bearer(officer_a))
    assert ("GET /api/v1/register-rows/", 200) in seen


def test_stateful_runs_as_a_reviewer(api_schema, reviewer_region):
    seen = run_stateful(api_schema, bearer(reviewer_region))
    assert ("GET /api/v1/register-rows/", 200) in seen
