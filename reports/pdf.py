"""PDF progress reports: the context of each report type, the HTML from our own templates and the
PDF from WeasyPrint.

WeasyPrint fetches whatever a document points at (images, style sheets, fonts). Report templates
include user text (hazard sources, incident circumstances), so the fetcher here serves only files
of our static folders and refuses every other file and every network URL: a register row that says
``<img src="file:///etc/passwd">`` is escaped by the template, and even an unescaped one would
fetch nothing.

Rendering costs ~0.3 s and ~5 MB per table page, so long lists are capped (``LIST_LIMIT``) with a
"… and N more, see the register" line instead of running to hundreds of pages.
"""

import datetime
import logging
import mimetypes
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.contrib.staticfiles import finders
from django.db.models import Count, Prefetch, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from assessments.models import OPEN_MEASURE_STATUSES, ControlMeasure, Incident, MeasureStatus
from enterprises.models import Enterprise, Role, User, Workplace
from hazards.models import Hazard, HazardStatus, RiskLevel

from . import charts, figures, rollups
from .models import Report, ReportType
from .rollups import add_months, first_of_month

# WeasyPrint logs every layout step (even parsing its own style sheets on import) at INFO; the
# workers' logs need only its warnings, so the level is set before it is imported.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
from weasyprint import HTML  # noqa: E402
from weasyprint.urls import URLFetcher, URLFetcherResponse  # noqa: E402

# About two pages per list: the document stays a summary; the register has the rest.
LIST_LIMIT = 15
WORKPLACE_LIMIT = 40
TREND_MONTHS = 12


# --- Periods -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportPeriod:
    start: datetime.date  # the first day of the first month
    end: datetime.date  # the last day of the last month

    @property
    def months(self) -> int:
        return rollups.month_index(self.start, self.end) + 1

    @property
    def is_quarter(self) -> bool:
        return self.months == 3

    @property
    def last_month(self) -> datetime.date:
        return first_of_month(self.end)

    def previous(self) -> "ReportPeriod":
        start = add_months(self.start, -self.months)
        return ReportPeriod(start, self.start - datetime.timedelta(days=1))

    def label(self) -> str:
        """ "October 2026" / "Q4 2026" in the active language."""
        if self.is_quarter:
            return _("Q%(quarter)s %(year)s") % {
                "quarter": (self.start.month - 1) // 3 + 1,
                "year": self.start.year,
            }
        from django.utils import dateformat

        return dateformat.format(self.start, "F Y")


def period_of(month: datetime.date, *, quarter: bool = False) -> ReportPeriod:
    """The month holding ``month``, or with ``quarter`` the calendar quarter holding it."""
    start = first_of_month(month)
    if quarter:
        start = start.replace(month=(start.month - 1) // 3 * 3 + 1)
    end = add_months(start, 3 if quarter else 1) - datetime.timedelta(days=1)
    return ReportPeriod(start, end)


def parse_period(text: str, *, quarter: bool = False) -> ReportPeriod:
    """ "2026-10" (a month; with ``quarter`` its quarter) or "2026-Q4". ValueError if neither."""
    text = text.strip().upper()
    if "-Q" in text:
        year, number = text.split("-Q")
        if not 1 <= int(number) <= 4:
            raise ValueError(text)
        return period_of(datetime.date(int(year), int(number) * 3 - 2, 1), quarter=True)
    return period_of(datetime.datetime.strptime(text, "%Y-%m").date(), quarter=quarter)


def report_period(report: Report) -> ReportPeriod:
    return ReportPeriod(report.period_start, report.period_end)


# --- The URL fetcher ---------------------------------------------------------------------------


def static_roots() -> list[Path]:
    """Every folder the staticfiles finders serve from (ours, the apps', the packages')."""
    roots = []
    for finder in finders.get_finders():
        for location in getattr(finder, "locations", ()):
            roots.append(Path(location[1] if isinstance(location, tuple) else location))
        for storage in getattr(finder, "storages", {}).values():
            if getattr(storage, "location", None):
                roots.append(Path(storage.location))
    return [root.resolve() for root in roots if root.is_dir()]


class StaticOnlyFetcher(URLFetcher):
    """Serves ``file://`` URLs inside the static folders, and nothing else: no other file, no
    network host (http, https, ftp), no redirects. Refusals raise, so WeasyPrint leaves the
    resource out and logs a warning."""

    def __init__(self):
        super().__init__(allowed_protocols=("file",), allow_redirects=False, timeout=1)
        self.roots = static_roots()

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
            raise ValueError(f"RiskPilot reports fetch only static files, not {url!r}")
        path = Path(unquote(parts.path)).resolve()
        if not path.is_file() or not any(path.is_relative_to(root) for root in self.roots):
            raise ValueError(f"Not one of RiskPilot's static files: {url!r}")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": content_type})


def static_file_url(path: str) -> str | None:
    """A static file (as named to {% static %}) as the file:// URL the fetcher serves."""
    found = finders.find(path)
    return Path(found).resolve().as_uri() if found else None


# --- Context of the enterprise progress report -----------------------------------------------


def _capped(queryset, limit: int) -> dict:
    """The first ``limit`` rows and how many more there are (one COUNT only when the list is full)."""
    rows = list(queryset[: limit + 1])
    if len(rows) <= limit:
        return {"rows": rows, "more": 0, "total": len(rows)}
    total = queryset.count()
    return {"rows": rows[:limit], "more": total - limit, "total": total}


def _change(current, previous):
    if current is None or previous is None:
        return None
    return current - previous


def _filters(start: datetime.date, end_month: datetime.date) -> figures.Filters:
    return figures.Filters(period=figures.Period("report", "", start, end_month))


def _indicators(enterprises, period: ReportPeriod) -> tuple[list[dict], figures.Figures, figures.Trends]:
    """Summary indicators of the period with the previous period's value and the change."""
    previous = period.previous()
    current_rows = figures.enterprise_rows(enterprises, _filters(period.start, period.last_month))
    previous_rows = figures.enterprise_rows(enterprises, _filters(previous.start, previous.last_month))
    now = figures.total(current_rows)
    before = figures.total(previous_rows)
    # A period still running ends, for the figures, with the current month (later months are empty).
    last_month = min(period.last_month, first_of_month(timezone.localdate()))
    trend_start = add_months(last_month, -(TREND_MONTHS - 1))
    trends = figures.trends(enterprises, _filters(trend_start, last_month))
    at_end, at_previous_end = -1, -1 - period.months

    def profile(levels, index):
        return sum(trends.profile[level][index] for level in levels)

    indicators = [
        (
            _("High and critical risks at the end of the period"),
            profile((4, 5), at_end),
            profile((4, 5), at_previous_end),
        ),
        (
            _("Rated register rows at the end of the period"),
            profile((1, 2, 3, 4, 5), at_end),
            profile((1, 2, 3, 4, 5), at_previous_end),
        ),
        (_("Rows not rated at the end of the period"), profile((0,), at_end), profile((0,), at_previous_end)),
        (_("Measures due in the period"), now.measures_due, before.measures_due),
        (_("Measures completed in the period"), now.measures_done_in_period, before.measures_done_in_period),
        (_("Accidents at work"), now.accidents, before.accidents),
        (_("Microtraumas"), now.microtraumas, before.microtraumas),
        (_("Occupational diseases"), now.occupational_diseases, before.occupational_diseases),
        (_("Near misses"), now.near_misses, before.near_misses),
        (_("Days of incapacity"), now.days_lost, before.days_lost),
    ]
    rows = [
        {"label": label, "current": current, "previous": prior, "change": _change(current, prior)}
        for label, current, prior in indicators
    ]
    return rows, now, trends


def _charts(heat, trends) -> dict:
    """The dashboards' SVG charts (reports.charts escapes every label it draws)."""
    drawn = {
        "heat_svg": charts.heat_map_chart(heat),
        "profile_svg": charts.risk_profile_chart(trends),
        "measures_svg": charts.measures_chart(trends),
        "incidents_svg": charts.incidents_chart(trends),
    }
    return {name: mark_safe(svg) for name, svg in drawn.items()}


def enterprise_context(
    enterprise: Enterprise, period: ReportPeriod, *, today: datetime.date | None = None
) -> dict:
    """Everything the enterprise progress report shows, in a fixed number of queries."""
    today = today or timezone.localdate()
    scope = Enterprise.objects.filter(pk=enterprise.pk)
    indicators, now, trends = _indicators(scope, period)
    period_start = timezone.make_aware(datetime.datetime.combine(period.start, datetime.time.min))
    period_end = timezone.make_aware(
        datetime.datetime.combine(period.end + datetime.timedelta(days=1), datetime.time.min)
    )

    open_measures = Prefetch(
        "measures",
        # The work still to do; completed measures are listed in their own section.
        queryset=ControlMeasure.objects.filter(status__in=OPEN_MEASURE_STATUSES).order_by("due_date", "pk"),
        to_attr="report_measures",
    )
    top_risks = (
        Hazard.objects.filter(
            enterprise=enterprise, status=HazardStatus.ACTIVE, risk_level__gte=RiskLevel.HIGH
        )
        .select_related("workplace", "event")
        .prefetch_related(open_measures)
        .order_by("-risk_level", "workplace__number", "pk")
    )
    measures = ControlMeasure.objects.filter(hazard__enterprise=enterprise).select_related(
        "hazard__workplace", "hazard__event"
    )
    incidents = (
        Incident.objects.active()
        .filter(enterprise=enterprise, occurred_at__gte=period_start, occurred_at__lt=period_end)
        .select_related("workplace", "event")
        .prefetch_related(Prefetch("hazards", queryset=Hazard.objects.select_related("event", "workplace")))
        .order_by("occurred_at", "pk")
    )
    active = Q(hazards__status=HazardStatus.ACTIVE)
    not_assessed = (
        Workplace.objects.filter(enterprise=enterprise, archived_at__isnull=True)
        .select_related("department")
        .annotate(
            rows=Count("hazards", filter=active),
            unrated=Count("hazards", filter=active & Q(hazards__risk_level__isnull=True)),
        )
        .filter(Q(rows=0) | Q(unrated__gt=0))
        .order_by("number", "pk")
    )
    responsible = (
        User.objects.filter(enterprise=enterprise, role=Role.MANAGER, is_active=True).order_by("pk").first()
    )
    return {
        "enterprise": enterprise,
        "region": enterprise.region,
        "period_label": period.label(),
        "previous_label": period.previous().label(),
        "period": period,
        "today": today,
        "generated_at": timezone.localtime(),
        "figures": now,
        "indicators": indicators,
        "levels": [(level, RiskLevel(level).label, now.level(level)) for level in (5, 4, 3, 2, 1)],
        **_charts(figures.heat_map(scope, figures.Filters()), trends),
        "top_risks": _capped(top_risks, LIST_LIMIT),
        "measures_overdue": _capped(
            measures.filter(status__in=OPEN_MEASURE_STATUSES, due_date__lt=today).order_by("due_date", "pk"),
            LIST_LIMIT,
        ),
        "measures_due": _capped(
            measures.filter(
                status__in=OPEN_MEASURE_STATUSES,
                due_date__gte=max(today, period.start),
                due_date__lte=period.end,
            ).order_by("due_date", "pk"),
            LIST_LIMIT,
        ),
        "measures_done": _capped(
            measures.filter(status=MeasureStatus.DONE, done_on__range=(period.start, period.end)).order_by(
                "done_on", "pk"
            ),
            LIST_LIMIT,
        ),
        "incidents": _capped(incidents, LIST_LIMIT),
        "workplaces_not_assessed": _capped(not_assessed, WORKPLACE_LIMIT),
        "responsible": responsible,
        "list_limit": LIST_LIMIT,
    }


def region_context(region, period: ReportPeriod) -> dict:
    """The regional summary: the region's totals and one section per active enterprise."""
    enterprises = Enterprise.objects.filter(region=region)
    indicators, now, trends = _indicators(enterprises, period)
    rows = figures.enterprise_rows(enterprises, _filters(period.start, period.last_month))
    return {
        "region": region,
        "period_label": period.label(),
        "previous_label": period.previous().label(),
        "period": period,
        "generated_at": timezone.localtime(),
        "figures": now,
        "indicators": indicators,
        "levels": [(level, RiskLevel(level).label, now.level(level)) for level in (5, 4, 3, 2, 1)],
        **_charts(figures.heat_map(enterprises, figures.Filters()), trends),
        "rows": rows,
    }


# The federal summary lists, per region, only the enterprises with the most high and critical
# risks: the regional summaries have the rest.
TOP_ENTERPRISES = 5


def _by_concern(rows):
    return sorted(rows, key=lambda row: (-row.rows_high_critical, -row.measures_overdue, row.label))


def federal_context(period: ReportPeriod) -> dict:
    """The federal summary: the country's totals, then one section per region with its figures and
    its enterprises of most concern."""
    enterprises = Enterprise.objects.all()
    indicators, now, trends = _indicators(enterprises, period)
    filters = _filters(period.start, period.last_month)
    per_region: dict[int, list] = {}
    for row in figures.enterprise_rows(enterprises, filters):
        per_region.setdefault(row.region.pk, []).append(row)
    regions = sorted(figures.region_rows(enterprises, filters), key=lambda row: row.region.code)
    sections = []
    for row in regions:
        ranked = _by_concern(per_region.get(row.region.pk, []))
        sections.append(
            {"figures": row, "top": ranked[:TOP_ENTERPRISES], "more": max(0, len(ranked) - TOP_ENTERPRISES)}
        )
    return {
        "period_label": period.label(),
        "previous_label": period.previous().label(),
        "period": period,
        "generated_at": timezone.localtime(),
        "figures": now,
        "indicators": indicators,
        "levels": [(level, RiskLevel(level).label, now.level(level)) for level in (5, 4, 3, 2, 1)],
        **_charts(figures.heat_map(enterprises, figures.Filters()), trends),
        "rows": regions,
        "sections": sections,
        "top_enterprises": TOP_ENTERPRISES,
    }


# --- Rendering ---------------------------------------------------------------------------------


@dataclass
class Rendered:
    content: bytes
    pages: int
    seconds: float


def report_html(report: Report) -> str:
    """The report's HTML in its language (figures are read from fresh roll-ups by the caller)."""
    period = report_period(report)
    with translation.override(report.language):
        if report.type == ReportType.ENTERPRISE:
            context = enterprise_context(report.enterprise, period)
            template = "reports/pdf/enterprise.html"
            header = _("Progress report: %(name)s") % {"name": report.enterprise.short_name}
        elif report.type == ReportType.REGION:
            context = region_context(report.region, period)
            template = "reports/pdf/region.html"
            header = _("Regional summary: %(name)s") % {"name": report.region.name}
        else:
            context = federal_context(period)
            template = "reports/pdf/federal.html"
            header = _("Federal summary")
        context.update({"report": report, "language": report.language})
        context["css"] = page_strings(
            header_left=header, header_right=context["period_label"], generated_at=context["generated_at"]
        )
        return render_to_string(template, context)


def css_string(text) -> str:
    """Any text as a CSS string literal: everything but letters, digits and a few signs is
    escaped, so text inside <style> can neither close the string nor the element."""
    # A six-digit escape takes one following space as its end, so each is written with one.
    escaped = "".join(ch if ch.isalnum() or ch in " .,-()" else f"\\{ord(ch):06x} " for ch in str(text))
    return mark_safe(f'"{escaped}"')


def page_strings(*, header_left: str, header_right: str, generated_at) -> dict:
    """The texts of the page margins (running header, "page N of M"), for the CSS @page rule."""
    return {
        "header_left": css_string(header_left),
        "header_right": css_string(header_right),
        "page": css_string(_("Page")),
        "of": css_string(_("of")),
        "footer_left": css_string(f"RiskPilot · {timezone.localtime(generated_at):%d.%m.%Y %H:%M}"),
    }


def html_to_pdf(html: str) -> Rendered:
    clock = time.monotonic()
    document = HTML(string=html, url_fetcher=StaticOnlyFetcher(), base_url=None).render()
    content = document.write_pdf()
    return Rendered(content=content, pages=len(document.pages), seconds=time.monotonic() - clock)
