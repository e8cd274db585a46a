"""Charts are self-contained SVG with a title, axes and a legend, usable outside a request."""

import datetime
import re
from xml.etree import ElementTree

from django.utils import translation

from dashboards import charts
from dashboards.figures import HeatMap, Trends

MONTHS = [datetime.date(2026, month, 1) for month in range(1, 13)]


def trends() -> Trends:
    return Trends(
        months=MONTHS,
        profile={level: [level * 10 + i for i in range(12)] for level in range(6)},
        measures_due=list(range(12)),
        measures_done=list(range(12)),
        incidents={
            name: [1] * 12 for name in ("accidents", "microtraumas", "occupational_diseases", "near_misses")
        },
    )


def texts(svg: str) -> list[str]:
    root = ElementTree.fromstring(svg)
    return [element.text for element in root.iter() if element.text and element.text.strip()]


def test_trend_charts_have_title_axes_and_every_legend_inside_the_picture():
    with translation.override("en"):
        svg = charts.risk_profile_chart(trends())
    words = texts(svg)
    assert "Risk profile at the end of each month" in words
    assert "Month" in words and "Register rows" in words
    for name in ("Not rated", "Negligible", "Low", "Medium", "High", "Critical"):
        assert name in words
    # pygal once drew legend rows below the picture's bottom edge, where nobody sees them.
    for chart, series in (
        (charts.risk_profile_chart, 6),
        (charts.measures_chart, 2),
        (charts.incidents_chart, 4),
    ):
        svg = chart(trends())
        height = float(re.search(r'viewBox="0 0 \d+ (\d+)"', svg).group(1))
        ns = "{http://www.w3.org/2000/svg}"
        [legends] = [g for g in ElementTree.fromstring(svg).iter(f"{ns}g") if g.get("class") == "legends"]
        top = float(re.search(r"translate\(\d+, (\d+)\)", legends.get("transform")).group(1))
        boxes = [float(rect.get("y")) + float(rect.get("height")) for rect in legends.iter(f"{ns}rect")]
        assert len(boxes) == series and top + max(boxes) <= height


def test_charts_carry_no_scripts_and_no_external_references():
    for svg in (
        charts.risk_profile_chart(trends()),
        charts.measures_chart(trends()),
        charts.incidents_chart(trends()),
        charts.heat_map_chart(HeatMap({p: dict.fromkeys(range(1, 6), 0) for p in range(1, 6)})),
    ):
        assert "<script" not in svg
        assert "http://pygal" not in svg and "//kozea" not in svg
        assert not re.search(r"(href|src)=", svg)
        ElementTree.fromstring(svg)  # well-formed, embeddable inline


def test_heat_map_puts_counts_in_the_band_colours_with_axes_and_legend():
    cells = {p: dict.fromkeys(range(1, 6), 0) for p in range(1, 6)}
    cells[5][5], cells[1][2] = 7, 3
    with translation.override("ru"):
        svg = charts.heat_map_chart(HeatMap(cells))
    words = texts(svg)
    assert "7" in words and "3" in words
    assert "Критический" in words or "Critical" in words  # band names in the legend
    assert charts.LEVEL_COLORS[5] in svg and charts.LEVEL_COLORS[1] in svg
    assert [charts.matrix_level(p, s) for p, s in ((1, 2), (2, 3), (3, 3), (4, 4), (5, 5))] == [1, 2, 3, 4, 5]
