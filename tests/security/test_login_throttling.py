"""Login throttling (django-axes): five wrong passwords for one username from one address lock
that pair out for 15 minutes, with a page that says so; other addresses and other accounts are
not affected, and the lock lifts by itself."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import timezone, translation

from tests.factories import PASSWORD

LOGIN = "/accounts/login/"


def attempt(client, username, password, address="10.0.0.1", path=LOGIN):
    return client.post(path, {"username": username, "password": password}, REMOTE_ADDR=address)


def fail(client, username, times, address="10.0.0.1"):
    return [attempt(client, username, "wrong-password", address).status_code for _ in range(times)]


def age(minutes: int) -> None:
    """Move every recorded failure this many minutes into the past."""
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=minutes))


@pytest.fixture
def officer(officer_a):
    return officer_a


def test_four_wrong_passwords_still_allow_the_right_one(client, officer):
    assert fail(client, officer.username, 4) == [200] * 4
    response = attempt(client, officer.username, PASSWORD)
    assert response.status_code == 302
    assert response.wsgi_request.user.is_authenticated


def test_fifth_wrong_password_locks_the_account_from_that_address(client, officer):
    statuses = fail(client, officer.username, 5)
    assert statuses == [200, 200, 200, 200, 429]
    # Now even the right password is refused, and nobody is signed in.
    response = attempt(client, officer.username, PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_page_is_translated_and_says_for_how_long(client, officer):
    with translation.override("en"):
        path = reverse("login")
    assert path == "/en/accounts/login/"
    for _ in range(5):
        response = attempt(client, officer.username, "wrong-password", path=path)
    assert response.status_code == 429
    page = response.content.decode()
    assert "Sign-in temporarily blocked" in page
    assert "entered wrongly 5 times in a row" in page
    assert "blocked for 15 minutes" in page
    assert 'class="navbar' in page  # the site's own layout, not a bare message
    assert "wrong-password" not in page


def test_lock_is_per_address_and_per_username(client, officer, officer_b):
    fail(client, officer.username, 5)
    # The same account from another computer, and another account from the same one.
    assert attempt(client, officer.username, PASSWORD, address="10.0.0.2").status_code == 302
    client.logout()
    assert attempt(client, officer_b.username, PASSWORD).status_code == 302


def test_lock_lifts_after_fifteen_minutes(client, officer):
    fail(client, officer.username, 5)
    assert attempt(client, officer.username, PASSWORD).status_code == 429
    age(minutes=16)
    assert attempt(client, officer.username, PASSWORD).status_code == 302


def test_lock_still_holds_after_fourteen_minutes(client, officer):
    fail(client, officer.username, 5)
    age(minutes=14)
    assert attempt(client, officer.username, PASSWORD).status_code == 429


def test_success_clears_the_count_of_failures(client, officer):
    fail(client, officer.username, 4)
    assert attempt(client, officer.username, PASSWORD).status_code == 302
    client.logout()
    # Four more failures after a success are not a lockout: the count started again.
    assert fail(client, officer.username, 4) == [200] * 4
    assert attempt(client, officer.username, PASSWORD).status_code == 302


def test_force_login_of_tests_is_not_affected(client, officer):
    fail(client, officer.username, 5, address="127.0.0.1")
    client.force_login(officer)
    assert client.get(reverse("home")).status_code == 302
