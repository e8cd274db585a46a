"""Charts of the dashboards as SVG strings, drawn on the server so that the PDF reports embed the very
same pictures. Plain functions of the figures (dashboards.figures) — no request needed; call them
inside ``translation.override(language)`` for another language.

Every chart is plain SVG drawn here: monthly bars (stacked or side by side) and the 5×5 heat map
are a few dozen lines each. A charting library (pygal, used at first) cost a report ~0.1 s of its
render for three charts and brought JavaScript that our CSP and the ministry's closed networks
forbid. Every SVG is self-contained: no scripts, no external fonts or style sheets; each bar has a
<title> that browsers show on hover.
"""

import math

from django.utils import dateformat
from django.utils.html import escape
from django.utils.translation import gettext as _

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


def _month_label(month) -> str:
    return dateformat.format(month, "m.Y")


def _nice_step(top: float, ticks: int = 5) -> int:
    """A round step (1, 2 or 5 × 10ⁿ) that divides 0…top into at most ``ticks`` intervals."""
    raw = max(top, 1) / ticks
    magnitude = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    for factor in (1, 2, 5, 10):
        if factor * magnitude >= raw:
            return max(1, int(factor * magnitude))
    return int(10 * magnitude)


def _bar_chart(*, title: str, y_title: str, months, series, stacked: bool, legend_columns: int) -> str:
    """Monthly bars as plain SVG: stacked (one bar a month, a segment per series) or side by side.
    ``series`` is a list of (label, colour, values). Drawn by hand rather than with a charting
    library: it is a few dozen lines, and a report renders its charts in a fraction of the time."""
    width, height, left, right, top = 820, 400, 76, 16, 48
    rotate = len(months) > 12
    legend_rows = math.ceil(len(series) / legend_columns)
    legend_top = height - 14 - legend_rows * 24
    bottom = legend_top - (78 if rotate else 56)
    plot_width, plot_height = width - left - right, bottom - top
    totals = [sum(values[i] for _label, _color, values in series) for i in range(len(months))]
    peak = max(totals if stacked else [max(values, default=0) for _l, _c, values in series], default=0)
    step = _nice_step(peak)
    scale_top = max(step, math.ceil(peak / step) * step)

    def y(value: float) -> float:
        return round(bottom - value / scale_top * plot_height, 1)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'class="trend-chart" font-family="{FONT}">',
        f"<title>{escape(title)}</title>",
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="{width / 2}" y="26" text-anchor="middle" font-size="17" fill="#212529">'
        f"{escape(title)}</text>",
    ]
    for tick in range(0, scale_top + 1, step):
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(tick)}" y2="{y(tick)}" stroke="#dee2e6"/>'
            f'<text x="{left - 8}" y="{y(tick) + 4}" text-anchor="end" font-size="12" '
            f'fill="#212529">{tick}</text>'
        )
    slot = plot_width / max(len(months), 1)
    bar = slot * (0.7 if stacked else 0.8 / max(len(series), 1))
    for index, month in enumerate(months):
        x = left + index * slot + slot * 0.15 if stacked else left + index * slot + slot * 0.1
        base = 0
        for position, (label, color, values) in enumerate(series):
            value = values[index]
            if not value:
                continue
            if stacked:
                y0, y1, bar_x = y(base + value), y(base), x
                base += value
            else:
                y0, y1, bar_x = y(value), y(0), x + position * bar
            parts.append(
                f'<rect x="{bar_x:.1f}" y="{y0}" width="{bar:.1f}" height="{round(y1 - y0, 1)}" '
                f'fill="{color}"><title>{escape(label)}, {_month_label(month)}: {value}</title></rect>'
            )
        centre = left + (index + 0.5) * slot
        label = _month_label(month)
        if rotate:
            parts.append(
                f'<text x="{centre:.1f}" y="{bottom + 14}" text-anchor="end" font-size="12" fill="#212529" '
                f'transform="rotate(-45 {centre:.1f} {bottom + 14})">{label}</text>'
            )
        else:
            parts.append(
                f'<text x="{centre:.1f}" y="{bottom + 18}" text-anchor="middle" font-size="12" '
                f'fill="#212529">{label}</text>'
            )
    parts.append(f'<line x1="{left}" x2="{width - right}" y1="{bottom}" y2="{bottom}" stroke="#212529"/>')
    # Axis titles outside the f-strings: xgettext does not see calls inside f-string braces.
    month_title = escape(_("Month"))
    middle = top + plot_height / 2
    parts.append(
        f'<text x="{left + plot_width / 2}" y="{legend_top - 12}" text-anchor="middle" font-size="13" '
        f'fill="#212529">{month_title}</text>'
        f'<text x="18" y="{middle}" text-anchor="middle" font-size="13" fill="#212529" '
        f'transform="rotate(-90 18 {middle})">{escape(y_title)}</text>'
    )
    column_width = (width - 48) // legend_columns
    parts.append(f'<g class="legends" transform="translate(24, {legend_top})">')
    for index, (label, color, _values) in enumerate(series):
        column, row = index % legend_columns, index // legend_columns
        x, row_y = column * column_width, row * 24
        parts.append(
            f'<rect x="{x}" y="{row_y}" width="16" height="16" fill="{color}"/>'
            f'<text x="{x + 24}" y="{row_y + 13}" font-size="13" fill="#212529">{escape(label)}</text>'
        )
    parts.append("</g></svg>")
    return "".join(parts)


def risk_profile_chart(trends: Trends) -> str:
    """Active register rows by current level at each month's end (stacked)."""
    colors = {0: NOT_RATED_COLOR, **LEVEL_COLORS}
    series = [
        (str(RiskLevel(level).label) if level else str(_("Not rated")), colors[level], trends.profile[level])
        for level in (0, *LEVELS)
    ]
    return _bar_chart(
        title=_("Risk profile at the end of each month"),
        y_title=_("Register rows"),
        months=trends.months,
        series=series,
        stacked=True,
        legend_columns=3,
    )


def measures_chart(trends: Trends) -> str:
    return _bar_chart(
        title=_("Control measures due and completed by month"),
        y_title=_("Measures"),
        months=trends.months,
        series=[
            (_("Due in the month"), "#6c757d", trends.measures_due),
            (_("Completed in the month"), "#0d6efd", trends.measures_done),
        ],
        stacked=False,
        legend_columns=2,
    )


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
    series = [
        (label, INCIDENT_COLORS[name], trends.incidents[name]) for name, label in incident_labels().items()
    ]
    return _bar_chart(
        title=_("Incidents and near misses by month"),
        y_title=_("Events"),
        months=trends.months,
        series=series,
        stacked=True,
        legend_columns=2,
    )


def heat_map_chart(heat: HeatMap, *, title: str | None = None) -> str:
    """The 5×5 matrix: probability up the side, severity along the bottom, each cell in its band's
    colour with the number of rows in it; a legend of the bands below."""
    title = title or _("Risk heat map: active rows, 5×5 matrix")
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
