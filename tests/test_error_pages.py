"""Refusals and failures are answered by pages of our own, in the site's layout and the user's
language: 403 (a role's limit, an expired form), 404 and 500."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import HazardFactory, WorkplaceFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("russian_by_default")]


def test_a_missing_page_is_our_404_in_russian(client, officer_a):
    client.force_login(officer_a)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Страница не найдена" in page
    assert 'class="navbar' in page and reverse("home") in page


def test_a_refused_write_is_our_403_in_russian(client, reviewer_region, hazard_factory_row):
    client.force_login(reviewer_region)
    response = client.post(reverse("assessments:assess", args=[hazard_factory_row.pk]), {})
    assert response.status_code == 403
    page = response.content.decode()
    assert "Доступ запрещён" in page and "403 Forbidden" not in page


def test_an_expired_form_is_explained_not_a_bare_csrf_page(officer_a):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": officer_a.username, "password": "x"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "Форма устарела" in page and "CSRF verification failed" not in page


@pytest.mark.urls("tests.error_urls")
def test_a_server_error_is_our_500_page():
    client = Client(raise_request_exception=False)
    response = client.get("/test-failure/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "Ошибка сервера" in page and "Server Error (500)" not in page


@pytest.fixture
def hazard_factory_row(enterprise_a):
    return HazardFactory(workplace=WorkplaceFactory(department__enterprise=enterprise_a))
