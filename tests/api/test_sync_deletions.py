"""The sync contract across hard deletes: restoring a register export deletes the enterprise's
rows (assessments.register_dump), and a client syncing with ``updated_since`` learns of each
deletion as a tombstone marked deleted — written in the restore's own transaction."""

import json

import pytest
from django.utils import timezone

from assessments.models import DeletedRow, DeletedRowKind
from assessments.register_dump import RegisterDumpError, register_export, register_import
from hazards.models import Hazard, HazardousEvent
from tests.factories import ControlMeasureFactory, HazardFactory, IncidentFactory, WorkplaceFactory

from .conftest import bearer

pytestmark = pytest.mark.django_db
ROWS = "/api/v1/register-rows/"


def send(client, method, url, data, headers):
    return client.generic(method, url, json.dumps(data), content_type="application/json", headers=headers)


@pytest.fixture
def register(enterprise_a):
    workplace = WorkplaceFactory(department__enterprise=enterprise_a)
    row = HazardFactory(workplace=workplace)
    ControlMeasureFactory(hazard=row)
    IncidentFactory(workplace=workplace)
    return workplace


def test_contract_through_a_restore(client, officer_a, reviewer_region, officer_b, register, enterprise_a):
    """Create → read → stale update (412) → restore the register from its export → sync with
    updated_since returns the rows of the restore as items and the deleted ones as tombstones."""
    headers = bearer(officer_a)
    created = send(
        client,
        "POST",
        ROWS,
        {
            "workplace_id": register.pk,
            "event_id": HazardousEvent.objects.get_by_natural_key("8.1").pk,
            "source": "Пресс",
        },
        headers,
    )
    assert created.status_code == 201, created.content
    row = created.json()
    tag = client.get(f"{ROWS}{row['id']}/", headers=headers)["ETag"]
    change = {"source": "Пресс гидравлический", "activity": "routine"}
    assert send(client, "PUT", f"{ROWS}{row['id']}/", change, {**headers, "If-Match": tag}).status_code == 200
    assert send(client, "PUT", f"{ROWS}{row['id']}/", change, {**headers, "If-Match": tag}).status_code == 412
    old_rows = {r["id"] for r in client.get(ROWS, headers=headers).json()["items"]}
    old_measures = {m["id"] for m in client.get("/api/v1/measures/", headers=headers).json()["items"]}
    old_workplaces = {w["id"] for w in client.get("/api/v1/workplaces/", headers=headers).json()["items"]}
    since = timezone.now()

    register_import(register_export(enterprise_a), replace=True)

    body = client.get(ROWS, {"updated_since": since.isoformat()}, headers=headers).json()
    deleted = {t["id"] for t in body["tombstones"] if t["deleted"]}
    assert deleted == old_rows
    # The restored rows are new rows: items, with the changed text kept.
    assert {item["source"] for item in body["items"]} >= {"Пресс гидравлический"}
    assert not {item["id"] for item in body["items"]} & deleted
    measures = client.get("/api/v1/measures/", {"updated_since": since.isoformat()}, headers=headers).json()
    assert {t["id"] for t in measures["tombstones"] if t["deleted"]} == old_measures
    places = client.get("/api/v1/workplaces/", {"updated_since": since.isoformat()}, headers=headers).json()
    assert {t["id"] for t in places["tombstones"] if t["deleted"]} == old_workplaces
    assert DeletedRow.objects.filter(kind=DeletedRowKind.INCIDENT).count() == 1
    # Seen by whoever sees the enterprise, nobody else; and not again after the moment passed.
    reviewer = client.get(ROWS, {"updated_since": since.isoformat()}, headers=bearer(reviewer_region)).json()
    assert {t["id"] for t in reviewer["tombstones"]} == deleted
    assert (
        client.get(ROWS, {"updated_since": since.isoformat()}, headers=bearer(officer_b)).json()["tombstones"]
        == []
    )
    later = client.get(ROWS, {"updated_since": timezone.now().isoformat()}, headers=headers).json()
    assert later["tombstones"] == []


def _pull(client, headers, since, limit):
    """Every page of an updated_since pull: (pages, items, deleted ids)."""
    pages, items, deleted, cursor = [], [], [], None
    while True:
        query = {"updated_since": since.isoformat(), "limit": limit, **({"cursor": cursor} if cursor else {})}
        page = client.get(ROWS, query, headers=headers).json()
        pages.append(page)
        items += [row["id"] for row in page["items"]]
        deleted += [t["id"] for t in page["tombstones"] if t["deleted"]]
        if not (cursor := page["next_cursor"]):
            return pages, items, deleted


@pytest.mark.parametrize("limit", [2, 3, 5, 100])
def test_deletions_are_paged_after_the_changed_rows_once_each(
    client, officer_a, register, enterprise_a, limit
):
    HazardFactory.create_batch(4, workplace=register)
    old = set(Hazard.objects.filter(workplace__enterprise=enterprise_a).values_list("pk", flat=True))
    since = timezone.now()
    register_import(register_export(enterprise_a), replace=True)

    pages, items, deleted = _pull(client, bearer(officer_a), since, limit)

    # The restored rows (new ids, the export's times of change) first, then the deletions: each
    # once, no page over its limit, and a page of deletions only once the rows are done.
    assert len(items) == len(set(items)) == 5
    assert sorted(deleted) == sorted(old) and len(deleted) == 5
    assert all(len(p["items"]) + len(p["tombstones"]) <= limit for p in pages)
    assert len(pages) == -(-10 // limit)
    first_deletion = next(n for n, p in enumerate(pages) if p["tombstones"])
    assert not any(p["items"] for p in pages[first_deletion + 1 :])


def test_a_deletions_cursor_is_refused_elsewhere(client, officer_a, register, enterprise_a):
    HazardFactory.create_batch(2, workplace=register)
    since = timezone.now()
    register_import(register_export(enterprise_a), replace=True)
    headers = bearer(officer_a)
    first = client.get(ROWS, {"updated_since": since.isoformat(), "limit": 4}, headers=headers).json()
    cursor = first["next_cursor"]
    assert cursor
    # Without updated_since, or on a list with no deletions, it is a cursor of another ordering.
    assert client.get(ROWS, {"cursor": cursor}, headers=headers).status_code == 400
    regions = client.get(
        "/api/v1/regions/", {"updated_since": since.isoformat(), "cursor": cursor}, headers=headers
    )
    assert regions.status_code == 400


def test_a_failed_restore_leaves_no_tombstones(register, enterprise_a):
    document = register_export(enterprise_a)
    document["hazards"][0]["event"] = "99.99"  # a catalogue code that does not exist
    with pytest.raises(RegisterDumpError):
        register_import(document, replace=True)
    assert not DeletedRow.objects.exists()


def test_a_restore_tombstones_the_enterprise_own_catalogue_entries(
    client, officer_a, officer_b, register, enterprise_a
):
    from hazards.models import HazardGroup
    from hazards.services import own_event_add

    event = own_event_add(
        enterprise=enterprise_a,
        group=HazardGroup.objects.order_by("number").first(),
        event_name_ru="Падение кристалла соли с кровли",
        hazard_name_ru="Отслоение кровли выработки",
    )
    HazardFactory(workplace=register, event=event)
    since = timezone.now()

    register_import(register_export(enterprise_a), replace=True)

    changes = {"updated_since": since.isoformat()}
    events = client.get("/api/v1/catalogue/events/", changes, headers=bearer(officer_a)).json()
    hazards = client.get("/api/v1/catalogue/hazards/", changes, headers=bearer(officer_a)).json()
    # The old entries are gone (tombstones marked deleted); the restore's copies are new items.
    assert [t["id"] for t in events["tombstones"] if t["deleted"]] == [event.pk]
    assert [t["id"] for t in hazards["tombstones"] if t["deleted"]] == [event.hazard_type_id]
    restored = HazardousEvent.objects.get(enterprise=enterprise_a, code=event.code)
    assert restored.pk != event.pk
    assert restored.pk in {item["id"] for item in events["items"]}
    assert restored.hazard_type_id in {item["id"] for item in hazards["items"]}
    # Another enterprise's program learns nothing of them.
    other = client.get("/api/v1/catalogue/events/", changes, headers=bearer(officer_b)).json()
    assert other["tombstones"] == []
