"""The register as it stood at the end of a past day, rebuilt from its history.

Every "at the end of the period" figure comes from here, never from today's state:
- a register row counts on day D when it was identified on or before D, was active at the end of D
  (its status history: a row eliminated in July still counts at the end of June) and is not
  archived now (archiving withdraws a row entered in error from every period);
- its level on D is the level of its latest assessment dated on or before D ("not rated" before
  the first one); its review date and re-assessment flag are those recorded on or before D;
- a control measure counts on D when it was planned on or before D and not cancelled by then; it
  is done on D when its completion date is on or before D, otherwise open, and overdue when open
  with its due date before D;
- a workplace counts on D when it was created on or before D and not archived by then.

Where a row has no history record dated on or before D (rows loaded in bulk, or identified with an
earlier date than the day they were typed in) the earliest record stands for the time before it,
and without any record the row's present values do.

``snapshot`` answers for one day and any scope; ``level_spans`` gives the periods of each level per
row, from which the roll-ups build the month-end profile of the trends: both read the same status
timeline and the same order of assessments, so the two always agree.
"""

import bisect
import datetime
import itertools
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import F
from django.db.models.fields.json import KT
from django.utils import timezone

from assessments.models import ControlMeasure, MeasureStatus, MethodKind, RiskAssessment
from enterprises.models import Workplace
from hazards.models import Hazard, HazardStatus

FAR_FUTURE = datetime.date.max

# The order in which a row's assessments follow each other. The current assessment sorts last, so
# the latest state always agrees with the row's level even if a re-assessment was back-dated.
ASSESSMENT_ORDER = (F("is_current").asc(), F("assessed_on").asc(), F("id").asc())


def local_date(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()


def month_end(day: datetime.date) -> datetime.date:
    following = day.replace(day=28) + datetime.timedelta(days=4)
    return following - datetime.timedelta(days=following.day)


def end_of(day: datetime.date) -> datetime.datetime:
    """The first moment after ``day`` in the site's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min))


# --- Timelines ---------------------------------------------------------------------------------


@dataclass
class Timeline:
    """The values a record had, each from the local date it was saved: [(date, values), ...]."""

    changes: list[tuple[datetime.date, tuple]] = field(default_factory=list)

    def on(self, day: datetime.date):
        """The values at the end of ``day``: the last saved on or before it, else the earliest."""
        dates = [date for date, _values in self.changes]
        index = bisect.bisect_right(dates, day)
        return self.changes[max(index - 1, 0)][1]


def _timelines(history_model, ids_queryset, fields: tuple[str, ...]) -> dict[int, Timeline]:
    timelines: dict[int, Timeline] = defaultdict(Timeline)
    records = (
        history_model.objects.filter(id__in=ids_queryset)
        .order_by("id", "history_date", "history_id")
        .values_list("id", "history_date", *fields)
    )
    for pk, moment, *values in records.iterator(chunk_size=20_000):
        timelines[pk].changes.append((local_date(moment), tuple(values)))
    return timelines


def status_timelines(hazards) -> dict[int, Timeline]:
    """Status timelines of the rows that were ever not active (others were active throughout)."""
    history = Hazard.history.model
    ever_inactive = (
        history.objects.filter(id__in=hazards.values("pk")).exclude(status=HazardStatus.ACTIVE).values("id")
    )
    return _timelines(history, ever_inactive, ("status",))


def active_spans(
    identified_on: datetime.date, status: str, timeline: Timeline | None
) -> list[tuple[datetime.date, datetime.date]]:
    """The [start, end) day ranges in which a row was active, from the day it was identified."""
    if timeline is None:
        return [(identified_on, FAR_FUTURE)] if status == HazardStatus.ACTIVE else []
    spans = []
    changes = timeline.changes
    for index, (since, (value,)) in enumerate(changes):
        if value != HazardStatus.ACTIVE:
            continue
        # The first record also stands for the time before it.
        start = datetime.date.min if index == 0 else since
        until = changes[index + 1][0] if index + 1 < len(changes) else FAR_FUTURE
        start = max(start, identified_on)
        if start < until:
            spans.append((start, until))
    return spans


def clip(spans, start: datetime.date, until: datetime.date):
    """The parts of [start, until) inside the spans."""
    for span_start, span_until in spans:
        low, high = max(start, span_start), min(until, span_until)
        if low < high:
            yield low, high


# --- Level spans (the roll-ups' month-end profile) ---------------------------------------------


def level_spans(hazards):
    """For every row of the queryset that is not archived: (enterprise_id, level or 0 for not rated,
    start, end) for each stretch of days the row was active at that level. Two queries and one pass
    over the assessments, however many rows."""
    hazards = hazards.exclude(status=HazardStatus.ARCHIVED)
    timelines = status_timelines(hazards)
    history = (
        RiskAssessment.objects.filter(hazard__in=hazards.values("pk"))
        .order_by("hazard_id", *ASSESSMENT_ORDER)
        .values_list(
            "hazard_id",
            "hazard__enterprise_id",
            "hazard__identified_on",
            "hazard__status",
            "level",
            "assessed_on",
        )
    )
    rows = history.iterator(chunk_size=20_000)
    for hazard_id, group in itertools.groupby(rows, key=lambda values: values[0]):
        group = list(group)
        _hazard_id, enterprise_id, identified_on, status, _level, _assessed_on = group[0]
        spans = active_spans(identified_on, status, timelines.get(hazard_id))
        for level, start, until in _in_force(identified_on, [(level, on) for *_rest, level, on in group]):
            for low, high in clip(spans, start, until):
                yield enterprise_id, level, low, high

    # A row with no assessment record keeps the level it was loaded with (if any) throughout.
    never_assessed = hazards.filter(assessments__isnull=True).values_list(
        "id", "enterprise_id", "identified_on", "status", "risk_level"
    )
    for hazard_id, enterprise_id, identified_on, status, level in never_assessed.iterator(chunk_size=20_000):
        for start, until in active_spans(identified_on, status, timelines.get(hazard_id)):
            yield enterprise_id, level or 0, start, until


def _in_force(identified_on, assessments):
    """(level, start, end) for each stretch in which one assessment was in force, and (0, ...)
    before the first: on day D the assessment in force is the last, in ``ASSESSMENT_ORDER``, of
    those dated on or before D — the rule ``snapshot`` applies."""
    following = FAR_FUTURE  # the earliest date among the assessments after this one in the order
    stretches = []
    for level, assessed_on in reversed(assessments):
        if assessed_on < following:
            stretches.append((level, assessed_on, following))
        following = min(following, assessed_on)
    stretches.append((0, identified_on, following))
    return stretches


# --- One day -----------------------------------------------------------------------------------


@dataclass
class RowState:
    pk: int
    enterprise_id: int
    group_id: int
    workplace_id: int
    level: int | None
    cell: tuple[int, int] | None  # (probability, severity) of a 5×5 matrix assessment


@dataclass
class Snapshot:
    """The stock figures at the end of ``day``, per (enterprise, hazard group or None for all)."""

    day: datetime.date
    counts: dict[tuple[int, int | None], Counter] = field(default_factory=lambda: defaultdict(Counter))
    heat: Counter = field(default_factory=Counter)  # (enterprise, group or None, p, s) -> rows
    rows: dict[int, RowState] = field(default_factory=dict)  # active rows by pk
    open_measures: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))  # hazard -> ids
    overdue_measures: list[int] = field(default_factory=list)
    workplaces: dict[int, Counter] = field(default_factory=dict)  # existing workplaces: rows, unrated

    def add(self, enterprise_id, group_id, name, value=1):
        self.counts[enterprise_id, group_id][name] += value
        self.counts[enterprise_id, None][name] += value


def _cell(kind, probability, severity):
    if kind != MethodKind.MATRIX:
        return None
    try:
        cell = int(float(probability)), int(float(severity))
    except (TypeError, ValueError):
        return None  # an enterprise's own matrix with other scales has no cell on the 5×5 grid
    return cell if all(1 <= value <= 5 for value in cell) else None


def snapshot(enterprises, day: datetime.date) -> Snapshot:
    """The register of these enterprises as it stood at the end of ``day``. A fixed number of
    queries; the work grows with the rows identified by then, not with the days since."""
    result = Snapshot(day)
    scope = enterprises.values("pk")
    hazards = Hazard.objects.filter(enterprise__in=scope, identified_on__lte=day).exclude(
        status=HazardStatus.ARCHIVED
    )
    timelines = status_timelines(hazards)
    review_history = _timelines(
        Hazard.history.model, hazards.values("pk"), ("next_review_on", "needs_reassessment")
    )
    in_force = {}
    assessed = set()
    assessments = (
        RiskAssessment.objects.filter(hazard__in=hazards.values("pk"), assessed_on__lte=day)
        .order_by("hazard_id", *ASSESSMENT_ORDER)
        .values_list(
            "hazard_id",
            "level",
            "method_version__method__kind",
            KT("inputs__probability"),
            KT("inputs__severity"),
        )
    )
    for hazard_id, level, kind, probability, severity in assessments.iterator(chunk_size=20_000):
        in_force[hazard_id] = (level, _cell(kind, probability, severity))
    # Rows with assessments, but none by ``day``, were not rated then; rows with none at all keep
    # the level they were loaded with (the same rule as ``level_spans``).
    assessed.update(
        RiskAssessment.objects.filter(hazard__in=hazards.values("pk")).values_list("hazard_id", flat=True)
    )

    rows = hazards.values_list(
        "pk",
        "enterprise_id",
        "event__hazard_type__group_id",
        "workplace_id",
        "identified_on",
        "status",
        "next_review_on",
        "needs_reassessment",
        "risk_level",
    )
    for (
        pk,
        enterprise_id,
        group_id,
        workplace_id,
        identified_on,
        status,
        review_on,
        flagged,
        loaded_level,
    ) in rows.iterator(chunk_size=20_000):
        spans = active_spans(identified_on, status, timelines.get(pk))
        if not any(start <= day < until for start, until in spans):
            continue
        if pk in review_history:
            review_on, flagged = review_history[pk].on(day)
        level, cell = in_force.get(pk, (None if pk in assessed else loaded_level, None))
        result.rows[pk] = RowState(pk, enterprise_id, group_id, workplace_id, level, cell)
        result.add(enterprise_id, group_id, "rows")
        result.add(enterprise_id, group_id, f"rows_level_{level}" if level else "rows_not_rated")
        if review_on and review_on <= day:
            result.add(enterprise_id, group_id, "rows_due_for_review")
        if flagged:
            result.add(enterprise_id, group_id, "rows_needing_reassessment")
        if cell:
            result.add(enterprise_id, group_id, "rows_in_heat_map")
            for key_group in (group_id, None):
                result.heat[enterprise_id, key_group, *cell] += 1

    _measures(result, hazards, day)
    _workplaces(result, enterprises, day)
    return result


def cancellation_dates(measures) -> dict[int, datetime.date]:
    """The local date each cancelled measure of the queryset was cancelled (from its history; the
    day it was last saved if the history has no such record)."""
    history = ControlMeasure.history.model
    dates = {}
    records = (
        history.objects.filter(id__in=measures.filter(status=MeasureStatus.CANCELLED).values("pk"))
        .filter(status=MeasureStatus.CANCELLED)
        .order_by("id", "history_date")
        .values_list("id", "history_date")
    )
    for pk, moment in records:
        dates.setdefault(pk, local_date(moment))
    for pk, updated_at in measures.filter(status=MeasureStatus.CANCELLED).values_list("pk", "updated_at"):
        dates.setdefault(pk, local_date(updated_at))
    return dates


def _measures(result: Snapshot, hazards, day):
    measures = ControlMeasure.objects.filter(hazard__in=hazards.values("pk"), created_at__lt=end_of(day))
    cancelled = cancellation_dates(measures)
    values = measures.order_by("due_date", "pk").values_list(
        "pk", "hazard_id", "status", "due_date", "done_on"
    )
    for pk, hazard_id, status, due_date, done_on in values.iterator(chunk_size=20_000):
        row = result.rows.get(hazard_id)
        if row is None or (pk in cancelled and cancelled[pk] <= day):
            continue
        if status == MeasureStatus.DONE and done_on and done_on <= day:
            result.add(row.enterprise_id, row.group_id, "measures_done")
            continue
        result.add(row.enterprise_id, row.group_id, "measures_open")
        result.open_measures[hazard_id].append(pk)
        if due_date and due_date < day:
            result.add(row.enterprise_id, row.group_id, "measures_overdue")
            result.overdue_measures.append(pk)


def _workplaces(result: Snapshot, enterprises, day):
    per_workplace: dict[int, Counter] = defaultdict(Counter)
    for row in result.rows.values():
        per_workplace[row.workplace_id]["rows"] += 1
        if row.level is None:
            per_workplace[row.workplace_id]["unrated"] += 1
    workplaces = Workplace.objects.filter(enterprise__in=enterprises.values("pk"), created_at__lt=end_of(day))
    values = workplaces.values_list("pk", "enterprise_id", "archived_at")
    for pk, enterprise_id, archived_at in values.iterator(chunk_size=20_000):
        if archived_at and local_date(archived_at) <= day:
            continue
        state = per_workplace[pk]
        result.workplaces[pk] = state
        counts = result.counts[enterprise_id, None]
        counts["workplaces_total"] += 1
        if state["rows"]:
            counts["workplaces_with_rows"] += 1
            if not state["unrated"]:
                counts["workplaces_assessed"] += 1
