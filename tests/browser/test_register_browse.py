"""A safety officer browses the register in Russian at a desktop and at a tablet viewport: lands on
the overview, opens a workplace, adds a hazard found by searching the 776n catalogue, finds it in
the filtered register list and exports that list to Excel."""

import io
import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook
from playwright.sync_api import expect

from hazards.models import Hazard, HazardousEvent
from tests.factories import PASSWORD, DepartmentFactory, HazardFactory, WorkplaceFactory

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
VIEWPORTS = {"desktop": {"width": 1366, "height": 900}, "tablet": {"width": 768, "height": 1024}}


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_officer_browses_adds_a_hazard_from_the_catalogue_and_exports_the_filtered_list(
    live_server, browser, viewport, officer_a
):
    enterprise = officer_a.enterprise
    mine = DepartmentFactory(enterprise=enterprise, name="Подземный рудник")
    section = DepartmentFactory(enterprise=enterprise, parent=mine, name="Участок шахтного транспорта")
    workplace = WorkplaceFactory(department=section, number="17", position="Машинист конвейера")
    WorkplaceFactory(department=section, number="18А", position="Машинист конвейера")
    HazardFactory(workplace=workplace, event=HazardousEvent.objects.get_by_natural_key("3.1"), risk_level=2)
    HazardFactory(workplace=workplace, event=HazardousEvent.objects.get_by_natural_key("20.1"), risk_level=4)

    # Russian, whatever language an earlier test left active in this thread: URLs without prefix.
    translation.activate("ru")
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="ru-RU", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(30_000)  # a hang guard, generous for a busy machine

    def shot(name):
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=ARTIFACTS / f"register-{name}-{viewport}.png", full_page=True)

    # Log in; an officer lands on the enterprise's overview, in Russian.
    page.goto(live_server.url + reverse("home"))
    page.fill("input[name=username]", officer_a.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    overview = reverse("assessments:overview", args=[enterprise.pk])
    page.wait_for_url(live_server.url + overview)
    assert page.locator("html").get_attribute("lang") == "ru"
    assert page.locator("#figure-levels a[data-level='4']").inner_text() == "1"
    shot("overview")

    # The structure tree, then the workplace.
    page.locator(f"a[href='{reverse('enterprises:structure', args=[enterprise.pk])}']").first.click()
    page.wait_for_url(re.compile(r"/structure/$"))
    assert page.locator(".structure-depth-1").first.is_visible()
    shot("structure")
    page.locator(f"a[href='{reverse('assessments:workplace', args=[workplace.pk])}']").click()
    page.wait_for_url(re.compile(rf"/workplace/{workplace.pk}/$"))
    assert page.locator("#workplace-rows tbody tr").count() == 2
    assert page.locator("#workplace-rows .risk-4").is_visible()
    shot("workplace")

    # Add a hazard: search the catalogue in Russian, pick the event, see its model measures.
    page.locator("#add-hazard").click()
    page.wait_for_url(re.compile(r"/add/$"))
    page.fill("#catalogue-q", "подвижными частями")
    # One event left, and htmx done settling the new list (its change handler is attached then).
    # (Locator assertions, not wait_for_function: the CSP forbids eval in the page.)
    expect(page.locator("#id_event option")).to_have_count(1)
    expect(page.locator(".htmx-request, .htmx-swapping, .htmx-settling")).to_have_count(0)
    event = HazardousEvent.objects.get_by_natural_key("8.1")
    page.select_option("#id_event", str(event.pk))
    page.locator("#model-measure-list li").first.wait_for()
    page.fill("#id_source", "Ленточный конвейер, натяжная станция")
    page.fill("#id_object_description", "Конвейерный штрек")
    page.fill("#id_exposed_description", "Машинисты конвейера")
    shot("add-form")
    page.locator("#save-hazard").click()
    page.wait_for_url(re.compile(r"/assessments/rows/\d+/$"))
    added = Hazard.objects.get(workplace=workplace, event=event)
    assert added.source == "Ленточный конвейер, натяжная станция"
    shot("add-saved")

    # The register list, filtered by a search word: the new row and nothing else.
    page.goto(live_server.url + reverse("assessments:register", args=[enterprise.pk]))
    if not page.locator("#id_q").is_visible():  # on a tablet the filters fold away
        page.locator("button[aria-controls='register-filters']").click()
    page.fill("#id_q", "натяжная")
    page.locator("#register-filter button[type=submit]").click()
    page.wait_for_url(re.compile(r"q="))
    rows = page.locator("#register-rows tbody tr")
    assert rows.count() == 1
    assert "натяжная станция" in rows.first.inner_text()
    shot("register-list")

    # Export exactly the filtered list.
    with page.expect_download() as download_info:
        page.locator("#export-xlsx").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(Path(download.path()).read_bytes())).worksheets[0]
    assert sheet.max_row == 2
    assert "Ленточный конвейер, натяжная станция" in [cell.value for cell in sheet[2]]
    context.close()
    translation.deactivate()
