"""The migration that adds the register rows' search text fills it for the rows already there,
from their event, workplace, own text, measures and assessment comments."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from hazards.models import Hazard as CurrentHazard
from hazards.search import search
from tests.factories import WorkplaceFactory

BEFORE = [("assessments", "0013_register_import_preview"), ("hazards", "0004_search_text")]
# The search reads the stored vector of hazards 0006 (PostgreSQL), so the rows are searched there.
AFTER = [("assessments", "0014_incident_cancel_and_search_text"), ("hazards", "0008_search_vector_column")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def old_schema(reference_data):
    workplace = WorkplaceFactory(position="Машинист конвейера")
    apps = _migrate(BEFORE)
    yield apps, workplace
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_existing_rows_get_their_search_text(old_schema):
    apps, workplace = old_schema
    Hazard = apps.get_model("hazards", "Hazard")
    HazardousEvent = apps.get_model("hazards", "HazardousEvent")
    ControlMeasure = apps.get_model("assessments", "ControlMeasure")
    row = Hazard.objects.create(
        enterprise_id=workplace.enterprise_id,
        workplace_id=workplace.pk,
        event=HazardousEvent.objects.get(code="3.1", enterprise=None),
        source="Мокрый пол",
        existing_controls="Резиновые коврики",
    )
    ControlMeasure.objects.create(
        hazard=row,
        control_level="engineering",
        description="Противоскользящее покрытие",
        responsible="Механик",
        due_date="2030-01-01",
    )
    assert Hazard.objects.get(pk=row.pk).search_text == ""
    _migrate(AFTER)
    text = CurrentHazard.objects.get(pk=row.pk).search_text
    assert all(word in text for word in ("3.1", "конвейера", "мокрый пол", "коврики", "противоскользящее"))
    assert set(search(CurrentHazard.objects.all(), "противоскользящ").values_list("pk", flat=True)) == {
        row.pk
    }
