"""Computing the dashboards' roll-ups from the register, and keeping them fresh.

``compute`` is the one definition of every figure the dashboards show: it aggregates the register
live (for all enterprises, or for some) and returns plain rows. ``refresh`` writes what ``compute``
returns into the roll-up tables (reports.models), replacing those enterprises' rows in one
transaction, and stamps the run. ``refresh_due`` decides what to refresh: everything once a day
(figures such as "overdue" move with the date), otherwise only the enterprises whose register
changed since the previous run — found through ``updated_at``, which every register model keeps
and every service bumps.

Definitions (also explained on the pages):
- figures count **active** register rows; a row's level is its current assessment's level;
- a workplace is **assessed** when it has at least one active row and all its active rows are
  rated (the same rule as the enterprise overview);
- "due for review": active rows whose next review date is today or earlier;
- measures (open, done, overdue) are those of active rows, cancelled ones left out; a measure is
  overdue when it is open and its due date has passed;
- monthly flows count what happened in the month, whatever happened since: measures by the
  month they fell due (left out only if cancelled by that month's end) and the month they were
  done, incidents by their date, accident victims each with their own outcome; rows archived
  (withdrawn as entered in error) are left out of every month;
- the risk profile at a month's end is the register as it stood then (dashboards.history).
"""

import bisect
import datetime
import logging
import time
import uuid
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, Exists, F, Max, OuterRef, Q, Sum
from django.db.models.fields.json import KT
from django.db.models.functions import TruncMonth
from django.utils import timezone

from assessments.models import (
    OPEN_MEASURE_STATUSES,
    ControlMeasure,
    Incident,
    IncidentKind,
    IncidentVictim,
    MeasureStatus,
    MethodKind,
    RiskAssessment,
    VictimOutcome,
)
from enterprises.models import Enterprise, HeadcountPeriod, Workplace
from hazards.models import Hazard, HazardStatus
from riskpilot.celery import task_named

from . import history
from .models import EnterpriseFigures, EnterpriseMonth, HeatCell, RollupKind, RollupRun

logger = logging.getLogger(__name__)

# Months kept in EnterpriseMonth, the current one included: the longest period a dashboard offers
# (two calendar years back from January) fits in it.
HORIZON_MONTHS = 36
# A transaction that wrote before a run started may commit after the run read the register; looking
# back this far for changes catches it at the next run (refreshing a few extra enterprises is cheap).
CHANGE_LOOKBACK = datetime.timedelta(minutes=10)
# Runs kept for the admin's view of what happened; the stamp needs only the latest.
KEEP_RUNS = datetime.timedelta(days=7)
LOCK_KEY = "reports:rollups:lock"
LOCK_TIMEOUT = 30 * 60
QUEUED_KEY = "reports:rollups:queued"
BATCH = 2000

LEVELS = (1, 2, 3, 4, 5)


def first_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def add_months(month: datetime.date, count: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + count
    return datetime.date(index // 12, index % 12 + 1, 1)


def month_index(start: datetime.date, day: datetime.date) -> int:
    return (day.year - start.year) * 12 + day.month - start.month


def horizon(today: datetime.date) -> tuple[datetime.date, int]:
    """The first month kept and the number of months (the current one last)."""
    return add_months(first_of_month(today), -(HORIZON_MONTHS - 1)), HORIZON_MONTHS


def _figure_row() -> dict:
    return defaultdict(int)


@dataclass
class Computed:
    """Roll-up rows as plain dicts, keyed like the tables' unique constraints."""

    enterprise_ids: list[int]
    figures: dict[tuple[int, int | None], dict] = field(default_factory=lambda: defaultdict(_figure_row))
    heat: dict[tuple[int, int | None, int, int], int] = field(default_factory=lambda: defaultdict(int))
    months: dict[tuple[int, datetime.date], dict] = field(default_factory=lambda: defaultdict(_figure_row))


def compute(enterprise_ids: Collection[int] | None = None, *, today: datetime.date | None = None) -> Computed:
    """Aggregate the register for these enterprises (all when None). A constant number of queries,
    whatever the number of enterprises or rows."""
    today = today or timezone.localdate()
    scope = (
        Enterprise.objects.all()
        if enterprise_ids is None
        else Enterprise.objects.filter(pk__in=enterprise_ids)
    )
    result = Computed(enterprise_ids=list(scope.order_by("pk").values_list("pk", flat=True)))
    if not result.enterprise_ids:
        return result

    def only(queryset, path):
        return (
            queryset if enterprise_ids is None else queryset.filter(**{f"{path}__in": result.enterprise_ids})
        )

    for enterprise_id in result.enterprise_ids:
        result.figures[enterprise_id, None]  # every enterprise has its all-groups row, even if empty
    _register_rows(result, only, today)
    _measures(result, only, today)
    _workplaces(result, only)
    _heat_map(result, only)
    _last_change(result, only)
    _monthly(result, only, today)
    _profile(result, only, today)
    return result


def _add_to_groups(result: Computed, enterprise_id: int, group_id: int, values: dict) -> None:
    """Add counts to the group's row and to the enterprise's all-groups row."""
    for key in ((enterprise_id, group_id), (enterprise_id, None)):
        row = result.figures[key]
        for name, value in values.items():
            row[name] += value or 0


def _register_rows(result, only, today):
    level_counts = {f"rows_level_{level}": Count("id", filter=Q(risk_level=level)) for level in LEVELS}
    rows = (
        only(Hazard.objects.filter(status=HazardStatus.ACTIVE), "enterprise_id")
        .values("enterprise_id", group_id=F("event__hazard_type__group_id"))
        .annotate(
            rows=Count("id"),
            rows_not_rated=Count("id", filter=Q(risk_level__isnull=True)),
            rows_due_for_review=Count("id", filter=Q(next_review_on__lte=today)),
            rows_needing_reassessment=Count("id", filter=Q(needs_reassessment=True)),
            **level_counts,
        )
        .order_by()
    )
    for row in rows:
        enterprise_id, group_id = row.pop("enterprise_id"), row.pop("group_id")
        _add_to_groups(result, enterprise_id, group_id, row)


def _measures(result, only, today):
    is_open = Q(status__in=OPEN_MEASURE_STATUSES)
    rows = (
        only(ControlMeasure.objects.filter(hazard__status=HazardStatus.ACTIVE), "hazard__enterprise_id")
        .values(enterprise_id=F("hazard__enterprise_id"), group_id=F("hazard__event__hazard_type__group_id"))
        .annotate(
            measures_open=Count("id", filter=is_open),
            measures_done=Count("id", filter=Q(status=MeasureStatus.DONE)),
            measures_overdue=Count("id", filter=is_open & Q(due_date__lt=today)),
        )
        .order_by()
    )
    for row in rows:
        enterprise_id, group_id = row.pop("enterprise_id"), row.pop("group_id")
        _add_to_groups(result, enterprise_id, group_id, row)


def _workplaces(result, only):
    active_rows = Hazard.objects.filter(workplace=OuterRef("pk"), status=HazardStatus.ACTIVE)
    rows = (
        only(Workplace.objects.filter(archived_at__isnull=True), "enterprise_id")
        .annotate(
            has_rows=Exists(active_rows),
            has_unrated=Exists(active_rows.filter(risk_level__isnull=True)),
        )
        .values("enterprise_id")
        .annotate(
            workplaces_total=Count("id"),
            workplaces_with_rows=Count("id", filter=Q(has_rows=True)),
            workplaces_assessed=Count("id", filter=Q(has_rows=True, has_unrated=False)),
        )
        .order_by()
    )
    for row in rows:
        result.figures[row.pop("enterprise_id"), None].update(row)


def _heat_map(result, only):
    rows = (
        only(
            RiskAssessment.objects.filter(
                is_current=True,
                hazard__status=HazardStatus.ACTIVE,
                method_version__method__kind=MethodKind.MATRIX,
            ),
            "hazard__enterprise_id",
        )
        .values(
            enterprise_id=F("hazard__enterprise_id"),
            group_id=F("hazard__event__hazard_type__group_id"),
            probability=KT("inputs__probability"),
            severity=KT("inputs__severity"),
        )
        .annotate(rows=Count("id"))
        .order_by()
    )
    for row in rows:
        try:
            probability, severity = int(float(row["probability"])), int(float(row["severity"]))
        except (TypeError, ValueError):
            continue  # an enterprise's own matrix with other scales has no cell on the 5×5 grid
        if not (1 <= probability <= 5 and 1 <= severity <= 5):
            continue
        for group_id in (row["group_id"], None):
            result.heat[row["enterprise_id"], group_id, probability, severity] += row["rows"]
        _add_to_groups(result, row["enterprise_id"], row["group_id"], {"rows_in_heat_map": row["rows"]})


def _last_change(result, only):
    # Workplaces too: the figures at a past period's end are cached by this stamp (figures.py).
    sources = (
        (Workplace.objects.all(), "enterprise_id"),
        (Hazard.objects.all(), "enterprise_id"),
        (RiskAssessment.objects.all(), "hazard__enterprise_id"),
        (ControlMeasure.objects.all(), "hazard__enterprise_id"),
        (Incident.objects.all(), "enterprise_id"),
    )
    for queryset, path in sources:
        rows = only(queryset, path).values(owner=F(path)).annotate(last=Max("updated_at")).order_by()
        for row in rows:
            figures = result.figures[row["owner"], None]
            if figures.get("last_change_at") is None or row["last"] > figures["last_change_at"]:
                figures["last_change_at"] = row["last"]


def _monthly(result, only, today):
    start, count = horizon(today)
    end = add_months(start, count) - datetime.timedelta(days=1)
    months = result.months

    # Measures of rows not withdrawn (archived). A cancelled measure still counts in the months
    # that ended before it was cancelled: those are added one by one below.
    measures = only(
        ControlMeasure.objects.exclude(hazard__status=HazardStatus.ARCHIVED), "hazard__enterprise_id"
    )
    due = (
        measures.exclude(status=MeasureStatus.CANCELLED)
        .filter(due_date__range=(start, end))
        .values(enterprise_id=F("hazard__enterprise_id"), month=TruncMonth("due_date"))
        .annotate(
            measures_due=Count("id"),
            measures_due_passed=Count("id", filter=Q(due_date__lt=today)),
            measures_done_on_time=Count(
                "id", filter=Q(due_date__lt=today, status=MeasureStatus.DONE, done_on__lte=F("due_date"))
            ),
        )
        .order_by()
    )
    done = (
        measures.filter(status=MeasureStatus.DONE, done_on__range=(start, end))
        .values(enterprise_id=F("hazard__enterprise_id"), month=TruncMonth("done_on"))
        .annotate(measures_done=Count("id"))
        .order_by()
    )
    cancelled = measures.filter(status=MeasureStatus.CANCELLED, due_date__range=(start, end))
    cancelled_on = history.cancellation_dates(cancelled)
    for pk, enterprise_id, due_date in cancelled.values_list("pk", "hazard__enterprise_id", "due_date"):
        if cancelled_on[pk] > history.month_end(due_date):
            target = months[enterprise_id, first_of_month(due_date)]
            target["measures_due"] += 1
            target["measures_due_passed"] += int(due_date < today)

    zone = timezone.get_current_timezone()
    since = datetime.datetime.combine(start, datetime.time.min, tzinfo=zone)
    until = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone)
    in_horizon = only(Incident.objects.active(), "enterprise_id").filter(
        occurred_at__gte=since, occurred_at__lt=until
    )
    incidents = (
        in_horizon.values("enterprise_id", month=TruncMonth("occurred_at", tzinfo=zone))
        .annotate(
            accidents=Count("id", filter=Q(kind=IncidentKind.ACCIDENT)),
            microtraumas=Count("id", filter=Q(kind=IncidentKind.MICROTRAUMA)),
            occupational_diseases=Count("id", filter=Q(kind=IncidentKind.OCCUPATIONAL_DISEASE)),
            near_misses=Count("id", filter=Q(kind=IncidentKind.NEAR_MISS)),
        )
        .order_by()
    )
    # Victims of accidents, each with their own outcome (Order 223n): a group accident adds one
    # fatal victim and two severe ones, not one "group" case.
    fatal = Q(outcome=VictimOutcome.FATAL)
    with_days = ~fatal & Q(days_lost__gte=1)
    victims = (
        IncidentVictim.objects.filter(incident__in=in_horizon.filter(kind=IncidentKind.ACCIDENT).values("pk"))
        .values(
            enterprise_id=F("incident__enterprise_id"),
            month=TruncMonth("incident__occurred_at", tzinfo=zone),
        )
        .annotate(
            accident_victims=Count("id"),
            fatal_victims=Count("id", filter=fatal),
            severe_victims=Count("id", filter=Q(outcome=VictimOutcome.SEVERE)),
            lost_time_victims=Count("id", filter=fatal | Q(days_lost__gte=1)),
            victims_with_days=Count("id", filter=with_days),
            days_lost=Sum("days_lost", filter=with_days),
        )
        .order_by()
    )
    for queryset in (due, done, incidents, victims):
        for row in queryset:
            month = row.pop("month")
            if isinstance(month, datetime.datetime):
                month = timezone.localtime(month, zone).date() if timezone.is_aware(month) else month.date()
            target = months[row.pop("enterprise_id"), first_of_month(month)]
            for name, value in row.items():
                target[name] += value or 0

    headcount = only(HeadcountPeriod.objects.filter(month__range=(start, end)), "enterprise_id").values_list(
        "enterprise_id", "month", "average_headcount", "hours_worked"
    )
    for enterprise_id, month, people, hours in headcount.order_by():
        target = months[enterprise_id, first_of_month(month)]
        target["headcount"] = (target.get("headcount") or 0) + people
        target["hours_worked"] = (target.get("hours_worked") or 0) + hours


def _profile(result, only, today):
    """Risk profile at each month's end, rebuilt from the register's history (dashboards.history):
    +1/−1 deltas per month over the stretches each row spent at each level."""
    start, count = horizon(today)
    # deltas[enterprise][level, 0 = not rated][month index 0..count]
    deltas: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0] * (count + 1)))
    month_ends = [add_months(start, index + 1) - datetime.timedelta(days=1) for index in range(count)]
    for enterprise_id, level, since, until in history.level_spans(
        only(Hazard.objects.all(), "enterprise_id")
    ):
        # The month ends from the first on or after ``since`` up to the last before ``until``.
        first = bisect.bisect_left(month_ends, since)
        last = bisect.bisect_left(month_ends, until)
        if first < last:
            deltas[enterprise_id][level][first] += 1
            deltas[enterprise_id][level][last] -= 1

    for enterprise_id, by_level in deltas.items():
        for level, changes in by_level.items():
            name = f"profile_level_{level}" if level else "profile_not_rated"
            stock = 0
            for index in range(count):
                stock += changes[index]
                if stock:
                    result.months[enterprise_id, add_months(start, index)][name] = stock


# --- Writing and freshness ------------------------------------------------------------------------


def _figures_objects(computed: Computed):
    for (enterprise_id, group_id), values in computed.figures.items():
        yield EnterpriseFigures(enterprise_id=enterprise_id, hazard_group_id=group_id, **values)


def _heat_objects(computed: Computed):
    for (enterprise_id, group_id, probability, severity), rows in computed.heat.items():
        yield HeatCell(
            enterprise_id=enterprise_id,
            hazard_group_id=group_id,
            probability=probability,
            severity=severity,
            rows=rows,
        )


def _month_objects(computed: Computed):
    for (enterprise_id, month), values in computed.months.items():
        yield EnterpriseMonth(enterprise_id=enterprise_id, month=month, **values)


@transaction.atomic
def refresh(
    *, enterprise_ids: Collection[int] | None = None, today: datetime.date | None = None
) -> RollupRun:
    """Recompute the roll-ups of these enterprises (all when None) and stamp the run. Readers keep
    seeing the previous figures until the transaction commits."""
    started_at = timezone.now()
    clock = time.monotonic()
    today = today or timezone.localdate()
    computed = compute(enterprise_ids, today=today)
    for model in (EnterpriseFigures, HeatCell, EnterpriseMonth):
        stale = model.objects.all()
        if enterprise_ids is not None:
            stale = stale.filter(enterprise_id__in=computed.enterprise_ids)
        stale.delete()  # derived rows, referenced by nothing: one DELETE statement
    EnterpriseFigures.objects.bulk_create(_figures_objects(computed), batch_size=BATCH)
    HeatCell.objects.bulk_create(_heat_objects(computed), batch_size=BATCH)
    EnterpriseMonth.objects.bulk_create(_month_objects(computed), batch_size=BATCH)
    if enterprise_ids is None and connection.vendor == "postgresql":
        # Half a million rows replaced: fresh statistics keep the dashboards' plans on the indexes.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {ROLLUP_TABLES}")
        transaction.on_commit(_vacuum_rollups)
    finished_at = timezone.now()
    run = RollupRun.objects.create(
        kind=RollupKind.FULL if enterprise_ids is None else RollupKind.CHANGES,
        started_at=started_at,
        finished_at=finished_at,
        as_of=today,
        enterprise_count=len(computed.enterprise_ids),
        duration_ms=round((time.monotonic() - clock) * 1000),
    )
    RollupRun.objects.filter(finished_at__lt=finished_at - KEEP_RUNS).delete()
    return run


ROLLUP_TABLES = "reports_enterprisefigures, reports_heatcell, reports_enterprisemonth"


def _vacuum_rollups() -> None:
    """After a full refresh the roll-up tables hold as many dead rows as live ones. Vacuumed at
    once (VACUUM cannot run inside the refresh's transaction) rather than whenever autovacuum
    comes round, so the morning's dashboards read compact tables and the heat map's index-only
    scans find their pages all-visible."""
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {ROLLUP_TABLES}")


def changed_enterprise_ids(since: datetime.datetime) -> set[int]:
    """Enterprises with any register change saved at or after ``since``."""
    sources = (
        (Enterprise.objects.all(), "id"),
        (Workplace.objects.all(), "enterprise_id"),
        (HeadcountPeriod.objects.all(), "enterprise_id"),
        (Hazard.objects.all(), "enterprise_id"),
        (RiskAssessment.objects.all(), "hazard__enterprise_id"),
        (ControlMeasure.objects.all(), "hazard__enterprise_id"),
        (Incident.objects.all(), "enterprise_id"),
    )
    changed: set[int] = set()
    for queryset, path in sources:
        changed.update(
            queryset.filter(updated_at__gte=since).order_by().values_list(path, flat=True).distinct()
        )
    return changed


def latest_run() -> RollupRun | None:
    return RollupRun.objects.order_by("-finished_at").first()


def refresh_due(*, full: bool = False) -> RollupRun | None:
    """Bring the roll-ups up to date: in full once a day (or when asked), otherwise only the
    enterprises changed since the previous run. Returns None if another refresh is running."""
    token = uuid.uuid4().hex
    if not cache.add(LOCK_KEY, token, LOCK_TIMEOUT):
        return None
    try:
        today = timezone.localdate()
        last_full = RollupRun.objects.filter(kind=RollupKind.FULL).order_by("-finished_at").first()
        if full or last_full is None or last_full.as_of != today:
            return refresh(today=today)
        last = latest_run()
        changed = changed_enterprise_ids(last.started_at - CHANGE_LOOKBACK)
        return refresh(enterprise_ids=changed, today=today)
    finally:
        if cache.get(LOCK_KEY) == token:
            cache.delete(LOCK_KEY)


def max_age() -> datetime.timedelta:
    """How old the figures may be before a page asks for a refresh. Without a broker (the embedded
    default) the refresh runs inside the request, so every view is up to date (settings)."""
    return datetime.timedelta(seconds=settings.REPORTS_ROLLUP_MAX_AGE)


def fresh_run() -> RollupRun | None:
    """The stamp to show, after asking for a refresh if the figures are too old (queued once, or
    run at once without a broker). None means no figures yet."""
    run = latest_run()
    if run is None or run.as_of != timezone.localdate() or timezone.now() - run.finished_at > max_age():
        if settings.CELERY_TASK_ALWAYS_EAGER:
            return refresh_due() or run
        queue_refresh()
    return run


def queue_refresh() -> bool:
    """Queue one refresh; asking again within a minute adds nothing (one queued task covers every
    change made before it runs). Returns whether a task was queued."""
    refresh_rollups = task_named("reports.tasks.refresh_rollups")

    if not cache.add(QUEUED_KEY, 1, 60):
        return False
    refresh_rollups.delay()
    return True
