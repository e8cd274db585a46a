"""The roll-ups stay exact: after random register changes made through the services, the refreshed
summary tables equal a fresh aggregate of the register."""

import contextlib
import datetime
import random

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from assessments.models import IncidentKind, MeasureStatus, RiskMethod, VictimOutcome
from assessments.services import assessment_create, incident_record, measure_complete, measure_plan
from dashboards import rollups
from dashboards.models import EnterpriseFigures, EnterpriseMonth, HeatCell, RollupKind, RollupRun
from enterprises.models import HeadcountPeriod, Role
from hazards.models import HazardousEvent, HazardStatus
from hazards.services import hazard_add, hazard_set_status
from tests.factories import EnterpriseFactory, UserFactory, WorkplaceFactory

pytestmark = pytest.mark.django_db

FIGURE_FIELDS = [
    f.name
    for f in EnterpriseFigures._meta.concrete_fields
    if f.name not in ("id", "enterprise", "hazard_group")
]
MONTH_FIELDS = [
    f.name for f in EnterpriseMonth._meta.concrete_fields if f.name not in ("id", "enterprise", "month")
]


def stored() -> tuple[dict, dict, dict]:
    figures = {
        (row["enterprise_id"], row["hazard_group_id"]): {name: row[name] for name in FIGURE_FIELDS}
        for row in EnterpriseFigures.objects.values()
    }
    heat = {
        (r["enterprise_id"], r["hazard_group_id"], r["probability"], r["severity"]): r["rows"]
        for r in HeatCell.objects.values()
    }
    months = {
        (row["enterprise_id"], row["month"]): {name: row[name] for name in MONTH_FIELDS}
        for row in EnterpriseMonth.objects.values()
    }
    return figures, heat, months


def fresh() -> tuple[dict, dict, dict]:
    computed = rollups.compute()
    defaults = {name: EnterpriseFigures._meta.get_field(name).get_default() for name in FIGURE_FIELDS}
    month_defaults = {name: EnterpriseMonth._meta.get_field(name).get_default() for name in MONTH_FIELDS}
    figures = {key: {**defaults, **values} for key, values in computed.figures.items()}
    months = {key: {**month_defaults, **values} for key, values in computed.months.items()}
    return figures, dict(computed.heat), months


class Register:
    """Random changes to a small register, each through the service a user's action calls."""

    def __init__(self, seed: int):
        self.random = random.Random(seed)
        self.user = UserFactory(username="changer", role=Role.ADMIN)
        fine_kinney = RiskMethod.objects.get(code="fine-kinney")
        self.enterprises = [
            EnterpriseFactory(),
            EnterpriseFactory(),
            EnterpriseFactory(risk_method=fine_kinney),
        ]
        self.workplaces = [
            WorkplaceFactory(department__enterprise=enterprise)
            for enterprise in self.enterprises
            for _ in range(3)
        ]
        self.events = list(HazardousEvent.objects.catalogue().order_by("code")[:40])
        self.hazards = []
        self.measures = []

    def days_ago(self, most: int) -> datetime.date:
        return timezone.localdate() - datetime.timedelta(days=self.random.randint(0, most))

    def add_hazard(self):
        workplace = self.random.choice(self.workplaces)
        hazard = hazard_add(
            workplace=workplace,
            event=self.random.choice(self.events),
            source="Источник",
            identified_on=self.days_ago(400),
            next_review_on=self.days_ago(60) + datetime.timedelta(days=30),
        )
        self.hazards.append(hazard)

    def assess(self):
        if not self.hazards:
            return
        hazard = self.random.choice(self.hazards)
        if hazard.enterprise.risk_method_id:
            inputs = {
                "probability": self.random.choice(["0.5", "1", "3", "6"]),
                "exposure": self.random.choice(["1", "3", "6"]),
                "consequence": self.random.choice(["1", "7", "15", "40"]),
            }
        else:
            inputs = {"probability": self.random.randint(1, 5), "severity": self.random.randint(1, 5)}
        assessment_create(hazard=hazard, assessor=self.user, inputs=inputs, assessed_on=self.days_ago(300))

    def plan_measure(self):
        if not self.hazards:
            return
        measure = measure_plan(
            hazard=self.random.choice(self.hazards),
            control_level="engineering",
            description="Мера",
            responsible="Мастер",
            due_date=self.days_ago(200) + datetime.timedelta(days=60),
        )
        self.measures.append(measure)

    def complete_measure(self):
        open_measures = [m for m in self.measures if m.status != MeasureStatus.DONE]
        if open_measures:
            measure = self.random.choice(open_measures)
            measure_complete(measure=measure, done_on=self.days_ago(100))

    def record_incident(self):
        kind = self.random.choice(IncidentKind.values)
        victims = []
        if kind == IncidentKind.ACCIDENT:
            for _ in range(self.random.randint(1, 3)):
                outcome = self.random.choice(VictimOutcome.values)
                lost = 0 if outcome == VictimOutcome.FATAL else self.random.randint(0, 20)
                victims.append({"outcome": outcome, "days_lost": lost})
        incident_record(
            workplace=self.random.choice(self.workplaces),
            kind=kind,
            occurred_at=timezone.now() - datetime.timedelta(days=self.random.randint(0, 500)),
            description="Описание",
            victims=victims,
        )

    def change_status(self):
        if self.hazards:
            hazard = self.random.choice(self.hazards)
            hazard.refresh_from_db()
            hazard_set_status(hazard=hazard, status=self.random.choice(HazardStatus.values))

    def report_headcount(self):
        enterprise = self.random.choice(self.enterprises)
        month = rollups.add_months(rollups.first_of_month(timezone.localdate()), -self.random.randint(0, 14))
        period, _ = HeadcountPeriod.objects.get_or_create(
            enterprise=enterprise, month=month, defaults={"average_headcount": 1, "hours_worked": 1}
        )
        period.average_headcount = self.random.randint(50, 500)
        period.hours_worked = period.average_headcount * 160
        period.save()

    def archive_workplace(self):
        workplace = self.random.choice(self.workplaces)
        workplace.archived_at = None if workplace.archived_at else timezone.now()
        workplace.save()

    def step(self):
        action = self.random.choices(
            [
                self.add_hazard,
                self.assess,
                self.plan_measure,
                self.complete_measure,
                self.record_incident,
                self.change_status,
                self.report_headcount,
                self.archive_workplace,
            ],
            weights=[5, 5, 3, 2, 3, 1, 1, 1],
        )[0]
        # A refused change (e.g. a hazard for an archived workplace) changes nothing.
        with contextlib.suppress(ValidationError):
            action()


@pytest.mark.parametrize("seed", [1, 2, 4])
def test_rollups_refreshed_for_changes_equal_a_fresh_aggregate(seed, monkeypatch):
    # No look-back: each run must find the changes by their own timestamps, nothing else.
    monkeypatch.setattr(rollups, "CHANGE_LOOKBACK", datetime.timedelta(0))
    register = Register(seed)
    assert rollups.refresh_due().kind == RollupKind.FULL
    for _round in range(8):
        for _ in range(register.random.randint(3, 10)):
            register.step()
        run = rollups.refresh_due()
        assert run.kind == RollupKind.CHANGES
        assert stored() == fresh()
    assert EnterpriseFigures.objects.filter(rows__gt=0).exists()
    assert HeatCell.objects.exists()


def test_only_enterprises_with_changes_are_refreshed(monkeypatch):
    monkeypatch.setattr(rollups, "CHANGE_LOOKBACK", datetime.timedelta(0))
    register = Register(7)
    rollups.refresh_due()
    changed, untouched = register.enterprises[0], register.enterprises[1]
    hazard_add(workplace=changed.workplaces.first(), event=register.events[0], source="Новый")
    run = rollups.refresh_due()
    assert run.enterprise_count == 1
    assert EnterpriseFigures.objects.get(enterprise=changed, hazard_group=None).rows == 1
    assert EnterpriseFigures.objects.get(enterprise=untouched, hazard_group=None).rows == 0


def test_a_new_day_brings_a_full_refresh(monkeypatch):
    Register(8)
    first = rollups.refresh_due()
    RollupRun.objects.filter(pk=first.pk).update(as_of=first.as_of - datetime.timedelta(days=1))
    assert rollups.refresh_due().kind == RollupKind.FULL
    assert rollups.refresh_due().kind == RollupKind.CHANGES


def test_a_running_refresh_is_not_started_twice():
    from django.core.cache import cache

    cache.add(rollups.LOCK_KEY, "someone else", 60)
    try:
        assert rollups.refresh_due() is None
    finally:
        cache.delete(rollups.LOCK_KEY)


def test_a_dashboard_view_shows_a_change_made_just_before(client, known, reviewer_region):
    """Without a broker the page refreshes the changed enterprises itself."""
    client.force_login(reviewer_region)
    url = "/reports/regions/56/"
    assert client.get(url).context["totals"].rows == 7
    hazard_add(
        workplace=known.hazards["w1"], event=HazardousEvent.objects.get_by_natural_key("8.1"), source="X"
    )
    assert client.get(url).context["totals"].rows == 8


def test_the_current_month_of_the_profile_agrees_with_the_current_figures():
    register = Register(11)
    for _ in range(60):
        register.step()
    rollups.refresh()
    this_month = rollups.first_of_month(timezone.localdate())
    for figures in EnterpriseFigures.objects.filter(hazard_group=None):
        month = EnterpriseMonth.objects.filter(enterprise=figures.enterprise, month=this_month).first()
        profile = [getattr(month, f"profile_level_{level}", 0) if month else 0 for level in range(1, 6)]
        assert profile == [getattr(figures, f"rows_level_{level}") for level in range(1, 6)]
        assert (month.profile_not_rated if month else 0) == figures.rows_not_rated


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_full_refresh_vacuums_the_rollup_tables_once_committed():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    WorkplaceFactory()
    with CaptureQueriesContext(connection) as full:
        rollups.refresh()
    vacuums = [query["sql"] for query in full.captured_queries if query["sql"].startswith("VACUUM")]
    # After the commit (VACUUM refuses to run in a transaction), all three tables, with statistics.
    assert vacuums == [f"VACUUM (ANALYZE) {rollups.ROLLUP_TABLES}"]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_user_tables WHERE relname = ANY(%s) AND last_vacuum IS NOT NULL",
            [[name.strip() for name in rollups.ROLLUP_TABLES.split(",")]],
        )
        assert cursor.fetchone()[0] == 3
    with CaptureQueriesContext(connection) as changes:
        rollups.refresh(enterprise_ids=[])
    assert not any(query["sql"].startswith("VACUUM") for query in changes.captured_queries)
