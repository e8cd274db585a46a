"""Every list of the API costs the same number of SQL queries for a page of 2 rows as for a page
of 500 — as a plain list, and as a sync pull (``updated_since``) whose pages carry archived rows
and the deletions of a restored register."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments.register_dump import register_export, register_import
from enterprises.models import Worker, Workplace
from reports.models import Report, ReportStatus, ReportType
from tests.factories import (
    ControlMeasureFactory,
    DepartmentFactory,
    EnterpriseFactory,
    HazardFactory,
    IncidentFactory,
    RegionFactory,
    WorkplaceFactory,
)
from tests.security.conftest import private_storage  # noqa: F401 — the reports' files in a temporary folder

from .conftest import assess, bearer

pytestmark = pytest.mark.django_db
ROWS = 6  # of every kind: more than the small page, so the two pages differ


@pytest.fixture
def world(client, enterprise_a, officer_a, private_storage):  # noqa: F811
    """ROWS of everything the officer of A sees, each kind with some archived or cancelled."""
    for code in ("02", "30", "42", "47", "56", "57"):
        RegionFactory(code=code)
    departments = DepartmentFactory.create_batch(ROWS, enterprise=enterprise_a)
    workplaces = [WorkplaceFactory(department=department) for department in departments]
    rows = [HazardFactory(workplace=workplace) for workplace in workplaces]
    headers = bearer(officer_a)
    for row in rows:
        ControlMeasureFactory(hazard=row)
        IncidentFactory(workplace=row.workplace)
        answer = assess(client, row, headers)
        assert answer.status_code == 201, answer.content
    for month in range(1, ROWS + 1):
        report = Report.objects.create(
            type=ReportType.ENTERPRISE,
            scope_key=f"enterprise:{enterprise_a.pk}",
            enterprise=enterprise_a,
            period_start=datetime.date(2026, month, 1),
            period_end=datetime.date(2026, month, 28),
            status=ReportStatus.READY,
        )
        report.file.save("report.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))


def add_workers(enterprise) -> Workplace:
    """Workers at the first workplace (added after any restore, which refuses an enterprise that
    has workers)."""
    workplace = Workplace.objects.filter(enterprise=enterprise).order_by("pk").first()
    for number in range(ROWS):
        Worker.objects.create(
            enterprise=enterprise,
            workplace=workplace,
            surname=f"Работник {number}",
            first_name="Иван",
            personnel_number=str(100 + number),
        )
    return workplace


def lists(workplace) -> list[str]:
    return [
        "/api/v1/regions/",
        "/api/v1/enterprises/",
        "/api/v1/units/",
        "/api/v1/workplaces/",
        f"/api/v1/workplaces/{workplace.pk}/workers/",
        "/api/v1/catalogue/groups/",
        "/api/v1/catalogue/hazards/",
        "/api/v1/catalogue/events/",
        "/api/v1/catalogue/model-measures/",
        "/api/v1/register-rows/",
        "/api/v1/assessments/",
        "/api/v1/measures/",
        "/api/v1/incidents/",
        "/api/v1/reports/",
    ]


def count(client, url, query, headers) -> tuple[int, int]:
    """(queries, rows and tombstones returned)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, query, headers=headers)
    assert response.status_code == 200, (url, response.content)
    body = response.json()
    return len(queries), len(body["items"]) + len(body["tombstones"])


def test_every_list_route_is_counted(world, enterprise_a):
    from api.api import api

    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    paged = {
        path
        for path, operations in schema["paths"].items()
        if any(p["name"] == "cursor" for p in operations.get("get", {}).get("parameters", []))
    }
    workplace = add_workers(enterprise_a)
    assert paged == {url.replace(f"/{workplace.pk}/", "/{pk}/") for url in lists(workplace)}


@pytest.mark.parametrize("sync", [False, True], ids=["list", "updated_since"])
def test_queries_do_not_grow_with_the_page(client, officer_a, enterprise_a, world, sync):
    headers = bearer(officer_a)
    client.get("/api/v1/regions/", headers=headers)  # the token's first use writes its last use
    query = {}
    if sync:
        query = {"updated_since": (timezone.now() - datetime.timedelta(days=1)).isoformat()}
        # The restore deletes the register and rebuilds it: deletions for the sync pages. (It
        # refuses an enterprise with workers, which no register file carries: they come after.)
        register_import(register_export(enterprise_a), replace=True)
    RegionFactory(code="61")
    EnterpriseFactory.create_batch(2, region=enterprise_a.region)  # unseen by the officer
    for url in lists(add_workers(enterprise_a)):
        small, small_rows = count(client, url, {**query, "limit": 2}, headers)
        large, large_rows = count(client, url, {**query, "limit": 500}, headers)
        assert small_rows == 2 or url.endswith("/enterprises/"), url
        assert large_rows >= small_rows, url
        # A sync page on which the changed rows end reads the deletions too: one query more on
        # that page (whatever its size), none on the others.
        assert large - small in ((0, 1) if sync else (0,)), (url, small, large)
