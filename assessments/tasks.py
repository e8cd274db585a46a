"""Celery tasks of the assessments app: the weekly reminder, fanned out by enterprise."""

import datetime
import smtplib

from celery import shared_task
from django.conf import settings
from django.utils import timezone

# Enterprises per task: many small tasks, never one giant one.
BATCH = 50


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=60, time_limit=90)
def send_weekly_digests(today: str | None = None) -> int:
    """Beat, Mondays: one task per batch of enterprises that have someone to remind."""
    from .reminders import enterprises_with_recipients

    day = today or timezone.localdate().isoformat()
    ids = enterprises_with_recipients()
    for start in range(0, len(ids), BATCH):
        send_enterprise_digests.delay(ids[start : start + BATCH], day)
    return len(ids)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=5 * 60,
    time_limit=6 * 60,
    max_retries=5,
)
def send_enterprise_digests(self, enterprise_ids: list[int], today: str) -> int:
    """Those already reminded this week are skipped, so a retry only sends what is missing."""
    from .reminders import digests_send

    try:
        return digests_send(enterprise_ids=enterprise_ids, today=datetime.date.fromisoformat(today))
    except (smtplib.SMTPException, ConnectionError, TimeoutError) as error:
        # Capped exponential back-off, below the broker's visibility timeout.
        delay = min(settings.REPORTS_DELIVERY_RETRY_BASE * 2**self.request.retries, 1800)
        raise self.retry(exc=error, countdown=delay) from error
