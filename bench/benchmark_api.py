"""The HTTP API at national scale, for `make bench` (figures, not assertions): a page of 100
register rows, the figures of a region, and a bulk create of 100 rows in one request (inside a
transaction that is rolled back, so the benchmark data stays as generated). Every call goes
through the whole stack with a personal API token, as a program would call it."""

import json
import statistics
import time

from django.db import transaction
from django.db.models import Count
from django.test import Client
from django.test.utils import override_settings

from api.services import token_create
from enterprises.models import Enterprise, Region, Role, User
from hazards.models import Hazard, HazardousEvent

from . import benchmark

TARGETS = {"api_register_rows_p95_ms": 40, "api_figures_p95_ms": 30, "api_bulk_create_s": 1}
BULK_RUNS = 5


def _client(user) -> Client:
    _token, secret = token_create(user=user, name=f"benchmark {time.time_ns()}")
    return Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {secret}")


def _bench_user(username: str, **fields) -> User:
    user, _created = User.objects.update_or_create(username=username, defaults=fields)
    return user


def _bulk_body(enterprise) -> str:
    """100 new rows at the enterprise's workplaces, with events its register already uses."""
    existing = list(
        Hazard.objects.filter(enterprise=enterprise).values_list("workplace_id", "event_id")[:100]
    )
    if not existing:
        event = HazardousEvent.objects.filter(enterprise__isnull=True).first()
        workplace = enterprise.workplaces.first()
        existing = [(workplace.pk, event.pk)]
    rows = [
        {"workplace_id": workplace, "event_id": event, "source": f"Источник для замера {n}"}
        for n, (workplace, event) in zip(range(100), existing * 100, strict=False)
    ]
    return json.dumps({"rows": rows})


def _bulk_seconds(client: Client, body: str) -> float:
    # The request runs in this process on this connection: rolling back the outer transaction
    # undoes its rows.
    with transaction.atomic():
        started = time.perf_counter()
        response = client.post("/api/v1/register-rows/bulk/", body, content_type="application/json")
        elapsed = time.perf_counter() - started
        if response.status_code != 201:
            raise RuntimeError(f"bulk create answered {response.status_code}: {response.content[:300]!r}")
        transaction.set_rollback(True)
    return elapsed


def measure(runs: int = 40) -> dict:
    region = Region.objects.annotate(count=Count("enterprises")).order_by("-count", "code").first()
    biggest = (
        Enterprise.objects.filter(region=region)
        .annotate(count=Count("hazards"))
        .order_by("-count", "pk")
        .first()
    )
    reviewer = _client(_bench_user("bench-api-regional", role=Role.REGIONAL_REVIEWER, region=region))
    officer = _client(_bench_user("bench-api-officer", role=Role.OFFICER, enterprise=biggest))
    federal = _client(_bench_user("bench-api-federal", role=Role.FEDERAL_REVIEWER))
    rows = "/api/v1/register-rows/"
    pages = [
        (reviewer, "api_register_rows", f"{rows}?enterprise={biggest.pk}&limit=100"),
        (reviewer, "api_register_rows_by_level", f"{rows}?enterprise={biggest.pk}&limit=100&ordering=-level"),
        (federal, "api_register_rows_national", f"{rows}?limit=100"),
        (reviewer, "api_figures", f"/api/v1/figures/?region={region.code}"),
        (federal, "api_figures_national", "/api/v1/figures/"),
    ]
    results = {"api_load_average_before": benchmark.load_average()}
    # No throttling while timed; the roll-ups were just refreshed and must not be queued again.
    with override_settings(API_THROTTLE_RATE="", REPORTS_ROLLUP_MAX_AGE=7 * 24 * 3600):
        for client, name, url in pages:
            measured = benchmark.measure_page(client, name, url, runs=runs)
            summary = measured.summary()
            results.update(
                {key: summary[key] for key in (f"{name}_p50_ms", f"{name}_p95_ms", f"{name}_queries")}
            )
        body = _bulk_body(biggest)
        _bulk_seconds(officer, body)  # warm-up
        timings = [_bulk_seconds(officer, body) for _ in range(BULK_RUNS)]
    results["api_bulk_create_s"] = round(statistics.median(timings), 3)
    results["api_bulk_create_max_s"] = round(max(timings), 3)
    results["api_enterprise_measured"] = {"id": biggest.pk, "hazards": biggest.count}
    results["api_load_average_after"] = benchmark.load_average()
    return results
