"""The pages every user meets first: login, the enterprise overview, the language switch."""

import pytest
from django.urls import reverse

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


@pytest.mark.parametrize(
    ("persona", "target"),
    [
        ("officer_a", lambda u: reverse("assessments:overview", args=[u.enterprise_id])),
        ("manager_a", lambda u: reverse("assessments:approvals", args=[u.enterprise_id])),
        ("reviewer_region", lambda u: reverse("dashboards:region", args=[u.region.code])),
        ("federal", lambda u: reverse("dashboards:federal")),
        ("admin_user", lambda u: reverse("dashboards:federal")),
    ],
)
def test_home_sends_each_role_to_where_it_works(request, client, persona, target):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == target(user)


def test_account_without_scope_is_told_so(rf, db):
    # The database refuses such an account; should one ever be loaded, it gets an explanation,
    # not an error.
    from enterprises.models import Role, User
    from riskpilot.views import home

    request = rf.get("/")
    request.user = User(username="newcomer", role=Role.OFFICER)
    response = home(request)
    assert response.status_code == 200
    assert "администратор" in response.content.decode()
