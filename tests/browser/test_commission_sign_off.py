"""The commission's sign-off of an assessment round, in Russian, as the people walk it: the officer
prepares the round and sends it for signature, a member confirms in the application, the officer
records the paper signature of the workers' representative, and the manager approves."""

import re
from pathlib import Path

from django.urls import reverse
from django.utils import timezone, translation
from playwright.sync_api import expect

from documents.models import AssessmentRound, RiskCard, RoundStatus
from tests.documents.sign_off import commission_of
from tests.factories import PASSWORD, HazardFactory, UserFactory, WorkplaceFactory

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def test_officer_sends_member_confirms_paper_is_recorded_manager_approves(
    live_server, browser, reference_data, officer_a, manager_a
):
    enterprise = officer_a.enterprise
    for user, (first, last) in ((officer_a, ("Ольга", "Кузнецова")), (manager_a, ("Андрей", "Мельников"))):
        user.first_name, user.last_name = first, last
        user.save()
    head = UserFactory(username="head_a", enterprise=enterprise, first_name="Иван", last_name="Сафонов")
    for number in ("1", "2"):
        HazardFactory(workplace=WorkplaceFactory(department__enterprise=enterprise, number=number))
    commission_of(enterprise, chairman=manager_a, members=[officer_a, head])

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ru-RU")
    page = context.new_page()
    page.set_default_timeout(30_000)

    def screenshot(name):
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)

    def url(name, **kwargs):
        with translation.override("ru"):
            return live_server.url + reverse(name, kwargs=kwargs)

    def log_in(user):
        context.clear_cookies()
        page.goto(url("login"))
        page.fill("input[name=username]", user.username)
        page.fill("input[name=password]", PASSWORD)
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()

    # The officer prepares the round from the enterprise's tab and sends it for signature.
    log_in(officer_a)
    page.goto(url("documents:round_list", enterprise_pk=enterprise.pk))
    page.locator("#round-add").click()
    page.fill("#id_title", "Оценка профессиональных рисков 2026")
    page.locator("#save-round").click()
    page.wait_for_url(re.compile(r"/documents/rounds/\d+/$"))
    page.locator("#round-send").click()
    expect(page.locator(".round-status")).to_have_text("На подписи у комиссии")
    assessment_round = AssessmentRound.objects.get()
    assert RiskCard.objects.filter(round=assessment_round).count() == 2
    screenshot("sign-off-sent")

    # A member with an account finds it under «На подпись» and confirms.
    log_in(head)
    page.locator("#nav-to-sign").click()
    page.get_by_role("link", name="Оценка профессиональных рисков 2026").click()
    page.locator("#round-sign").click()
    page.check('input[name="decision"][value="confirmed"]')
    page.locator("#sign-submit").click()
    expect(page.locator('#round-signatures tr:has-text("Сафонов")')).to_contain_text("в приложении")

    # The chairman and the officer sign too; the officer records the paper sheet.
    for user in (manager_a, officer_a):
        log_in(user)
        page.goto(url("documents:round_sign", pk=assessment_round.pk))
        page.check('input[name="decision"][value="confirmed"]')
        page.locator("#sign-submit").click()
        page.wait_for_url(re.compile(r"/documents/rounds/\d+/$"))
    screenshot("sign-off-signing")
    page.locator("#round-paper").click()
    page.select_option("#id_member", label="Петров Пётр Петрович — Уполномоченный по охране труда")
    page.check('input[name="decision"][value="confirmed"]')
    page.fill("#id_signed_on", timezone.localdate().isoformat())
    page.locator("#paper-submit").click()
    expect(page.locator(".round-status")).to_have_text("Подписан, ждёт утверждения работодателем")
    expect(page.locator('#round-signatures tr:has-text("Петров")')).to_contain_text("с бумажного листа")

    # The manager finds it under «Оценки на утверждение» and approves.
    log_in(manager_a)
    page.locator("#nav-to-approve").click()
    page.get_by_role("link", name="Оценка профессиональных рисков 2026").click()
    page.locator("#round-approve").click()
    expect(page.locator(".round-status")).to_have_text("Утверждена")
    expect(page.locator("#round-send")).to_have_count(0)
    screenshot("sign-off-approved")
    assessment_round.refresh_from_db()
    assert (assessment_round.status, assessment_round.approved_by) == (RoundStatus.APPROVED, manager_a)
    context.close()
