"""Subscribed reports end to end with real parts: the schedule fires, a Celery worker process renders
the PDF from PostgreSQL through a real Redis and mails it to an SMTP server listening on
127.0.0.1 — and the faults: the mail server refuses, Redis restarts and loses its queue, the
worker is killed in the middle of a render."""

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from enterprises.models import Enterprise, Role
from reports import delivery
from reports.models import Delivery, DeliveryStatus, Frequency, Report, ReportStatus, ReportType
from tests.factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

SALT_MINE_INN = "5699000015"
TODAY = "2026-11-25"  # the October 2026 report is due
RECIPIENT = "ministry@orenburg.example.org"


@pytest.fixture
def salt_mine(reference_data):
    call_command("seed_demo")
    return Enterprise.objects.get(inn=SALT_MINE_INN)


@pytest.fixture
def subscription(salt_mine):
    return delivery.subscription_create(
        type=ReportType.ENTERPRISE,
        enterprise=salt_mine,
        frequency=Frequency.MONTHLY,
        language="ru",
        recipients=RECIPIENT,
        user=None,
    )


def pdf_attachment(message) -> bytes:
    (attachment,) = [
        part for part in message.iter_attachments() if part.get_content_type() == "application/pdf"
    ]
    return attachment.get_content()


def delivery_status() -> str | None:
    found = Delivery.objects.first()
    return found.status if found else None


def test_the_schedule_delivers_the_report_by_e_mail(services, smtp_server, subscription):
    services.worker()
    services.call("reports.tasks.fan_out_subscriptions", kwargs=f'{{"today": "{TODAY}"}}')

    services.wait_until(lambda: smtp_server.to(RECIPIENT), timeout=120, what="the e-mail")
    # The worker marks the delivery sent once the SMTP server has answered: a moment later.
    services.wait_until(lambda: delivery_status() == DeliveryStatus.SENT, timeout=30, what="the sent mark")

    (message,) = smtp_server.to(RECIPIENT)
    assert "Соль-Илецк" in message["Subject"]
    content = pdf_attachment(message)
    assert content.startswith(b"%PDF")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages[:2])
    assert "Соль-Илецк" in text and "2026" in text
    report = Report.objects.get()
    assert (report.status, report.period_start.isoformat()) == (ReportStatus.READY, "2026-10-01")
    assert report.sha256 and report.size == len(content)
    sent = Delivery.objects.get()
    assert (sent.status, sent.attempts) == (DeliveryStatus.SENT, 1)


def test_a_refusing_mail_server_is_retried_then_the_failure_is_shown_and_admins_told(
    services, smtp_server, subscription
):
    smtp_server.refused.add(RECIPIENT)
    services.worker()
    services.call("reports.tasks.fan_out_subscriptions", kwargs=f'{{"today": "{TODAY}"}}')

    services.wait_until(
        lambda: delivery_status() == DeliveryStatus.FAILED, timeout=180, what="the delivery to fail"
    )

    failed = Delivery.objects.get()
    assert failed.attempts == 3 == smtp_server.refusals  # REPORTS_DELIVERY_MAX_ATTEMPTS in the worker
    attempts = list(failed.attempt_log.values_list("number", "outcome"))
    assert attempts == [(1, "error"), (2, "error"), (3, "error")]
    assert "SMTPRecipientsRefused" in failed.error
    services.wait_until(lambda: smtp_server.to("admin@riskpilot.test"), timeout=30, what="the admins' notice")
    assert not smtp_server.to(RECIPIENT)

    client = Client()
    client.force_login(UserFactory(username="federal_it", role=Role.FEDERAL_REVIEWER))
    page = client.get(reverse("reports:report_detail", args=[failed.report_id])).content.decode()
    assert "SMTPRecipientsRefused" in page and "text-bg-danger" in page


def test_a_redis_restart_between_schedule_and_delivery_loses_nothing(
    services, smtp_server, redis_server, subscription
):
    # The schedule fires while no worker runs: the rows are written and the render is queued.
    services.manage("send_due_reports", "--date", TODAY)
    assert Report.objects.get().status == ReportStatus.QUEUED
    assert redis_server.queue_length("pdf") == 1

    redis_server.restart()  # keeps nothing on disk: the queue is gone
    assert redis_server.queue_length("pdf") == 0

    services.worker()
    services.beat()  # the reconciler finds the row that is owed and queues it again
    services.wait_until(lambda: smtp_server.to(RECIPIENT), timeout=150, what="the e-mail after the restart")
    services.wait_until(lambda: delivery_status() == DeliveryStatus.SENT, timeout=30, what="the sent mark")
    assert len(smtp_server.to(RECIPIENT)) == 1


def status_of(report) -> str:
    report.refresh_from_db()
    return report.status


def test_a_worker_killed_mid_render_leaves_a_report_completed_exactly_once(
    services, smtp_server, subscription
):
    """SIGKILL while the PDF is being rendered: no acknowledgement reaches Redis and the row stays
    "rendering". A new worker, with the reconciler on beat, finishes it: one file, one e-mail."""
    first = services.worker("first")
    services.call("reports.tasks.fan_out_subscriptions", kwargs=f'{{"today": "{TODAY}"}}')
    services.wait_until(
        lambda: Report.objects.filter(status=ReportStatus.RENDERING).exists(),
        timeout=60,
        what="the render to start",
    )
    first.kill()
    report = Report.objects.get()
    assert report.status == ReportStatus.RENDERING, "the render finished before the kill"

    services.worker("second")
    services.beat()
    services.wait_until(lambda: smtp_server.to(RECIPIENT), timeout=150, what="the e-mail after the kill")

    services.wait_until(lambda: delivery_status() == DeliveryStatus.SENT, timeout=30, what="the sent mark")
    report.refresh_from_db()
    assert (report.status, report.version, report.attempts) == (ReportStatus.READY, 1, 2)
    assert Report.objects.count() == 1
    files = list((services.private_root / "reports").rglob("*.pdf"))
    assert [path.name for path in files] == [report.file_name]
    assert len(smtp_server.to(RECIPIENT)) == 1
    assert Delivery.objects.get().attempts == 1
