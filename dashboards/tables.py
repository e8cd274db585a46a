"""The columns of the dashboards' tables: one list drives the HTML table, its sorting, the drill-down
links and the .xlsx export, so the three can never disagree."""

from collections.abc import Callable
from dataclasses import dataclass
from html import escape  # the stdlib's: Django's lazy-aware wrapper costs more than the escaping
from urllib.parse import quote, urlencode

from django.urls import NoReverseMatch, reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from hazards.models import RiskLevel

from . import definitions
from .figures import Figures
from .formatting import figure_text

# Drill-down targets in the register (assessments:register) by the register list's own filters.
REGISTER_FILTERS = {
    "rows": {},
    "level_5": {"level": "5"},
    "level_4": {"level": "4"},
    "level_3": {"level": "3"},
    "level_2": {"level": "2"},
    "level_1": {"level": "1"},
    "not_rated": {"level": "none"},
    "high_critical": {"sort": "-level"},
    "due_for_review": {"due_for_review": "1"},
    "measures_planned": {},
    "measures_done": {"measure_status": "done"},
    "measures_overdue": {"overdue": "1"},
}

GROUP_KEY = _("Key indicators")
GROUP_WORKPLACES = _("Workplaces")
GROUP_RISKS = _("Register rows (hazards) by risk level")
GROUP_MEASURES = _("Control measures")
GROUP_EVENTS = _("Incidents in the period")
GROUP_INDICATORS = _("Indicators")


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    group: str
    value: Callable[[Figures], object]
    kind: str = "count"  # count | share | rate | datetime
    level: int | None = None  # a risk level: header shown in the level's colour
    drill: str | None = None  # "register", "workplaces", "incidents"
    help: str = ""


def _level_column(level: int) -> Column:
    return Column(
        f"level_{level}",
        RiskLevel(level).label,
        GROUP_RISKS,
        lambda row, level=level: row.level(level),
        level=level,
        drill="register",
    )


def _rate_column(indicator: definitions.Indicator, group: str = GROUP_INDICATORS) -> Column:
    return Column(
        indicator.key,
        indicator.label,
        group,
        lambda row, key=indicator.key: getattr(row, key),
        kind="rate",
        help=indicator.definition,
    )


# The ministry's key indicators first (REFERENCE §4.2–4.3: the share of workplaces assessed, the
# open high and critical risks, the reviews and measures falling behind, Kf, Ks and deaths), so that
# at 1366 px the name and these are seen without scrolling; the detail follows in its groups. The
# .xlsx export follows the same order: a reader compares the two side by side.
KEY_COLUMNS = (
    Column(
        "workplaces_assessed_share",
        _("Workplaces assessed, %"),
        GROUP_KEY,
        lambda r: r.workplaces_assessed_share,
        kind="share",
        drill="workplaces",
        help=_("Leading indicator: the share of workplaces with a current risk assessment."),
    ),
    Column(
        "high_critical",
        _("High and critical risks"),
        GROUP_KEY,
        lambda r: r.rows_high_critical,
        drill="register",
        help=_("Active rows whose current level is high or critical."),
    ),
    Column(
        "due_for_review",
        _("Due for review, %"),
        GROUP_KEY,
        lambda r: r.due_for_review_share,
        kind="share",
        drill="register",
        help=_("Leading indicator: the share of active rows whose review date has come."),
    ),
    Column(
        "measures_on_time",
        _("Measures on time, %"),
        GROUP_KEY,
        lambda r: r.measures_on_time_share,
        kind="share",
        help=_("Leading indicator: of the measures due in the period (due date passed), those done by it."),
    ),
    Column(
        "measures_overdue",
        _("Overdue measures"),
        GROUP_KEY,
        lambda r: r.measures_overdue,
        drill="register",
        help=_("Open measures whose due date has passed."),
    ),
    _rate_column(definitions.FREQUENCY, group=GROUP_KEY),
    _rate_column(definitions.SEVERITY, group=GROUP_KEY),
    Column(
        "fatal_victims",
        _("Fatal victims"),
        GROUP_KEY,
        lambda r: r.fatal_victims,
        drill="incidents",
        help=_("Victims of accidents at work with a fatal outcome."),
    ),
)

COLUMNS = (
    *KEY_COLUMNS,
    Column(
        "workplaces_total", _("Total"), GROUP_WORKPLACES, lambda r: r.workplaces_total, drill="workplaces"
    ),
    Column(
        "workplaces_assessed",
        _("Assessed"),
        GROUP_WORKPLACES,
        lambda r: r.workplaces_assessed,
        drill="workplaces",
        help=_("Workplaces with at least one active register row, every one of them rated."),
    ),
    Column("rows", _("Hazards identified"), GROUP_RISKS, lambda r: r.rows, drill="register"),
    *(_level_column(level) for level in (5, 4, 3, 2, 1)),
    Column("not_rated", _("Not rated"), GROUP_RISKS, lambda r: r.rows_not_rated, drill="register"),
    Column(
        "measures_planned",
        _("Planned"),
        GROUP_MEASURES,
        lambda r: r.measures_planned,
        drill="register",
        help=_("Measures of active rows in the plan: open and done (cancelled ones left out)."),
    ),
    Column("measures_done", _("Done"), GROUP_MEASURES, lambda r: r.measures_done, drill="register"),
    Column(
        "measures_completion",
        _("Completion, %"),
        GROUP_MEASURES,
        lambda r: r.measures_completion,
        kind="share",
        help=_("Done measures as a share of planned ones."),
    ),
    Column("accidents", _("Accidents"), GROUP_EVENTS, lambda r: r.accidents, drill="incidents"),
    Column(
        "accident_victims",
        _("Victims"),
        GROUP_EVENTS,
        lambda r: r.accident_victims,
        drill="incidents",
        help=_("Victims of the accidents, each counted once (a group accident has two or more)."),
    ),
    Column("microtraumas", _("Microtraumas"), GROUP_EVENTS, lambda r: r.microtraumas, drill="incidents"),
    Column(
        "occupational_diseases",
        _("Occupational diseases"),
        GROUP_EVENTS,
        lambda r: r.occupational_diseases,
        drill="incidents",
    ),
    Column("near_misses", _("Near misses"), GROUP_EVENTS, lambda r: r.near_misses, drill="incidents"),
    *(_rate_column(indicator) for indicator in (definitions.FATAL, definitions.LTIFR)),
    Column(
        "near_misses_per_accident",
        _("Near misses per accident"),
        GROUP_INDICATORS,
        lambda r: r.near_misses_per_accident,
        kind="rate",
        help=_("More near misses reported per accident means hazards are caught before they harm."),
    ),
    _rate_column(definitions.MICROTRAUMAS),
    Column(
        "last_change_at",
        _("Last update"),
        "",
        lambda r: r.last_change_at,
        kind="datetime",
        help=_("The latest change to the register: rows, assessments, measures or incidents."),
    ),
)
BY_KEY = {column.key: column for column in COLUMNS}


def header_groups(columns=COLUMNS) -> list[tuple[str, int]]:
    """(group label, number of columns) for the first header row."""
    groups: list[list] = []
    for column in columns:
        if groups and groups[-1][0] == column.group:
            groups[-1][1] += 1
        else:
            groups.append([column.group, 1])
    return [(label, span) for label, span in groups]


def sort_rows(rows: list[Figures], key: str, descending: bool) -> list[Figures]:
    """Rows sorted by a column; empty values (no rate without head-count) always last."""
    if key not in BY_KEY:
        return sorted(rows, key=lambda row: row.label.casefold(), reverse=descending)
    value = BY_KEY[key].value
    present = [row for row in rows if value(row) is not None]
    missing = [row for row in rows if value(row) is None]
    present.sort(key=lambda row: (value(row), row.label.casefold()), reverse=descending)
    return present + sorted(missing, key=lambda row: row.label.casefold())


_SENTINEL = 987654321


def url_pattern(name: str) -> str | None:
    """The URL of a page that takes one integer, with "{}" where the integer goes; None if the page
    does not exist (the register's pages belong to the assessments app). Reversing once per table
    instead of once per cell keeps a table of thousands of links fast."""
    try:
        return reverse(name, args=[_SENTINEL]).replace(str(_SENTINEL), "{}")
    except NoReverseMatch:
        return None


class Links:
    """Drill-down URLs of the figures of a table's rows."""

    def __init__(self, *, query: str = "", register_extra: str = ""):
        self.query = query
        self.dashboard = url_pattern("dashboards:enterprise")
        self.register = url_pattern("assessments:register")
        self.incidents = url_pattern("assessments:incidents")
        self.register_params = {}
        for column in COLUMNS:
            if column.drill == "register":
                params = urlencode(REGISTER_FILTERS[column.key])
                params = "&".join(filter(None, (params, register_extra)))
                self.register_params[column.key] = f"?{params}" if params else ""

    def for_enterprise(self, enterprise_id: int) -> dict[str, str]:
        dashboard = self.dashboard.format(enterprise_id)
        register = self.register.format(enterprise_id) if self.register else None
        incidents = self.incidents.format(enterprise_id) if self.incidents else None
        urls = {"label": f"{dashboard}{self.query}"}
        for column in COLUMNS:
            if column.drill == "register" and register:
                urls[column.key] = register + self.register_params[column.key]
            elif column.drill == "incidents" and incidents:
                urls[column.key] = incidents
            elif column.drill == "workplaces":
                urls[column.key] = f"{dashboard}{self.query}#workplaces"
        return urls

    @staticmethod
    def for_region(code: str, query: str = "", *, pattern: str | None = None) -> dict[str, str]:
        """``pattern``: url_pattern("dashboards:region"), reversed once for a table of regions."""
        url = (pattern or url_pattern("dashboards:region")).format(quote(code)) + query
        urls = {column.key: url for column in COLUMNS if column.drill}
        urls["label"] = url
        return urls


# Cells that call for attention when not zero.
_EMPHASIS = {"high_critical": " fw-bold", "measures_overdue": " text-danger fw-semibold"}
# Columns that show a stored count as it is: read straight from the counts (most of the cells).
_PLAIN_COUNTS = {
    "workplaces_total": "workplaces_total",
    "workplaces_assessed": "workplaces_assessed",
    "rows": "rows",
    **{f"level_{level}": f"rows_level_{level}" for level in (1, 2, 3, 4, 5)},
    "not_rated": "rows_not_rated",
    "measures_done": "measures_done",
    "measures_overdue": "measures_overdue",
    "accidents": "accidents",
    "microtraumas": "microtraumas",
    "occupational_diseases": "occupational_diseases",
    "near_misses": "near_misses",
}
_PLAN = [(c.key, _PLAIN_COUNTS.get(c.key), c.value, c.kind, _EMPHASIS.get(c.key, "")) for c in COLUMNS]


def render_row(row: Figures, urls: dict | None, *, per_enterprise: bool, language: str, header=None) -> str:
    """One <tr> of the table, as HTML (every text escaped here). A template would take longer to
    render a regional table than the database takes to read it: a region holds hundreds of
    enterprises, each row 28 figures."""
    urls = urls or {}
    label = escape(header if header is not None else row.label)
    if "label" in urls:
        label = f'<a href="{escape(urls["label"])}">{label}</a>'
    parts = [f'<tr><th scope="row" class="dashboard-name">{label}</th>']
    if per_enterprise:
        section = row.okved_section
        if header is not None:
            parts.append("<td></td>")
        else:
            title = escape(f"{row.okved} — {section.name}" if section else row.okved)
            parts.append(f'<td title="{title}">{section.letter if section else "—"}</td>')
    counts = row.counts
    for key, count, value_of, kind, emphasis in _PLAN:
        value = counts[count] if count else value_of(row)
        text = figure_text(value, kind, language)
        url = urls.get(key)
        if url:
            text = f'<a href="{escape(url)}">{text}</a>'
        parts.append(f'<td class="text-end{emphasis if value else ""}">{text}</td>')
    parts.append("</tr>")
    return mark_safe("".join(parts))
