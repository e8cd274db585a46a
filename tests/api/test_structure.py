"""Units, workplaces with their SOUT data, workers (personal data) and the 776n catalogue."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from enterprises.models import SoutFactorClass, Worker
from hazards.models import HazardousEvent, HazardType
from tests.factories import WorkplaceFactory

from .conftest import bearer

pytestmark = pytest.mark.django_db


@pytest.fixture
def workplace(enterprise_a):
    workplace = WorkplaceFactory(department__enterprise=enterprise_a, sout_class="3.2")
    SoutFactorClass.objects.create(workplace=workplace, factor="noise", sout_class="3.2")
    Worker.objects.create(
        enterprise=enterprise_a,
        workplace=workplace,
        surname="Иванов",
        first_name="Иван",
        personnel_number="17",
    )
    return workplace


def test_workplaces_carry_sout_data_and_are_scoped(client, officer_a, officer_b, workplace):
    body = client.get("/api/v1/workplaces/", headers=bearer(officer_a)).json()
    assert [(w["id"], w["sout_class"], w["sout_factors"]) for w in body["items"]] == [
        (workplace.pk, "3.2", [{"factor": "noise", "sout_class": "3.2"}])
    ]
    assert client.get("/api/v1/workplaces/", headers=bearer(officer_b)).json()["items"] == []
    detail = client.get(f"/api/v1/workplaces/{workplace.pk}/", headers=bearer(officer_a))
    assert detail.status_code == 200
    tag = detail["ETag"]
    again = client.get(
        f"/api/v1/workplaces/{workplace.pk}/", headers={**bearer(officer_a), "If-None-Match": tag}
    )
    assert again.status_code == 304


def test_workplace_queries_do_not_grow(client, officer_a, enterprise_a):
    headers = bearer(officer_a)
    workplaces = [WorkplaceFactory(department__enterprise=enterprise_a) for _ in range(6)]
    for workplace in workplaces:
        SoutFactorClass.objects.create(workplace=workplace, factor="noise", sout_class="2")
    counts = []
    for limit in (1, 6):
        with CaptureQueriesContext(connection) as queries:
            assert (
                len(client.get("/api/v1/workplaces/", {"limit": limit}, headers=headers).json()["items"])
                == limit
            )
        counts.append(len(queries))
    # The first request also notes the token's first use.
    assert counts[1] <= counts[0]


def test_workers_only_for_the_enterprises_officers_and_managers(client, officer_a, manager_a, workplace):
    url = f"/api/v1/workplaces/{workplace.pk}/workers/"
    for user in (officer_a, manager_a):
        body = client.get(url, headers=bearer(user)).json()
        assert [(w["surname"], w["personnel_number"]) for w in body["items"]] == [("Иванов", "17")]


def test_workers_are_paged_and_a_leaver_syncs_as_an_item(client, officer_a, workplace):
    from enterprises.workers import worker_end

    for number in range(18, 21):
        Worker.objects.create(
            enterprise=workplace.enterprise,
            workplace=workplace,
            surname="Петров",
            first_name="Пётр",
            personnel_number=str(number),
        )
    url = f"/api/v1/workplaces/{workplace.pk}/workers/"
    headers = bearer(officer_a)
    seen, cursor = [], None
    while True:
        body = client.get(url, {"limit": 3, **({"cursor": cursor} if cursor else {})}, headers=headers).json()
        seen += [w["personnel_number"] for w in body["items"]]
        if not (cursor := body["next_cursor"]):
            break
    assert seen == ["17", "18", "19", "20"]

    since = timezone.now()
    ivanov = Worker.objects.get(personnel_number="17")
    worker_end(worker=ivanov, employed_to=timezone.localdate())
    body = client.get(url, {"updated_since": since.isoformat()}, headers=headers).json()
    assert [(w["id"], w["employed_to"]) for w in body["items"]] == [
        (ivanov.pk, timezone.localdate().isoformat())
    ]
    assert body["tombstones"] == []


def test_regions_sync_their_changes(client, officer_a):
    from enterprises.models import Region
    from tests.factories import RegionFactory

    for code in ("02", "47", "56"):
        RegionFactory(code=code)
    headers = bearer(officer_a)
    everything = client.get("/api/v1/regions/", headers=headers).json()
    assert len(everything["items"]) == Region.objects.count() >= 3
    since = timezone.now()
    region = Region.objects.get(code="56")
    region.name_en = "Orenburg Oblast"
    region.save()
    body = client.get("/api/v1/regions/", {"updated_since": since.isoformat()}, headers=headers).json()
    assert [r["code"] for r in body["items"]] == ["56"]
    assert body["tombstones"] == []


def test_archived_workplace_is_a_tombstone_since(client, officer_a, workplace):
    since = timezone.now()
    workplace.archived_at = timezone.now()
    workplace.save()
    body = client.get(
        "/api/v1/workplaces/", {"updated_since": since.isoformat()}, headers=bearer(officer_a)
    ).json()
    assert body["items"] == []
    assert [t["id"] for t in body["tombstones"]] == [workplace.pk]
    assert client.get("/api/v1/workplaces/", headers=bearer(officer_a)).json()["items"] == []


def test_units_scoped(client, officer_a, officer_b, workplace):
    body = client.get("/api/v1/units/", headers=bearer(officer_a)).json()
    assert [u["id"] for u in body["items"]] == [workplace.department_id]
    assert (
        client.get(f"/api/v1/units/{workplace.department_id}/", headers=bearer(officer_b)).status_code == 404
    )


def test_catalogue_with_own_events_of_visible_enterprises_only(client, officer_a, officer_b, enterprise_a):
    hazard = HazardType.objects.catalogue().first()
    HazardousEvent.objects.create(
        code="1.99", hazard_type=hazard, name_ru="Своё событие", enterprise=enterprise_a
    )
    events = client.get("/api/v1/catalogue/events/", {"limit": 500}, headers=bearer(officer_a)).json()[
        "items"
    ]
    assert "1.99" in {e["code"] for e in events}
    assert len(events) == HazardousEvent.objects.count()
    others = client.get("/api/v1/catalogue/events/", {"limit": 500}, headers=bearer(officer_b)).json()[
        "items"
    ]
    assert "1.99" not in {e["code"] for e in others}
    groups = client.get("/api/v1/catalogue/groups/", headers=bearer(officer_a)).json()["items"]
    assert len(groups) == 28
    measures = client.get("/api/v1/catalogue/model-measures/", {"limit": 5}, headers=bearer(officer_a)).json()
    assert len(measures["items"]) == 5 and measures["next_cursor"]
