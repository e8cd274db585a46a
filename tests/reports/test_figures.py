"""Every number of the regional and federal dashboards, on a register counted by hand (conftest)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from dashboards.rollups import add_months
from dashboards.tables import COLUMNS

from .conftest import url

pytestmark = pytest.mark.django_db

# Columns of the table (dashboards.tables.COLUMNS) → value, per row.
ENTERPRISE_A = {
    "workplaces_total": 3,
    "workplaces_assessed": 1,
    "workplaces_assessed_share": Decimal(1) / 3,
    "rows": 5,
    "level_5": 1,
    "level_4": 1,
    "level_3": 1,
    "level_2": 1,
    "level_1": 0,
    "not_rated": 1,
    "high_critical": 2,
    "due_for_review": Decimal("0.4"),
    "measures_planned": 4,
    "measures_done": 2,
    "measures_overdue": 1,
    "measures_completion": Decimal("0.5"),
    "measures_on_time": Decimal("0.5"),  # due and passed: 4 (one on an eliminated row); on time: 2
    "accidents": 2,
    "accident_victims": 2,
    "fatal_victims": 1,
    "microtraumas": 2,
    "occupational_diseases": 1,
    "near_misses": 3,
    "frequency_rate": Decimal(8),  # 2 victims (one fatal) × 1000 / average head-count 250
    "severity_rate": Decimal(12),  # 12 days / 1 victim with days: the fatal victim is left out
    "fatal_rate": Decimal(4),  # 1 × 1000 / 250
    # Hours only for this and last month: the fatal victim's month has none, so only the other
    # victim counts, against 60,000 hours.
    "ltifr": Decimal(1_000_000) / 60_000,
    "near_misses_per_accident": Decimal("1.5"),
    "microtraumas_per_100": Decimal("0.8"),  # 2 × 100 / 250
}
ENTERPRISE_B = {
    "workplaces_total": 1,
    "workplaces_assessed": 1,
    "workplaces_assessed_share": Decimal(1),
    "rows": 2,
    "level_5": 1,
    "level_4": 0,
    "level_3": 0,
    "level_2": 0,
    "level_1": 1,
    "not_rated": 0,
    "high_critical": 1,
    "due_for_review": Decimal(0),
    "measures_planned": 0,
    "measures_done": 0,
    "measures_overdue": 0,
    "measures_completion": None,  # nothing planned: no rate, not 0 %
    "measures_on_time": None,
    "accidents": 0,
    "accident_victims": 0,
    "fatal_victims": 0,
    "microtraumas": 0,
    "occupational_diseases": 0,
    "near_misses": 1,
    "frequency_rate": None,  # no head-count reported
    "severity_rate": None,
    "fatal_rate": None,
    "ltifr": None,
    "near_misses_per_accident": None,
    "microtraumas_per_100": None,
}
REGION_56 = {
    "workplaces_total": 4,
    "workplaces_assessed": 2,
    "workplaces_assessed_share": Decimal("0.5"),
    "rows": 7,
    "level_5": 2,
    "level_4": 1,
    "level_3": 1,
    "level_2": 1,
    "level_1": 1,
    "not_rated": 1,
    "high_critical": 3,
    "due_for_review": Decimal(2) / 7,
    "measures_planned": 4,
    "measures_done": 2,
    "measures_overdue": 1,
    "measures_completion": Decimal("0.5"),
    "measures_on_time": Decimal("0.5"),
    "accidents": 2,
    "accident_victims": 2,
    "fatal_victims": 1,
    "microtraumas": 2,
    "occupational_diseases": 1,
    "near_misses": 4,
    # B reported no head-count, so the rates are A's: B's accidents (none) would not count either.
    "frequency_rate": Decimal(8),
    "severity_rate": Decimal(12),
    "fatal_rate": Decimal(4),
    "ltifr": Decimal(1_000_000) / 60_000,
    "near_misses_per_accident": Decimal(2),
    "microtraumas_per_100": Decimal("0.8"),
}
REGION_47 = {
    "workplaces_total": 1,
    "workplaces_assessed": 1,
    "workplaces_assessed_share": Decimal(1),
    "rows": 1,
    "level_5": 0,
    "level_4": 0,
    "level_3": 0,
    "level_2": 0,
    "level_1": 1,
    "not_rated": 0,
    "high_critical": 0,
    "due_for_review": Decimal(0),
    "measures_planned": 0,
    "measures_done": 0,
    "measures_overdue": 0,
    "measures_completion": None,
    "measures_on_time": None,
    "accidents": 1,
    "accident_victims": 1,
    "fatal_victims": 0,
    "microtraumas": 0,
    "occupational_diseases": 0,
    "near_misses": 0,
    "frequency_rate": Decimal(10),  # 1 × 1000 / 100
    "severity_rate": Decimal(3),
    "fatal_rate": Decimal(0),
    "ltifr": Decimal(50),  # 1 × 10⁶ / 20,000 (two months of 10,000 hours)
    "near_misses_per_accident": Decimal(0),
    "microtraumas_per_100": Decimal(0),
}
ALL_REGIONS = {
    "workplaces_total": 5,
    "workplaces_assessed": 3,
    "workplaces_assessed_share": Decimal("0.6"),
    "rows": 8,
    "level_5": 2,
    "level_4": 1,
    "level_3": 1,
    "level_2": 1,
    "level_1": 2,
    "not_rated": 1,
    "high_critical": 3,
    "due_for_review": Decimal(2) / 8,
    "measures_planned": 4,
    "measures_done": 2,
    "measures_overdue": 1,
    "measures_completion": Decimal("0.5"),
    "measures_on_time": Decimal("0.5"),
    "accidents": 3,
    "accident_victims": 3,
    "fatal_victims": 1,
    "microtraumas": 2,
    "occupational_diseases": 1,
    "near_misses": 4,
    "frequency_rate": Decimal(3000) / 350,  # 3 victims × 1000 / (250 + 100)
    "severity_rate": Decimal("7.5"),  # 15 days / 2 victims with days (the fatal one left out)
    "fatal_rate": Decimal(1000) / 350,
    "ltifr": Decimal(2_000_000) / 80_000,  # 2 victims in months with hours / (60,000 + 20,000)
    "near_misses_per_accident": Decimal(4) / 3,
    "microtraumas_per_100": Decimal(200) / 350,
}


def cells(row) -> dict:
    return {column.key: column.value(row["figures"]) for column in COLUMNS if column.key != "last_change_at"}


def assert_figures(actual: dict, expected: dict):
    assert actual.keys() == expected.keys()
    for key, value in expected.items():
        if isinstance(value, Decimal):
            assert actual[key] == pytest.approx(value, abs=Decimal("1e-9")), key
        else:
            assert actual[key] == value, key


def test_regional_dashboard_counts_every_figure_right(client, known, reviewer_region):
    client.force_login(reviewer_region)
    response = client.get(reverse("dashboards:region", args=["56"]))
    assert response.status_code == 200
    table = response.context["table"]
    rows = {row["figures"].label: cells(row) for row in table["rows"]}
    assert sorted(rows) == sorted([known.enterprise_a.short_name, known.enterprise_b.short_name])
    assert_figures(rows[known.enterprise_a.short_name], ENTERPRISE_A)
    assert_figures(rows[known.enterprise_b.short_name], ENTERPRISE_B)
    assert_figures(cells(table["totals"]), REGION_56)
    page = response.content.decode()
    assert "ООО «Закрытое»" not in page
    assert known.enterprise_c.short_name not in page


def test_federal_dashboard_counts_every_figure_right(client, known, federal):
    client.force_login(federal)
    response = client.get(reverse("dashboards:federal"))
    assert response.status_code == 200
    table = response.context["table"]
    rows = {row["figures"].region.code: cells(row) for row in table["rows"]}
    assert sorted(rows) == ["47", "56"]
    assert_figures(rows["56"], REGION_56)
    assert_figures(rows["47"], REGION_47)
    assert_figures(cells(table["totals"]), ALL_REGIONS)


def test_figures_are_shown_formatted_on_the_page(client, known, reviewer_region):
    client.force_login(reviewer_region)
    page = client.get(url("dashboards:region", "56", lang="en")).content.decode()
    assert "16.67" in page  # LTIFR of A: 10⁶ / 60,000
    assert "8.00" in page  # Kf
    assert "Kч" not in page and "Kт" not in page  # no Cyrillic letters in the English page
    assert "33\u00a0%" in page  # A: 1 of 3 workplaces assessed
    assert "Figures as of" in page


def test_last_update_is_the_latest_change_to_the_register(client, known, reviewer_region):
    client.force_login(reviewer_region)
    table = client.get(reverse("dashboards:region", args=["56"])).context["table"]
    [row_a] = [row for row in table["rows"] if row["figures"].enterprise_id == known.enterprise_a.pk]
    latest = max(
        [h.updated_at for h in known.enterprise_a.hazards.all()]
        + [i.updated_at for i in known.enterprise_a.incidents.all()]
    )
    assert row_a["figures"].last_change_at >= latest


def test_heat_map_counts_matrix_rows_per_cell_and_leaves_fine_kinney_out(client, known, reviewer_region):
    client.force_login(reviewer_region)
    response = client.get(reverse("dashboards:region", args=["56"]))
    heat = response.context["heat"]
    cells_with_rows = {(p, s): heat.count(p, s) for p in range(1, 6) for s in range(1, 6) if heat.count(p, s)}
    assert cells_with_rows == {(5, 5): 1, (4, 4): 1, (2, 3): 1, (3, 3): 1}
    assert response.context["rows_outside_heat_map"] == 2  # enterprise B's Fine-Kinney rows
    english = client.get(url("dashboards:region", "56", lang="en")).content.decode()
    assert "2 more rated rows were assessed with Fine-Kinney" in english


def test_enterprise_heat_map_and_level_list(client, known, reviewer_region):
    client.force_login(reviewer_region)
    response = client.get(reverse("dashboards:enterprise", args=[known.enterprise_a.pk]))
    assert response.status_code == 200
    assert response.context["heat"].total == 4
    assert [(level, count) for level, _label, count, _url in response.context["levels_urls"]] == [
        (5, 1),
        (4, 1),
        (3, 1),
        (2, 1),
        (1, 0),
    ]
    workplaces = {w.number: w for w in response.context["workplaces"]}
    assert sorted(workplaces) == ["1", "2", "3"]
    assert (workplaces["1"].rows, workplaces["1"].unrated, workplaces["1"].top_level) == (3, 0, 5)
    assert (workplaces["2"].rows, workplaces["2"].unrated) == (2, 1)


def test_trends_show_the_risk_profile_month_by_month(client, known, reviewer_region):
    client.force_login(reviewer_region)
    trends = client.get(reverse("dashboards:enterprise", args=[known.enterprise_a.pk])).context["trends"]
    month = {m: i for i, m in enumerate(trends.months)}
    this = month[known.this_month]
    four_ago, three_ago, one_ago = (month[add_months(known.this_month, -n)] for n in (4, 3, 1))
    # h2: identified four months ago (not rated), critical from three months ago, high now.
    assert trends.profile[0][four_ago] == 1
    assert trends.profile[5][three_ago] == 1 and trends.profile[5][one_ago] == 1
    assert trends.profile[4][one_ago] == 0
    # Today: the same as the current figures (levels 5, 4, 3, 2 once each, one not rated).
    assert [trends.profile[level][this] for level in (0, 1, 2, 3, 4, 5)] == [1, 0, 1, 1, 1, 1]
    assert sum(trends.incidents["near_misses"]) == 3
    assert sum(trends.incidents["accidents"]) == 2
    assert sum(trends.measures_done) == 3  # two on active rows, one on the eliminated row
    assert sum(trends.measures_due) == 5  # the cancelled one left out
