"""A safety officer records a near miss (no victim rows offered), opens it from the list,
corrects it into an accident with a victim, then cancels it with a reason; the copy page offers
nothing ticked; the register search finds a row by a word of its measure."""

import re

from django.urls import reverse
from django.utils import timezone, translation

from assessments.models import Incident
from assessments.services import measure_plan
from tests.browser.conftest import ARTIFACTS
from tests.factories import PASSWORD, HazardFactory, WorkplaceFactory


def test_officer_records_corrects_and_cancels_an_incident(live_server, browser, officer_a):
    hazard = HazardFactory(workplace__department__enterprise=officer_a.enterprise)
    WorkplaceFactory(department=hazard.workplace.department, position=hazard.workplace.position)
    measure_plan(
        hazard=hazard,
        control_level="engineering",
        description="Противоскользящее покрытие пола у конвейера",
        responsible="Механик",
        due_date=timezone.localdate(),
    )
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ru-RU")
    page = context.new_page()
    page.set_default_timeout(30_000)
    ARTIFACTS.mkdir(exist_ok=True)

    def url(name, *args):
        with translation.override("ru"):
            return live_server.url + reverse(name, args=args)

    def shot(name):
        page.screenshot(path=ARTIFACTS / f"incident-{name}.png", full_page=True)

    page.goto(url("login"))
    page.fill("input[name=username]", officer_a.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()

    page.goto(url("assessments:incident_add", officer_a.enterprise_id) + f"?workplace={hazard.workplace_id}")
    assert page.locator('select[name="victims-0-outcome"]').count() == 0  # no victim by default
    page.locator('input[name="kind"][value="near_miss"]').check()
    page.locator("#victims-not-for-kind").wait_for()
    page.fill("#id_occurred_at", timezone.localtime().strftime("%Y-%m-%dT%H:%M"))
    page.locator(f'input[name="hazards"][value="{hazard.pk}"]').check()
    page.fill("#id_description", "Скольжение на мокром полу у конвейера, работник удержался")
    page.select_option("#id_event", str(hazard.event_id))
    shot("add-near-miss")
    page.locator("#save-incident").click()
    page.wait_for_url(re.compile(r"/incidents/$"))
    incident = Incident.objects.get()
    assert incident.kind == "near_miss" and not incident.victims.exists()

    page.locator("a.rp-incident-link").first.click()
    page.wait_for_url(re.compile(rf"/incidents/{incident.pk}/$"))
    page.locator("#incident-edit-link").click()
    page.locator('input[name="kind"][value="accident"]').check()
    page.locator('select[name="victims-0-outcome"]').wait_for()
    page.select_option("#id_victims-0-outcome", "light")
    page.fill("#id_victims-0-days_lost", "3")
    shot("edit-accident")
    page.locator("#save-incident").click()
    page.wait_for_url(re.compile(rf"/incidents/{incident.pk}/$"))
    assert "Несчастный случай на производстве" in page.locator("#incident-record").inner_text()
    assert "Происшествие исправлено" in page.content()
    shot("detail-corrected")

    page.locator("#incident-cancel-link").click()
    page.fill("#id_reason", "Зарегистрировано дважды")
    page.locator("#confirm-cancel").click()
    page.locator("#incident-cancelled").wait_for()
    shot("detail-cancelled")
    incident.refresh_from_db()
    assert incident.is_cancelled and incident.cancel_reason == "Зарегистрировано дважды"
    page.goto(url("assessments:incidents", officer_a.enterprise_id))
    assert page.locator("a.rp-incident-link").count() == 0  # out of the list and the figures
    page.locator("#id_cancelled").check()
    page.locator("#incident-filters button[type=submit]").click()
    page.locator("a.rp-incident-link").wait_for()
    assert "Отменено" in page.locator("tbody tr").first.inner_text()
    shot("list-with-cancelled")

    page.goto(url("assessments:hazard_copy", hazard.workplace_id))
    assert page.locator("#copy-form input[type=checkbox]:checked").count() == 0
    shot("copy")

    page.goto(url("assessments:register", officer_a.enterprise_id) + "?q=противоскользящ")
    assert page.locator("tbody tr").count() == 1
    shot("register-search")
    context.close()
