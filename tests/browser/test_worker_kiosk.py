"""On a shared tablet (768×1024) the safety officer opens the worker kiosk for a workplace's card;
a worker types a wrong personnel number, then their own, reads the risks of the workplace in plain
Russian and confirms; the next worker's turn begins; the officer closes the kiosk with their
password and sees the acknowledgement recorded."""

import re
from pathlib import Path

from django.urls import reverse
from django.utils import translation

from documents.cards import card_issue
from documents.models import AcknowledgementMethod, CardAcknowledgement
from enterprises.workers import worker_add
from hazards.models import HazardousEvent
from tests.factories import (
    PASSWORD,
    ControlMeasureFactory,
    DepartmentFactory,
    HazardFactory,
    WorkplaceFactory,
)

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
TABLET = {"width": 768, "height": 1024}


def test_worker_acknowledges_the_card_on_the_kiosk_at_a_tablet(live_server, browser, officer_a):
    enterprise = officer_a.enterprise
    section = DepartmentFactory(enterprise=enterprise, name="Участок шахтного транспорта")
    workplace = WorkplaceFactory(department=section, number="17", position="Машинист конвейера")
    dust = HazardFactory(
        workplace=workplace,
        event=HazardousEvent.objects.get_by_natural_key("12.1"),
        source="Соляная пыль в местах перегрузки",
        existing_controls="Орошение, респираторы",
        risk_level=4,
    )
    ControlMeasureFactory(hazard=dust, description="Выдать респираторы класса FFP3")
    worker = worker_add(
        workplace=workplace,
        surname="Сидорова",
        first_name="Анна",
        patronymic="Ивановна",
        personnel_number="1703",
    )
    worker_add(workplace=workplace, surname="Петров", first_name="Олег", personnel_number="1704")
    card = card_issue(workplace=workplace, user=officer_a)

    translation.activate("ru")
    context = browser.new_context(viewport=TABLET, locale="ru-RU")
    page = context.new_page()
    page.set_default_timeout(30_000)

    def shot(name):
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=ARTIFACTS / f"kiosk-{name}.png", full_page=True)

    page.goto(live_server.url + reverse("login"))
    page.fill("input[name=username]", officer_a.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()

    # The officer opens the kiosk from the card's acknowledgement page.
    page.goto(live_server.url + reverse("documents:acknowledgements", args=[card.pk]))
    assert "Ознакомлены: 0 из 2" in page.locator("#ack-summary").inner_text()
    page.locator("#open-kiosk").click()
    kiosk = reverse("documents:kiosk", args=[card.pk])
    page.wait_for_url(live_server.url + kiosk)
    shot("number")

    # Leaving the kiosk for the register leads back to it.
    page.goto(live_server.url + reverse("assessments:overview", args=[enterprise.pk]))
    page.wait_for_url(live_server.url + kiosk)

    # A wrong number: a plain message, no names.
    page.fill("input[name=personnel_number]", "9999")
    page.locator("#kiosk-number-form button[type=submit]").click()
    assert "нет в списке" in page.locator("#kiosk-error").inner_text()

    # The worker's own number: their name, the risks in Russian, the measures.
    page.fill("input[name=personnel_number]", "1703")
    page.locator("#kiosk-number-form button[type=submit]").click()
    assert page.locator("#kiosk-worker").inner_text() == "Сидорова А. И."
    risks = page.locator("#kiosk-risks").inner_text()
    assert "Повреждение органов дыхания частицами пыли" in risks
    assert "Высокий" in risks and "Выдать респираторы класса FFP3" in risks
    assert "Петров" not in page.content()
    confirm = page.locator("#kiosk-confirm")
    box = confirm.bounding_box()
    assert box["width"] >= 300 and box["height"] >= 40  # a finger's target on a tablet
    shot("card")
    confirm.click()
    assert "ваше ознакомление отмечено" in page.locator("main").inner_text()
    shot("done")
    acknowledgement = CardAcknowledgement.objects.get(card=card, worker=worker)
    assert acknowledgement.method == AcknowledgementMethod.KIOSK
    assert acknowledgement.recorded_by == officer_a

    # The next worker's turn, then the officer closes the kiosk with their password.
    page.locator("#kiosk-next").click()
    page.wait_for_url(live_server.url + kiosk)
    page.locator("#close-kiosk").click()
    page.fill("input[name=password]", PASSWORD)
    page.locator("#kiosk-close-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/acknowledgements/$"))
    assert "Ознакомлены: 1 из 2 работников (50 %)" in page.locator("#ack-summary").inner_text()
    shot("after")
    context.close()
    translation.deactivate()
