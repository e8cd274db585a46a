"""The manager's approval queue in the browser, in Russian: the manager lands on it, ticks two
drafts and approves them after the confirmation, returns the third with a reason; the officer
sees the reason in the register and on the row, corrects the rating, and the correction waits in
the queue again."""

import re

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from assessments.models import AssessmentStatus, RiskAssessment
from assessments.services import assessment_create
from tests.factories import PASSWORD, HazardFactory, WorkplaceFactory

from .conftest import ARTIFACTS

REASON = "Тяжесть занижена: учтите работу на высоте."


@pytest.fixture
def drafts(officer_a):
    rows = [
        HazardFactory(
            workplace=WorkplaceFactory(
                department__enterprise=officer_a.enterprise, number=str(n), position="Слесарь-ремонтник"
            )
        )
        for n in (1, 2, 3)
    ]
    return [
        assessment_create(hazard=row, assessor=officer_a, inputs={"probability": 3, "severity": 3})
        for row in rows
    ]


def test_manager_approves_two_drafts_and_returns_one_that_the_officer_corrects(
    live_server, browser, officer_a, manager_a, drafts
):
    def screenshot(name):
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)

    def url(name, *args):
        with translation.override("ru"):
            return live_server.url + reverse(name, args=args)

    def log_in(user):
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ru-RU")
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.goto(url("login"))
        page.fill("input[name=username]", user.username)
        page.fill("input[name=password]", PASSWORD)
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
        return page

    enterprise = officer_a.enterprise
    queue_url = url("assessments:approvals", enterprise.pk)

    # The manager lands on the queue, the menu counting the drafts.
    page = log_in(manager_a)
    page.wait_for_url(queue_url)
    expect(page.locator("#nav-approvals-count")).to_contain_text("3")
    expect(page.locator("#queue-rows tbody tr")).to_have_count(3)
    screenshot("approvals-queue")

    # Tick two and approve them: a confirmation page first, nothing approved yet.
    page.locator(f"#pick-{drafts[0].pk}").check()
    page.locator(f"#pick-{drafts[1].pk}").check()
    page.locator("#approve-selected").click()
    expect(page.locator("h1")).to_have_text("Утвердить 2 оценки?")
    expect(page.locator("#confirm-rows tbody tr")).to_have_count(2)
    assert not RiskAssessment.objects.filter(status=AssessmentStatus.APPROVED).exists()
    screenshot("approvals-confirm")
    page.locator("#confirm-approval").click()
    page.wait_for_url(queue_url)
    expect(page.locator(".alert-success").first).to_contain_text("Утверждены 2 оценки.")
    expect(page.locator("#queue-rows tbody tr")).to_have_count(1)
    expect(page.locator("#nav-approvals-count")).to_contain_text("1")
    statuses = dict(RiskAssessment.objects.values_list("pk", "status"))
    assert [statuses[d.pk] for d in drafts] == ["approved", "approved", "draft"]

    # Return the third with a reason; an empty reason is refused first.
    page.locator(f'[data-assessment="{drafts[2].pk}"] .return-link').click()
    page.locator("#return-submit").click()
    expect(page.locator("#return-form .invalid-feedback")).to_contain_text("Укажите, что специалисту")
    page.fill("#id_reason", REASON)
    screenshot("approvals-return")
    page.locator("#return-submit").click()
    page.wait_for_url(queue_url)
    expect(page.locator("#queue-empty")).to_be_visible()
    expect(page.locator("#nav-approvals-count")).to_have_count(0)
    screenshot("approvals-empty")
    page.context.close()

    # The officer sees the returned row in the register, with the reason, and on the row's page.
    page = log_in(officer_a)
    page.goto(url("assessments:register", enterprise.pk) + "?approval=returned")
    expect(page.locator("#register-rows tbody tr")).to_have_count(1)
    expect(page.locator(".returned-badge")).to_have_text("Возвращено на доработку")
    expect(page.locator("#register-rows .return-reason")).to_contain_text(REASON)
    screenshot("approvals-register-returned")
    page.locator("#register-rows .row-link").click()
    expect(page.locator("#returned-banner")).to_contain_text(REASON)
    screenshot("approvals-row-returned")

    # Correct it: the assessment form repeats the reason; the new rating waits for approval.
    page.locator("#returned-banner a").click()
    page.wait_for_url(re.compile(r"/assess/$"))
    expect(page.locator("#returned-reason")).to_contain_text(REASON)
    page.locator('label:has(input[name="probability"][value="2"])').click()
    page.locator('label:has(input[name="severity"][value="2"])').click()
    page.locator("#save-assessment").click()
    page.wait_for_url(re.compile(r"/assessments/rows/\d+/$"))
    expect(page.locator("#returned-banner")).to_have_count(0)
    corrected = RiskAssessment.objects.get(hazard=drafts[2].hazard, is_current=True)
    assert corrected.status == AssessmentStatus.DRAFT and corrected.pk != drafts[2].pk
    assert RiskAssessment.objects.waiting_for_approval().filter(pk=corrected.pk).exists()
    page.context.close()

    # Back in the manager's queue.
    page = log_in(manager_a)
    page.wait_for_url(queue_url)
    expect(page.locator(f'#queue-rows [data-assessment="{corrected.pk}"]')).to_be_visible()
    page.context.close()
