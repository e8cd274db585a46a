"""A regional reviewer logs in, lands on the region's dashboard, and walks down to the evidence:
region → enterprise → workplace → register row (read-only), at laptop and tablet sizes."""

import re

import pytest
from django.urls import reverse

from assessments.models import IncidentKind
from assessments.services import assessment_create
from dashboards import rollups
from dashboards.tables import COLUMNS, KEY_COLUMNS
from enterprises.models import Role
from hazards.models import HazardousEvent
from tests.factories import (
    PASSWORD,
    ControlMeasureFactory,
    HazardFactory,
    IncidentFactory,
    UserFactory,
    WorkplaceFactory,
)

LAPTOP = {"width": 1366, "height": 900}
TABLET = {"width": 768, "height": 1024}


@pytest.fixture
def region_register(reference_data, enterprise_a, enterprise_b, enterprise_c, settings):
    # Figures are refreshed here, not by a worker: the live server's requests must not wait on one.
    settings.REPORTS_ROLLUP_MAX_AGE = 3600
    assessor = UserFactory(username="assessor", role=Role.ADMIN)
    conveyor = HazardousEvent.objects.get_by_natural_key("8.1")
    workplace = WorkplaceFactory(
        department__enterprise=enterprise_a, number="7", position="Машинист конвейера"
    )
    critical = HazardFactory(workplace=workplace, event=conveyor, source="Приводной барабан конвейера")
    assessment_create(hazard=critical, assessor=assessor, inputs={"probability": 4, "severity": 5})
    ControlMeasureFactory(hazard=critical)
    for probability, severity in ((2, 2), (3, 3), (1, 4)):
        row = HazardFactory(workplace=WorkplaceFactory(department__enterprise=enterprise_a))
        assessment_create(
            hazard=row, assessor=assessor, inputs={"probability": probability, "severity": severity}
        )
    HazardFactory(workplace=WorkplaceFactory(department__enterprise=enterprise_b))
    IncidentFactory(workplace=workplace, kind=IncidentKind.NEAR_MISS)
    HazardFactory(workplace=WorkplaceFactory(department__enterprise=enterprise_c))
    rollups.refresh()
    return critical


def log_in(page, live_server, user):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").last.click()


def test_regional_reviewer_drills_down_from_the_region_to_a_hazard(
    live_server, page, screenshot, reviewer_region, region_register, enterprise_a, enterprise_b, enterprise_c
):
    page.set_viewport_size(LAPTOP)
    log_in(page, live_server, reviewer_region)
    page.wait_for_url(re.compile(r"/reports/regions/56/$"))
    assert page.locator("html").get_attribute("lang") == "ru"
    table = page.locator("table.dashboard-table")
    assert enterprise_a.short_name in table.inner_text()
    assert enterprise_b.short_name in table.inner_text()
    assert enterprise_c.short_name not in page.content()
    assert page.locator("svg.heat-map").count() == 1
    assert page.locator("figure svg").count() == 4
    screenshot("dashboard-region-laptop")
    page.set_viewport_size(TABLET)
    screenshot("dashboard-region-tablet")
    page.set_viewport_size(LAPTOP)

    # The chart's numbers are there as a table too.
    page.locator("summary", has_text=re.compile("тепловая|heat map", re.I)).first.click()
    assert page.locator("table.heat-map-table").is_visible()

    page.locator("table.dashboard-table th[scope=row] a", has_text=enterprise_a.short_name).click()
    page.wait_for_url(re.compile(rf"/reports/enterprises/{enterprise_a.pk}/"))
    assert page.locator("h1").inner_text() == enterprise_a.short_name
    screenshot("dashboard-enterprise-laptop")
    page.set_viewport_size(TABLET)
    screenshot("dashboard-enterprise-tablet")
    page.set_viewport_size(LAPTOP)

    page.locator("#workplaces ~ div table a", has_text="Машинист конвейера").click()
    page.wait_for_url(re.compile(r"/assessments/workplace/\d+/"))
    page.locator("a", has_text=region_register.event.code).first.click()
    page.wait_for_url(re.compile(rf"/rows/{region_register.pk}/"))
    assert "Приводной барабан конвейера" in page.content()
    # Read-only for a reviewer: no assessment or measure buttons on the row's page.
    assert page.locator(f"a[href*='/rows/{region_register.pk}/assess/']").count() == 0
    screenshot("dashboard-drilldown-hazard")


def test_reviewer_exports_the_table_and_reads_it_in_english(
    live_server, page, screenshot, reviewer_region, region_register
):
    page.set_viewport_size(LAPTOP)
    log_in(page, live_server, reviewer_region)
    page.wait_for_url(re.compile(r"/reports/regions/56/$"))
    page.locator("button[name=language][value=en]").click()
    page.wait_for_url(re.compile(r"/en/reports/regions/56/$"))
    assert "Probability (P)" in page.content()
    page.select_option("select[name=period]", "3m")
    page.locator(".dashboard-filters [type=submit]").click()
    page.wait_for_url(re.compile(r"period=3m"))
    with page.expect_download() as download:
        page.locator("a", has_text="Export the table (.xlsx)").click()
    assert download.value.suggested_filename.startswith("riskpilot-region-56-")
    screenshot("dashboard-region-en")


@pytest.mark.parametrize("federal_view", [False, True], ids=["region", "federal"])
def test_the_key_indicators_are_in_view_at_1366_px_without_scrolling(
    live_server, page, screenshot, reviewer_region, federal, region_register, federal_view
):
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(page, live_server, federal if federal_view else reviewer_region)
    if federal_view:
        page.goto(live_server.url + reverse("dashboards:federal"))
    page.wait_for_selector("table.dashboard-table")
    headers = page.locator("table.dashboard-table thead tr:nth-child(2) th")
    assert headers.count() == len(COLUMNS)
    for index in range(len(KEY_COLUMNS)):
        box = headers.nth(index).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 1366, (index, box)
    first_group = page.locator("table.dashboard-table thead th.dashboard-group").first
    assert first_group.inner_text() == "Ключевые показатели"
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    screenshot(f"dashboard-key-columns-{'federal' if federal_view else 'region'}")
