"""Measuring the PDF reports (part of `make bench`): render time and peak memory of an enterprise
report (the enterprise closest to 300 register rows) and of a regional summary (the region closest
to 13 enterprises), and our overhead: the whole render (figures, template, WeasyPrint) divided by
WeasyPrint's own time on the very same HTML, each the median of five renders. Also the cost of the
end-of-period state (dashboards.history) for an enterprise, a region and the country.

Each report is rendered in a child process of its own, so that its peak resident memory is the
report's (WeasyPrint returns memory to the system only when its process exits), as in a worker's
pool process. The first render in a process loads fonts; one untimed render warms it up."""

import multiprocessing
import resource
import statistics
import time

from django.db import connection
from django.db.models import Count, F, Q
from django.db.models.functions import Abs
from django.utils import timezone

from dashboards.rollups import add_months, first_of_month
from enterprises.models import Enterprise, Region
from reports import pdf
from reports.models import Report, ReportType

ENTERPRISE_ROWS = 300
REGION_ENTERPRISES = 13


def _distance(field: str, target: int):
    """How far an annotated count is from the target, to order by "closest to"."""
    return Abs(F(field) - target)


RUNS = 5


def _render(report: Report, results, runs: int = RUNS) -> None:
    """In the child: one warm-up render, then timed ones (the two kinds alternating, so neither
    gains from the other's caches); sends back the median of each."""
    from weasyprint import HTML

    connection.close()  # the parent's socket is not ours to use
    pdf.html_to_pdf(pdf.report_html(report))
    totals, weasyprint_only = [], []
    for _ in range(runs):
        started = time.perf_counter()
        html = pdf.report_html(report)
        rendered = pdf.html_to_pdf(html)
        totals.append(time.perf_counter() - started)
        started = time.perf_counter()
        HTML(string=html, url_fetcher=pdf.StaticOnlyFetcher(), base_url=None).render().write_pdf()
        weasyprint_only.append(time.perf_counter() - started)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    results.put(
        {
            "total_s": statistics.median(totals),
            "weasyprint_s": statistics.median(weasyprint_only),
            "runs": runs,
            "peak_mb": peak_kb / 1024,
            "pages": rendered.pages,
        }
    )
    connection.close()


def _measure(report: Report) -> dict:
    connection.close()  # never share a connection with a forked child
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    child = context.Process(target=_render, args=(report, results))
    child.start()
    figures = results.get(timeout=15 * 60)
    child.join()
    return figures


def measure() -> dict:
    period = pdf.period_of(add_months(first_of_month(timezone.localdate()), -1))
    enterprise = (
        Enterprise.objects.annotate(row_count=Count("hazards", filter=Q(hazards__status="active")))
        .filter(row_count__gt=0)
        .order_by(_distance("row_count", ENTERPRISE_ROWS), "pk")
        .first()
    )
    region = (
        Region.objects.annotate(enterprise_count=Count("enterprises"))
        .filter(enterprise_count__gt=0)
        .order_by(_distance("enterprise_count", REGION_ENTERPRISES), "pk")
        .first()
    )
    region_rows = Enterprise.objects.filter(region=region).aggregate(
        rows=Count("hazards", filter=Q(hazards__status="active"))
    )["rows"]
    common = {"period_start": period.start, "period_end": period.end, "language": "ru"}
    enterprise_figures = _measure(Report(type=ReportType.ENTERPRISE, enterprise=enterprise, **common))
    region_figures = _measure(Report(type=ReportType.REGION, region=region, **common))
    overheads = [
        figures["total_s"] / figures["weasyprint_s"] for figures in (enterprise_figures, region_figures)
    ]
    return {
        "report_enterprise_s": round(enterprise_figures["total_s"], 2),
        "report_enterprise_rows": enterprise.row_count,
        "report_enterprise_pages": enterprise_figures["pages"],
        "report_region_s": round(region_figures["total_s"], 2),
        "report_region_enterprises": region.enterprise_count,
        "report_region_rows": region_rows,
        "report_region_pages": region_figures["pages"],
        "report_peak_mb": round(max(enterprise_figures["peak_mb"], region_figures["peak_mb"]), 1),
        "report_overhead": round(max(overheads), 3),
        "report_runs": enterprise_figures["runs"],
        **_end_of_period(enterprise, region, period),
    }


def _end_of_period(enterprise, region, period) -> dict:
    """What rebuilding the register at a period's end from its history costs, uncached (the
    dashboards and reports keep the result until the next roll-up run): one enterprise, one
    region, the whole country."""
    from dashboards import history

    day = period.end
    timings = {}
    for key, scope in (
        ("enterprise", Enterprise.objects.filter(pk=enterprise.pk)),
        ("region", Enterprise.objects.filter(region=region)),
        ("federal", Enterprise.objects.all()),
    ):
        started = time.perf_counter()
        history.snapshot(scope, day)
        timings[f"end_of_period_{key}_ms"] = round((time.perf_counter() - started) * 1000, 1)
    return timings
