"""With Redis unreachable (REDIS_URL pointing at a closed port) the dashboards compute their
figures instead of answering 500, ordering a report says it is queued, and /health/ tells."""

import socket

import pytest
from django.contrib.messages import get_messages
from django.core.cache import caches
from django.urls import reverse
from django.utils import timezone

from dashboards import rollups
from dashboards.rollups import add_months, first_of_month
from reports.models import Report, ReportStatus
from riskpilot.celery import app
from tests.submission import with_key


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens once the probe is closed


@pytest.fixture
def redis_down(settings, monkeypatch):
    url = f"redis://127.0.0.1:{closed_port()}/0"
    settings.REDIS_URL = url
    settings.CACHES = {
        "default": {
            "BACKEND": "riskpilot.cache.FailSafeRedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    # The broker as production has it: the same dead Redis, tasks sent rather than run.
    # As overrides on top of the Django settings, removed again afterwards.
    monkeypatch.setitem(app.conf.changes, "broker_url", url)
    monkeypatch.setitem(app.conf.changes, "task_always_eager", False)
    # Fresh connection and producer pools for the dead broker; the earlier ones come back after.
    monkeypatch.setattr(app, "_pool", None)
    monkeypatch.setattr(app.amqp, "_producer_pool", None)
    yield url
    if app._pool is not None:
        app._pool.force_close_all()


@pytest.mark.django_db
def test_the_cache_answers_as_an_empty_one(redis_down):
    cache = caches["default"]
    cache.set("key", "value")
    assert cache.get("key", "default") == "default"
    assert cache.add("key", "value") is False
    assert cache.get_many(["key"]) == {}
    assert cache.delete("key") is False
    assert cache.ping() is False


@pytest.mark.django_db
def test_the_regional_dashboard_computes_its_figures(client, known, reviewer_region, settings, redis_down):
    rollups.refresh()
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.REPORTS_ROLLUP_MAX_AGE = 3600
    client.force_login(reviewer_region)
    response = client.get(reverse("dashboards:region", args=["56"]))
    assert response.status_code == 200
    assert response.context["totals"].rows > 0


@pytest.mark.django_db(transaction=True)
def test_ordering_a_report_says_it_is_queued_when_the_broker_is_down(
    client, officer_a, enterprise_a, redis_down
):
    client.force_login(officer_a)
    month = add_months(first_of_month(timezone.localdate()), -1)
    response = client.post(
        reverse("reports:report_new", args=[enterprise_a.pk]),
        with_key({"month": f"{month:%Y-%m}", "language": "ru"}),
    )
    report = Report.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "reports:report_detail", args=[report.pk]
    )
    assert report.status == ReportStatus.QUEUED  # the reconciler renders it when the broker is back
    (message,) = get_messages(response.wsgi_request)
    assert "когда очередь задач снова заработает" in str(message)


@pytest.mark.django_db
def test_health_says_the_cache_is_down_but_answers(client, redis_down):
    response = client.get("/health/")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["database"], body["cache"]) == ("degraded", "ok", "unavailable")
