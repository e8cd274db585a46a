"""A safety officer records a group accident in Chromium, at a desktop and a phone width: the
victims' rows appear only for an accident, "add another victim" adds a row in place (htmx), and
the list shows the victims, the fatal and severe ones, the days and the "group" badge."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from assessments.models import Incident
from tests.factories import PASSWORD, HazardFactory

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_officer_records_a_group_accident_with_its_victims(
    live_server, browser, viewport, reference_data, officer_a
):
    hazard = HazardFactory(workplace__department__enterprise=officer_a.enterprise)
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="ru-RU")
    page = context.new_page()
    page.set_default_timeout(30_000)

    def url(name, **kwargs):
        with translation.override("ru"):
            return live_server.url + reverse(name, kwargs=kwargs)

    page.goto(url("login"))
    page.fill("input[name=username]", officer_a.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()

    page.goto(
        url("assessments:incident_add", enterprise_pk=officer_a.enterprise_id)
        + f"?workplace={hazard.workplace_id}"
    )
    # A near miss has no victims: choosing it removes the blank row.
    page.locator('input[name="kind"][value="near_miss"]').check()
    page.locator("#victims-not-for-kind").wait_for()
    assert page.locator('select[name="victims-0-outcome"]').count() == 0
    page.locator('input[name="kind"][value="accident"]').check()
    page.locator('select[name="victims-0-outcome"]').wait_for()
    page.fill("#id_occurred_at", timezone.localtime().strftime("%Y-%m-%dT%H:%M"))
    page.locator(f'input[name="hazards"][value="{hazard.pk}"]').check()
    page.fill("#id_description", "Обрушение кровли камеры, травмированы два работника")
    page.select_option("#id_victims-0-outcome", "fatal")
    page.locator("#add-victim").click()
    page.locator('select[name="victims-1-outcome"]').wait_for()
    assert page.locator("#id_victims-0-outcome").input_value() == "fatal"  # kept across the swap
    page.select_option("#id_victims-1-outcome", "severe")
    page.fill("#id_victims-1-days_lost", "45")
    # Nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS[viewport]["width"]
    page.locator("#save-incident").click()
    page.wait_for_url(re.compile(r"/incidents/$"))

    incident = Incident.objects.with_victims().get()
    assert incident.is_group and (incident.fatal_count, incident.severe_count, incident.days_lost) == (
        1,
        1,
        45,
    )
    row = page.locator("tbody tr").first.inner_text()
    assert "Групповой несчастный случай" in row and "погибших: 1" in row and "тяжёлых: 1" in row
    context.close()
