"""Measures over the API: planned, changed, started, cancelled and done with evidence through
assessments.services, with the pages' rules, If-Match (412 on a stale write) and evidence
downloaded through an access check."""

import datetime
import json

import pytest
from django.utils import timezone

from assessments.models import ControlMeasure, MeasureNotice, MeasureStatus
from hazards.models import HazardStatus
from tests.assessments.test_risk_support import png_bytes, upload
from tests.factories import (
    ControlMeasureFactory,
    EnterpriseFactory,
    HazardFactory,
    UserFactory,
    WorkplaceFactory,
)

from .conftest import bearer

pytest_plugins = ["tests.assessments.test_risk_support"]
pytestmark = pytest.mark.django_db
URL = "/api/v1/measures/"


def send(client, method, url, data, headers):
    return client.generic(method, url, json.dumps(data), content_type="application/json", headers=headers)


@pytest.fixture
def row(enterprise_a):
    return HazardFactory(workplace=WorkplaceFactory(department__enterprise=enterprise_a))


def plan(row, **more):
    due = (timezone.localdate() + datetime.timedelta(days=10)).isoformat()
    return {
        "hazard_id": row.pk,
        "control_level": "engineering",
        "description": "Ограждение",
        "responsible": "Мастер",
        "due_date": due,
        **more,
    }


def test_plan_through_the_service_with_the_forms_rules(client, officer_a, row):
    headers = bearer(officer_a)
    response = send(client, "POST", URL, plan(row), headers)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["responsible"], body["evidence"]) == ("planned", "Мастер", [])
    assert response["ETag"] == f'"{body["version"]}"'
    # The page's rules: a due date or a periodicity, never in the past; a user or a name, not both.
    past = send(client, "POST", URL, plan(row, due_date="2000-01-01"), headers)
    assert past.status_code == 422
    assert [e["field"] for e in past.json()["errors"]] == ["due_date"]
    assert past.json()["errors"][0]["message"] == "Срок выполнения новой меры не может быть в прошлом."
    neither = send(client, "POST", URL, plan(row, due_date=None), headers)
    assert [e["field"] for e in neither.json()["errors"]] == ["due_date"]
    colleague = UserFactory(enterprise=row.enterprise, email="mechanic@example.ru")
    both = send(client, "POST", URL, plan(row, assignee_id=colleague.pk), headers)
    assert [e["field"] for e in both.json()["errors"]] == ["responsible"]
    stranger = UserFactory(enterprise=EnterpriseFactory())
    foreign = send(client, "POST", URL, plan(row, responsible="", assignee_id=stranger.pk), headers)
    assert [e["field"] for e in foreign.json()["errors"]] == ["assignee_id"]
    assert ControlMeasure.objects.count() == 1
    # A responsible user is told (by e-mail, after the commit), as from the page.
    assigned = send(client, "POST", URL, plan(row, responsible="", assignee_id=colleague.pk), headers)
    assert assigned.status_code == 201, assigned.content
    assert assigned.json()["assignee_id"] == colleague.pk
    notice = MeasureNotice.objects.get()
    assert (notice.user, notice.measure_id) == (colleague, assigned.json()["id"])


def test_plan_refusals(client, officer_b, reviewer_region, officer_a, row):
    assert send(client, "POST", URL, plan(row), bearer(officer_b)).status_code == 404
    assert send(client, "POST", URL, plan(row), bearer(reviewer_region)).status_code == 403
    row.status = HazardStatus.ARCHIVED
    row.save()
    refused = send(client, "POST", URL, plan(row), bearer(officer_a))
    assert refused.status_code == 409
    assert refused["Content-Type"] == "application/problem+json"
    assert not ControlMeasure.objects.exists()


def test_life_cycle_with_if_match(client, officer_a, row):
    measure = ControlMeasureFactory(hazard=row)
    headers = bearer(officer_a)
    url = f"{URL}{measure.pk}/"
    tag = client.get(url, headers=headers)["ETag"]
    change = {"responsible": "Главный механик", "periodicity": "monthly"}
    assert send(client, "PUT", url, change, headers).status_code == 428
    changed = send(client, "PUT", url, change, {**headers, "If-Match": tag})
    assert changed.status_code == 200, changed.content
    assert (changed.json()["responsible"], changed.json()["periodicity"]) == ("Главный механик", "monthly")
    stale = send(client, "POST", f"{url}start/", {}, {**headers, "If-Match": tag})
    assert stale.status_code == 412
    measure.refresh_from_db()
    assert measure.status == MeasureStatus.PLANNED
    started = send(client, "POST", f"{url}start/", {}, {**headers, "If-Match": changed["ETag"]})
    assert started.json()["status"] == "in_progress"
    no_reason = send(
        client, "POST", f"{url}cancel/", {"reason": "  "}, {**headers, "If-Match": started["ETag"]}
    )
    assert no_reason.status_code == 422
    assert [e["field"] for e in no_reason.json()["errors"]] == ["reason"]
    cancelled = send(
        client, "POST", f"{url}cancel/", {"reason": "Дубль"}, {**headers, "If-Match": started["ETag"]}
    )
    assert cancelled.status_code == 200, cancelled.content
    assert (cancelled.json()["status"], cancelled.json()["cancel_reason"]) == ("cancelled", "Дубль")
    again = send(client, "POST", f"{url}start/", {}, {**headers, "If-Match": cancelled["ETag"]})
    assert again.status_code == 409


def test_reviewer_may_read_but_not_change(client, reviewer_region, officer_b, row):
    measure = ControlMeasureFactory(hazard=row)
    url = f"{URL}{measure.pk}/"
    tag = client.get(url, headers=bearer(reviewer_region))["ETag"]
    refused = send(client, "POST", f"{url}start/", {}, {**bearer(reviewer_region), "If-Match": tag})
    assert refused.status_code == 403
    assert send(client, "POST", f"{url}start/", {}, {**bearer(officer_b), "If-Match": tag}).status_code == 404


def complete(client, measure, headers, content, name="photo.png", **fields):
    return client.post(
        f"{URL}{measure.pk}/complete/",
        {"file": upload(name, content), **fields},
        headers=headers,
    )


def test_complete_with_evidence_and_download_it(
    client, officer_a, officer_b, reviewer_region, row, private_storage
):
    measure = ControlMeasureFactory(hazard=row)
    headers = bearer(officer_a)
    tag = client.get(f"{URL}{measure.pk}/", headers=headers)["ETag"]
    # Checked by content as on the page: a text file called .png is refused.
    refused = complete(client, measure, {**headers, "If-Match": tag}, b"not an image at all")
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["file"]
    future = (timezone.localdate() + datetime.timedelta(days=2)).isoformat()
    refused = complete(client, measure, {**headers, "If-Match": tag}, png_bytes(), done_on=future)
    assert [e["field"] for e in refused.json()["errors"]] == ["done_on"]
    measure.refresh_from_db()
    assert measure.status == MeasureStatus.PLANNED and not measure.evidence.exists()
    done = complete(
        client, measure, {**headers, "If-Match": tag}, png_bytes(), name="../../etc/фото.png", note="Сделано"
    )
    assert done.status_code == 200, done.content
    body = done.json()
    assert (body["status"], body["completion_note"]) == ("done", "Сделано")
    [evidence] = body["evidence"]
    assert evidence["original_name"] == "фото.png"
    row.refresh_from_db()
    assert row.needs_reassessment
    download = client.get(evidence["url"], headers=headers)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == png_bytes()
    assert download["X-Content-Type-Options"] == "nosniff"
    reviewer = client.get(evidence["url"], headers=bearer(reviewer_region))
    assert reviewer.status_code == 200
    b"".join(reviewer.streaming_content)
    assert client.get(evidence["url"], headers=bearer(officer_b)).status_code == 404
    assert client.get(evidence["url"]).status_code == 401
    # Done is closed: no second completion.
    again = complete(client, measure, {**headers, "If-Match": done["ETag"]}, png_bytes())
    assert again.status_code == 409


def test_evidence_over_the_limit_is_refused(client, officer_a, row, settings, private_storage):
    settings.MAX_UPLOAD_BYTES = 100
    measure = ControlMeasureFactory(hazard=row)
    headers = bearer(officer_a)
    tag = client.get(f"{URL}{measure.pk}/", headers=headers)["ETag"]
    refused = complete(
        client,
        measure,
        {**headers, "If-Match": tag},
        png_bytes(size=(200, 200), colour=(1, 2, 3)) + b"x" * 200,
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "file"


def test_list_queries_do_not_grow_with_evidence(
    client, officer_a, row, django_assert_max_num_queries, private_storage
):
    from assessments import services

    for _ in range(5):
        measure = ControlMeasureFactory(hazard=row)
        services.evidence_add(measure=measure, file=upload("a.png", png_bytes()), uploaded_by=officer_a)
    headers = bearer(officer_a)
    client.get(URL, headers=headers)
    with django_assert_max_num_queries(6):
        body = client.get(URL, headers=headers).json()
    assert sum(len(item["evidence"]) for item in body["items"]) == 5
