"""The pages every user meets first: login, the enterprise overview, the language switch."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import EnterpriseFactory, HazardFactory, WorkplaceFactory

pytestmark = pytest.mark.django_db


def test_healthz_answers_ok(client):
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_login_page_is_russian_by_default_and_english_under_en(client):
    russian = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US")
    assert russian.status_code == 200
    assert "Войти" in russian.content.decode()
    english = client.get("/en/accounts/login/")
    assert "Log in to RiskPilot" in english.content.decode()


def test_anonymous_user_is_sent_to_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_wrong_password_gets_a_message_not_an_error(client, officer_a):
    response = client.post(reverse("login"), {"username": "officer_a", "password": "wrong"})
    assert response.status_code == 200
    assert response.context["form"].errors


def test_home_lists_only_the_enterprises_in_scope(
    client, reviewer_region, enterprise_a, enterprise_b, enterprise_c
):
    client.force_login(reviewer_region)
    response = client.get(reverse("home"))
    names = [e.short_name for e in response.context["page"]]
    assert sorted(names) == sorted([enterprise_a.short_name, enterprise_b.short_name])
    assert enterprise_c.short_name not in response.content.decode()


def test_home_counts_hazards_and_serious_risks(client, officer_a, enterprise_a):
    workplace = WorkplaceFactory(department__enterprise=enterprise_a)
    HazardFactory(workplace=workplace, risk_level=5)
    HazardFactory(workplace=workplace, risk_level=2)
    HazardFactory(workplace=workplace, risk_level=4, status="archived")
    client.force_login(officer_a)
    [row] = client.get(reverse("home")).context["page"]
    assert (row.workplace_count, row.hazard_count, row.serious_count) == (1, 2, 1)


def _home_queries(client, user, enterprises: int) -> int:
    for _ in range(enterprises):
        WorkplaceFactory(department__enterprise=EnterpriseFactory(region=user.region))
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("home")).status_code == 200
    return len(queries)


def test_home_query_count_does_not_grow_with_rows(client, reviewer_region):
    few = _home_queries(client, reviewer_region, 5)
    many = _home_queries(client, reviewer_region, 45)
    assert few == many
