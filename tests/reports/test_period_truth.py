"""The figures of a past period are those of the period, counted by hand: what happened inside it,
and the register as it stood on its last day — not as it stands today (REFERENCE §4.2).

The register and its history: tests/reports/past_period.py.
"""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from assessments.models import ControlMeasure, MeasureStatus
from dashboards import figures, rollups
from dashboards.formatting import month_ranges
from dashboards.history import month_end
from dashboards.rollups import add_months, first_of_month
from enterprises.models import Enterprise
from reports import delivery, pdf

from .past_period import change_on

pytestmark = pytest.mark.django_db


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
    """The trend chart's month-end profile (roll-ups) and the state at a day (dashboards.history) are
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


@pytest.mark.parametrize("frequency", ["monthly", "quarterly"])
@pytest.mark.parametrize(
    "today",
    [
        datetime.date(2026, 12, 1),
        datetime.date(2026, 12, 5),
        datetime.date(2026, 12, 31),
        datetime.date(2027, 1, 1),
    ],
)
def test_scheduled_delivery_sends_only_ended_periods(frequency, today):
    period = delivery.due_period(frequency, today)
    assert period.end < today
    assert period.end >= today - datetime.timedelta(days=92)  # the last one that ended


def test_months_without_hours_are_named_as_runs():
    months = [datetime.date(2026, m, 1) for m in (1, 2, 3, 6, 7, 12)] + [datetime.date(2027, 1, 1)]
    assert month_ranges(months) == "01.2026–03.2026, 06.2026–07.2026, 12.2026–01.2027"
    assert month_ranges([]) == ""


def test_the_enterprise_dashboard_names_the_months_without_hours(client, enterprise_a, period_start, history):
    from django.urls import reverse

    from enterprises.models import Role
    from tests.factories import UserFactory

    client.force_login(UserFactory(role=Role.MANAGER, enterprise=enterprise_a))
    url = reverse("dashboards:enterprise", args=[enterprise_a.pk])
    reported = client.get(url, {"period": f"{period_start:%Y-%m}"})
    assert reported.context["months_without_hours"] == ""
    previous = add_months(period_start, -1)
    page = client.get(url, {"period": f"{previous:%Y-%m}"}).content.decode()
    assert f"часы не внесены за: {previous:%m.%Y}" in page


def test_the_nightly_refresh_warms_the_recent_period_ends(enterprise_a, history):
    from django.core.cache import cache

    from dashboards import tasks
    from dashboards.models import EnterpriseFigures

    cache.clear()
    tasks.refresh_rollups(full=True)  # eager here: the warm-up runs at once
    stamp = EnterpriseFigures.objects.get(enterprise=enterprise_a, hazard_group=None).last_change_at
    days = figures.recent_period_ends()
    assert len(days) >= 2 and all(day < timezone.localdate() for day in days)
    keys = [figures._snapshot_key(enterprise_a.pk, day, stamp) for day in days]
    assert set(cache.get_many(keys)) == set(keys)


def test_a_past_snapshot_reads_the_groups_asked_for_and_rebuilds_a_lost_one(
    enterprise_a, period_start, history
):
    from django.core.cache import cache

    from dashboards.models import EnterpriseFigures

    cache.clear()
    rollups.refresh()
    day = month_end(period_start)
    scope = Enterprise.objects.filter(pk=enterprise_a.pk)
    every = figures.period_snapshot(scope, day)
    groups = {group for _enterprise, group in every.counts if group is not None}
    assert groups and (enterprise_a.pk, None) in every.counts
    group = min(groups)

    def restricted(snapshot, kept):
        return (
            {key: value for key, value in snapshot.counts.items() if key[1] in kept},
            {key: value for key, value in snapshot.heat.items() if key[1] in kept},
        )

    for kept in ({group}, {None}, {None, group}):
        chosen = figures.period_snapshot(scope, day, groups=kept)
        assert (chosen.counts, chosen.heat) == restricted(every, kept), kept
    # A group's entry dropped from the cache is rebuilt, never read as a group without figures.
    stamp = EnterpriseFigures.objects.get(enterprise=enterprise_a, hazard_group=None).last_change_at
    cache.delete(figures._group_key(figures._snapshot_key(enterprise_a.pk, day, stamp), group))
    again = figures.period_snapshot(scope, day, groups={group})
    assert (again.counts, again.heat) == restricted(every, {group})
