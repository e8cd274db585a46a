"""A register with a known history around a past period (the month six months back): every event
is dated relative to it, and the history records carry those dates, as they would have had the
events been typed in when they happened. Used by the period-truth and report-consistency tests."""

import contextlib
import datetime

import pytest
from django.utils import timezone

from assessments.models import IncidentKind, MeasureStatus, VictimOutcome
from assessments.services import assessment_create, incident_record, measure_complete, measure_plan
from dashboards import rollups
from dashboards.history import month_end
from dashboards.rollups import add_months, first_of_month
from enterprises.models import HeadcountPeriod, Role, Workplace
from hazards.models import HazardStatus
from hazards.services import hazard_set_status
from tests.factories import HazardFactory, UserFactory, WorkplaceFactory


def at(day: datetime.date, hour: int = 12) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def backdate(obj, day: datetime.date) -> None:
    """Make a record look as if it had been typed in on ``day``: its creation time and every
    history record written so far."""
    type(obj).objects.filter(pk=obj.pk).update(created_at=at(day))
    if hasattr(type(obj), "history"):
        type(obj).history.filter(id=obj.pk).update(history_date=at(day))


@contextlib.contextmanager
def dated(obj, day: datetime.date):
    """Changes saved inside as if on ``day``: their history records carry that date."""
    obj._history_date = at(day)
    try:
        yield
    finally:
        del obj._history_date


def change_on(obj, day: datetime.date, change) -> None:
    """Run a change (a service call) as if on ``day``."""
    with dated(obj, day):
        change()


@pytest.fixture
def period_start():
    return add_months(first_of_month(timezone.localdate()), -6)


@pytest.fixture
def history(enterprise_a, period_start):
    start, end = period_start, month_end(period_start)
    before, after = start - datetime.timedelta(days=20), end + datetime.timedelta(days=10)
    assessor = UserFactory(username="assessor-p", role=Role.ADMIN)

    w1 = WorkplaceFactory(department__enterprise=enterprise_a, number="1")
    backdate(w1, before)
    w2 = WorkplaceFactory(department__enterprise=enterprise_a, number="2")  # created after the period
    backdate(w2, end + datetime.timedelta(days=5))
    w3 = WorkplaceFactory(department__enterprise=enterprise_a, number="3")  # archived inside it
    backdate(w3, before)
    Workplace.objects.filter(pk=w3.pk).update(archived_at=at(start + datetime.timedelta(days=10)))

    def row(workplace, identified_on, **fields):
        hazard = HazardFactory(workplace=workplace, identified_on=identified_on, **fields)
        backdate(hazard, identified_on)
        return hazard

    def assess(hazard, on, probability, severity):
        change_on(
            hazard,
            on,
            lambda: assessment_create(
                hazard=hazard,
                assessor=assessor,
                inputs={"probability": probability, "severity": severity},
                assessed_on=on,
            ),
        )

    def eliminate(hazard, on):
        hazard.refresh_from_db()
        change_on(hazard, on, lambda: hazard_set_status(hazard=hazard, status=HazardStatus.ELIMINATED))

    # R1: critical, eliminated after the period: still a critical risk at its end.
    r1 = row(w1, before)
    assess(r1, before + datetime.timedelta(days=10), 5, 5)
    eliminate(r1, after)
    # R2: high, eliminated inside the period: gone at its end.
    r2 = row(w1, before)
    assess(r2, before + datetime.timedelta(days=10), 4, 4)
    eliminate(r2, start + datetime.timedelta(days=5))
    # R3: identified inside the period, never rated.
    row(w1, start + datetime.timedelta(days=5))
    # R4: medium at the end, re-assessed low after it.
    r4 = row(w1, before)
    assess(r4, before + datetime.timedelta(days=10), 3, 3)
    assess(r4, end + datetime.timedelta(days=3), 2, 2)
    # On the workplace created after the period: appears nowhere in it.
    r5 = row(w2, end + datetime.timedelta(days=6))
    assess(r5, end + datetime.timedelta(days=6), 5, 5)

    def plan(hazard, planned_on, due):
        measure = measure_plan(
            hazard=hazard, control_level="engineering", description="Мера", responsible="Мастер", due_date=due
        )
        backdate(measure, planned_on)
        return measure

    # M1 on R2: done inside the period, on time, before its row was eliminated.
    m1 = plan(r2, before, start + datetime.timedelta(days=3))
    measure_complete(measure=m1, done_on=start + datetime.timedelta(days=2))
    # M2 on R1: due inside the period, done only after it: overdue at its end.
    m2 = plan(r1, before, start + datetime.timedelta(days=15))
    measure_complete(measure=m2, done_on=end + datetime.timedelta(days=20))
    # M3 on R1: due after the period, cancelled after it: open (not overdue) at its end.
    m3 = plan(r1, before, end + datetime.timedelta(days=40))
    m3.status = MeasureStatus.CANCELLED
    change_on(m3, after, lambda: m3.save(update_fields=["status", "updated_at"]))
    # M4 on R4: planned after the period: not there at its end.
    plan(r4, end + datetime.timedelta(days=2), end + datetime.timedelta(days=30))

    def incident(kind, day, victims=()):
        return incident_record(
            workplace=w1, kind=kind, occurred_at=at(day), description="Обстоятельства", victims=victims
        )

    # A group accident: one fatal victim, two severe ones with 30 and 45 days of incapacity.
    incident(
        IncidentKind.ACCIDENT,
        start + datetime.timedelta(days=7),
        [
            {"outcome": VictimOutcome.FATAL, "days_lost": 0},
            {"outcome": VictimOutcome.SEVERE, "days_lost": 30},
            {"outcome": VictimOutcome.SEVERE, "days_lost": 45},
        ],
    )
    incident(IncidentKind.MICROTRAUMA, start + datetime.timedelta(days=8))
    incident(IncidentKind.NEAR_MISS, start + datetime.timedelta(days=9))
    light = [{"outcome": VictimOutcome.LIGHT, "days_lost": 5}]
    incident(IncidentKind.ACCIDENT, start - datetime.timedelta(days=1), light)  # the month before
    incident(IncidentKind.ACCIDENT, end + datetime.timedelta(days=1), light)  # the month after
    HeadcountPeriod.objects.create(
        enterprise=enterprise_a, month=start, average_headcount=200, hours_worked=30_000
    )
    # The month before has head-count but no hours: its accident is outside the period anyway.
    rollups.refresh()
    return {"w1": w1, "w2": w2, "r1": r1, "m1": m1, "m2": m2, "m3": m3}
