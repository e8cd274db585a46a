"""A small register whose every dashboard figure is known by hand (see the numbers in the comments).

Region 56 (reviewer_region): enterprise A (OKVED 08.93, section B, 5×5 matrix) and enterprise B
(OKVED 24.10, section C, Fine-Kinney), plus an archived enterprise that no dashboard counts.
Region 47 (reviewer_other_region): enterprise C (OKVED 01.11, section A, 5×5 matrix).
Dates are relative to today and chosen so that the "last 12 months" period holds them whatever
the day of the month the tests run on.
"""

import datetime
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from assessments.models import IncidentKind, IncidentVictim, MeasureStatus, RiskMethod, VictimOutcome
from assessments.services import assessment_create
from dashboards.rollups import add_months, first_of_month
from enterprises.models import HeadcountPeriod, Role
from hazards.models import HazardousEvent, HazardStatus
from tests.factories import (
    ControlMeasureFactory,
    EnterpriseFactory,
    HazardFactory,
    IncidentFactory,
    UserFactory,
    WorkplaceFactory,
)


@pytest.fixture(autouse=True)
def refresh_in_the_request(settings):
    """Without a broker a dashboard refreshes its roll-ups itself; these tests are about the
    figures, so they run that way even when REDIS_URL is set (test_tasks covers the queue)."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.REPORTS_ROLLUP_MAX_AGE = 0


@pytest.fixture(autouse=True)
def rollups_never_locked():
    """The refresh lock lives in the (process-wide) cache; start every test without it."""
    from django.core.cache import cache

    from dashboards.rollups import LOCK_KEY, QUEUED_KEY

    cache.delete(LOCK_KEY)
    cache.delete(QUEUED_KEY)
    yield


def url(name: str, *args, lang: str = "ru", **params) -> str:
    """A page's URL in a language (Russian has no prefix, English is under /en/)."""
    with translation.override(lang):
        path = reverse(name, args=args)
    return path + (f"?{urlencode(params)}" if params else "")


def days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


def moment(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


@dataclass
class Known:
    enterprise_a: object
    enterprise_b: object
    enterprise_c: object
    hazards: dict
    this_month: datetime.date


def assess(hazard, assessor, on=None, **inputs):
    return assessment_create(hazard=hazard, assessor=assessor, inputs=inputs, assessed_on=on)


@pytest.fixture
def known(enterprise_a, enterprise_b, enterprise_c, region_a):
    today = timezone.localdate()
    this_month = first_of_month(today)
    assessor = UserFactory(username="assessor", role=Role.ADMIN)
    fine_kinney = RiskMethod.objects.get(code="fine-kinney")
    enterprise_b.okved = "24.10"
    enterprise_b.risk_method = fine_kinney
    enterprise_b.save()
    enterprise_c.okved = "01.11"
    enterprise_c.save()
    slip = HazardousEvent.objects.get_by_natural_key("3.1")  # group 3, falls

    # --- Enterprise A: 3 active workplaces (+1 archived), 1 assessed --------------------------------
    w1 = WorkplaceFactory(department__enterprise=enterprise_a, number="1")
    w2 = WorkplaceFactory(department__enterprise=enterprise_a, number="2")
    WorkplaceFactory(department__enterprise=enterprise_a, number="3")  # no hazards: not assessed
    WorkplaceFactory(department__enterprise=enterprise_a, number="4", archived_at=timezone.now())

    h1 = HazardFactory(workplace=w1, next_review_on=days_ago(1))  # due for review
    assess(h1, assessor, probability=5, severity=5)  # 25: critical (5)
    h2 = HazardFactory(
        workplace=w1, next_review_on=today, identified_on=add_months(this_month, -4).replace(day=15)
    )
    # Critical three months ago, re-assessed today as high: the trend shows the change.
    assess(h2, assessor, on=add_months(this_month, -3).replace(day=15), probability=5, severity=4)
    assess(h2, assessor, probability=4, severity=4)  # 16: high (4)
    h3 = HazardFactory(workplace=w1, event=slip, next_review_on=today + datetime.timedelta(days=30))
    assess(h3, assessor, probability=2, severity=3)  # 6: low (2), group 3
    h4 = HazardFactory(workplace=w2, needs_reassessment=True)
    assess(h4, assessor, probability=3, severity=3)  # 9: medium (3)
    h4.refresh_from_db()
    h4.needs_reassessment = True
    h4.save(update_fields=["needs_reassessment", "updated_at"])
    HazardFactory(workplace=w2)  # not rated: workplace 2 is not assessed
    h6 = HazardFactory(workplace=w1, status=HazardStatus.ELIMINATED)
    assess(h6, assessor, probability=5, severity=5)  # eliminated: not counted
    HazardFactory(workplace=w1, status=HazardStatus.ARCHIVED)

    ControlMeasureFactory(hazard=h1, due_date=days_ago(11))  # planned, overdue
    ControlMeasureFactory(hazard=h1, status=MeasureStatus.IN_PROGRESS, due_date=today)  # open, not overdue
    ControlMeasureFactory(hazard=h2, status=MeasureStatus.DONE, due_date=days_ago(5), done_on=days_ago(6))
    ControlMeasureFactory(hazard=h4, status=MeasureStatus.DONE, due_date=days_ago(20), done_on=days_ago(10))
    ControlMeasureFactory(hazard=h3, status=MeasureStatus.CANCELLED, due_date=today)  # cancelled: left out
    # On an eliminated row: not in the current figures, but in the period's flows (done on time).
    ControlMeasureFactory(hazard=h6, status=MeasureStatus.DONE, due_date=days_ago(15), done_on=days_ago(16))

    def incident(enterprise_workplace, kind, days, **fields):
        return IncidentFactory(workplace=enterprise_workplace, kind=kind, occurred_at=moment(days), **fields)

    def accident(enterprise_workplace, days, *victims):
        """An accident at work with its victims, each (outcome, days of incapacity)."""
        found = incident(enterprise_workplace, IncidentKind.ACCIDENT, days)
        found.victims.all().delete()  # whatever the factory gave it by default
        for outcome, lost in victims:
            IncidentVictim.objects.create(incident=found, outcome=outcome, days_lost=lost)
        return found

    accident(w1, 20, (VictimOutcome.LIGHT, 12))
    # Two months back, a month without hours reported: in Kч and the fatal rate, not in LTIFR.
    fatal_day = add_months(this_month, -2).replace(day=15)
    fatal = accident(w1, 0, (VictimOutcome.FATAL, 0))
    fatal.occurred_at = timezone.make_aware(datetime.datetime.combine(fatal_day, datetime.time(10)))
    fatal.save(update_fields=["occurred_at"])
    incident(w1, IncidentKind.MICROTRAUMA, 5)
    incident(w1, IncidentKind.MICROTRAUMA, 60)
    for days in (1, 2, 3):
        incident(w1, IncidentKind.NEAR_MISS, days)
    incident(w2, IncidentKind.OCCUPATIONAL_DISEASE, 100)
    # Outside the last 12 months, and archived: not counted.
    accident(w1, 500, (VictimOutcome.LIGHT, 10), (VictimOutcome.LIGHT, 20))
    incident(w1, IncidentKind.NEAR_MISS, 2, archived_at=timezone.now())

    previous_month = add_months(this_month, -1)
    for month, people in ((this_month, 200), (previous_month, 300)):
        HeadcountPeriod.objects.create(
            enterprise=enterprise_a, month=month, average_headcount=people, hours_worked=30_000
        )
    HeadcountPeriod.objects.create(
        enterprise=enterprise_a, month=add_months(this_month, -17), average_headcount=1000, hours_worked=1
    )

    # --- Enterprise B: Fine-Kinney, 1 workplace, assessed; no head-count reported -------------------
    wb = WorkplaceFactory(department__enterprise=enterprise_b, number="1")
    k1 = HazardFactory(workplace=wb)
    assess(k1, assessor, probability=6, exposure=6, consequence=15)  # 540: very high (5)
    k2 = HazardFactory(workplace=wb, event=slip)
    assess(k2, assessor, probability=1, exposure=1, consequence=1)  # 1: slight (1), group 3
    incident(wb, IncidentKind.NEAR_MISS, 10)

    # --- An archived enterprise of region 56: never counted ----------------------------------------
    gone = EnterpriseFactory(region=region_a, short_name="ООО «Закрытое»", archived_at=timezone.now())
    HazardFactory(workplace=WorkplaceFactory(department__enterprise=gone), risk_level=5)

    # --- Enterprise C, region 47 ---------------------------------------------------------------------
    wc = WorkplaceFactory(department__enterprise=enterprise_c, number="1")
    c1 = HazardFactory(workplace=wc)
    assess(c1, assessor, probability=1, severity=1)  # 1: negligible (1)
    accident(wc, 10, (VictimOutcome.LIGHT, 3))
    for month in (this_month, previous_month):
        HeadcountPeriod.objects.create(
            enterprise=enterprise_c, month=month, average_headcount=100, hours_worked=10_000
        )

    return Known(
        enterprise_a,
        enterprise_b,
        enterprise_c,
        {"h1": h1, "h2": h2, "h3": h3, "h4": h4, "k1": k1, "c1": c1, "w1": w1},
        this_month,
    )


from .past_period import history, period_start  # noqa: E402, F401 (fixtures of the past-period tests)
