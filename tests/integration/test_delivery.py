"""Subscribed reports end to end with real parts: the schedule fires, a Celery worker process renders
the PDF from PostgreSQL through a real Redis and mails it to an SMTP server listening on
127.0.0.1 — and the faults: the mail server refuses, Redis restarts and loses its queue, the
worker is killed in the middle of a render."""

import io
import time

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


@pytest.mark.fault("SMTP refuses the recipient", "3 quick attempts, delivery failed, admins mailed")
def test_a_refusing_mail_server_is_retried_then_the_failure_is_shown_and_admins_told(
    services, smtp_server, subscription, observe
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
    notices = len(smtp_server.to("admin@riskpilot.test"))
    observe(f"{failed.attempts} attempts, {failed.status}, admins' notices: {notices}")

    client = Client()
    client.force_login(UserFactory(username="federal_it", role=Role.FEDERAL_REVIEWER))
    page = client.get(reverse("reports:report_detail", args=[failed.report_id])).content.decode()
    assert "SMTPRecipientsRefused" in page and "text-bg-danger" in page


@pytest.mark.fault("Redis restart (queue lost)", "the reconciler re-queues: 1 e-mail")
def test_a_redis_restart_between_schedule_and_delivery_loses_nothing(
    services, smtp_server, redis_server, subscription, observe
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
    observe(f"queue after restart: 0; e-mails: {len(smtp_server.to(RECIPIENT))}")
    assert len(smtp_server.to(RECIPIENT)) == 1


def status_of(report) -> str:
    report.refresh_from_db()
    return report.status


@pytest.mark.fault("worker SIGKILL mid-render", "1 report v1, 2 render attempts, 1 file, 1 e-mail")
def test_a_worker_killed_mid_render_leaves_a_report_completed_exactly_once(
    services, smtp_server, subscription, observe
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
    files = list((services.private_root / "reports").rglob("*.pdf"))
    observe(
        f"{Report.objects.count()} report v{report.version}, {report.attempts} render attempts, "
        f"{len(files)} file, {len(smtp_server.to(RECIPIENT))} e-mail"
    )
    assert (report.status, report.version, report.attempts) == (ReportStatus.READY, 1, 2)
    assert Report.objects.count() == 1
    files = list((services.private_root / "reports").rglob("*.pdf"))
    assert [path.name for path in files] == [report.file_name]
    assert len(smtp_server.to(RECIPIENT)) == 1
    assert Delivery.objects.get().attempts == 1


SECOND = "ot@salt-mine.example.org"


@pytest.mark.fault(
    "SMTP down, then up", "failed after the quick retries, retried by the reconciler: each e-mail once"
)
def test_an_smtp_outage_longer_than_the_quick_retries_loses_no_report(
    services, smtp_server, subscription, salt_mine, observe
):
    delivery.subscription_create(
        type=ReportType.ENTERPRISE, enterprise=salt_mine, frequency=Frequency.MONTHLY, language="ru",
        recipients=SECOND, user=None,
    )  # fmt: skip
    port = int(smtp_server.url.rsplit(":", 1)[1])
    smtp_server.stop()
    services.worker()
    services.beat()
    services.call("reports.tasks.fan_out_subscriptions", kwargs=f'{{"today": "{TODAY}"}}')

    # Every quick retry used up, and the reconciler has tried again at least once, still down.
    services.wait_until(
        lambda: Delivery.objects.filter(status=DeliveryStatus.FAILED, attempts__gte=4).count() == 2,
        timeout=180,
        what="both deliveries to fail past the quick retries",
    )
    attempts_while_down = sorted(Delivery.objects.values_list("attempts", flat=True))
    smtp_server.start(port)

    services.wait_until(
        lambda: Delivery.objects.filter(status=DeliveryStatus.SENT).count() == 2,
        timeout=120,
        what="both deliveries to be sent once the mail server is back",
    )
    # A few more reconciler sweeps send nothing twice.
    time.sleep(4)
    observe(
        f"attempts while down: {attempts_while_down}; e-mails: {len(smtp_server.to(RECIPIENT))} + "
        f"{len(smtp_server.to(SECOND))}"
    )
    assert len(smtp_server.to(RECIPIENT)) == 1 and len(smtp_server.to(SECOND)) == 1
    assert Report.objects.count() == 1


@pytest.mark.fault(
    "worker SIGKILL during SMTP DATA", "at-least-once: the e-mail arrives twice, attempt 1 interrupted"
)
def test_a_worker_killed_during_data_sends_again_at_least_once(services, smtp_server, subscription, observe):
    """The mail server has the message but the worker dies before hearing "250": nothing can tell
    whether it went, so the reconciler sends it again. Delivery is at-least-once by design
    (README, "Subscriptions and delivery by e-mail"): a duplicate is better than a lost report."""
    smtp_server.hold_data = True
    first = services.worker("first")
    services.call("reports.tasks.fan_out_subscriptions", kwargs=f'{{"today": "{TODAY}"}}')
    services.wait_until(lambda: smtp_server.to(RECIPIENT), timeout=120, what="the message to reach DATA")
    first.kill()
    smtp_server.hold_data = False
    assert delivery_status() == DeliveryStatus.SENDING

    services.worker("second")
    services.beat()
    services.wait_until(lambda: delivery_status() == DeliveryStatus.SENT, timeout=60, what="the second send")
    outcomes = list(Delivery.objects.get().attempt_log.values_list("outcome", flat=True))
    observe(f"e-mails: {len(smtp_server.to(RECIPIENT))}; attempts: {', '.join(outcomes)}")
    assert len(smtp_server.to(RECIPIENT)) == 2
    assert outcomes == ["interrupted", "sent"]
