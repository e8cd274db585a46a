"""Browsing an enterprise as structural units → workplaces."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import DepartmentFactory, WorkplaceFactory

pytestmark = pytest.mark.django_db


def structure_url(enterprise):
    return reverse("enterprises:structure", args=[enterprise.pk])


def test_units_are_nested_and_list_their_workplaces_in_number_order(client, officer_a, enterprise_a):
    mine = DepartmentFactory(enterprise=enterprise_a, name="Подземный рудник")
    section = DepartmentFactory(enterprise=enterprise_a, parent=mine, name="Очистной участок № 1")
    archived = DepartmentFactory(enterprise=enterprise_a, name="Закрытый цех", archived_at=timezone.now())
    DepartmentFactory(enterprise=enterprise_a, parent=archived, name="Участок закрытого цеха")
    WorkplaceFactory(department=section, number="10", position="Горнорабочий")
    WorkplaceFactory(department=section, number="9", position="Машинист")
    WorkplaceFactory(department=section, number="11", position="Уволенный", archived_at=timezone.now())

    client.force_login(officer_a)
    response = client.get(structure_url(enterprise_a))
    assert response.status_code == 200
    nodes = response.context["nodes"]
    assert [(node["department"].name, node["depth"]) for node in nodes] == [
        ("Подземный рудник", 0),
        ("Очистной участок № 1", 1),
    ]
    assert [w.number for w in nodes[1]["workplaces"]] == ["9", "10"]
    html = response.content.decode()
    assert reverse("assessments:workplace", args=[nodes[1]["workplaces"][0].pk]) in html
    assert "Закрытый цех" not in html and "Уволенный" not in html


def test_reviewer_in_region_reads_the_structure(client, reviewer_region, enterprise_a):
    WorkplaceFactory(department__enterprise=enterprise_a)
    client.force_login(reviewer_region)
    assert client.get(structure_url(enterprise_a)).status_code == 200


@pytest.mark.parametrize("persona", ["officer_b", "reviewer_other_region"])
def test_structure_of_another_enterprise_is_not_found(client, request, persona, enterprise_a):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(structure_url(enterprise_a)).status_code == 404


def _structure_queries(client, user, enterprise, workplaces: int) -> int:
    top = DepartmentFactory(enterprise=enterprise)
    for index in range(workplaces):
        department = DepartmentFactory(enterprise=enterprise, parent=top) if index % 5 == 0 else top
        WorkplaceFactory(department=department)
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(structure_url(enterprise)).status_code == 200
    return len(queries)


def test_structure_query_count_does_not_grow_with_workplaces(
    client, officer_a, officer_b, enterprise_a, enterprise_b
):
    assert _structure_queries(client, officer_a, enterprise_a, 5) == _structure_queries(
        client, officer_b, enterprise_b, 50
    )
