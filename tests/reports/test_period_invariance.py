"""For random event histories, the figures of an ended period do not depend on the day they are
computed: rendered in the month after it or a year later, a report says the same."""

import datetime
from unittest import mock

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessments.models import IncidentKind, MeasureStatus, VictimOutcome
from assessments.services import assessment_create, incident_record, measure_complete, measure_plan
from dashboards import figures, rollups
from dashboards.rollups import add_months, first_of_month
from enterprises.models import Enterprise, HeadcountPeriod, Role, Workplace
from hazards.models import HazardousEvent, HazardStatus
from hazards.services import hazard_add, hazard_set_status
from tests.factories import UserFactory, WorkplaceFactory

from .past_period import at, backdate, dated

pytestmark = pytest.mark.django_db

# Days before the real today over which events happen; the period is a month inside them.
SPAN = 200

event = st.tuples(
    st.sampled_from(["hazard", "assess", "eliminate", "plan", "complete", "cancel", "incident", "workplace"]),
    st.integers(min_value=0, max_value=SPAN),  # days before today
    st.integers(min_value=0, max_value=10_000),  # a choice among the existing objects
    st.integers(min_value=1, max_value=5),
    st.integers(min_value=1, max_value=5),
)


def apply(events, enterprise, workplace, assessor, events_catalogue):
    today = timezone.localdate()
    hazards, measures, workplaces = [], [], [workplace]
    # Events in the order they happened: history records must follow each other in time.
    for kind, days, pick, first, second in sorted(events, key=lambda item: -item[1]):
        day = today - datetime.timedelta(days=days)
        if kind == "workplace":
            created = Workplace.objects.create(
                department=workplace.department, enterprise=enterprise, number=str(pick), position="Слесарь"
            )
            backdate(created, day)
            workplaces.append(created)
        elif kind == "hazard":
            hazard = hazard_add(
                workplace=workplaces[pick % len(workplaces)],
                event=events_catalogue[pick % len(events_catalogue)],
                source="Источник",
                identified_on=day,
                next_review_on=day + datetime.timedelta(days=30 * first),
            )
            backdate(hazard, day)
            hazards.append(hazard)
        elif kind == "assess" and hazards:
            hazard = hazards[pick % len(hazards)]
            with dated(hazard, day):
                assessment_create(
                    hazard=hazard,
                    assessor=assessor,
                    inputs={"probability": first, "severity": second},
                    assessed_on=day,
                )
        elif kind == "eliminate" and hazards:
            hazard = hazards[pick % len(hazards)]
            hazard.refresh_from_db()
            with dated(hazard, day):
                hazard_set_status(hazard=hazard, status=HazardStatus.ELIMINATED)
        elif kind == "plan" and hazards:
            measure = measure_plan(
                hazard=hazards[pick % len(hazards)],
                control_level="engineering",
                description="Мера",
                responsible="Мастер",
                # Due from a month before to nine months after: some fall due between the two days.
                due_date=day + datetime.timedelta(days=first * 60 - 30),
            )
            backdate(measure, day)
            measures.append(measure)
        elif kind == "complete" and measures:
            measure = measures[pick % len(measures)]
            measure.refresh_from_db()
            if measure.status not in (MeasureStatus.DONE, MeasureStatus.CANCELLED):
                with dated(measure, day):
                    measure_complete(measure=measure, done_on=day)
        elif kind == "cancel" and measures:
            measure = measures[pick % len(measures)]
            measure.refresh_from_db()
            if measure.status != MeasureStatus.DONE:
                measure.status = MeasureStatus.CANCELLED
                with dated(measure, day):
                    measure.save()
        elif kind == "incident":
            incident_kind = list(IncidentKind.values)[pick % len(IncidentKind.values)]
            victims = []
            if incident_kind == IncidentKind.ACCIDENT:
                victims = [
                    {"outcome": outcome, "days_lost": 0 if outcome == VictimOutcome.FATAL else second * 3}
                    for outcome in list(VictimOutcome.values)[: first % 3 + 1]
                ]
            incident_record(
                workplace=workplaces[pick % len(workplaces)],
                kind=incident_kind,
                occurred_at=at(day),
                description="Обстоятельства",
                victims=victims,
            )


def figures_on(enterprise, start, today) -> tuple:
    """The period's figures as a report rendered on ``today`` would compute them."""
    moment = at(today)
    with (
        mock.patch.object(timezone, "now", return_value=moment),
        mock.patch.object(timezone, "localdate", return_value=today),
    ):
        rollups.refresh(today=today)
        filters = figures.Filters(period=figures.Period("test", "", start, start))
        scope = Enterprise.objects.filter(pk=enterprise.pk)
        total = figures.total(figures.enterprise_rows(scope, filters))
        heat = figures.heat_map(scope, filters)
    rates = (total.frequency_rate, total.severity_rate, total.fatal_rate, total.ltifr)
    return dict(total.counts), rates, heat.cells


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(events=st.lists(event, min_size=5, max_size=30), months_back=st.integers(min_value=1, max_value=5))
def test_figures_of_an_ended_period_do_not_depend_on_the_day_they_are_computed(
    events, months_back, enterprise_a
):
    with transaction.atomic():
        assessor = UserFactory(role=Role.ADMIN)
        catalogue = list(HazardousEvent.objects.catalogue().order_by("code")[:10])
        workplace = WorkplaceFactory(department__enterprise=enterprise_a)
        backdate(workplace, timezone.localdate() - datetime.timedelta(days=SPAN + 10))
        apply(events, enterprise_a, workplace, assessor, catalogue)
        HeadcountPeriod.objects.get_or_create(
            enterprise=enterprise_a,
            month=add_months(first_of_month(timezone.localdate()), -months_back),
            defaults={"average_headcount": 150, "hours_worked": 24_000},
        )
        start = add_months(first_of_month(timezone.localdate()), -months_back)
        real_today = timezone.localdate()
        soon = figures_on(enterprise_a, start, real_today)
        later = figures_on(enterprise_a, start, real_today + datetime.timedelta(days=400))
        assert soon == later
        transaction.set_rollback(True)
