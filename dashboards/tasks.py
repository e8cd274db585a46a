"""Celery tasks of the dashboards. Thin and safe to run twice: each calls one service.

They were first registered under the reports app and keep those names: the beat schedule in the
database and any message already queued name them so."""

from celery import shared_task

from enterprises.models import Enterprise

from . import rollups
from .models import RollupKind


@shared_task(name="reports.tasks.refresh_rollups", soft_time_limit=20 * 60, time_limit=25 * 60)
def refresh_rollups(full: bool = False) -> int | None:
    """Bring the dashboards' roll-ups up to date (periodic, and on demand from the pages).
    Returns the number of enterprises refreshed, or None if another refresh was running."""
    run = rollups.refresh_due(full=full)
    if run is not None and run.kind == RollupKind.FULL:
        warm_period_ends.delay()
    return run.enterprise_count if run else None


@shared_task(name="reports.tasks.warm_period_ends", soft_time_limit=30 * 60, time_limit=35 * 60)
def warm_period_ends() -> int:
    """After the nightly full refresh: rebuild the register at the end of last month, last quarter
    and last year for every enterprise, so that the first view of an ended period (and the
    scheduled reports of the morning) find it in the cache. Returns the days warmed."""
    from .figures import period_snapshot, recent_period_ends

    days = recent_period_ends()
    for day in days:
        # No group read back: what is missing is rebuilt and kept, nothing else is loaded.
        period_snapshot(Enterprise.objects.filter(archived_at__isnull=True), day, groups=())
    return len(days)
