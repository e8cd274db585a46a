"""With a broker, pages queue the refresh (once) instead of running it; the task runs the service."""

import pytest
from django.urls import reverse

from dashboards import rollups, tasks
from dashboards.models import RollupKind, RollupRun

from .conftest import url

pytestmark = pytest.mark.django_db


def test_task_refreshes_the_rollups(known):
    # The first run is full: every enterprise, the archived one too (its figures just go unread).
    assert tasks.refresh_rollups.apply().get() == 4
    assert RollupRun.objects.get().kind == RollupKind.FULL
    assert tasks.refresh_rollups.apply(kwargs={"full": True}).get() == 4


def test_with_a_broker_a_stale_page_queues_one_refresh_and_shows_the_last_figures(
    client, known, reviewer_region, settings, monkeypatch
):
    rollups.refresh()
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.REPORTS_ROLLUP_MAX_AGE = 0
    queued = []
    monkeypatch.setattr(tasks.refresh_rollups, "delay", lambda **kwargs: queued.append(kwargs))
    client.force_login(reviewer_region)
    for _ in range(3):
        response = client.get(reverse("dashboards:region", args=["56"]))
        assert response.status_code == 200
        assert response.context["totals"].rows == 7
    assert len(queued) == 1
    assert RollupRun.objects.count() == 1  # nothing ran inside the requests


def test_with_a_broker_refresh_now_queues_the_task(client, known, reviewer_region, settings, monkeypatch):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    queued = []
    monkeypatch.setattr(tasks.refresh_rollups, "delay", lambda **kwargs: queued.append(kwargs))
    client.force_login(reviewer_region)
    response = client.post(
        url("dashboards:refresh", lang="en"), {"next": url("dashboards:region", "56", lang="en")}, follow=True
    )
    assert queued == [{}]  # the page it returns to does not queue a second one
    assert "reload the page in a minute" in response.content.decode()


def test_the_schedule_is_in_the_database():
    from django_celery_beat.models import PeriodicTask

    tasks_by_name = {
        task.name: task for task in PeriodicTask.objects.filter(task="reports.tasks.refresh_rollups")
    }
    assert len(tasks_by_name) == 2
    assert any(task.interval and task.interval.every == 5 for task in tasks_by_name.values())
    assert any(task.crontab and task.kwargs == '{"full": true}' for task in tasks_by_name.values())
