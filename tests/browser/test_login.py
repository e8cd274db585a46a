"""A safety officer logs in through the real page in Chromium and lands on their enterprise."""

import re

from tests.factories import PASSWORD, WorkplaceFactory


def test_officer_logs_in_sees_own_enterprise_and_switches_to_english(
    live_server, page, screenshot, officer_a, enterprise_b
):
    WorkplaceFactory(department__enterprise=officer_a.enterprise)
    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url
    assert page.locator("html").get_attribute("lang") == "ru"

    page.fill("input[name=username]", officer_a.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]", has_text=re.compile("Войти")).click()

    # Officers land on their own enterprise's overview.
    overview = f"/assessments/enterprise/{officer_a.enterprise_id}/"
    page.wait_for_url(f"{live_server.url}{overview}")
    assert officer_a.enterprise.short_name in page.locator("main").inner_text()
    assert enterprise_b.short_name not in page.content()
    assert page.locator("h1").inner_text() == "Обзор реестра рисков"
    screenshot("login-officer-home-ru")

    page.locator("button[name=language][value=en]").click()
    page.wait_for_url(f"{live_server.url}/en{overview}")
    assert page.locator("h1").inner_text() == "Overview of the risk register"
    screenshot("login-officer-home-en")


def test_wrong_password_shows_an_error_beside_the_form(live_server, page, officer_a):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", officer_a.username)
    page.fill("input[name=password]", "not-the-password")
    page.locator("form button[type=submit]", has_text=re.compile("Войти")).click()
    assert page.locator(".alert-danger, .invalid-feedback, .errorlist").first.is_visible()
    assert "/accounts/login/" in page.url
