"""A report requested on a page is rendered by a real Celery worker process, through a real Redis,
on PostgreSQL — not in eager mode."""

import io

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from enterprises.models import Enterprise
from reports import pdf
from reports.models import Report, ReportStatus, ReportType

pytestmark = [pytest.mark.postgres, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

SALT_MINE_INN = "5699000015"


@pytest.fixture
def salt_mine(reference_data):
    call_command("seed_demo")
    return Enterprise.objects.get(inn=SALT_MINE_INN)


def queue_report(services, enterprise, month="2026-10") -> Report:
    """The row first, then the task through the broker (as report_request does on commit)."""
    report = Report.objects.create(
        type=ReportType.ENTERPRISE,
        scope_key=f"enterprise:{enterprise.pk}",
        enterprise=enterprise,
        period_start=pdf.parse_period(month).start,
        period_end=pdf.parse_period(month).end,
        language="ru",
    )
    services.call("reports.tasks.render_report", args=f"[{report.pk}]")
    return report


def status_of(report) -> str:
    report.refresh_from_db()
    return report.status


def test_the_worker_renders_a_requested_report(services, salt_mine):
    services.worker()
    report = queue_report(services, salt_mine)

    services.wait_until(lambda: status_of(report) == ReportStatus.READY, timeout=120, what="the report")

    stored = services.private_root / report.file.name
    content = stored.read_bytes()
    assert content.startswith(b"%PDF")
    assert report.size == len(content) and report.pages >= 2 and report.attempts == 1
    text = PdfReader(io.BytesIO(content)).pages[0].extract_text()
    assert "Соль-Илецк" in text
    assert "2026" in text
