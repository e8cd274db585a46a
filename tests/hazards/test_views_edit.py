"""Editing a register row and setting its status; rows are never deleted."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from hazards.models import Hazard
from hazards.services import version_token
from tests.factories import HazardFactory, WorkplaceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def row_a(enterprise_a):
    return HazardFactory(workplace=WorkplaceFactory(department__enterprise=enterprise_a), source="Конвейер")


def changed(row, **more) -> dict:
    """CHANGED with the row's current version token, as its edit page carries it."""
    return {**CHANGED, "version": version_token(row.updated_at), **more}


def url(name, row):
    with translation.override("en"):
        return reverse(name, args=[row.pk])


CHANGED = {
    "source": "Скребковый конвейер",
    "activity": "non_routine",
    "object_description": "Лава № 3",
    "existing_controls": "Аварийный трос",
    "exposed_description": "Машинисты и слесари",
    "exposed_count": "5",
    "next_review_on": "2027-02-01",
}


def test_edit_saves_the_description_and_keeps_the_event(client, officer_a, row_a):
    client.force_login(officer_a)
    assert client.get(url("hazards:edit", row_a)).status_code == 200
    response = client.post(url("hazards:edit", row_a), changed(row_a, event="999"))
    assert response.status_code == 302
    assert response["Location"] == url("assessments:hazard", row_a)
    row_a.refresh_from_db()
    assert (row_a.source, row_a.activity, row_a.exposed_count, row_a.event.code) == (
        "Скребковый конвейер",
        "non_routine",
        5,
        "8.1",
    )
    last = row_a.history.latest()
    assert (last.history_type, last.history_user, last.prev_record.source) == ("~", officer_a, "Конвейер")


def test_saving_unchanged_data_adds_no_history(client, officer_a, row_a):
    client.force_login(officer_a)
    client.post(url("hazards:edit", row_a), changed(row_a))
    before = row_a.history.count()
    row_a.refresh_from_db()
    assert client.post(url("hazards:edit", row_a), changed(row_a)).status_code == 302
    assert row_a.history.count() == before


def test_bad_input_is_shown_beside_the_field_and_changes_nothing(client, officer_a, row_a):
    client.force_login(officer_a)
    response = client.post(url("hazards:edit", row_a), changed(row_a, source="", exposed_count="x"))
    assert response.status_code == 200
    assert {"source", "exposed_count"} <= set(response.context["form"].errors)
    row_a.refresh_from_db()
    assert row_a.source == "Конвейер"


@pytest.mark.parametrize("status", ["eliminated", "archived", "active"])
def test_status_is_set_never_deleted(client, officer_a, row_a, status):
    client.force_login(officer_a)
    response = client.post(url("hazards:set_status", row_a), {"status": status})
    assert response.status_code == 302
    row_a.refresh_from_db()
    assert row_a.status == status
    assert Hazard.objects.filter(pk=row_a.pk).exists()


def test_unknown_status_changes_nothing(client, officer_a, row_a):
    client.force_login(officer_a)
    client.post(url("hazards:set_status", row_a), {"status": "deleted"})
    row_a.refresh_from_db()
    assert row_a.status == "active"


def test_status_change_is_post_only(client, officer_a, row_a):
    client.force_login(officer_a)
    assert client.get(url("hazards:set_status", row_a), {"status": "archived"}).status_code == 405


def test_writes_need_the_csrf_token(officer_a, row_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer_a)
    assert client.post(url("hazards:set_status", row_a), {"status": "archived"}).status_code == 403
    assert client.post(url("hazards:edit", row_a), changed(row_a)).status_code == 403
    row_a.refresh_from_db()
    assert (row_a.status, row_a.source) == ("active", "Конвейер")


@pytest.mark.parametrize(
    ("persona", "status_code"), [("reviewer_region", 403), ("federal", 403), ("officer_b", 404)]
)
def test_others_cannot_edit(client, request, row_a, persona, status_code):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(url("hazards:edit", row_a)).status_code == status_code
    assert client.post(url("hazards:edit", row_a), changed(row_a)).status_code == status_code
    assert client.post(url("hazards:set_status", row_a), {"status": "archived"}).status_code == status_code
    row_a.refresh_from_db()
    assert (row_a.status, row_a.source) == ("active", "Конвейер")


def test_manager_may_edit(client, manager_a, row_a):
    client.force_login(manager_a)
    assert client.post(url("hazards:edit", row_a), changed(row_a)).status_code == 302
