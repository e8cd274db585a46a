"""The safety officer's whole flow on one register row, in Russian, at a desktop and at a tablet
viewport: log in, add a hazard, assess it watching the live score, plan measures, complete one
with a photo, re-assess lower and see the level drop on the enterprise overview."""

import datetime
import re
from pathlib import Path

import pytest
from django.core.files.storage import FileSystemStorage
from django.urls import reverse
from django.utils import timezone, translation
from PIL import Image
from playwright.sync_api import expect

from assessments.models import ControlMeasure, MeasureEvidence, MeasureStatus, RiskAssessment
from hazards.models import Hazard, HazardousEvent, RiskLevel
from tests.factories import PASSWORD, WorkplaceFactory

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "tablet": {"width": 768, "height": 1024}}


@pytest.fixture
def private_storage(tmp_path, monkeypatch):
    storage = FileSystemStorage(location=tmp_path / "private", base_url=None)
    monkeypatch.setattr(MeasureEvidence._meta.get_field("file"), "storage", storage)
    return storage


@pytest.fixture
def photo(tmp_path):
    path = tmp_path / "ограждение.png"
    Image.new("RGB", (64, 48), (30, 140, 60)).save(path, format="PNG")
    return path


def _pick(page, name: str, value: str):
    """Click the level's row (the label around the radio), as a person taps it on a tablet."""
    page.locator(f'label:has(input[name="{name}"][value="{value}"])').click()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_officer_assesses_controls_and_reassesses_a_risk(
    live_server, browser, viewport, reference_data, officer_a, photo, private_storage
):
    workplace = WorkplaceFactory(department__enterprise=officer_a.enterprise, position="Машинист конвейера")
    event = HazardousEvent.objects.get_by_natural_key("8.1")
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="ru-RU")
    page = context.new_page()
    page.set_default_timeout(30_000)  # a hang guard, generous for a busy machine

    def shot(name):
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=ARTIFACTS / f"risk-{name}-{viewport}.png", full_page=True)

    def url(name, **kwargs):
        # Unprefixed, Russian URLs, whatever language an earlier test left active in this thread.
        with translation.override("ru"):
            return live_server.url + reverse(name, kwargs=kwargs)

    # Log in (Russian is the default language).
    page.goto(url("login"))
    assert page.locator("html").get_attribute("lang") == "ru"
    page.fill("input[name=username]", officer_a.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()

    # Add a hazard to the workplace from the 776n catalogue.
    page.goto(url("hazards:add", workplace_pk=workplace.pk))
    page.select_option("#id_event", str(event.pk))
    page.fill("#id_source", "Ленточный конвейер, приводной барабан")
    page.locator("#save-hazard").click()
    page.wait_for_url(re.compile(r"/assessments/rows/\d+/$"))
    hazard = Hazard.objects.get(workplace=workplace)
    assert page.locator("#current-level").inner_text().strip() == "Без оценки"

    # Assess it: the score and the band change as levels are picked, computed by the server.
    page.locator("#assess-link").click()
    page.wait_for_url(re.compile(r"/assess/"))
    assert page.locator("#preview-incomplete").is_visible()
    _pick(page, "probability", "4")
    _pick(page, "severity", "4")
    expect(page.locator("#preview-score")).to_have_text("16")
    assert page.locator("#preview-band").get_attribute("data-level") == str(RiskLevel.HIGH)
    assert page.locator("#preview-measure-required").is_visible()
    _pick(page, "probability", "5")
    expect(page.locator("#preview-score")).to_have_text("20")
    assert page.locator("#preview-band").get_attribute("data-level") == str(RiskLevel.CRITICAL)
    assert page.locator("#preview-band").inner_text().strip() == "Критический"
    # The level requires measures: plan one in the same form.
    _pick(page, "measure-control_level", "engineering")
    page.fill("#id_measure-description", "Установить ограждение приводного барабана с блокировкой")
    page.fill("#id_measure-responsible", "Главный механик")
    page.fill("#id_measure-due_date", (timezone.localdate() + datetime.timedelta(days=30)).isoformat())
    shot("assess-live-preview")
    page.locator("#save-assessment").click()
    page.wait_for_url(re.compile(r"/assessments/rows/\d+/$"))
    assert page.locator("#current-level [class*='risk-5']").is_visible()
    assert RiskAssessment.objects.get(hazard=hazard).level == RiskLevel.CRITICAL

    # Plan a second measure from the catalogue's model measures of the event.
    page.locator("#model-measures a").first.click()
    page.wait_for_url(re.compile(r"/measures/new/\?model_measure=\d+"))
    assert page.locator("#id_description").input_value() != ""
    _pick(page, "control_level", "administrative")
    page.fill("#id_responsible", "Начальник участка")
    page.select_option("#id_periodicity", "monthly")
    page.locator("#save-measure").click()
    page.wait_for_url(re.compile(r"/assessments/rows/\d+/$"))
    assert ControlMeasure.objects.filter(hazard=hazard).count() == 2
    shot("row-page")

    # Complete the engineering measure with a photo; the re-rating form follows at once.
    engineering = ControlMeasure.objects.get(hazard=hazard, control_level="engineering")
    page.locator(f'[data-measure="{engineering.pk}"] a[href$="/done/"]').click()
    page.wait_for_url(re.compile(r"/measures/\d+/done/$"))
    page.set_input_files("#id_file", str(photo))
    page.fill("#id_note", "Ограждение смонтировано, блокировка проверена")
    shot("measure-complete")
    page.locator("#complete-measure").click()
    page.wait_for_url(re.compile(r"/assess/\?reason=after_measures$"))
    engineering.refresh_from_db()
    assert engineering.status == MeasureStatus.DONE
    assert MeasureEvidence.objects.get(measure=engineering).original_name == "ограждение.png"
    hazard.refresh_from_db()
    assert hazard.needs_reassessment

    # Re-assess lower: the form starts from the current levels.
    expect(page.locator("#preview-score")).to_have_text("20")
    _pick(page, "probability", "1")
    expect(page.locator("#preview-score")).to_have_text("4")
    assert page.locator("#preview-band").get_attribute("data-level") == str(RiskLevel.LOW)
    page.locator("#save-assessment").click()
    page.wait_for_url(re.compile(r"/assessments/rows/\d+/$"))
    assert page.locator("#current-level [class*='risk-2']").is_visible()
    assert not page.locator("#reassessment-banner").is_visible()
    trend = page.locator("#trend .badge")
    assert [trend.nth(i).get_attribute("class").split()[-1] for i in range(2)] == ["risk-5", "risk-2"]
    # The evidence is served to its officer: a photo as a thumbnail that opens in a new tab.
    evidence_link = page.locator('#measures a[href*="/evidence/"]')
    assert evidence_link.get_attribute("target") == "_blank"
    assert evidence_link.locator("img").get_attribute("alt") == "ограждение.png"
    thumbnail = evidence_link.locator("img")
    thumbnail.scroll_into_view_if_needed()  # loaded lazily, when it comes into view
    assert thumbnail.evaluate("img => img.decode().then(() => img.naturalWidth)") == 64

    # The level drop shows on the enterprise overview.
    page.goto(url("assessments:overview", enterprise_pk=officer_a.enterprise_id))
    assert page.locator('#figure-levels a[data-level="2"]').inner_text().strip() == "1"
    assert page.locator('#figure-levels a[data-level="5"]').inner_text().strip() == "0"
    shot("overview-after")

    # Record an incident against the row: it is flagged for re-assessment again.
    page.goto(
        url("assessments:incident_add", enterprise_pk=officer_a.enterprise_id) + f"?workplace={workplace.pk}"
    )
    page.locator('input[name="kind"][value="microtrauma"]').check()
    page.fill("#id_occurred_at", timezone.localtime().strftime("%Y-%m-%dT%H:%M"))
    page.locator(f'input[name="hazards"][value="{hazard.pk}"]').check()
    page.fill("#id_description", "Ушиб пальца о кожух барабана при уборке")
    # A microtrauma has no victims: the victims' rows go when the kind is chosen.
    page.locator("#victims-not-for-kind").wait_for()
    shot("incident-form")
    page.locator("#save-incident").click()
    page.wait_for_url(re.compile(r"/incidents/$"))
    page.goto(url("assessments:hazard", pk=hazard.pk))
    assert page.locator("#reassessment-banner").is_visible()
    context.close()
