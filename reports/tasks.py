"""Celery tasks of the reports app. Thin and safe to run twice: each calls one service."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import rollups


@shared_task(soft_time_limit=20 * 60, time_limit=25 * 60)
def refresh_rollups(full: bool = False) -> int | None:
    """Bring the dashboards' roll-ups up to date (periodic, and on demand from the pages).
    Returns the number of enterprises refreshed, or None if another refresh was running."""
    run = rollups.refresh_due(full=full)
    return run.enterprise_count if run else None


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
    """Render one PDF report (queue "pdf"). Returns its status, or None if the row is gone."""
    from .models import Report, ReportStatus
    from .services import report_render

    report = Report.objects.filter(pk=report_id).first()
    if report is None or report.status == ReportStatus.READY:
        return report.status if report else None
    try:
        report = report_render(report=report)
    except TRANSIENT_ERRORS as error:
        # Capped exponential back-off, well under Redis' visibility timeout (settings).
        raise self.retry(exc=error, countdown=min(30 * 2**self.request.retries, 300)) from error
    return report.status
