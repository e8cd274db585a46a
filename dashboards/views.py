"""The ministry's dashboards: federal (one row per region), regional (one row per enterprise) and one
enterprise's page, each with its heat map and trends; the tables export to .xlsx. Read-only: the
figures come from the roll-ups (dashboards.rollups), scoped to what the viewer may see."""

import hashlib

from crispy_forms.utils import render_crispy_form
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Count, Max, Q
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from enterprises.access import get_for_user
from enterprises.models import Enterprise, HeadcountPeriod, Region, Workplace
from enterprises.ordering import workplace_order
from hazards.models import Hazard, HazardStatus, RiskLevel
from riskpilot.db_routers import replica_reads

from . import charts, exports, figures, history, okved, rollups, tables
from .formatting import month_ranges
from .forms import DashboardFilterForm

WORKPLACES_PER_PAGE = 50
# A region of the pilot holds 13 enterprises, a large one hundreds: fifty rows of 28 figures is what
# a screen (and a tablet's memory) takes in; every region fits on one page of the federal table.
ENTERPRISES_PER_PAGE = 50
REGIONS_PER_PAGE = 100
CACHE_SECONDS = 24 * 60 * 60


def region_for_user(user, code: str) -> Region:
    """The region if the user may see all of it (federal reviewers, admins, its own regional
    reviewer), else 404 — another region's figures do not exist for them."""
    region = get_object_or_404(Region, code=code)
    if user.sees_everything or (user.is_regional_reviewer and user.region_id == region.pk):
        return region
    raise Http404


def dashboard_url(user) -> str | None:
    """The dashboard a user starts from, or None if they have none."""
    if user.sees_everything:
        return reverse("dashboards:federal")
    if user.is_regional_reviewer and user.region_id:
        return reverse("dashboards:region", args=[user.region.code])
    if user.enterprise_id:
        return reverse("dashboards:enterprise", args=[user.enterprise_id])
    return None


@login_required
@require_GET
def dashboard(request):
    url = dashboard_url(request.user)
    if url is None:
        raise Http404
    return redirect(url)


def _filters(request, *, with_section=True):
    form = DashboardFilterForm(request.GET or None, with_section=with_section)
    filters = form.filters()
    form.html = _form_html(form)
    return form, filters


def _query(request, *, without=("sort", "order", "page")) -> str:
    params = request.GET.copy()
    for name in without:
        params.pop(name, None)
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else ""


def _sorting(request, default="label"):
    key = request.GET.get("sort") or default
    if key != "label" and key not in tables.BY_KEY:
        key = default
    return key, request.GET.get("order") == "desc"


def _table(
    request, rows, totals, *, link, per_enterprise: bool, per_page: int, rendered: dict | None = None
) -> dict:
    """What the table template needs: headers with sort links, and one page of rows already
    rendered (sorted across all rows; the totals and the export cover all of them). ``rendered``:
    the rows' HTML drawn earlier for the same figures, links and language, by row label; the rows
    drawn now are added to it."""
    key, descending = _sorting(request)
    rows = tables.sort_rows(rows, key, descending)
    page = Paginator(rows, per_page).get_page(request.GET.get("page"))
    paged = _query(request, without=("page",))
    base = _query(request)
    separator = "&" if base else "?"
    language = translation.get_language()

    def sort_state(column_key, numeric):
        # A first click sorts numbers largest first and names from A.
        descending_next = not descending if column_key == key else numeric
        order = "desc" if descending_next else "asc"
        state = ("descending" if descending else "ascending") if column_key == key else ""
        return {"url": f"{base}{separator}sort={column_key}&order={order}", "sorted": state}

    table_rows = []
    for row in page.object_list:
        urls = link(row)
        html = rendered.get(row.label) if rendered is not None else None
        if html is None:
            html = tables.render_row(row, urls, per_enterprise=per_enterprise, language=language)
            if rendered is not None:
                rendered[row.label] = html
        table_rows.append({"figures": row, "urls": urls, "html": html})
    return {
        "groups": tables.header_groups(),
        "headers": [{"column": column, **sort_state(column.key, True)} for column in tables.COLUMNS],
        "label_sort": sort_state("label", False),
        "rows": table_rows,
        "page": page,
        "page_url": f"{paged}{'&' if paged else '?'}page=",
        "totals": {
            "figures": totals,
            "html": tables.render_row(
                totals, None, per_enterprise=per_enterprise, language=language, header=totals.label
            ),
        },
    }


def _cache_key(kind: str, *parts) -> str:
    text = "|".join([kind, translation.get_language() or "", *map(repr, parts)])
    return f"reports:{kind}:{hashlib.sha256(text.encode()).hexdigest()}"


def _charts(heat, trends, rows_outside_heat_map: int) -> dict:
    """The heat map and trends, with their numbers as tables. The HTML is built once per distinct
    set of numbers and language and then taken from the cache: it changes only when the roll-ups
    do, and drawing four SVG charts costs more than reading every figure of the page."""
    key = _cache_key("charts", heat, trends, rows_outside_heat_map)
    html = cache.get(key)
    if html is None:
        incident_names = list(charts.incident_labels())
        context = {
            "heat": heat,
            "heat_svg": charts.heat_map_chart(heat),
            "profile_svg": charts.risk_profile_chart(trends),
            "measures_svg": charts.measures_chart(trends),
            "incidents_svg": charts.incidents_chart(trends),
            "rows_outside_heat_map": rows_outside_heat_map,
            "heat_rows": [
                (p, [(charts.matrix_level(p, s), heat.count(p, s)) for s in (1, 2, 3, 4, 5)])
                for p in (5, 4, 3, 2, 1)
            ],
            "levels": [(level, RiskLevel(level).label) for level in (5, 4, 3, 2, 1)],
            "incident_labels": charts.incident_labels(),
            "profile_rows": [
                {
                    "month": month,
                    "levels": [trends.profile[level][index] for level in (5, 4, 3, 2, 1)],
                    "not_rated": trends.profile[0][index],
                }
                for index, month in enumerate(trends.months)
            ],
            "trend_rows": [
                {
                    "month": month,
                    "due": trends.measures_due[index],
                    "done": trends.measures_done[index],
                    "incidents": [trends.incidents[name][index] for name in incident_names],
                }
                for index, month in enumerate(trends.months)
            ],
        }
        html = render_to_string("reports/_charts.html", context)
        cache.set(key, html, CACHE_SECONDS)
    return {
        "heat": heat,
        "trends": trends,
        "rows_outside_heat_map": rows_outside_heat_map,
        "charts_html": mark_safe(html),  # our own template's output
    }


def _form_html(form) -> str:
    """The filter form. Rendering its selects option by option is the slowest part of the page, and
    its HTML depends only on the chosen values and the language: valid forms come from the cache."""
    if form.is_bound and form.errors:
        return mark_safe(render_crispy_form(form))
    chosen = [(name, form.data.getlist(name) if form.is_bound else []) for name in sorted(form.fields)]
    key = _cache_key("filters", chosen, f"{timezone.localdate():%Y-%m}")  # the months offered move
    html = cache.get(key)
    if html is None:
        html = render_crispy_form(form)
        cache.set(key, html, CACHE_SECONDS)
    return mark_safe(html)


@login_required
@require_GET
@replica_reads
def federal(request):
    if not request.user.sees_everything:
        raise Http404
    form, filters = _filters(request)
    run = rollups.fresh_run()
    enterprises = Enterprise.objects.for_user(request.user)
    rows, totals, heat, trends = _federal_figures(enterprises, filters, run)
    totals.label = _("All regions")
    query = _query(request)
    region_url = tables.url_pattern("dashboards:region")
    rows_key = _federal_rows_key(request, form, filters, run)
    rendered = (cache.get(rows_key) or {}) if rows_key else None
    drawn = len(rendered or ())
    table = _table(
        request,
        rows,
        totals,
        link=lambda row: tables.Links.for_region(row.region.code, query, pattern=region_url),
        per_enterprise=False,
        per_page=REGIONS_PER_PAGE,
        rendered=rendered,
    )
    if rows_key and len(rendered) != drawn:
        cache.set(rows_key, rendered, CACHE_SECONDS)
    context = {
        "form": form,
        "filters": filters,
        "run": run,
        "table": table,
        "totals": totals,
        "export_url": reverse("dashboards:federal_export") + query,
        **_charts(heat, trends, totals.rows_outside_heat_map),
    }
    return render(request, "reports/dashboard_federal.html", context)


def _federal_rows_key(request, form, filters, run) -> str | None:
    """The cache key of the federal table's rows as HTML, or None not to cache them. Drawing 85
    rows of 28 figures is most of the page's work, and a row's HTML depends only on its figures
    (fixed per roll-up run and filter), its links (the filters' query) and the language. Cached
    only for a query of the form's own fields, each once, and valid: so there are no more entries
    than combinations of filters."""
    own = {*form.fields, "sort", "order", "page"}
    if form.is_bound and (
        form.errors or any(k not in own or len(request.GET.getlist(k)) > 1 for k in request.GET)
    ):
        return None
    stamp = (run.pk, run.finished_at) if run else None
    return _cache_key("federal-rows", filters, stamp, _query(request))


def _federal_figures(enterprises, filters, run):
    """The federal page's figures, computed once per roll-up run and filter: they are the same for
    every federal reviewer (who all see everything), they change only when a refresh writes a new
    run, and summing every region's roll-ups is the heaviest query of the dashboards."""
    stamp = (run.pk, run.finished_at) if run else None
    # The kind names the shape of the entry: (rows, totals, heat, trends) since the totals joined.
    key = _cache_key("federal-figures-with-totals", filters, stamp)
    cached = cache.get(key)
    if cached is None:
        rows = figures.region_rows(enterprises, filters)
        cached = (
            rows,
            figures.total(rows),  # labelled in the reader's language by the view
            figures.heat_map(enterprises, filters),
            figures.trends(enterprises, filters),
        )
        cache.set(key, cached, CACHE_SECONDS)
    return cached


def _enterprise_links(filters, query):
    extra = f"group={filters.hazard_group.pk}" if filters.hazard_group else ""
    links = tables.Links(query=query, register_extra=extra)
    return lambda row: links.for_enterprise(row.enterprise_id)


@login_required
@require_GET
@replica_reads
def region(request, code):
    region = region_for_user(request.user, code)
    form, filters = _filters(request)
    run = rollups.fresh_run()
    enterprises = Enterprise.objects.for_user(request.user).filter(region=region)
    rows = figures.enterprise_rows(enterprises, filters)
    totals = figures.total(rows, label=_("Region total"))
    query = _query(request)
    context = {
        "region": region,
        "form": form,
        "filters": filters,
        "run": run,
        "table": _table(
            request,
            rows,
            totals,
            link=_enterprise_links(filters, query),
            per_enterprise=True,
            per_page=ENTERPRISES_PER_PAGE,
        ),
        "totals": totals,
        "export_url": reverse("dashboards:region_export", args=[region.code]) + query,
        "federal_url": reverse("dashboards:federal") + query if request.user.sees_everything else None,
        **_charts(
            figures.heat_map(enterprises, filters),
            figures.trends(enterprises, filters),
            totals.rows_outside_heat_map,
        ),
    }
    return render(request, "reports/dashboard_region.html", context)


@login_required
@require_GET
@replica_reads
def region_acknowledgement_sout(request, code):
    """The regional dashboard's table of workers' acknowledgement, SOUT and plans, page by page:
    asked for by the dashboard when the reader scrolls to it (htmx), or opened as a page of its
    own without JavaScript. It reads the register live, not the roll-ups, so it is kept out of
    the dashboard's own request."""
    region = region_for_user(request.user, code)
    if request.htmx:
        response = render(request, "reports/_region_acknowledgement_sout.html", {"region": region})
    else:
        dashboard = reverse("dashboards:region", args=[region.code]) + _query(request, without=("apage",))
        response = render(
            request,
            "reports/region_acknowledgement_sout.html",
            {"region": region, "dashboard_url": dashboard},
        )
    patch_vary_headers(response, ["HX-Request"])  # a fragment and a page at one address
    return response


def _workplace_page(enterprise, filters, number):
    """A page of the enterprise's workplaces with their rows: counted live while the period runs,
    as they stood at its end (dashboards.history) once it has ended — the same day as the figures
    above."""
    ordered = (*workplace_order(), "pk")
    if filters.period.has_ended():
        return Paginator(_workplaces_at_end(enterprise, filters, ordered), WORKPLACES_PER_PAGE).get_page(
            number
        )
    # The page is chosen on the workplaces alone, then only its workplaces' rows are counted: the
    # largest enterprise has thousands of rows, and counting them all to show fifty cost most of
    # the page's SQL.
    page = Paginator(
        Workplace.objects.filter(enterprise=enterprise, archived_at__isnull=True)
        .select_related("department")
        .order_by(*ordered),
        WORKPLACES_PER_PAGE,
    ).get_page(number)
    active = Q(status=HazardStatus.ACTIVE)
    counts = {
        row.pop("workplace_id"): row
        for row in Hazard.objects.filter(active, workplace__in=[workplace.pk for workplace in page])
        .values("workplace_id")
        .annotate(
            rows=Count("pk"),
            unrated=Count("pk", filter=Q(risk_level__isnull=True)),
            serious=Count("pk", filter=Q(risk_level__gte=RiskLevel.HIGH)),
            top_level=Max("risk_level"),
        )
        .order_by()
    }
    for workplace in page:
        found = counts.get(workplace.pk, {})
        workplace.rows, workplace.unrated = found.get("rows", 0), found.get("unrated", 0)
        workplace.serious, workplace.top_level = found.get("serious", 0), found.get("top_level")
    return page


def _workplaces_at_end(enterprise, filters, ordered):
    state = history.snapshot(Enterprise.objects.filter(pk=enterprise.pk), filters.period.last_day)
    levels: dict[int, list] = {}
    for row in state.rows.values():
        levels.setdefault(row.workplace_id, []).append(row.level)
    workplaces = list(
        Workplace.objects.filter(pk__in=list(state.workplaces))
        .select_related("department")
        .order_by(*ordered)
    )
    for workplace in workplaces:
        found = levels.get(workplace.pk, [])
        rated = [level for level in found if level]
        workplace.rows, workplace.unrated = len(found), len(found) - len(rated)
        workplace.serious = sum(1 for level in rated if level >= RiskLevel.HIGH)
        workplace.top_level = max(rated, default=None)
    return workplaces


def _months_without_hours(enterprise, filters) -> str:
    """The period's months for which the enterprise reported no hours worked (LTIFR leaves them out)."""
    period = filters.period
    reported = set(
        HeadcountPeriod.objects.filter(
            enterprise=enterprise, month__range=(period.first_month, period.last_month), hours_worked__gt=0
        ).values_list("month", flat=True)
    )
    return month_ranges(month for month in period.months if month not in reported)


def _maybe_url(name, *args):
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


@login_required
@require_GET
@replica_reads
def enterprise(request, pk):
    enterprise = get_for_user(Enterprise.objects.select_related("region"), request.user, pk=pk)
    form, filters = _filters(request, with_section=False)
    run = rollups.fresh_run()
    scope = Enterprise.objects.filter(pk=enterprise.pk)
    rows = figures.enterprise_rows(scope, filters)
    row = rows[0] if rows else figures.Figures(enterprise.short_name, enterprise_id=enterprise.pk)
    query = _query(request, without=("sort", "order", "page", "wpage"))
    urls = _enterprise_links(filters, query)(row) if rows else {}

    # The workplaces: this page is where a reviewer walks down to a workplace.
    page = _workplace_page(enterprise, filters, request.GET.get("wpage"))
    region_url = None
    if request.user.sees_everything or (
        request.user.is_regional_reviewer and request.user.region_id == enterprise.region_id
    ):
        region_url = reverse("dashboards:region", args=[enterprise.region.code]) + _query(
            request, without=("sort", "order", "page", "wpage")
        )
    context = {
        "enterprise": enterprise,
        "section": okved.section_of(enterprise.okved),
        "form": form,
        "filters": filters,
        "run": run,
        "row": row,
        "urls": urls,
        "levels_urls": [
            (level, RiskLevel(level).label, row.level(level), urls.get(f"level_{level}"))
            for level in (5, 4, 3, 2, 1)
        ],
        "workplaces": page,
        "months_without_hours": _months_without_hours(enterprise, filters),
        "has_workplace_page": _maybe_url("assessments:workplace", 0) is not None,
        "overview_url": _maybe_url("assessments:overview", enterprise.pk),
        "region_url": region_url,
        "query": query,
        **_charts(
            figures.heat_map(scope, filters), figures.trends(scope, filters), row.rows_outside_heat_map
        ),
    }
    return render(request, "reports/dashboard_enterprise.html", context)


def _xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
@replica_reads
def region_export(request, code):
    region = region_for_user(request.user, code)
    return _table_export(
        request,
        rows_of=lambda filters: figures.enterprise_rows(
            Enterprise.objects.for_user(request.user).filter(region=region), filters
        ),
        title=_("%(region)s: enterprises of the pilot") % {"region": region.name},
        total_label=_("Region total"),
        per_enterprise=True,
        file_stem=f"riskpilot-region-{region.code}",
    )


@login_required
@require_GET
@replica_reads
def federal_export(request):
    if not request.user.sees_everything:
        raise Http404
    return _table_export(
        request,
        rows_of=lambda filters: figures.region_rows(Enterprise.objects.for_user(request.user), filters),
        title=_("Regions of the pilot"),
        total_label=_("All regions"),
        per_enterprise=False,
        file_stem="riskpilot-regions",
    )


def _table_export(request, *, rows_of, title, total_label, per_enterprise, file_stem):
    """A dashboard's table as .xlsx, with the page's filters and sorting."""
    _form, filters = _filters(request)
    run = rollups.fresh_run()
    rows = rows_of(filters)
    key, descending = _sorting(request)
    content = exports.table_workbook(
        title=title,
        rows=tables.sort_rows(rows, key, descending),
        totals=figures.total(rows, label=total_label),
        filters=filters,
        run=run,
        per_enterprise=per_enterprise,
    )
    return _xlsx_response(content, f"{file_stem}-{timezone.localdate():%Y-%m-%d}.xlsx")


@login_required
@require_POST
def refresh(request):
    """Bring the figures up to date now: at once without a broker, otherwise queued."""
    if dashboard_url(request.user) is None:
        raise Http404
    if settings.CELERY_TASK_ALWAYS_EAGER:
        rollups.refresh_due()
        messages.success(request, _("The figures are up to date."))
    else:
        rollups.queue_refresh()
        messages.info(request, _("The figures are being refreshed; reload the page in a minute."))
    target = request.POST.get("next", "")
    # A path of this site only: anything else ("foo", another host) goes to the user's dashboard.
    # Never redirect() here: it would try "foo" as a URL name and fail with NoReverseMatch.
    if not target.startswith("/") or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = dashboard_url(request.user)
    return HttpResponseRedirect(target)
