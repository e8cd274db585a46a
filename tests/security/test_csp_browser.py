"""In Chromium, the pages people use most raise no Content Security Policy violation: the
browser reports each one on the console, so the test listens there."""

import re

import pytest

from assessments.services import assessment_create
from tests.browser.conftest import (  # noqa: F401 — fixtures shared with the browser tests
    allow_orm_beside_playwright,
    browser_type_launch_args,
    screenshot,
)
from tests.factories import PASSWORD, HazardFactory, WorkplaceFactory

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def browser_reference_data(reference_data):
    """A live server runs beside a database emptied after each test."""


def test_main_pages_raise_no_policy_violation(live_server, page, screenshot, officer_a):  # noqa: F811
    workplace = WorkplaceFactory(department__enterprise=officer_a.enterprise)
    hazard = HazardFactory(workplace=workplace)
    assessment_create(hazard=hazard, assessor=officer_a, inputs={"probability": 4, "severity": 4})
    messages = []
    page.on(
        "console",
        lambda message: messages.append(f"{message.type}: {message.text} ({message.location.get('url')})"),
    )
    page.on("pageerror", lambda error: messages.append(f"pageerror: {error}"))
    failed = []
    page.on("response", lambda response: response.status >= 400 and failed.append(response.url))

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", officer_a.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/assessments/enterprise/\d+/$"))

    for path in (
        f"/reports/enterprises/{officer_a.enterprise_id}/",  # pygal charts: inline SVG styles
        f"/register/workplace/{workplace.pk}/add/",  # htmx catalogue search
        f"/assessments/rows/{hazard.pk}/",
        f"/assessments/rows/{hazard.pk}/assess/",  # htmx score preview, used below
    ):
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
    # htmx at work under the policy: choosing levels asks the server for the score preview.
    page.locator("input[name=probability][value='2']").check(force=True)
    page.wait_for_load_state("networkidle")
    screenshot("csp-assess-preview")

    violations = [m for m in messages if "Content Security Policy" in m or "Refused to" in m]
    assert violations == []
    assert failed == []
    # Chromium asks for /favicon.ico on its own; the site has none, which is not an error of a page.
    errors = [m for m in messages if m.startswith(("error", "pageerror")) and "/favicon.ico" not in m]
    assert errors == []


def test_five_wrong_passwords_show_the_lockout_page(live_server, page, screenshot, officer_a):  # noqa: F811
    page.set_viewport_size({"width": 768, "height": 1024})
    page.goto(f"{live_server.url}/en/accounts/login/")
    for _ in range(5):
        page.fill("input[name=username]", officer_a.username)
        page.fill("input[name=password]", "not-the-password")
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Sign-in temporarily blocked"
    assert "blocked for 15 minutes" in page.locator("main").inner_text()
    screenshot("login-locked-out-en-tablet")
