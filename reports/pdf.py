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
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from assessments.models import ControlMeasure, Incident, MeasureStatus
from dashboards import charts, definitions, figures, history, rollups
from dashboards.formatting import figure_text, month_ranges
from dashboards.rollups import add_months, first_of_month
from enterprises.models import Enterprise, HeadcountPeriod, Role, User, Workplace
from enterprises.ordering import workplace_sort_key
from hazards.models import Hazard, HazardStatus, RiskLevel

from .models import Report, ReportType

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


def _filters(period: "ReportPeriod") -> figures.Filters:
    return figures.Filters(period=figures.Period("report", "", period.start, period.last_month))


def _indicator(label, now, before, attribute, kind="count") -> dict:
    current, previous = getattr(now, attribute), getattr(before, attribute)
    language = translation.get_language()
    change = None if current is None or previous is None else current - previous
    if change is None:
        change_text = "—"
    elif change == 0:
        change_text = "0"
    else:
        sign = "+" if change > 0 else "−"
        change_text = sign + figure_text(abs(change), kind, language)
    return {
        "label": label,
        "current": figure_text(current, kind, language),
        "previous": figure_text(previous, kind, language),
        "change": change_text,
    }


def _indicators(enterprises, period: ReportPeriod) -> tuple[list[dict], list[dict], figures.Figures]:
    """The period's figures beside the previous period's: counts, then rates. Both come from
    dashboards.figures, the function behind the dashboards, so the same scope and period give the
    same numbers everywhere."""
    now = figures.total(figures.enterprise_rows(enterprises, _filters(period)))
    before = figures.total(figures.enterprise_rows(enterprises, _filters(period.previous())))
    counts = [
        _indicator(_("High and critical risks at the end of the period"), now, before, "rows_high_critical"),
        _indicator(_("Rated register rows at the end of the period"), now, before, "rows_rated"),
        _indicator(_("Rows not rated at the end of the period"), now, before, "rows_not_rated"),
        _indicator(_("Workplaces assessed at the end of the period"), now, before, "workplaces_assessed"),
        _indicator(_("Measures overdue at the end of the period"), now, before, "measures_overdue"),
        _indicator(_("Measures due in the period"), now, before, "measures_due"),
        _indicator(_("Measures completed in the period"), now, before, "measures_done_in_period"),
        _indicator(_("Accidents at work"), now, before, "accidents"),
        _indicator(_("Victims of accidents"), now, before, "accident_victims"),
        _indicator(_("of them fatal"), now, before, "fatal_victims"),
        _indicator(_("of them severe"), now, before, "severe_victims"),
        _indicator(_("Days of incapacity"), now, before, "days_lost"),
        _indicator(_("Microtraumas"), now, before, "microtraumas"),
        _indicator(_("Occupational diseases"), now, before, "occupational_diseases"),
        _indicator(_("Near misses"), now, before, "near_misses"),
    ]
    rates = [
        _indicator(indicator.name, now, before, indicator.key, kind="rate") for indicator in definitions.RATES
    ]
    return counts, rates, now


def _period_facts(scope, period: ReportPeriod, today: datetime.date) -> dict:
    """What the first page says about the period: whether it has ended, the day the register
    figures describe, and the months without hours worked (LTIFR leaves them out)."""
    filters = _filters(period)
    running = not filters.period.has_ended(today)
    months = list(
        HeadcountPeriod.objects.filter(
            enterprise__in=scope.values("pk"),
            month__range=(period.start, period.last_month),
            hours_worked__gt=0,
        )
        .order_by()
        .values_list("month", flat=True)
        .distinct()
    )
    missing = [month for month in filters.period.months if month not in set(months)]
    return {
        "period_running": running,
        "state_day": filters.period.state_day(today),
        "months_without_hours": month_ranges(missing),
    }


def _charts(heat, trends) -> dict:
    """The dashboards' SVG charts (dashboards.charts escapes every label it draws)."""
    drawn = {
        "heat_svg": charts.heat_map_chart(heat),
        "profile_svg": charts.risk_profile_chart(trends),
        "measures_svg": charts.measures_chart(trends),
        "incidents_svg": charts.incidents_chart(trends),
    }
    return {name: mark_safe(svg) for name, svg in drawn.items()}


def _trend_charts(enterprises, period: ReportPeriod) -> dict:
    """The heat map at the end of the period and the twelve months up to its last one."""
    last_month = min(period.last_month, first_of_month(timezone.localdate()))
    trend_filters = figures.Filters(
        period=figures.Period("trend", "", add_months(last_month, -(TREND_MONTHS - 1)), last_month)
    )
    return _charts(
        figures.heat_map(enterprises, _filters(period)), figures.trends(enterprises, trend_filters)
    )


def _common(scope, period: ReportPeriod, today: datetime.date) -> dict:
    counts, rates, now = _indicators(scope, period)
    return {
        "period_label": period.label(),
        "previous_label": period.previous().label(),
        "period": period,
        "today": today,
        "generated_at": timezone.localtime(),
        "figures": now,
        "indicators": counts,
        "rates": rates,
        "definitions": definitions.RATES,
        "period_rules": definitions.PERIOD_RULES,
        "levels": [(level, RiskLevel(level).label, now.level(level)) for level in (5, 4, 3, 2, 1)],
        **_period_facts(scope, period, today),
        **_trend_charts(scope, period),
    }


def _measures_due(enterprise, period: ReportPeriod):
    """The measures that fell due in the period, by the roll-ups' rule: rows not archived, left
    out only if cancelled by the end of the month they fell due."""
    measures = ControlMeasure.objects.filter(
        hazard__enterprise=enterprise, due_date__range=(period.start, period.end)
    ).exclude(hazard__status=HazardStatus.ARCHIVED)
    cancelled_on = history.cancellation_dates(measures)
    due = dict(measures.filter(pk__in=list(cancelled_on)).values_list("pk", "due_date"))
    dropped = [pk for pk, day in cancelled_on.items() if day <= history.month_end(due[pk])]
    return measures.exclude(pk__in=dropped)


def enterprise_context(
    enterprise: Enterprise, period: ReportPeriod, *, today: datetime.date | None = None
) -> dict:
    """Everything the enterprise progress report shows, in a fixed number of queries. Every list
    is taken at the same day as the figures above it, so a count and its list always agree."""
    today = today or timezone.localdate()
    scope = Enterprise.objects.filter(pk=enterprise.pk)
    state_day = _filters(period).period.state_day(today)
    # The lists need the rows themselves; the figures above them read the same snapshot.
    state = history.snapshot(scope, state_day)
    if state_day < today:
        figures.keep_snapshot(enterprise, state)
    common = _common(scope, period, today)
    period_start = timezone.make_aware(datetime.datetime.combine(period.start, datetime.time.min))
    period_end = history.end_of(period.end)

    serious = {pk: row.level for pk, row in state.rows.items() if row.level and row.level >= RiskLevel.HIGH}
    open_ids = [measure for hazard in serious for measure in state.open_measures.get(hazard, ())]
    open_measures = (
        ControlMeasure.objects.filter(pk__in=open_ids).select_related("assignee").order_by("due_date", "pk")
    )
    top_risks = sorted(
        Hazard.objects.filter(pk__in=serious).select_related("workplace", "event"),
        key=lambda hazard: (-serious[hazard.pk], workplace_sort_key(hazard.workplace), hazard.pk),
    )
    by_hazard: dict[int, list] = {}
    for measure in open_measures:
        by_hazard.setdefault(measure.hazard_id, []).append(measure)
    for hazard in top_risks:
        hazard.level_at_end = serious[hazard.pk]
        hazard.level_at_end_label = RiskLevel(serious[hazard.pk]).label
        hazard.report_measures = by_hazard.get(hazard.pk, [])

    measures = ControlMeasure.objects.select_related("hazard__workplace", "hazard__event", "assignee")
    incidents = (
        Incident.objects.active()
        .filter(enterprise=enterprise, occurred_at__gte=period_start, occurred_at__lt=period_end)
        .select_related("workplace", "event")
        .prefetch_related(
            "victims", Prefetch("hazards", queryset=Hazard.objects.select_related("event", "workplace"))
        )
        .order_by("occurred_at", "pk")
    )
    not_assessed_ids = {
        pk: counts for pk, counts in state.workplaces.items() if not counts["rows"] or counts["unrated"]
    }
    not_assessed = sorted(
        Workplace.objects.filter(pk__in=not_assessed_ids).select_related("department"),
        key=workplace_sort_key,
    )
    for workplace in not_assessed:
        workplace.rows = not_assessed_ids[workplace.pk]["rows"]
        workplace.unrated = not_assessed_ids[workplace.pk]["unrated"]
    responsible = (
        User.objects.filter(enterprise=enterprise, role=Role.MANAGER, is_active=True).order_by("pk").first()
    )
    done_in_period = measures.filter(
        hazard__enterprise=enterprise, status=MeasureStatus.DONE, done_on__range=(period.start, period.end)
    ).exclude(hazard__status=HazardStatus.ARCHIVED)
    return {
        **common,
        "enterprise": enterprise,
        "region": enterprise.region,
        "top_risks": _listed(top_risks, LIST_LIMIT),
        "measures_overdue": _capped(
            measures.filter(pk__in=state.overdue_measures).order_by("due_date", "pk"), LIST_LIMIT
        ),
        "measures_due": _capped(
            _measures_due(enterprise, period)
            .select_related("hazard__workplace", "hazard__event", "assignee")
            .order_by("due_date", "pk"),
            LIST_LIMIT,
        ),
        "measures_done": _capped(done_in_period.order_by("done_on", "pk"), LIST_LIMIT),
        "incidents": _capped(incidents, LIST_LIMIT),
        "workplaces_not_assessed": _listed(not_assessed, WORKPLACE_LIMIT),
        "responsible": responsible,
        "list_limit": LIST_LIMIT,
    }


def _listed(items: list, limit: int) -> dict:
    return {"rows": items[:limit], "more": max(0, len(items) - limit), "total": len(items)}


def region_context(region, period: ReportPeriod, *, today: datetime.date | None = None) -> dict:
    """The regional summary: the region's totals and one section per active enterprise."""
    today = today or timezone.localdate()
    enterprises = Enterprise.objects.filter(region=region)
    return {
        **_common(enterprises, period, today),
        "region": region,
        "rows": figures.enterprise_rows(enterprises, _filters(period)),
    }


# The federal summary lists, per region, only the enterprises with the most high and critical
# risks: the regional summaries have the rest.
TOP_ENTERPRISES = 5


def _by_concern(rows):
    return sorted(rows, key=lambda row: (-row.rows_high_critical, -row.measures_overdue, row.label))


def federal_context(period: ReportPeriod, *, today: datetime.date | None = None) -> dict:
    """The federal summary: the country's totals, then one section per region with its figures and
    its enterprises of most concern."""
    today = today or timezone.localdate()
    enterprises = Enterprise.objects.all()
    filters = _filters(period)
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
        **_common(enterprises, period, today),
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
