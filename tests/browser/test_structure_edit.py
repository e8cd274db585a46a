"""A safety officer builds and changes the structure in the browser, in Russian: adds a unit and a
sub-unit, a workplace with its ОКПДТР code, renames the unit, moves the workplace to another
unit, then archives the workplace (its register row moves to another workplace) and a unit."""

import re
from pathlib import Path

from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from enterprises.models import Department, Workplace
from hazards.models import Hazard, HazardStatus
from tests.factories import PASSWORD, DepartmentFactory, HazardFactory, WorkplaceFactory

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def test_officer_creates_renames_moves_and_archives_units_and_workplaces(live_server, browser, officer_a):
    enterprise = officer_a.enterprise
    plant = DepartmentFactory(enterprise=enterprise, name="Ремонтно-механический цех")
    kept = WorkplaceFactory(department=plant, number="10", position="Токарь", okpdtr_code="19149")
    WorkplaceFactory(department=plant, number="2А", position="Токарь", okpdtr_code="19149")

    translation.activate("ru")
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="ru-RU")
    page = context.new_page()
    page.set_default_timeout(30_000)

    def shot(name):
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=ARTIFACTS / f"structure-{name}.png", full_page=True)

    page.goto(live_server.url + reverse("login"))
    page.fill("input[name=username]", officer_a.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/assessments/enterprise/"))
    structure = live_server.url + reverse("enterprises:structure", args=[enterprise.pk])
    page.goto(structure)
    # Natural order: № 2А before № 10.
    expect(page.locator(".workplace-number")).to_have_text(["2А", "10"])
    shot("page")

    # A new top-level unit, then a sub-unit of it from the unit's own link.
    page.locator("#unit-add").click()
    page.fill("input[name=name]", "Цех № 2")
    shot("unit-form")
    page.locator("#unit-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/structure/"))
    expect(page.locator(".alert-success")).to_contain_text("Подразделение «Цех № 2» добавлено")
    shop = Department.objects.get(enterprise=enterprise, name="Цех № 2")
    page.locator(f"a[href$='?parent={shop.pk}']").click()
    page.fill("input[name=name]", "Участок сборки")
    page.select_option("select[name=kind]", "section")
    page.locator("#unit-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/structure/"))
    section = Department.objects.get(enterprise=enterprise, name="Участок сборки")
    assert section.parent_id == shop.pk

    # A workplace in the new section, with a code from the classifier list.
    page.locator(f"a[href$='?department={section.pk}']").click()
    page.fill("input[name=number]", "3")
    # The classifier's picker: what is typed refills the suggestions (a datalist, fed by htmx).
    page.locator("input[name=position]").press_sequentially("кочегар")
    expect(page.locator("#okpdtr-positions option[value='Машинист (кочегар) котельной']")).to_have_count(1)
    page.fill("input[name=position]", "Машинист (кочегар) котельной")
    page.locator("input[name=okpdtr_code]").press_sequentially("1378")
    expect(page.locator("#okpdtr-classifier option")).to_have_count(3)
    expect(page.locator("#okpdtr-classifier option").last).to_have_attribute("value", "13786")
    page.fill("input[name=okpdtr_code]", "13786")
    page.fill("input[name=headcount_total]", "4")
    page.fill("input[name=headcount_women]", "1")
    page.fill(
        "input[name=equipment]"
        if page.locator("input[name=equipment]").count()
        else "textarea[name=equipment]",
        "Верстак, дрель",
    )
    shot("workplace-form")
    page.locator("#workplace-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/structure/"))
    added = Workplace.objects.get(enterprise=enterprise, number="3")
    assert (added.department_id, added.okpdtr_code, added.headcount_total) == (section.pk, "13786", 4)
    expect(page.locator(".workplace-number")).to_have_text(["2А", "10", "3"])  # units in name order

    # A number already taken is refused beside the field, nothing written.
    page.locator(f"a[href$='?department={section.pk}']").click()
    page.fill("input[name=number]", "10")
    page.fill("input[name=position]", "Сверловщик")
    page.locator("#workplace-form button[type=submit]").click()
    expect(page.locator("#workplace-form .invalid-feedback").first).to_be_visible()
    shot("workplace-duplicate")
    assert Workplace.objects.filter(enterprise=enterprise).count() == 3

    # Rename the shop; move the workplace № 3 to the first unit.
    page.goto(structure)
    page.locator(f"a[href='{reverse('assessments:unit_edit', args=[shop.pk])}']").click()
    page.fill("input[name=name]", "Сборочный цех")
    page.locator("#unit-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/structure/"))
    expect(page.locator(f"#dept-{shop.pk}")).to_contain_text("Сборочный цех")
    page.locator(f"a[href='{reverse('assessments:workplace_edit', args=[added.pk])}']").click()
    page.select_option("select[name=department]", str(plant.pk))
    page.locator("#workplace-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/structure/"))
    added.refresh_from_db()
    assert added.department_id == plant.pk
    expect(page.locator(".workplace-number")).to_have_text(["2А", "3", "10"])

    # Archive № 3, whose active row moves to № 10.
    HazardFactory(workplace=added)
    page.locator(f"a[href='{reverse('assessments:workplace_archive', args=[added.pk])}']").click()
    page.locator("#archive-form button[type=submit]").click()
    expect(page.locator("#archive-form .invalid-feedback, #archive-form .text-danger").first).to_be_visible()
    page.check("input[name=rows][value=move]")
    page.select_option("select[name=target]", str(kept.pk))
    shot("workplace-archive")
    page.locator("#archive-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/structure/"))
    added.refresh_from_db()
    assert added.archived_at is not None
    assert Hazard.objects.get(workplace=kept).status == HazardStatus.ACTIVE

    # Archive the (now empty) assembly shop with its section: the box must be ticked.
    page.locator(f"a[href='{reverse('assessments:unit_archive', args=[shop.pk])}']").click()
    page.check("input[name=cascade]")
    shot("unit-archive")
    page.locator("#archive-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/structure/"))
    expect(page.locator(".alert-success")).to_contain_text("перенесено в архив")
    assert set(Department.objects.filter(archived_at__isnull=False).values_list("name", flat=True)) == {
        "Сборочный цех",
        "Участок сборки",
    }
    expect(page.locator(f"#dept-{shop.pk}")).to_have_count(0)
    shot("after")
    context.close()
