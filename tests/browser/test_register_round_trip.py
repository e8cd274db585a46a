"""A safety officer changes the register in Excel: exports it from the register list, edits two
cells, uploads the file, reads the preview (before → after of each changed cell), confirms, and
finds the register changed — in Russian, in the browser."""

import io
from pathlib import Path

import pytest
from django.core.files.storage import FileSystemStorage
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook
from playwright.sync_api import expect

from assessments.models import RegisterImport
from hazards.models import Hazard, HazardousEvent
from tests.factories import PASSWORD, DepartmentFactory, HazardFactory, WorkplaceFactory

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(autouse=True)
def imports_run_at_once(settings, tmp_path, monkeypatch):
    """The embedded mode: the check and the write run when their request commits, in the live
    server's thread; the upload waits in a temporary folder."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    storage = FileSystemStorage(location=tmp_path / "private", base_url=None)
    monkeypatch.setattr(RegisterImport._meta.get_field("file"), "storage", storage)


def test_officer_exports_edits_previews_and_confirms_the_register(live_server, browser, officer_a):
    enterprise = officer_a.enterprise
    section = DepartmentFactory(
        enterprise=enterprise,
        parent=DepartmentFactory(enterprise=enterprise, name="Рудник"),
        name="Участок 1",
    )
    workplace = WorkplaceFactory(department=section, number="17", position="Машинист конвейера")
    belt = HazardFactory(
        workplace=workplace,
        event=HazardousEvent.objects.get_by_natural_key("8.1"),
        source="Ленточный конвейер",
    )
    floor = HazardFactory(
        workplace=workplace, event=HazardousEvent.objects.get_by_natural_key("3.1"), source="Пол"
    )
    untouched = (floor.updated_at, floor.source)

    translation.activate("ru")
    context = browser.new_context(
        viewport={"width": 1366, "height": 900}, locale="ru-RU", accept_downloads=True
    )
    page = context.new_page()
    page.set_default_timeout(30_000)

    def shot(name):
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=ARTIFACTS / f"round-trip-{name}.png", full_page=True)

    page.goto(live_server.url + reverse("home"))
    page.fill("input[name=username]", officer_a.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(live_server.url + reverse("assessments:overview", args=[enterprise.pk]))

    # Export the register list.
    page.goto(live_server.url + reverse("assessments:register", args=[enterprise.pk]))
    with page.expect_download() as download_info:
        page.locator("#export-xlsx").click()
    workbook = load_workbook(io.BytesIO(Path(download_info.value.path()).read_bytes()))
    sheet = workbook.worksheets[0]
    header = {cell.value: cell.column for cell in sheet[1]}
    assert sheet.cell(row=1, column=1).value == "Ключ строки"

    # Edit two cells of one row in "Excel".
    line = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(row=r, column=1).value == belt.pk)
    sheet.cell(row=line, column=header["Источник опасности"]).value = "Ленточный конвейер № 2"
    sheet.cell(row=line, column=header["Число подвергающихся воздействию"]).value = 5
    edited = ARTIFACTS / "round-trip-register.xlsx"
    ARTIFACTS.mkdir(exist_ok=True)
    workbook.save(edited)

    # Upload it: the import page explains the key and the columns.
    page.goto(live_server.url + reverse("assessments:import", args=[enterprise.pk]))
    expect(page.locator("#import-columns-help")).to_contain_text("Ключ строки")
    shot("upload")
    page.set_input_files("input[type=file]", str(edited))
    page.locator("main form button[type=submit]").click()

    # The preview: one changed row, its two cells before and after; nothing written yet.
    expect(page.locator("#import-preview-summary")).to_be_visible()
    changed = page.locator("#import-changed")
    expect(changed).to_contain_text("Ленточный конвейер № 2")
    expect(changed.locator("tbody tr")).to_have_count(2)
    expect(page.locator("#import-counts")).to_contain_text("Без изменений: 1")
    assert Hazard.objects.get(pk=belt.pk).source == "Ленточный конвейер"
    shot("preview")

    page.locator("#import-confirm button[type=submit]").click()
    expect(page.locator("#import-done")).to_contain_text("изменено строк реестра — 1")
    shot("done")

    belt.refresh_from_db()
    floor.refresh_from_db()
    assert (belt.source, belt.exposed_count) == ("Ленточный конвейер № 2", 5)
    assert (floor.updated_at, floor.source) == untouched
    context.close()
