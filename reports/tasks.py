"""Celery tasks of the reports app: rendering and delivery (the roll-ups' are in dashboards.tasks).
Thin and safe to run twice: each calls one service."""

import datetime

from celery import shared_task
from django.db import InterfaceError, OperationalError

# Errors worth another try: the database or the storage briefly unreachable, a lock timeout.
# Anything else (a template bug, bad data) fails the same way every time and is recorded at once.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, ConnectionError, TimeoutError)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=4 * 60,
    time_limit=5 * 60,
    max_retries=3,
)
def render_report(self, report_id: int) -> str | None:
    """Render one PDF report (queue "pdf"), then queue the e-mails waiting for it. Returns its
    status, or None if the row is gone."""
    from . import delivery
    from .models import Report, ReportStatus
    from .services import report_render

    report = Report.objects.filter(pk=report_id).first()
    if report is None:
        return None
    if report.status != ReportStatus.READY:
        try:
            report = report_render(report=report)
        except TRANSIENT_ERRORS as error:
            if self.request.retries < self.max_retries:
                # Capped exponential back-off, well under Redis' visibility timeout (settings).
                raise self.retry(exc=error, countdown=min(30 * 2**self.request.retries, 300)) from error
            delivery.deliveries_fail(report=Report.objects.get(pk=report_id))
            raise
        except Exception:
            delivery.deliveries_fail(report=Report.objects.get(pk=report_id))
            raise
    if report.status == ReportStatus.READY:
        delivery.deliveries_queue(report=report)
    return report.status


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=60, time_limit=90)
def fan_out_subscriptions(today: str | None = None) -> int:
    """Beat, every morning: split the due subscriptions into batches, one task each."""
    from django.conf import settings
    from django.utils import timezone

    from .delivery import subscriptions_due

    day = today or timezone.localdate().isoformat()
    due = subscriptions_due(datetime.date.fromisoformat(day))
    size = settings.REPORTS_FAN_OUT_BATCH
    for start in range(0, len(due), size):
        fan_out_batch.delay(due[start : start + size], day)
    return len(due)


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=5 * 60, time_limit=6 * 60)
def fan_out_batch(subscription_ids: list[int], today: str) -> int:
    """Rows first (reports and deliveries), then one render per report: never one giant task."""
    from .delivery import subscriptions_fan_out

    return subscriptions_fan_out(subscription_ids=subscription_ids, today=datetime.date.fromisoformat(today))


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, soft_time_limit=2 * 60, time_limit=3 * 60)
def deliver_report(self, delivery_id: int) -> str | None:
    """E-mail one report to one subscription (default queue, so PDFs never hold up e-mail).
    Retries with back-off; the number of attempts is counted in the database, not here."""
    from .delivery import DeliveryFailed, delivery_send

    try:
        delivery = delivery_send(delivery_id=delivery_id)
    except DeliveryFailed as failure:
        if failure.retry_in is None:
            return failure.delivery.status
        raise self.retry(countdown=failure.retry_in, max_retries=None) from failure
    return delivery.status if delivery else None


@shared_task(soft_time_limit=4 * 60, time_limit=5 * 60)
def reconcile_reports() -> dict:
    """Beat, every few minutes: queue again what the broker lost (see reports.delivery)."""
    from .delivery import reconcile

    return reconcile()
