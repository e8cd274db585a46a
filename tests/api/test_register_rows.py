"""Register rows over the API: scoping, the register's filters, keyset pages, a constant number
of queries per page, ETag / If-None-Match, creates and updates through hazards.services with
If-Match (412 on a stale write), the bulk create, and problem+json errors."""

import datetime
import json

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hazards.filters import SORTS
from hazards.models import Hazard, HazardousEvent, HazardStatus
from tests.factories import ControlMeasureFactory, HazardFactory, WorkplaceFactory

from .conftest import assess, bearer

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
    # The rows' search texts were written together at the end, each with its own words.
    found = client.get(ROWS, {"q": "Источник 2"}, headers=bearer(officer_a)).json()["items"]
    assert [row["source"] for row in found] == ["Источник 2"]


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
    # Counters live in Redis and are keyed by the token's id, which a new test database reuses.
    cache.clear()
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


# --- The register page's filters and sorts -----------------------------------------------------

REGISTER_SORTS = ["workplace", "event", "-level", "level", "next_review"]


@pytest.fixture
def varied_rows(enterprise_a, django_capture_on_commit_callbacks):
    """Rows at workplaces numbered out of natural order, with levels and review dates (some
    missing) that tie, so that every sort has ties for the id to break."""
    today = timezone.localdate()
    events = [HazardousEvent.objects.get_by_natural_key(code) for code in ("8.1", "13.2", "1.1")]
    places = [WorkplaceFactory(department__enterprise=enterprise_a, number=n) for n in ("10", "2А", "1", "2")]
    rows = []
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(14):
            rows.append(
                HazardFactory(
                    workplace=places[n % 4],
                    event=events[n % 3],
                    risk_level=[None, 3, 5, 3, 1][n % 5],
                    next_review_on=None if n % 4 == 0 else today + datetime.timedelta(days=n % 3),
                    source="Дробилка щековая" if n == 5 else f"Источник {n}",
                )
            )
    return rows


def _pages(client, headers, query: dict, limit: int) -> list[int]:
    seen, cursor = [], None
    while True:
        body = client.get(
            ROWS, {**query, "limit": limit, **({"cursor": cursor} if cursor else {})}, headers=headers
        )
        assert body.status_code == 200, body.content
        seen += [row["id"] for row in body.json()["items"]]
        cursor = body.json()["next_cursor"]
        if not cursor:
            return seen


@pytest.mark.parametrize("ordering", [*REGISTER_SORTS, "-id", "-updated_at"])
def test_each_ordering_pages_in_the_registers_order(client, officer_a, varied_rows, ordering):
    headers = bearer(officer_a)
    paged = _pages(client, headers, {"ordering": ordering}, limit=3)
    assert sorted(paged) == sorted(row.pk for row in varied_rows)  # every row once
    if ordering in REGISTER_SORTS:
        # The order of the register page itself (hazards.filters.SORTS).
        expected = list(Hazard.objects.order_by(*SORTS[ordering][1]).values_list("pk", flat=True))
        assert paged == expected
    else:
        assert paged == _pages(client, headers, {"ordering": ordering}, limit=500)


def test_a_cursor_of_another_ordering_is_refused(client, officer_a, varied_rows):
    headers = bearer(officer_a)
    cursor = client.get(ROWS, {"ordering": "level", "limit": 2}, headers=headers).json()["next_cursor"]
    refused = client.get(ROWS, {"ordering": "next_review", "cursor": cursor}, headers=headers)
    assert refused.status_code == 400
    assert refused["Content-Type"] == "application/problem+json"


def test_register_filters(client, officer_a, varied_rows, enterprise_a):
    headers = bearer(officer_a)

    def ids(**query):
        response = client.get(ROWS, {"limit": 500, **query}, headers=headers)
        assert response.status_code == 200, response.content
        return sorted(row["id"] for row in response.json()["items"])

    # A unit with its sub-units.
    parent = varied_rows[0].workplace.department
    child = WorkplaceFactory(department__enterprise=enterprise_a, department__parent=parent)
    nested = HazardFactory(workplace=child)
    assert ids(department=parent.pk) == sorted([*(r.pk for r in varied_rows[::4]), nested.pk])
    assert ids(department=10**9) == []
    # Measures: overdue ones, and by state.
    late = ControlMeasureFactory(
        hazard=varied_rows[1], due_date=timezone.localdate() - datetime.timedelta(days=1)
    )
    ControlMeasureFactory(hazard=varied_rows[2], status="done", done_on=timezone.localdate())
    assert ids(overdue=True) == [late.hazard_id]
    assert ids(measure_status="done") == [varied_rows[2].pk]
    assert len(ids(measure_status="none")) == len(varied_rows) + 1 - 2
    # The register's search (stems and prefixes).
    assert ids(q="дробилк") == [varied_rows[5].pk]
    unrated = [r.pk for r in varied_rows if r.risk_level is None]
    assert ids(level="none") == sorted([*unrated, nested.pk])


def test_approval_filter(client, officer_a, varied_rows):
    headers = bearer(officer_a)
    row = varied_rows[0]
    rated = assess(client, row, headers)
    assert rated.status_code == 201, rated.content
    state = "approved" if rated.json()["status"] == "approved" else "waiting"
    found = client.get(ROWS, {"approval": state}, headers=headers).json()["items"]
    assert [r["id"] for r in found] == [row.pk]
    rest = client.get(ROWS, {"approval": "none", "limit": 500}, headers=headers).json()["items"]
    assert row.pk not in {r["id"] for r in rest} and len(rest) == len(varied_rows) - 1


def test_fields_selection(client, officer_a, varied_rows):
    headers = bearer(officer_a)
    body = client.get(ROWS, {"fields": "risk_level,version", "limit": 2}, headers=headers).json()
    assert [set(item) for item in body["items"]] == [{"id", "risk_level", "version"}] * 2
    refused = client.get(ROWS, {"fields": "risk_level,password"}, headers=headers)
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["fields"]


@pytest.mark.parametrize(
    "query",
    [
        {"ordering": "workplace"},
        {"ordering": "-level", "measure_status": "none", "department": 1},
        {"ordering": "next_review", "approval": "none", "measure_status": "none"},
        {"ordering": "event", "fields": "id,workplace_number,event_code"},
    ],
)
def test_queries_do_not_grow_with_the_page_for_each_sort(client, officer_a, workplace, event, query):
    Hazard.objects.bulk_create(
        Hazard(enterprise=workplace.enterprise, workplace=workplace, event=event, source=f"Источник {n}")
        for n in range(500)
    )
    if "department" in query:
        query = {**query, "department": workplace.department_id}
    headers = bearer(officer_a)
    client.get(ROWS, headers=headers)  # the first use of a token writes its last use
    counts = []
    for limit in (5, 500):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(ROWS, {**query, "limit": limit}, headers=headers)
        assert response.status_code == 200, response.content
        assert len(response.json()["items"]) == limit
        counts.append(len(queries))
    assert counts[0] == counts[1]
