"""The register list: filters, search, sort, pagination and scoping."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hazards.models import HazardousEvent
from tests.factories import ControlMeasureFactory, DepartmentFactory, HazardFactory, WorkplaceFactory

pytestmark = pytest.mark.django_db

YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)


def event(code):
    return HazardousEvent.objects.get_by_natural_key(code)


@pytest.fixture
def register_a(enterprise_a):
    """Mine → section → team, a workshop; rows of different groups, levels and states."""
    mine = DepartmentFactory(enterprise=enterprise_a, name="Рудник")
    section = DepartmentFactory(enterprise=enterprise_a, parent=mine, name="Участок")
    team = DepartmentFactory(enterprise=enterprise_a, parent=section, name="Бригада")
    workshop = DepartmentFactory(enterprise=enterprise_a, name="Мастерская")
    miner = WorkplaceFactory(department=team, number="2", position="Горнорабочий")
    driver = WorkplaceFactory(department=section, number="10", position="Машинист конвейера")
    fitter = WorkplaceFactory(department=workshop, number="3", position="Слесарь-ремонтник")
    rows = {
        "fall": HazardFactory(workplace=miner, event=event("3.1"), source="Мокрая почва", risk_level=2),
        "belt": HazardFactory(
            workplace=driver,
            event=event("8.1"),
            source="Ленточный конвейер",
            risk_level=5,
            needs_reassessment=True,
        ),
        "noise": HazardFactory(
            workplace=fitter,
            event=event("20.1"),
            source="Шум станка",
            risk_level=None,
            next_review_on=YESTERDAY,
        ),
        "gone": HazardFactory(
            workplace=fitter, event=event("8.1"), source="Старый станок", status="eliminated"
        ),
    }
    ControlMeasureFactory(hazard=rows["belt"], due_date=YESTERDAY)
    ControlMeasureFactory(hazard=rows["fall"], status="done", done_on=YESTERDAY)
    return {"rows": rows, "mine": mine, "section": section, "workshop": workshop, "miner": miner}


def listed(client, enterprise, query=""):
    response = client.get(f"{reverse('assessments:register', args=[enterprise.pk])}?{query}")
    assert response.status_code == 200
    return response, {row.pk for row in response.context["page"].object_list}


def keys(register, *names):
    return {register["rows"][name].pk for name in names}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ("fall", "belt", "noise")),
        ("status=eliminated", ("gone",)),
        ("status=all", ("fall", "belt", "noise", "gone")),
        ("level=5", ("belt",)),
        ("level=none", ("noise",)),
        ("overdue=on", ("belt",)),
        ("needs_reassessment=on", ("belt",)),
        ("due_for_review=on", ("noise",)),
        ("measure_status=done", ("fall",)),
        ("measure_status=none", ("noise",)),
        ("q=конвейер", ("belt",)),
        ("q=8.1", ("belt",)),
        ("q=Slipping", ("fall",)),
        ("q=10", ("belt",)),
        ("q=станка шум", ("noise",)),
    ],
)
def test_filters_and_search_select_the_expected_rows(
    client, officer_a, enterprise_a, register_a, query, expected
):
    client.force_login(officer_a)
    _response, rows = listed(client, enterprise_a, query)
    assert rows == keys(register_a, *expected)


def test_department_filter_includes_sub_units(client, officer_a, enterprise_a, register_a):
    client.force_login(officer_a)
    _response, rows = listed(client, enterprise_a, f"department={register_a['mine'].pk}")
    assert rows == keys(register_a, "fall", "belt")
    _response, rows = listed(client, enterprise_a, f"workplace={register_a['miner'].pk}")
    assert rows == keys(register_a, "fall")


def test_group_filter(client, officer_a, enterprise_a, register_a):
    group = event("20.1").hazard_type.group
    client.force_login(officer_a)
    _response, rows = listed(client, enterprise_a, f"group={group.pk}")
    assert rows == keys(register_a, "noise")


def test_sorting_by_workplace_number_and_by_level(client, officer_a, enterprise_a, register_a):
    client.force_login(officer_a)
    response, _rows = listed(client, enterprise_a)
    assert [row.workplace.number for row in response.context["page"]] == ["2", "3", "10"]
    response, _rows = listed(client, enterprise_a, "sort=-level")
    assert [row.risk_level for row in response.context["page"]] == [5, 2, None]


def test_bad_filter_values_show_an_error_not_a_500(client, officer_a, enterprise_a, register_a):
    client.force_login(officer_a)
    response, rows = listed(client, enterprise_a, "level=9&department=abc&sort=evil&page=999")
    assert response.context["filter"].form.errors
    assert rows == keys(register_a, "fall", "belt", "noise")


def test_pages_of_fifty(client, officer_a, enterprise_a):
    workplace = WorkplaceFactory(department__enterprise=enterprise_a)
    for index in range(55):
        HazardFactory(workplace=workplace, source=f"Источник {index}")
    client.force_login(officer_a)
    _response, rows = listed(client, enterprise_a)
    assert len(rows) == 50
    _response, rows = listed(client, enterprise_a, "page=2")
    assert len(rows) == 5


def test_other_enterprises_rows_never_appear(client, officer_a, enterprise_a, enterprise_b, register_a):
    HazardFactory(workplace=WorkplaceFactory(department__enterprise=enterprise_b), source="Чужой источник")
    client.force_login(officer_a)
    response, _rows = listed(client, enterprise_a, "status=all")
    assert "Чужой источник" not in response.content.decode()


@pytest.mark.parametrize("persona", ["officer_b", "reviewer_other_region"])
def test_register_of_another_enterprise_is_not_found(client, request, persona, enterprise_a):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("assessments:register", args=[enterprise_a.pk])).status_code == 404


def test_reviewer_reads_the_register_without_edit_links(client, reviewer_region, enterprise_a, register_a):
    client.force_login(reviewer_region)
    response, rows = listed(client, enterprise_a)
    assert rows == keys(register_a, "fall", "belt", "noise")
    assert "/edit/" not in response.content.decode()


def _list_queries(client, user, enterprise, rows: int, query="") -> int:
    top = DepartmentFactory(enterprise=enterprise)
    events = list(HazardousEvent.objects.catalogue().order_by("id")[:10])
    for index in range(rows):
        department = DepartmentFactory(enterprise=enterprise, parent=top) if index % 4 == 0 else top
        hazard = HazardFactory(
            workplace=WorkplaceFactory(department=department),
            event=events[index % 10],
            risk_level=index % 5 + 1,
        )
        ControlMeasureFactory(hazard=hazard, due_date=YESTERDAY)
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        assert (
            client.get(f"{reverse('assessments:register', args=[enterprise.pk])}?{query}").status_code == 200
        )
    return len(queries)


@pytest.mark.parametrize("query", ["", "overdue=on&sort=-level", "format=xlsx", "format=csv"])
def test_list_and_export_query_count_does_not_grow_with_rows(
    client, officer_a, officer_b, enterprise_a, enterprise_b, query
):
    assert _list_queries(client, officer_a, enterprise_a, 5, query) == _list_queries(
        client, officer_b, enterprise_b, 50, query
    )
