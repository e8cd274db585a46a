"""The move from one severity per incident to victims (migrations 0008–0010): no victim and no
day of incapacity is lost, "group" stops being a severity, and what the victims cannot hold is
kept in a note. The old data is written with the historical models of migration 0008 (the state
just before the data migration), then the migrations run forward, as on a real database.

The seed_demo command cannot run on the old schema (it records incidents through today's
services), so the "demo-like" test uses a fixture with the demo's mix of incidents instead."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Sum
from django.utils import timezone

from assessments.legacy_incidents import legacy_shape, legacy_victims
from tests.factories import WorkplaceFactory

BEFORE = [("assessments", "0008_incident_victims")]
AFTER = [("assessments", "0010_remove_incident_severity")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def old_schema(transactional_db):
    """The database at 0008 (old incident columns, victims table empty); back at the latest
    migrations afterwards whatever the test did."""
    workplace = WorkplaceFactory()
    apps = _migrate(BEFORE)
    yield apps, workplace
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def _old_incident(apps, workplace, kind, severity="", people=1, days=0, description="Обстоятельства"):
    Incident = apps.get_model("assessments", "Incident")
    return Incident.objects.create(
        enterprise_id=workplace.enterprise_id,
        workplace_id=workplace.pk,
        kind=kind,
        severity=severity,
        people_affected=people,
        days_lost=days,
        occurred_at=timezone.now() - datetime.timedelta(days=10),
        description=description,
    ).pk


def _totals(apps):
    Victim = apps.get_model("assessments", "IncidentVictim")
    return Victim.objects.count(), Victim.objects.aggregate(days=Sum("days_lost"))["days"] or 0


def test_accidents_keep_their_victims_and_days(old_schema):
    apps, workplace = old_schema
    # The demo's mix (light accidents of 5-28 days, severe ones of 60-120, near misses without
    # people, microtraumas, an occupational disease) plus the old categories that need a rule.
    light = [_old_incident(apps, workplace, "accident", "light", 1, d) for d in (5, 17, 28)]
    severe = _old_incident(apps, workplace, "accident", "severe", 1, 94)
    fatal = _old_incident(apps, workplace, "accident", "fatal", 1, 0)
    fatal_two = _old_incident(apps, workplace, "accident", "fatal", 2, 0)
    fatal_with_survivors = _old_incident(apps, workplace, "accident", "fatal", 3, 41)
    group = _old_incident(apps, workplace, "accident", "group", 3, 100)
    for _ in range(3):
        _old_incident(apps, workplace, "near_miss", people=0)
    _old_incident(apps, workplace, "microtrauma")
    _old_incident(apps, workplace, "occupational_disease")
    people_before = 3 + 1 + 1 + 2 + 3 + 3
    days_before = 5 + 17 + 28 + 94 + 41 + 100

    apps = _migrate(AFTER)

    assert _totals(apps) == (people_before, days_before)
    Victim = apps.get_model("assessments", "IncidentVictim")

    def outcomes(pk):
        return list(Victim.objects.filter(incident_id=pk).order_by("pk").values_list("outcome", "days_lost"))

    assert [outcomes(pk) for pk in light] == [[("light", 5)], [("light", 17)], [("light", 28)]]
    assert outcomes(severe) == [("severe", 94)]
    assert outcomes(fatal) == [("fatal", 0)]
    assert outcomes(fatal_two) == [("fatal", 0), ("fatal", 0)]
    assert outcomes(fatal_with_survivors) == [("fatal", 0), ("light", 21), ("light", 20)]
    assert outcomes(group) == [("severe", 34), ("light", 33), ("light", 33)]
    # Only accidents have victims; each victim has its "created" history record.
    assert not Victim.objects.exclude(incident__kind="accident").exists()
    History = apps.get_model("assessments", "HistoricalIncidentVictim")
    assert History.objects.filter(history_type="+").count() == people_before


def test_what_victims_cannot_hold_is_kept_in_a_note(old_schema):
    apps, workplace = old_schema
    lone_fatal = _old_incident(apps, workplace, "accident", "fatal", 1, 12, description="Падение с высоты")
    microtrauma = _old_incident(apps, workplace, "microtrauma", days=2, description="Порез пальца")
    plain = _old_incident(apps, workplace, "accident", "light", 1, 3, description="Ушиб")

    apps = _migrate(AFTER)

    Incident = apps.get_model("assessments", "Incident")
    Victim = apps.get_model("assessments", "IncidentVictim")
    assert list(Victim.objects.filter(incident_id=lone_fatal).values_list("outcome", "days_lost")) == [
        ("fatal", 0)
    ]
    text = Incident.objects.get(pk=lone_fatal).description
    assert text.startswith("Падение с высоты") and "дней нетрудоспособности: 12" in text
    assert "дней нетрудоспособности: 2" in Incident.objects.get(pk=microtrauma).description
    assert Incident.objects.get(pk=plain).description == "Ушиб"


def test_the_migration_can_be_reversed(old_schema):
    apps, workplace = old_schema
    group = _old_incident(apps, workplace, "accident", "group", 2, 30)
    fatal = _old_incident(apps, workplace, "accident", "fatal", 1, 0)
    _migrate(AFTER)

    apps = _migrate(BEFORE)

    Incident = apps.get_model("assessments", "Incident")
    shape = dict(Incident.objects.values_list("pk", "severity").filter(pk__in=[group, fatal]))
    assert shape == {group: "group", fatal: "fatal"}
    assert Incident.objects.aggregate(days=Sum("days_lost"), people=Sum("people_affected")) == {
        "days": 30,
        "people": 3,
    }


# --- The rules themselves (pure functions) -------------------------------------------------------


@pytest.mark.parametrize(
    ("severity", "people", "days"),
    [(s, p, d) for s in ("light", "severe", "group", "fatal") for p in (1, 2, 3, 7) for d in (0, 1, 5, 200)],
)
def test_legacy_victims_keep_people_and_days(severity, people, days):
    victims, note = legacy_victims(kind="accident", severity=severity, people=people, days=days)
    assert len(victims) == people
    assert all(days == 0 for outcome, days in victims if outcome == "fatal")
    lone_fatal_with_days = severity == "fatal" and people == 1 and days
    assert sum(d for _o, d in victims) == (0 if lone_fatal_with_days else days)
    assert bool(note) == bool(lone_fatal_with_days or (severity == "group" and people == 1))


def test_an_accident_without_people_gets_one_victim_and_other_kinds_none():
    assert legacy_victims(kind="accident", severity="light", people=0, days=4) == ([("light", 4)], "")
    assert legacy_victims(kind="near_miss", severity="", people=0, days=0) == ([], "")
    victims, note = legacy_victims(kind="occupational_disease", severity="", people=2, days=0)
    assert victims == [] and "пострадавших: 2" in note


def test_legacy_shape_names_the_worst_outcome():
    assert legacy_shape(kind="accident", victims=[("light", 3), ("fatal", 0)]) == ("fatal", 2, 3)
    assert legacy_shape(kind="accident", victims=[("light", 3), ("severe", 9)]) == ("group", 2, 12)
    assert legacy_shape(kind="accident", victims=[("severe", 9)]) == ("severe", 1, 9)
    assert legacy_shape(kind="near_miss", victims=[]) == ("", 0, 0)
