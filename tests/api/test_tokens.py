"""Personal API tokens: created and named on the settings page, shown once, stored hashed,
listed with their last use, revoked; and what the API makes of them."""

import datetime
import hashlib

import pytest
from django.urls import reverse
from django.utils import timezone

from api.models import ApiToken
from api.services import token_create, token_revoke
from tests.submission import rendered_key, with_key

pytestmark = pytest.mark.django_db
ME = "/api/v1/regions/"


def test_settings_page_links_to_tokens(client, officer_a):
    client.force_login(officer_a)
    page = client.get(reverse("enterprises:preferences")).content.decode()
    assert reverse("api_tokens:list") in page


def test_token_created_shown_once_and_stored_hashed(client, officer_a):
    client.force_login(officer_a)
    key = rendered_key(client.get(reverse("api_tokens:list")))
    response = client.post(reverse("api_tokens:list"), {"name": "Обмен с 1С", "submission": key}, follow=True)
    assert response.redirect_chain == [(reverse("api_tokens:list"), 302)]
    secret = response.context["secret"]
    assert secret.startswith("rp_") and secret in response.content.decode()
    token = ApiToken.objects.get(user=officer_a)
    assert token.name == "Обмен с 1С"
    assert token.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(ApiToken.objects.filter(pk=token.pk).values().get())
    # The same form posted again (a reload) creates nothing and shows no secret.
    again = client.post(reverse("api_tokens:list"), {"name": "Обмен с 1С", "submission": key}, follow=True)
    assert ApiToken.objects.count() == 1
    assert secret not in again.content.decode()
    # Shown once: the list shows the prefix only from then on.
    page = client.get(reverse("api_tokens:list")).content.decode()
    assert token.prefix in page and secret not in page


def test_blank_and_duplicate_names_refused(client, officer_a):
    client.force_login(officer_a)
    token_create(user=officer_a, name="1С")
    for name in ("   ", "1С"):
        response = client.post(reverse("api_tokens:list"), with_key(name=name))
        assert response.status_code == 200
        assert response.context["form"].errors
    assert ApiToken.objects.count() == 1


def test_revoke_own_token_only(client, officer_a, officer_b):
    token, secret = token_create(user=officer_a, name="1С")
    client.force_login(officer_b)
    assert client.post(reverse("api_tokens:revoke", args=[token.pk])).status_code == 404
    client.force_login(officer_a)
    assert client.post(reverse("api_tokens:revoke", args=[token.pk])).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    client.logout()
    assert client.get(ME, headers={"Authorization": f"Bearer {secret}"}).status_code == 401


def test_bearer_token_authenticates_and_notes_last_use_once_a_minute(client, officer_a):
    token, secret = token_create(user=officer_a, name="1С")
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get(ME, headers=headers).status_code == 200
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    client.get(ME, headers=headers)
    token.refresh_from_db()
    assert token.last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - datetime.timedelta(minutes=2))
    client.get(ME, headers=headers)
    token.refresh_from_db()
    assert token.last_used_at > first - datetime.timedelta(seconds=1)


@pytest.mark.parametrize("header", ["Bearer rp_unknown", "Bearer ", "Basic abc", "Bearer x" * 100])
def test_bad_credentials_get_401_problem(client, header):
    response = client.get(ME, headers={"Authorization": header})
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"] == "Bearer"
    assert response.json()["status"] == 401


def test_inactive_users_token_refused(client, officer_a):
    _token, secret = token_create(user=officer_a, name="1С")
    officer_a.is_active = False
    officer_a.save()
    assert client.get(ME, headers={"Authorization": f"Bearer {secret}"}).status_code == 401


def test_session_works_for_reads_and_needs_csrf_for_writes(officer_a):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(officer_a)
    assert client.get(ME).status_code == 200
    response = client.post("/api/v1/register-rows/", {}, content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_revoke_service_keeps_first_time(officer_a):
    token, _secret = token_create(user=officer_a, name="1С")
    token_revoke(token=token)
    first = token.revoked_at
    token_revoke(token=token)
    assert token.revoked_at == first <= timezone.now()
