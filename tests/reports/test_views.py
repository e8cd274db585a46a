"""The dashboards as pages: filters, sorting, drill-down links, .xlsx export, languages, query counts."""

import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from dashboards import rollups
from hazards.models import HazardGroup
from tests.factories import EnterpriseFactory, HazardFactory, WorkplaceFactory

from .conftest import url

pytestmark = pytest.mark.django_db


def enterprise_labels(response):
    return [row["figures"].label for row in response.context["table"]["rows"]]


def region_url(code="56", lang="ru", **params):
    return url("dashboards:region", code, lang=lang, **params)


def test_industry_filter_keeps_the_enterprises_of_one_okved_section(client, known, reviewer_region):
    client.force_login(reviewer_region)
    mining = client.get(region_url(section="B"))
    assert enterprise_labels(mining) == [known.enterprise_a.short_name]
    assert mining.context["totals"].rows == 5
    manufacturing = client.get(region_url(section="C"))
    assert enterprise_labels(manufacturing) == [known.enterprise_b.short_name]
    assert manufacturing.context["heat"].total == 0  # B's rows are Fine-Kinney
    assert enterprise_labels(client.get(region_url(section="A"))) == []


def test_hazard_group_filter_counts_only_that_groups_rows(client, known, reviewer_region):
    falls = HazardGroup.objects.get(number=3)
    client.force_login(reviewer_region)
    response = client.get(region_url(hazard_group=falls.pk))
    rows = {row["figures"].label: row["figures"] for row in response.context["table"]["rows"]}
    a, b = rows[known.enterprise_a.short_name], rows[known.enterprise_b.short_name]
    assert (a.rows, a.rows_level_2, a.rows_level_5, a.measures_planned) == (1, 1, 0, 0)
    assert (b.rows, b.rows_level_1, b.rows_level_5) == (1, 1, 0)
    # Workplaces and incidents are not split by hazard group, and the page says so.
    assert (a.workplaces_total, a.accidents) == (3, 2)
    assert response.context["heat"].total == 1
    assert (
        "Only register rows of the hazard group"
        in client.get(region_url(lang="en", hazard_group=falls.pk)).content.decode()
    )
    # The drill-down into the register keeps the group.
    [row_a] = [row for row in response.context["table"]["rows"] if row["figures"] is a]
    assert f"group={falls.pk}" in row_a["urls"]["level_2"]


def test_period_filter_changes_the_incidents_counted(client, known, reviewer_region):
    client.force_login(reviewer_region)
    recent = client.get(region_url(period="3m")).context["totals"]
    longer = client.get(region_url(period="24m")).context["totals"]
    assert recent.accidents == 2
    assert longer.accidents == 3  # the accident 500 days ago
    assert client.get(region_url(period="24m")).context["trends"].months.__len__() == 24


def test_bad_filter_values_fall_back_to_defaults_and_show_an_error(client, known, reviewer_region):
    client.force_login(reviewer_region)
    response = client.get(region_url(period="forever", section="Z", hazard_group="x", sort="nope"))
    assert response.status_code == 200
    form = response.context["form"]
    assert {"period", "section", "hazard_group"} <= set(form.errors)
    assert response.context["filters"].period.key == "12m"
    assert len(enterprise_labels(response)) == 2


def test_table_sorts_by_any_column_both_ways(client, known, reviewer_region):
    client.force_login(reviewer_region)
    a, b = known.enterprise_a.short_name, known.enterprise_b.short_name
    assert enterprise_labels(client.get(region_url(sort="rows", order="desc"))) == [a, b]
    assert enterprise_labels(client.get(region_url(sort="rows", order="asc"))) == [b, a]
    # Empty rates (B has no head-count) go last whatever the order.
    assert enterprise_labels(client.get(region_url(sort="frequency_rate", order="asc"))) == [a, b]
    headers = client.get(region_url(sort="rows", order="desc")).context["table"]["headers"]
    rows_header = next(h for h in headers if h["column"].key == "rows")
    assert rows_header["sorted"] == "descending"
    assert "order=asc" in rows_header["url"]


def test_figures_link_down_to_the_register_behind_them(client, known, reviewer_region):
    client.force_login(reviewer_region)
    response = client.get(region_url())
    [row_a] = [
        r for r in response.context["table"]["rows"] if r["figures"].enterprise_id == known.enterprise_a.pk
    ]
    register = reverse("assessments:register", args=[known.enterprise_a.pk])
    assert row_a["urls"]["level_5"] == f"{register}?level=5"
    assert row_a["urls"]["measures_overdue"] == f"{register}?overdue=1"
    assert row_a["urls"]["label"] == reverse("dashboards:enterprise", args=[known.enterprise_a.pk])
    page = response.content.decode()
    assert f'href="{register}?level=5"' in page
    # The list behind "critical: 1" holds exactly that one row.
    listed = client.get(f"{register}?level=5")
    assert listed.status_code == 200
    assert len(listed.context["page"]) == 1


def test_federal_rows_link_to_the_regional_dashboards(client, known, federal):
    client.force_login(federal)
    response = client.get(reverse("dashboards:federal") + "?period=3m")
    [row_56] = [r for r in response.context["table"]["rows"] if r["figures"].region.code == "56"]
    assert row_56["urls"]["label"] == reverse("dashboards:region", args=["56"]) + "?period=3m"


def test_export_holds_the_same_table_as_the_page(client, known, reviewer_region):
    client.force_login(reviewer_region)
    response = client.get(url("dashboards:region_export", "56", lang="en", sort="rows", order="desc"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    header_index = next(i for i, row in enumerate(rows) if row[0] == "Enterprise")
    header = rows[header_index]
    body = rows[header_index + 1 :]
    assert [row[0] for row in body] == [
        known.enterprise_a.short_name,
        known.enterprise_b.short_name,
        "Region total",
    ]
    a = dict(zip(header, body[0], strict=True))
    assert (a["OKVED2"], a["Industry"], a["Hazards identified"], a["Critical"], a["Overdue measures"]) == (
        "08.93",
        "B",
        5,
        1,
        1,
    )
    assert a["Frequency rate (Kf)"] == pytest.approx(8.0)
    assert a["Severity rate (Ks)"] == pytest.approx(12.0)
    assert a["Fatal rate"] == pytest.approx(4.0)
    assert (a["Victims"], a["Fatal victims"]) == (2, 1)
    assert a["LTIFR"] == pytest.approx(16.667, abs=0.001)
    totals = dict(zip(header, body[-1], strict=True))
    assert (totals["Hazards identified"], totals["Near misses"]) == (7, 4)
    assert sheet.freeze_panes is not None


def test_federal_export_has_one_row_per_region(client, known, federal):
    client.force_login(federal)
    response = client.get(url("dashboards:federal_export", lang="en"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    labels = [row[0] for row in sheet.iter_rows(values_only=True)]
    assert "Orenburg Region" in labels and "Leningrad Region" in labels and "All regions" in labels


def test_dashboard_speaks_russian_by_default_and_english_under_en(client, known, reviewer_region):
    client.force_login(reviewer_region)
    russian = client.get(region_url()).content.decode()
    english = client.get(region_url(lang="en")).content.decode()
    assert '<html lang="ru">' in russian and "Оренбургская область" in russian
    assert '<html lang="en">' in english and "Orenburg Region" in english
    assert "Probability (P)" in english  # the heat map's axis, drawn in the page's language


def test_pages_load_nothing_from_outside_and_run_no_scripts_in_charts(client, known, federal):
    client.force_login(federal)
    for page_url in (
        reverse("dashboards:federal"),
        region_url(),
        reverse("dashboards:enterprise", args=[known.enterprise_a.pk]),
    ):
        page = client.get(page_url).content.decode()
        svgs = re.findall(r"<svg.*?</svg>", page, flags=re.S)
        assert len(svgs) >= 4
        for svg in svgs:
            assert "<script" not in svg
            assert not re.search(r"(href|src)=\"(https?:)?//", svg)
        assert not re.search(r"(href|src)=\"(https?:)?//", page)


def _region_page_queries(client, reviewer, count: int) -> int:
    for index in range(count):
        enterprise = EnterpriseFactory(region=reviewer.region, okved="08.93")
        workplace = WorkplaceFactory(department__enterprise=enterprise)
        HazardFactory(workplace=workplace, risk_level=1 + index % 5)
    rollups.refresh()
    client.force_login(reviewer)
    client.get(region_url())  # the filter form's HTML is cached after the first view
    with CaptureQueriesContext(connection) as queries:
        assert client.get(region_url()).status_code == 200
    return len(queries)


def test_regional_dashboard_queries_do_not_grow_with_enterprises(client, reviewer_region, settings):
    settings.REPORTS_ROLLUP_MAX_AGE = 3600
    few = _region_page_queries(client, reviewer_region, 5)
    many = _region_page_queries(client, reviewer_region, 45)
    assert few == many


def test_federal_and_enterprise_pages_queries_do_not_grow(client, federal, reviewer_region, settings):
    settings.REPORTS_ROLLUP_MAX_AGE = 3600

    def queries(url):
        rollups.refresh()
        client.get(url)  # the filter form's HTML is cached after the first view
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    _region_page_queries(client, reviewer_region, 5)
    client.force_login(federal)
    federal_few = queries(reverse("dashboards:federal"))
    enterprise = EnterpriseFactory(region=reviewer_region.region)
    for number in range(5):
        HazardFactory(workplace=WorkplaceFactory(department__enterprise=enterprise, number=f"{number}"))
    enterprise_few = queries(reverse("dashboards:enterprise", args=[enterprise.pk]))
    _region_page_queries(client, reviewer_region, 45)
    client.force_login(federal)
    for number in range(5, 50):
        HazardFactory(workplace=WorkplaceFactory(department__enterprise=enterprise, number=f"{number}"))
    assert queries(reverse("dashboards:federal")) == federal_few
    assert queries(reverse("dashboards:enterprise", args=[enterprise.pk])) == enterprise_few


def test_a_large_region_is_shown_fifty_enterprises_a_page_sorted_across_all(client, reviewer_region):
    for index in range(55):
        enterprise = EnterpriseFactory(region=reviewer_region.region, short_name=f"Предприятие {index:02d}")
        for number in range(index % 3):
            HazardFactory(workplace=WorkplaceFactory(department__enterprise=enterprise, number=f"{number}"))
    client.force_login(reviewer_region)
    first = client.get(region_url(sort="rows", order="desc"))
    second = client.get(region_url(sort="rows", order="desc", page=2))
    assert len(first.context["table"]["rows"]) == 50
    assert len(second.context["table"]["rows"]) == 5
    assert first.context["totals"].rows == second.context["totals"].rows == sum(i % 3 for i in range(55))
    counts = [row["figures"].rows for page in (first, second) for row in page.context["table"]["rows"]]
    assert counts == sorted(counts, reverse=True)
    assert "page=2" in first.content.decode()
