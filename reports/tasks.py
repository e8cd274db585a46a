"""Celery tasks of the reports app. Thin and safe to run twice: each calls one service."""

from celery import shared_task

from . import rollups


@shared_task(soft_time_limit=20 * 60, time_limit=25 * 60)
def refresh_rollups(full: bool = False) -> int | None:
    """Bring the dashboards' roll-ups up to date (periodic, and on demand from the pages).
    Returns the number of enterprises refreshed, or None if another refresh was running."""
    run = rollups.refresh_due(full=full)
    return run.enterprise_count if run else None
