"""Measuring the dashboards at scale: each page through the whole Django stack (middleware, session,
templates — the test client, in process), the very same SQL replayed through a bare cursor, and the
count of queries. Page and SQL runs alternate, so that a busy machine slows both alike."""

import math
import os
import re
import statistics
import time
from dataclasses import dataclass

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

# Django iterates some querysets through a server-side cursor; replay the SELECT inside it.
_DECLARE = re.compile(r"^DECLARE \S+ NO SCROLL CURSOR WITH HOLD FOR ", re.S)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = max(0, math.ceil(share * len(ordered)) - 1)
    return ordered[index]


@dataclass
class PageResult:
    name: str
    url: str
    page_ms: list[float]
    sql_ms: list[float]
    queries: int
    first_ms: float

    def summary(self) -> dict:
        page50, page95 = percentile(self.page_ms, 0.5), percentile(self.page_ms, 0.95)
        sql50, sql95 = percentile(self.sql_ms, 0.5), percentile(self.sql_ms, 0.95)
        return {
            f"{self.name}_p50_ms": round(page50, 1),
            f"{self.name}_p95_ms": round(page95, 1),
            f"{self.name}_sql_p50_ms": round(sql50, 1),
            f"{self.name}_sql_p95_ms": round(sql95, 1),
            f"{self.name}_vs_sql": round(page50 / sql50, 2) if sql50 else None,
            f"{self.name}_vs_sql_p95": round(page95 / sql95, 2) if sql95 else None,
            f"{self.name}_first_view_ms": round(self.first_ms, 1),
            f"{self.name}_queries": self.queries,
        }


def _replayable(captured) -> list[str]:
    statements = []
    for query in captured:
        sql = _DECLARE.sub("", query["sql"])
        if sql.lstrip().upper().startswith(("SELECT", "WITH")):
            statements.append(sql)
    return statements


def _replay(statements: list[str]) -> float:
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
            cursor.fetchall()
    return (time.perf_counter() - started) * 1000


def measure_page(client: Client, name: str, url: str, *, runs: int, warmup: int = 3) -> PageResult:
    started = time.perf_counter()
    response = client.get(url)
    first = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}")
    for _ in range(warmup):
        client.get(url)
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    # Read now: the log is a view of the connection's, which the next request clears.
    queries = list(captured.captured_queries)
    statements = _replayable(queries)
    page, sql = [], []
    for _ in range(runs):
        started = time.perf_counter()
        client.get(url)
        page.append((time.perf_counter() - started) * 1000)
        sql.append(_replay(statements))
    return PageResult(name, url, page, sql, len(queries), first)


def time_sql(statements: list[tuple[str, list]], *, runs: int) -> list[float]:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            for sql, params in statements:
                cursor.execute(sql, params)
                cursor.fetchall()
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def live_region_sql(region_id: int | None) -> list[tuple[str, list]]:
    """The headline figures counted live from the register, for comparison with the roll-ups:
    register rows by level, measures and workplace coverage per enterprise."""
    where = "e.region_id = %s" if region_id else "TRUE"
    params = [region_id] if region_id else []
    return [
        (
            "SELECT h.enterprise_id, h.risk_level, COUNT(*) FROM hazards_hazard h "
            f"JOIN enterprises_enterprise e ON e.id = h.enterprise_id WHERE {where} AND h.status = 'active' "
            "GROUP BY 1, 2",
            params,
        ),
        (
            "SELECT h.enterprise_id, m.status, COUNT(*), COUNT(*) FILTER (WHERE m.due_date < CURRENT_DATE) "
            "FROM assessments_controlmeasure m JOIN hazards_hazard h ON h.id = m.hazard_id "
            f"JOIN enterprises_enterprise e ON e.id = h.enterprise_id WHERE {where} AND h.status = 'active' "
            "GROUP BY 1, 2",
            params,
        ),
        (
            "SELECT w.enterprise_id, COUNT(*) FILTER (WHERE r.rows > 0 AND r.unrated = 0) FROM "
            "enterprises_workplace w JOIN enterprises_enterprise e ON e.id = w.enterprise_id LEFT JOIN ("
            "SELECT workplace_id, COUNT(*) AS rows, COUNT(*) FILTER (WHERE risk_level IS NULL) AS unrated "
            "FROM hazards_hazard WHERE status = 'active' GROUP BY 1) r ON r.workplace_id = w.id "
            f"WHERE {where} AND w.archived_at IS NULL GROUP BY 1",
            params,
        ),
    ]


def load_average() -> list[float]:
    try:
        return [round(value, 2) for value in os.getloadavg()]
    except OSError:
        return []


def median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0
