"""Charts of the dashboards as SVG strings, drawn on the server so that the PDF reports embed the very
same pictures. Plain functions of the figures (reports.figures) — no request needed; call them
inside ``translation.override(language)`` for another language.

Trends are pygal charts. pygal has no heat map, and a 5×5 grid of labelled squares is a few lines
of plain SVG, simpler than bending a bar chart into one, so the heat map is drawn here directly.

Every SVG is self-contained: no scripts (pygal's tooltips load JavaScript from the Internet, which
the ministry's closed networks and our CSP forbid), no external fonts or style sheets.
"""

from xml.etree import ElementTree

import pygal
from django.utils import dateformat
from django.utils.html import escape
from django.utils.translation import gettext as _
from pygal.style import Style

from hazards.models import RiskLevel

from .figures import LEVELS, HeatMap, Trends

# The method bands' colours (assessments/methods/*.json), level 1 … 5; text always goes with them.
LEVEL_COLORS = {1: "#198754", 2: "#8fd19e", 3: "#ffc107", 4: "#fd7e14", 5: "#dc3545"}
LEVEL_TEXT_COLORS = {1: "#ffffff", 2: "#0a3622", 3: "#332701", 4: "#000000", 5: "#ffffff"}
NOT_RATED_COLOR = "#adb5bd"
FONT = "DejaVu Sans, Arial, sans-serif"
# The 5×5 matrix's index P × S falls into these levels (REFERENCE §3.1: 1–2, 3–6, 8–12, 15–16, 20–25).
MATRIX_BANDS = ((2, 1), (6, 2), (12, 3), (16, 4), (25, 5))


def matrix_level(probability: int, severity: int) -> int:
    index = probability * severity
    return next(level for upper, level in MATRIX_BANDS if index <= upper)


def _style(colors) -> Style:
    return Style(
        background="#ffffff",
        plot_background="#ffffff",
        foreground="#212529",
        foreground_strong="#212529",
        foreground_subtle="#dee2e6",
        font_family=FONT,
        title_font_size=17,
        label_font_size=12,
        major_label_font_size=12,
        legend_font_size=13,
        value_font_size=11,
        tooltip_font_size=12,
        opacity="1",
        opacity_hover="0.85",
        transition="0ms",
        colors=tuple(colors),
    )


def _strip_scripts(root):
    """Drop pygal's inline configuration script and its generator comments."""
    for parent in list(root.iter()):
        for child in list(parent):
            if child.tag == "script" or child.tag is ElementTree.Comment:
                parent.remove(child)
    root.set("role", "img")
    return root


def _month_label(month) -> str:
    return dateformat.format(month, "m.Y")


def _render(chart) -> str:
    chart.add_xml_filter(_strip_scripts)
    return chart.render()


def _bar_chart(kind, *, title: str, y_title: str, colors, months, legend_columns: int) -> pygal.Graph:
    # pygal reserves floor(series / columns) legend rows below the plot: keep the column count a
    # divisor of the number of series, or the last legend row falls outside the picture.
    chart = kind(
        title=title,
        x_title=_("Month"),
        y_title=y_title,
        style=_style(colors),
        js=[],
        disable_xml_declaration=True,
        width=820,
        height=400,
        legend_at_bottom=True,
        legend_at_bottom_columns=legend_columns,
        truncate_legend=-1,
        truncate_label=-1,
        x_label_rotation=45 if len(months) > 12 else 0,
        min_scale=1,
        max_scale=6,
        order_min=0,
        print_zeroes=False,
        no_data_text=_("No data for the period"),
        value_formatter=lambda value: f"{value:.0f}",
        margin=16,
        spacing=12,
    )
    chart.x_labels = [_month_label(month) for month in months]
    return chart


def risk_profile_chart(trends: Trends) -> str:
    """Active register rows by current level at each month's end (stacked)."""
    levels = (0, *LEVELS)
    chart = _bar_chart(
        pygal.StackedBar,
        title=_("Risk profile at the end of each month"),
        y_title=_("Register rows"),
        colors=[NOT_RATED_COLOR, *(LEVEL_COLORS[level] for level in LEVELS)],
        months=trends.months,
        legend_columns=3,
    )
    for level in levels:
        name = RiskLevel(level).label if level else _("Not rated")
        chart.add(str(name), trends.profile[level])
    return _render(chart)


def measures_chart(trends: Trends) -> str:
    chart = _bar_chart(
        pygal.Bar,
        title=_("Control measures due and completed by month"),
        y_title=_("Measures"),
        colors=["#6c757d", "#0d6efd"],
        months=trends.months,
        legend_columns=2,
    )
    chart.add(_("Due in the month"), trends.measures_due)
    chart.add(_("Completed in the month"), trends.measures_done)
    return _render(chart)


INCIDENT_COLORS = {
    "accidents": "#dc3545",
    "occupational_diseases": "#6f42c1",
    "microtraumas": "#fd7e14",
    "near_misses": "#0dcaf0",
}


def incident_labels() -> dict[str, str]:
    return {
        "accidents": _("Accidents"),
        "occupational_diseases": _("Occupational diseases"),
        "microtraumas": _("Microtraumas"),
        "near_misses": _("Near misses"),
    }


def incidents_chart(trends: Trends) -> str:
    labels = incident_labels()
    chart = _bar_chart(
        pygal.StackedBar,
        title=_("Incidents and near misses by month"),
        y_title=_("Events"),
        colors=[INCIDENT_COLORS[name] for name in labels],
        months=trends.months,
        legend_columns=2,
    )
    for name, label in labels.items():
        chart.add(label, trends.incidents[name])
    return _render(chart)


def heat_map_chart(heat: HeatMap, *, title: str | None = None) -> str:
    """The 5×5 matrix: probability up the side, severity along the bottom, each cell in its band's
    colour with the number of rows in it; a legend of the bands below."""
    title = title or _("Risk heat map: current risks, 5×5 matrix")
    cell, left, top = 76, 120, 56
    width, height = left + 5 * cell + 24, top + 5 * cell + 150
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'class="heat-map" font-family="{FONT}">',
        f"<title>{escape(title)}</title>",
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="{width / 2}" y="26" text-anchor="middle" font-size="17" fill="#212529">'
        f"{escape(title)}</text>",
    ]
    for probability in LEVELS:
        y = top + (5 - probability) * cell
        parts.append(
            f'<text x="{left - 10}" y="{y + cell / 2 + 5}" text-anchor="end" font-size="14" '
            f'fill="#212529">{probability}</text>'
        )
        for severity in LEVELS:
            x = left + (severity - 1) * cell
            level = matrix_level(probability, severity)
            count = heat.count(probability, severity)
            parts.append(
                f'<rect x="{x}" y="{y}" width="{cell}" height="{cell}" fill="{LEVEL_COLORS[level]}" '
                f'stroke="#ffffff" stroke-width="2"/>'
            )
            parts.append(
                f'<text x="{x + cell / 2}" y="{y + cell / 2 + 8}" text-anchor="middle" font-size="22" '
                f'font-weight="bold" fill="{LEVEL_TEXT_COLORS[level]}">{count}</text>'
            )
    bottom = top + 5 * cell
    for severity in LEVELS:
        parts.append(
            f'<text x="{left + (severity - 0.5) * cell}" y="{bottom + 22}" text-anchor="middle" '
            f'font-size="14" fill="#212529">{severity}</text>'
        )
    # Labels outside the f-strings: xgettext does not see calls inside f-string braces.
    severity_label = escape(_("Severity (S)"))
    probability_label = escape(_("Probability (P)"))
    parts.append(
        f'<text x="{left + 2.5 * cell}" y="{bottom + 48}" text-anchor="middle" font-size="14" '
        f'fill="#212529">{severity_label}</text>'
    )
    middle = top + 2.5 * cell
    parts.append(
        f'<text x="{left - 44}" y="{middle}" text-anchor="middle" font-size="14" fill="#212529" '
        f'transform="rotate(-90 {left - 44} {middle})">{probability_label}</text>'
    )
    # Legend: one swatch per band, with its name, in two rows.
    for index, level in enumerate(LEVELS):
        column, row = index % 3, index // 3
        x, y = 24 + column * 150, bottom + 76 + row * 30
        parts.append(f'<rect x="{x}" y="{y}" width="18" height="18" fill="{LEVEL_COLORS[level]}"/>')
        parts.append(
            f'<text x="{x + 26}" y="{y + 14}" font-size="13" fill="#212529">'
            f"{escape(str(RiskLevel(level).label))}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
