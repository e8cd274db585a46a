"""Report orders and their files over the API, under the report archive's access rules."""

import datetime

import pytest
from django.core.files.base import ContentFile

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
