"""The move from a free-text "responsible person" to a user or a name (migration 0013): every
typed name stays a name, except where exactly one active user of the row's enterprise has exactly
that full name, who becomes the responsible user. Old rows are written with the historical
models of 0012, then the migrations run forward, as on a real database."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.factories import HazardFactory, UserFactory

BEFORE = [("assessments", "0014_incident_cancel_and_search_text")]
AFTER = [("assessments", "0015_measure_owners")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def old_schema(reference_data):
    # A transactional test: the catalogue (emptied by any earlier one) is loaded again.
    hazard = HazardFactory()
    other = HazardFactory()  # another enterprise
    apps = _migrate(BEFORE)
    yield apps, hazard, other
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def _old_measure(apps, hazard, responsible: str) -> int:
    ControlMeasure = apps.get_model("assessments", "ControlMeasure")
    return ControlMeasure.objects.create(
        hazard_id=hazard.pk,
        control_level="engineering",
        description="Ограждение",
        responsible=responsible,
        due_date=datetime.date(2026, 12, 31),
        status="planned",
    ).pk


def test_names_stay_names_unless_one_user_of_the_enterprise_has_exactly_that_name(old_schema):
    apps, hazard, other = old_schema
    enterprise = hazard.enterprise
    petrov = UserFactory(username="petrov", first_name="Иван", last_name="Петров", enterprise=enterprise)
    UserFactory(username="sidorov1", first_name="Пётр", last_name="Сидоров", enterprise=enterprise)
    UserFactory(username="sidorov2", first_name="Пётр", last_name="Сидоров", enterprise=enterprise)
    UserFactory(
        username="gone", first_name="Анна", last_name="Кузнецова", enterprise=enterprise, is_active=False
    )
    elsewhere = UserFactory(
        username="far", first_name="Олег", last_name="Смирнов", enterprise=other.enterprise
    )

    exact = _old_measure(apps, hazard, "Иван  Петров")
    reversed_order = _old_measure(apps, hazard, "Петров Иван")
    initials = _old_measure(apps, hazard, "Петров И.И.")
    ambiguous = _old_measure(apps, hazard, "Пётр Сидоров")
    inactive = _old_measure(apps, hazard, "Анна Кузнецова")
    other_enterprise = _old_measure(apps, hazard, "Олег Смирнов")
    position = _old_measure(apps, hazard, "Начальник участка")
    empty = _old_measure(apps, hazard, "")
    assert elsewhere.enterprise_id != enterprise.pk

    apps = _migrate(AFTER)
    ControlMeasure = apps.get_model("assessments", "ControlMeasure")
    result = {m.pk: (m.assignee_id, m.responsible) for m in ControlMeasure.objects.all()}
    assert result[exact] == (petrov.pk, "")
    assert result[reversed_order] == (petrov.pk, "")
    assert result[initials] == (None, "Петров И.И.")
    assert result[ambiguous] == (None, "Пётр Сидоров")
    assert result[inactive] == (None, "Анна Кузнецова")
    assert result[other_enterprise] == (None, "Олег Смирнов")
    assert result[position] == (None, "Начальник участка")
    assert result[empty] == (None, "—")
