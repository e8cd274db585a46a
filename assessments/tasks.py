"""Celery tasks of the assessments app: the weekly reminder, fanned out by enterprise, the
e-mails to a measure's responsible user, and the register imports from .xlsx."""

import datetime
import smtplib

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy

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


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=4 * 60, time_limit=5 * 60)
def run_register_import(import_id: int) -> str | None:
    """Check one uploaded register file and keep its preview, or write one the user confirmed,
    all or nothing (assessments.imports). Run twice (a re-delivery after a lost worker), a checked,
    confirmed or finished import is left as it is; a write cut short rolled back its transaction,
    so it simply runs again. Memory: the archive caps and the
    streaming reader bound one import, and the worker is started with --max-memory-per-child
    (docker-compose.yml), which replaces a child grown too big after its task."""
    from .imports import register_import_fail, register_import_run

    try:
        job = register_import_run(import_id=import_id)
    except SoftTimeLimitExceeded:
        register_import_fail(
            import_id=import_id,
            message=gettext_lazy(
                "The import took too long and was stopped; nothing was imported. Split the file."
            ),
        )
        return None
    return job.status if job else None


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=60,
    time_limit=90,
    max_retries=8,
)
def send_measure_notice(self, notice_id: int) -> bool:
    """One e-mail to a measure's responsible user (assessments.notices), sent once."""
    from .notices import notice_send

    try:
        return notice_send(notice_id=notice_id)
    except (smtplib.SMTPException, ConnectionError, TimeoutError) as error:
        delay = min(settings.REPORTS_DELIVERY_RETRY_BASE * 2**self.request.retries, 1800)
        raise self.retry(exc=error, countdown=delay) from error


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=4 * 60, time_limit=5 * 60)
def send_measure_deadline_notices(today: str | None = None) -> int:
    """Beat, daily: tell assignees of measures due within a week or overdue (once per due date),
    and queue again the notices a lost queue left unsent."""
    from .notices import deadline_notices_create, notices_unsent

    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    queued = deadline_notices_create(today=day)
    for notice_id in notices_unsent():
        send_measure_notice.delay(notice_id)
    return queued
