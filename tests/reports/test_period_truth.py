"""The figures of a past period are those of the period, counted by hand: what happened inside it,
and the register as it stood on its last day — not as it stands today (REFERENCE §4.2).

The period is the month six months back; every event is dated relative to it, and the history
records carry those dates, as they would have had the events been typed in when they happened.
"""

import contextlib
import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from assessments.models import ControlMeasure, IncidentKind, MeasureStatus, VictimOutcome
from assessments.services import assessment_create, incident_record, measure_complete, measure_plan
from enterprises.models import Enterprise, HeadcountPeriod, Role, Workplace
from hazards.models import HazardStatus
from hazards.services import hazard_set_status
from reports import figures, pdf, rollups
from reports.history import month_end
from reports.rollups import add_months, first_of_month
from tests.factories import HazardFactory, UserFactory, WorkplaceFactory

pytestmark = pytest.mark.django_db


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


def period_figures(enterprise, start) -> figures.Figures:
    filters = figures.Filters(period=figures.Period("test", "", start, start))
    return figures.total(figures.enterprise_rows(Enterprise.objects.filter(pk=enterprise.pk), filters))


def test_figures_at_the_end_of_a_past_period_are_rebuilt_from_history(enterprise_a, period_start, history):
    result = period_figures(enterprise_a, period_start)
    at_end = {
        "rows": 3,  # R1 (eliminated later), R3, R4 — not R2 (eliminated inside), not R5 (later)
        "rows_level_5": 1,
        "rows_level_4": 0,
        "rows_level_3": 1,  # R4 was medium then, low only since
        "rows_level_2": 0,
        "rows_not_rated": 1,
        "workplaces_total": 1,  # W1; W2 created after, W3 archived inside
        "workplaces_with_rows": 1,
        "workplaces_assessed": 0,  # R3 not rated
        "measures_open": 2,  # M2 (done only later), M3 (cancelled only later)
        "measures_overdue": 1,  # M2
        "measures_done": 0,  # M1 was done, but its row was gone by the end
    }
    assert {name: getattr(result, name) for name in at_end} == at_end
    in_period = {
        "measures_due": 2,  # M1, M2
        "measures_due_passed": 2,
        "measures_done_on_time": 1,  # M1
        "measures_done_in_period": 1,  # M1, although its row was eliminated later in the month
        "accidents": 1,
        "accident_victims": 3,
        "fatal_victims": 1,
        "severe_victims": 2,
        "days_lost": 75,
        "victims_with_days": 2,
        "microtraumas": 1,
        "near_misses": 1,
    }
    assert {name: getattr(result, name) for name in in_period} == in_period
    assert result.frequency_rate == Decimal(15)  # 3 × 1,000 / 200
    assert result.severity_rate == Decimal("37.5")  # 75 days / 2 victims: the fatal one left out
    assert result.fatal_rate == Decimal(5)  # 1 × 1,000 / 200
    assert result.ltifr == Decimal(100)  # 3 × 10⁶ / 30,000
    assert result.microtraumas_per_100 == Decimal("0.5")
    assert result.months_without_hours == 0


def test_the_report_lists_agree_with_its_figures(enterprise_a, period_start, history):
    period = pdf.period_of(period_start)
    context = pdf.enterprise_context(enterprise_a, period)
    assert not context["period_running"]
    assert context["state_day"] == month_end(period_start)
    assert [hazard.pk for hazard in context["top_risks"]["rows"]] == [history["r1"].pk]
    assert [hazard.report_measures for hazard in context["top_risks"]["rows"]] == [
        [history["m2"], history["m3"]]
    ]
    assert [w.pk for w in context["workplaces_not_assessed"]["rows"]] == [history["w1"].pk]
    assert list(context["measures_overdue"]["rows"]) == [history["m2"]]
    assert list(context["measures_due"]["rows"]) == [history["m1"], history["m2"]]
    assert list(context["measures_done"]["rows"]) == [history["m1"]]
    figures_now = context["figures"]
    assert context["measures_due"]["total"] == figures_now.measures_due
    assert context["measures_done"]["total"] == figures_now.measures_done_in_period
    assert context["measures_overdue"]["total"] == figures_now.measures_overdue
    assert len(context["incidents"]["rows"]) == 3  # the accidents before and after are left out


def test_a_running_period_says_so(enterprise_a, history):
    this_month = first_of_month(timezone.localdate())
    context = pdf.enterprise_context(enterprise_a, pdf.period_of(this_month))
    assert context["period_running"]
    assert context["state_day"] == timezone.localdate()


def test_the_trend_profile_agrees_with_the_state_at_each_month_end(enterprise_a, period_start, history):
    """The trend chart's month-end profile (roll-ups) and the state at a day (reports.history) are
    two readings of one history: they must give the same levels at every month's end."""
    for offset in range(-1, 4):
        start = add_months(period_start, offset)
        month = rollups.compute([enterprise_a.pk]).months.get((enterprise_a.pk, start), {})
        state = period_figures(enterprise_a, start) if month_end(start) < timezone.localdate() else None
        if state is None:
            continue
        for level in (1, 2, 3, 4, 5):
            assert month.get(f"profile_level_{level}", 0) == state.level(level), (start, level)
        assert month.get("profile_not_rated", 0) == state.rows_not_rated, start


def test_a_measure_cancelled_inside_its_month_is_not_due(enterprise_a, period_start, history):
    m2 = ControlMeasure.objects.get(pk=history["m2"].pk)
    m2.status = MeasureStatus.CANCELLED
    m2.done_on = None
    change_on(m2, period_start + datetime.timedelta(days=20), lambda: m2.save())
    rollups.refresh()
    assert period_figures(enterprise_a, period_start).measures_due == 1
