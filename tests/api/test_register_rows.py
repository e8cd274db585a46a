"""Register rows over the API: scoping, the register's filters, keyset pages, a constant number
of queries per page, ETag / If-None-Match, creates and updates through hazards.services with
If-Match (412 on a stale write), the bulk create, and problem+json errors."""

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hazards.models import Hazard, HazardousEvent, HazardStatus
from tests.factories import HazardFactory, WorkplaceFactory

from .conftest import bearer

pytestmark = pytest.mark.django_db
ROWS = "/api/v1/register-rows/"


def put(client, url, data, **headers):
    return client.put(url, json.dumps(data), content_type="application/json", headers=headers)


def post(client, url, data, **headers):
    return client.post(url, json.dumps(data), content_type="application/json", headers=headers)


@pytest.fixture
def workplace(enterprise_a):
    return WorkplaceFactory(department__enterprise=enterprise_a)


@pytest.fixture
def event():
    return HazardousEvent.objects.get_by_natural_key("8.1")


def new_row(workplace, event, **more):
    return {"workplace_id": workplace.pk, "event_id": event.pk, "source": "Конвейер", **more}


def test_list_is_scoped_and_filtered(client, officer_a, reviewer_other_region, workplace, enterprise_b):
    mine = HazardFactory(workplace=workplace, risk_level=4)
    HazardFactory(workplace=workplace, risk_level=2)
    HazardFactory(workplace=workplace, status=HazardStatus.ELIMINATED)
    HazardFactory(workplace=WorkplaceFactory(department__enterprise=enterprise_b))
    body = client.get(ROWS, headers=bearer(officer_a)).json()
    assert len(body["items"]) == 2  # active rows of A only (the register's default)
    assert {row["enterprise_id"] for row in body["items"]} == {workplace.enterprise_id}
    body = client.get(ROWS, {"level": "4"}, headers=bearer(officer_a)).json()
    assert [row["id"] for row in body["items"]] == [mine.pk]
    body = client.get(ROWS, {"status": "all"}, headers=bearer(officer_a)).json()
    assert len(body["items"]) == 3
    assert client.get(ROWS, headers=bearer(reviewer_other_region)).json()["items"] == []


def test_keyset_pages_cover_every_row_once(client, officer_a, workplace):
    rows = [HazardFactory(workplace=workplace) for _ in range(7)]
    seen, cursor = [], None
    while True:
        query = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        body = client.get(ROWS, query, headers=bearer(officer_a)).json()
        seen += [row["id"] for row in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert seen == sorted(row.pk for row in rows)
    bad = client.get(ROWS, {"cursor": "not-a-cursor"}, headers=bearer(officer_a))
    assert bad.status_code == 400
    assert bad["Content-Type"] == "application/problem+json"


def _queries(client, headers, limit) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(ROWS, {"limit": limit}, headers=headers)
    assert response.status_code == 200
    assert len(response.json()["items"]) == limit
    return len(queries)


def test_queries_do_not_grow_with_the_page(client, officer_a, workplace, event):
    Hazard.objects.bulk_create(
        Hazard(enterprise=workplace.enterprise, workplace=workplace, event=event, source=f"Источник {n}")
        for n in range(500)
    )
    headers = bearer(officer_a)
    _queries(client, headers, 5)  # the first use of a token writes its last use
    assert _queries(client, headers, 5) == _queries(client, headers, 500)


def test_detail_etag_and_not_modified(client, officer_a, officer_b, workplace):
    row = HazardFactory(workplace=workplace)
    headers = bearer(officer_a)
    response = client.get(f"{ROWS}{row.pk}/", headers=headers)
    assert response.status_code == 200
    tag = response["ETag"]
    assert response.json()["version"] == tag.strip('"')
    assert client.get(f"{ROWS}{row.pk}/", headers={**headers, "If-None-Match": tag}).status_code == 304
    row.source = "Другой"
    row.save()
    assert client.get(f"{ROWS}{row.pk}/", headers={**headers, "If-None-Match": tag}).status_code == 200
    assert client.get(f"{ROWS}{row.pk}/", headers=bearer(officer_b)).status_code == 404


def test_create_through_the_service(client, officer_a, workplace, event):
    response = post(client, ROWS, new_row(workplace, event, exposed_count=3), **bearer(officer_a))
    assert response.status_code == 201, response.content
    row = Hazard.objects.get(pk=response.json()["id"])
    assert (row.enterprise_id, row.identified_by, row.exposed_count) == (
        workplace.enterprise_id,
        officer_a,
        3,
    )
    assert row.history.count() == 1
    assert response["ETag"] == f'"{response.json()["version"]}"'


def test_create_refusals(client, officer_a, officer_b, reviewer_region, workplace, event):
    # Another enterprise's workplace: 404, as on the pages.
    assert post(client, ROWS, new_row(workplace, event), **bearer(officer_b)).status_code == 404
    # A reviewer sees the workplace but may not write.
    assert post(client, ROWS, new_row(workplace, event), **bearer(reviewer_region)).status_code == 403
    response = post(client, ROWS, {"workplace_id": workplace.pk, "event_id": event.pk}, **bearer(officer_a))
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "source", "message": "Обязательное поле."}] or (
        response.json()["errors"][0]["field"] == "source"
    )
    response = post(client, ROWS, new_row(workplace, event, exposed_count="много"), **bearer(officer_a))
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["exposed_count"]
    response = post(client, ROWS, new_row(workplace, event, event_id=10**9), **bearer(officer_a))
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["event_id"]
    assert Hazard.objects.count() == 0


def test_update_needs_if_match_and_refuses_a_stale_version(client, officer_a, workplace):
    row = HazardFactory(workplace=workplace)
    headers = bearer(officer_a)
    url = f"{ROWS}{row.pk}/"
    tag = client.get(url, headers=headers)["ETag"]
    change = {"source": "Новый источник", "activity": "routine", "exposed_count": 2}
    assert put(client, url, change, **headers).status_code == 428
    response = put(client, url, change, **headers, **{"If-Match": tag})
    assert response.status_code == 200, response.content
    assert response.json()["source"] == "Новый источник"
    assert response["ETag"] != tag
    # The same old version again: someone (we) changed the row since.
    stale = put(client, url, {**change, "source": "Третий"}, **headers, **{"If-Match": tag})
    assert stale.status_code == 412
    assert stale["Content-Type"] == "application/problem+json"
    row.refresh_from_db()
    assert row.source == "Новый источник"


def test_bulk_create_is_all_or_nothing(client, officer_a, workplace, event):
    rows = [new_row(workplace, event, source=f"Источник {n}") for n in range(3)]
    bad = [*rows, new_row(workplace, event, source="x", exposed_count=-1)]
    response = post(client, f"{ROWS}bulk/", {"rows": bad}, **bearer(officer_a))
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["rows.3.exposed_count"]
    archived = WorkplaceFactory(department__enterprise=workplace.enterprise, archived_at=timezone.now())
    refused = post(client, f"{ROWS}bulk/", {"rows": [*rows, new_row(archived, event)]}, **bearer(officer_a))
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "rows.3"
    assert Hazard.objects.count() == 0
    too_many = post(client, f"{ROWS}bulk/", {"rows": rows * 34}, **bearer(officer_a))
    assert too_many.status_code == 422
    response = post(client, f"{ROWS}bulk/", {"rows": rows}, **bearer(officer_a))
    assert response.status_code == 201
    assert len(response.json()["items"]) == 3 == Hazard.objects.count()


def test_errors_speak_the_callers_language(client, officer_a):
    officer_a.language = "en"
    officer_a.save()
    headers = bearer(officer_a)
    assert client.get(f"{ROWS}999999/", headers=headers).json()["title"] == "Not found"
    russian = client.get(f"{ROWS}999999/", headers={**headers, "Accept-Language": "ru-RU,ru;q=0.9"})
    assert russian.json()["title"] == "Не найдено"
    assert client.get(ROWS, headers={"Accept-Language": "en"}).json()["title"] == "Authentication required"


def test_throttle_answers_429_with_retry_after(client, officer_a, settings):
    settings.API_THROTTLE_RATE = "3/min"
    headers = bearer(officer_a)
    statuses = [client.get(ROWS, headers=headers).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = client.get(ROWS, headers=headers)
    assert response["Content-Type"] == "application/problem+json"
    assert 1 <= int(response["Retry-After"]) <= 60
    # Another token of the same user counts apart.
    assert client.get(ROWS, headers=bearer(officer_a)).status_code == 200


def test_body_limit_answers_problem_json(client, officer_a, settings):
    settings.REQUEST_MAX_BYTES = 100
    response = client.post(ROWS, "x" * 200, content_type="application/json", headers=bearer(officer_a))
    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 413


def test_sync_contract(client, officer_a, workplace, event):
    """Create → read → update with a stale version (412) → updated_since returns the change and
    a tombstone for the archived row."""
    headers = bearer(officer_a)
    keep = post(client, ROWS, new_row(workplace, event, source="Остаётся"), **headers).json()
    gone = post(client, ROWS, new_row(workplace, event, source="Уйдёт"), **headers).json()
    since = timezone.now()
    read = client.get(f"{ROWS}{keep['id']}/", headers=headers)
    tag = read["ETag"]
    change = {"source": "Изменён", "activity": "routine"}
    assert put(client, f"{ROWS}{keep['id']}/", change, **headers, **{"If-Match": tag}).status_code == 200
    assert put(client, f"{ROWS}{keep['id']}/", change, **headers, **{"If-Match": tag}).status_code == 412
    gone_tag = client.get(f"{ROWS}{gone['id']}/", headers=headers)["ETag"]
    archived = post(
        client, f"{ROWS}{gone['id']}/status/", {"status": "archived"}, **headers, **{"If-Match": gone_tag}
    )
    assert archived.status_code == 200
    body = client.get(ROWS, {"updated_since": since.isoformat()}, headers=headers).json()
    assert [(row["id"], row["source"]) for row in body["items"]] == [(keep["id"], "Изменён")]
    assert [t["id"] for t in body["tombstones"]] == [gone["id"]]
    assert datetime.datetime.fromisoformat(body["tombstones"][0]["archived_at"]) > since
    later = client.get(ROWS, {"updated_since": timezone.now().isoformat()}, headers=headers).json()
    assert later == {"items": [], "tombstones": [], "next_cursor": None}
