"""A workplace's page: its hazards with current and residual level, measure counts, the
re-assessment flag, and its change history (who, when, old → new)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from hazards.models import HazardousEvent
from hazards.services import hazard_set_status, hazard_update
from tests.factories import ControlMeasureFactory, HazardFactory, UserFactory, WorkplaceFactory

pytestmark = pytest.mark.django_db


def workplace_url(workplace):
    with translation.override("en"):
        return reverse("assessments:workplace", args=[workplace.pk])


@pytest.fixture
def workplace_a(enterprise_a):
    return WorkplaceFactory(department__enterprise=enterprise_a, number="12А", position="Машинист конвейера")


def test_workplace_lists_active_rows_with_levels_measures_and_flags(client, officer_a, workplace_a):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    row = HazardFactory(workplace=workplace_a, risk_level=4, residual_level=2, needs_reassessment=True)
    ControlMeasureFactory(hazard=row, due_date=yesterday)
    ControlMeasureFactory(hazard=row)
    ControlMeasureFactory(hazard=row, status="done", done_on=yesterday)
    eliminated = HazardFactory(
        workplace=workplace_a, event=HazardousEvent.objects.get_by_natural_key("3.1"), status="eliminated"
    )

    client.force_login(officer_a)
    response = client.get(workplace_url(workplace_a))
    assert response.status_code == 200
    [listed] = response.context["rows"]
    assert (listed.pk, listed.open_measures, listed.overdue_measures) == (row.pk, 2, 1)
    assert [r.pk for r in response.context["inactive_rows"]] == [eliminated.pk]
    html = response.content.decode()
    # Levels in colour and words.
    assert 'class="badge risk-4"' in html and ">High<" in html
    assert 'class="badge risk-2"' in html and ">Low<" in html
    assert "Re-assessment needed" in html
    assert reverse("assessments:hazard", args=[row.pk]) in html
    assert reverse("hazards:add", args=[workplace_a.pk]) in html


def test_history_shows_who_changed_what_from_old_to_new(client, officer_a, manager_a, workplace_a):
    row = HazardFactory(workplace=workplace_a, source="Ленточный конвейер")
    hazard_update(hazard=row, source="Скребковый конвейер", activity="routine", exposed_count=3)
    history = row.history.latest()
    history.history_user = manager_a
    history.save()
    workplace_a.position = "Горнорабочий"
    workplace_a.save()

    client.force_login(officer_a)
    response = client.get(workplace_url(workplace_a))
    entries = response.context["history"]
    change = next(e for e in entries if any(c["new"] == "Скребковый конвейер" for c in e["changes"]))
    assert change["who"] == manager_a
    with translation.override("en"):
        changes = [{**c, "field": str(c["field"])} for c in change["changes"]]
    assert {
        "field": "source of the hazard",
        "old": "Ленточный конвейер",
        "new": "Скребковый конвейер",
    } in changes
    html = response.content.decode()
    assert "Машинист конвейера" in html and "Горнорабочий" in html
    assert "Ленточный конвейер" in html


def test_status_changes_appear_in_the_history_with_their_label(client, officer_a, workplace_a):
    row = HazardFactory(workplace=workplace_a)
    hazard_set_status(hazard=row, status="eliminated")
    client.force_login(officer_a)
    entries = client.get(workplace_url(workplace_a)).context["history"]
    with translation.override("en"):
        changes = [{k: str(v) for k, v in change.items()} for entry in entries for change in entry["changes"]]
    assert {"field": "status", "old": "Active", "new": "Eliminated"} in changes


def test_reviewer_sees_the_workplace_without_write_buttons(client, reviewer_region, workplace_a):
    HazardFactory(workplace=workplace_a)
    client.force_login(reviewer_region)
    response = client.get(workplace_url(workplace_a))
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("hazards:add", args=[workplace_a.pk]) not in html
    assert "/edit/" not in html


@pytest.mark.parametrize("persona", ["officer_b", "reviewer_other_region"])
def test_workplace_of_another_enterprise_is_not_found(client, request, persona, workplace_a):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(workplace_url(workplace_a)).status_code == 404


def _workplace_queries(client, user, workplace, rows: int) -> int:
    events = list(HazardousEvent.objects.catalogue().order_by("id")[:10])
    editor = UserFactory(username=f"editor{workplace.pk}", enterprise=workplace.enterprise)
    for index in range(rows):
        hazard = HazardFactory(workplace=workplace, event=events[index % 10], risk_level=index % 5 + 1)
        ControlMeasureFactory(hazard=hazard)
        record = hazard.history.latest()
        record.history_user = editor
        record.save()
        hazard_update(hazard=hazard, source=f"Источник {index}", activity="routine")
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(workplace_url(workplace)).status_code == 200
    return len(queries)


def test_workplace_query_count_does_not_grow_with_rows(
    client, officer_a, officer_b, workplace_a, enterprise_b
):
    other = WorkplaceFactory(department__enterprise=enterprise_b)
    assert _workplace_queries(client, officer_a, workplace_a, 5) == _workplace_queries(
        client, officer_b, other, 50
    )


def _every_change_newest_first(workplace):
    """The history as the page showed it before it was bounded: every record read and compared
    with the object's record before it."""
    from assessments.views.register_history import _tracked_fields
    from enterprises.models import Workplace
    from hazards.models import Hazard

    items = []
    for model, records in (
        (Workplace, Workplace.history.filter(id=workplace.pk)),
        (Hazard, Hazard.history.filter(workplace_id=workplace.pk)),
    ):
        previous = {}
        for record in records.order_by("history_date", "history_id"):
            before = previous.get(record.id)
            changed = [
                f.name
                for f in _tracked_fields(model)
                if before is not None and getattr(before, f.attname) != getattr(record, f.attname)
            ]
            previous[record.id] = record
            if record.history_type != "~" or changed:
                items.append((record.history_date, record.history_id, model.__name__, record.id, changed))
    items.sort(reverse=True)
    return [(model, pk, changed) for _date, _id, model, pk, changed in items]


@pytest.mark.parametrize("limit", [3, 5, 30])
def test_history_reads_the_newest_records_and_shows_what_reading_all_showed(workplace_a, limit):
    from assessments.views.register_history import workplace_history

    rows = HazardFactory.create_batch(3, workplace=workplace_a)
    for round_ in range(6):
        for row in rows:
            row.save()  # changes nothing a reader sees: crowds the newest records
            row.source = f"Источник {round_}"
            row.save()
        workplace_a.position = f"Машинист конвейера {round_}"
        workplace_a.save()
        for _ in range(4):
            workplace_a.save()
    everything = _every_change_newest_first(workplace_a)
    assert len(everything) > 5  # so that 3 and 5 cut it short, and 30 does not
    expected = everything[:limit]
    shown = workplace_history(workplace_a, departments_by_id={}, limit=limit)
    assert len(shown) == len(expected)
    got = [
        (
            "Hazard" if entry["hazard_id"] else "Workplace",
            entry["hazard_id"] or workplace_a.pk,
            entry["changes"],
        )
        for entry in shown
    ]
    assert [(model, pk) for model, pk, _changes in got] == [(model, pk) for model, pk, _changed in expected]
    assert [len(changes) for _m, _p, changes in got] == [len(changed) for _m, _p, changed in expected]
