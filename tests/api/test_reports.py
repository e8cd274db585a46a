"""Report orders and their files over the API, under the report archive's access rules."""

import datetime
import json

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from reports.models import Report, ReportStatus, ReportType
from tests.security.conftest import private_storage  # noqa: F401 — the reports' files in a temporary folder

from .conftest import bearer

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(enterprise_a, private_storage):  # noqa: F811
    report = Report.objects.create(
        type=ReportType.ENTERPRISE,
        scope_key=f"enterprise:{enterprise_a.pk}",
        enterprise=enterprise_a,
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 1, 31),
        status=ReportStatus.READY,
    )
    report.file.save("report.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))
    return report


def test_reports_listed_with_their_file(client, officer_a, officer_b, reviewer_region, report):
    body = client.get("/api/v1/reports/", headers=bearer(officer_a)).json()
    assert [(r["id"], r["status"]) for r in body["items"]] == [(report.pk, "ready")]
    url = body["items"][0]["file_url"]
    assert url.endswith(f"/api/v1/reports/{report.pk}/file/")
    response = client.get(f"/api/v1/reports/{report.pk}/file/", headers=bearer(reviewer_region))
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert client.get("/api/v1/reports/", headers=bearer(officer_b)).json()["items"] == []
    assert client.get(f"/api/v1/reports/{report.pk}/file/", headers=bearer(officer_b)).status_code == 404


def test_file_404_until_ready(client, officer_a, report):
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.RENDERING)
    assert client.get(f"/api/v1/reports/{report.pk}/file/", headers=bearer(officer_a)).status_code == 404
    assert client.get(f"/api/v1/reports/{report.pk}/", headers=bearer(officer_a)).json()["file_url"] is None


def order(client, headers, **data):
    return client.post("/api/v1/reports/", json.dumps(data), content_type="application/json", headers=headers)


def test_order_through_the_service_under_the_pages_rules(
    client, officer_a, officer_b, reviewer_region, reviewer_other_region, federal, enterprise_a, region_a
):
    headers = bearer(officer_a)
    made = order(client, headers, type="enterprise", enterprise_id=enterprise_a.pk, month="2026-01")
    assert made.status_code == 201, made.content
    body = made.json()
    report = Report.objects.get(pk=body["id"])
    assert (report.requested_by, report.period_start, report.status) == (
        officer_a,
        datetime.date(2026, 1, 1),
        ReportStatus.QUEUED,
    )
    assert body["requested_by_me"] and body["file_url"] is None
    # The same order again is the same report (200); regenerate makes a new version.
    same = order(client, headers, type="enterprise", enterprise_id=enterprise_a.pk, month="2026-01")
    assert (same.status_code, same.json()["id"]) == (200, report.pk)
    again = order(
        client, headers, type="enterprise", enterprise_id=enterprise_a.pk, month="2026-01", regenerate=True
    )
    assert (again.status_code, again.json()["version"]) == (201, 2)
    quarter = order(
        client, headers, type="enterprise", enterprise_id=enterprise_a.pk, month="2026-02", quarter=True
    )
    assert (quarter.json()["period_start"], quarter.json()["period_end"]) == ("2026-01-01", "2026-03-31")
    # Who may order what: as on the report pages.
    assert (
        order(
            client, bearer(officer_b), type="enterprise", enterprise_id=enterprise_a.pk, month="2026-01"
        ).status_code
        == 404
    )
    assert (
        order(
            client, bearer(reviewer_region), type="enterprise", enterprise_id=enterprise_a.pk, month="2026-01"
        ).status_code
        == 200
    )
    assert order(client, headers, type="region", region=region_a.code, month="2026-01").status_code == 404
    assert (
        order(
            client, bearer(reviewer_other_region), type="region", region=region_a.code, month="2026-01"
        ).status_code
        == 404
    )
    assert (
        order(
            client, bearer(reviewer_region), type="region", region=region_a.code, month="2026-01"
        ).status_code
        == 201
    )
    assert order(client, bearer(reviewer_region), type="federal", month="2026-01").status_code == 404
    assert order(client, bearer(federal), type="federal", month="2026-01").status_code == 201
    # Bad input: a translated problem, nothing ordered.
    count = Report.objects.count()
    future = order(client, headers, type="enterprise", enterprise_id=enterprise_a.pk, month="2099-01")
    assert future.status_code == 422
    assert future.json()["errors"] == [{"field": "month", "message": "Этот месяц ещё не начался."}]
    missing = order(client, headers, type="enterprise", month="2026-01")
    assert [e["field"] for e in missing.json()["errors"]] == ["enterprise_id"]
    assert (
        order(client, headers, type="enterprise", enterprise_id=enterprise_a.pk, month="2026-13").status_code
        == 422
    )
    assert Report.objects.count() == count


def test_orders_over_the_hourly_limit_are_throttled_with_retry_after(
    client, officer_a, enterprise_a, settings
):
    settings.REPORTS_ORDERS_PER_HOUR = 2
    headers = bearer(officer_a)
    for month in ("2026-01", "2026-02"):
        made = order(client, headers, type="enterprise", enterprise_id=enterprise_a.pk, month=month)
        assert made.status_code == 201
    # The first order was 59 minutes ago: a third may come in a minute at most.
    first = Report.objects.order_by("pk").first()
    Report.objects.filter(pk=first.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=59))
    count = Report.objects.count()
    refused = order(client, headers, type="enterprise", enterprise_id=enterprise_a.pk, month="2026-03")
    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json()["status"] == 429
    assert "сколько разрешено (2)" in refused.json()["detail"]
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert Report.objects.count() == count
    # An existing report is still answered: only new renders count.
    assert (
        order(client, headers, type="enterprise", enterprise_id=enterprise_a.pk, month="2026-01").status_code
        == 200
    )


def test_list_own_orders(client, officer_a, manager_a, enterprise_a, report):
    order(client, bearer(manager_a), type="enterprise", enterprise_id=enterprise_a.pk, month="2026-02")
    headers = bearer(officer_a)
    mine = order(client, headers, type="enterprise", enterprise_id=enterprise_a.pk, month="2026-03").json()
    everything = client.get("/api/v1/reports/", headers=headers).json()["items"]
    assert len(everything) == 3
    own = client.get("/api/v1/reports/", {"mine": "true"}, headers=headers).json()["items"]
    assert [r["id"] for r in own] == [mine["id"]]
    ready = client.get("/api/v1/reports/", {"status": "ready"}, headers=headers).json()["items"]
    assert [r["id"] for r in ready] == [report.pk]
