"""Synthetic but realistic registers at national scale, for the dashboards' benchmark.

Written straight into PostgreSQL with COPY (about a hundred times faster than saving objects), in
batches of enterprises so that memory stays flat whatever the scale. Rows are built the way the
services would build them — an assessment's score, band and level come from scoring.py, a row's
level is its current assessment's — but no history records are written (the benchmark does not
read them). Everything is drawn from one random.Random(seed): the same seed gives the same data.

Distributions (what a pilot across Russia might hold): enterprises spread over regions with a few
large regions (Zipf-like, the Orenburg region largest), workplaces per enterprise log-normal around
the mean, 1–9 register rows per workplace, one in ten rows not yet rated, one to three
assessments per rated row (re-assessments usually lower the risk), more measures for higher
risks, most due measures done (four in five on time), incidents in proportion to head-count.
"""

import datetime
import json
import math
import random
import time
from bisect import bisect
from dataclasses import dataclass
from itertools import accumulate

from django.db import connection
from django.utils import timezone
from psycopg import sql

from assessments import scoring
from assessments.models import (
    AssessmentReason,
    AssessmentStatus,
    ControlMeasure,
    Incident,
    IncidentKind,
    IncidentVictim,
    MeasureStatus,
    RiskAssessment,
    RiskMethod,
    VictimOutcome,
)
from enterprises.models import (
    Department,
    Enterprise,
    FederalDistrict,
    HeadcountPeriod,
    Region,
    Role,
    User,
    Workplace,
)
from enterprises.ordering import number_sort_key
from enterprises.validators import inn_complete, ogrn_complete
from hazards.models import Activity, Hazard, HazardousEvent, HazardStatus

MARKER_PREFIX = "riskpilot-bench v1"
MONTHS = 24


@dataclass(frozen=True)
class Scale:
    enterprises: int
    regions: int
    workplaces_per_enterprise: int
    hazards_per_workplace: int = 5


SCALES = {
    # Under a minute end to end (migrations included): for CI and a quick look.
    "small": Scale(enterprises=60, regions=8, workplaces_per_enterprise=40),
    # The national scale: 2,000 enterprises, ~200,000 workplaces, ~1,000,000 register rows.
    "full": Scale(enterprises=2000, regions=85, workplaces_per_enterprise=100),
}

# The five pilot regions first (the Orenburg region the largest); then generic federal subjects.
PILOT_REGIONS = [
    ("56", "Оренбургская область", "Orenburg Region", FederalDistrict.VOLGA),
    ("02", "Республика Башкортостан", "Republic of Bashkortostan", FederalDistrict.VOLGA),
    ("42", "Кемеровская область — Кузбасс", "Kemerovo Region — Kuzbass", FederalDistrict.SIBERIAN),
    ("47", "Ленинградская область", "Leningrad Region", FederalDistrict.NORTHWESTERN),
    ("30", "Астраханская область", "Astrakhan Region", FederalDistrict.SOUTHERN),
]
# Main activities with their weights: manufacturing and mining dominate the pilot.
OKVED = [
    ("08.93", 3), ("05.10", 3), ("06.10", 2), ("07.29", 2), ("09.10", 1), ("10.61", 3), ("10.51", 2),
    ("20.13", 2), ("23.51", 2), ("24.10", 3), ("25.11", 3), ("28.92", 2), ("30.11", 1), ("33.12", 2),
    ("35.11", 2), ("36.00", 1), ("38.11", 1), ("41.20", 3), ("42.11", 1), ("46.71", 1), ("49.41", 2),
    ("52.10", 1), ("01.11", 2), ("02.20", 1), ("86.10", 1),
]  # fmt: skip
POSITIONS = [
    "Машинист горных выемочных машин", "Горнорабочий подземный", "Электрослесарь", "Слесарь-ремонтник",
    "Водитель погрузчика", "Оператор технологических установок", "Электрогазосварщик", "Токарь",
    "Машинист крана", "Стропальщик", "Мастер участка", "Лаборант химического анализа", "Кладовщик",
    "Водитель автомобиля", "Инженер по охране труда", "Бухгалтер", "Аппаратчик", "Монтажник",
    "Укладчик-упаковщик", "Оператор котельной",
]  # fmt: skip
DEPARTMENTS = ["Цех № {n}", "Участок № {n}", "Ремонтно-механический цех", "Транспортный цех", "Лаборатория"]
SOURCES = ["Оборудование", "Технологический процесс", "Рабочая зона", "Материалы", "Инструмент"]
MEASURES = [
    ("engineering", "Установить защитное ограждение"),
    ("administrative", "Провести внеплановый инструктаж"),
    ("ppe", "Обеспечить СИЗ"),
    ("engineering", "Установить местную вытяжную вентиляцию"),
    ("administrative", "Ввести наряд-допуск"),
    ("substitution", "Заменить материал на менее опасный"),
    ("elimination", "Исключить операцию из процесса"),
]
# Events met most often in practice (falls, machinery, dust, noise, overload, electricity).
COMMON_GROUPS = {3, 7, 8, 12, 20, 22, 23, 27}


class Weighted:
    """Fast repeated weighted choice."""

    def __init__(self, items, weights):
        self.items = list(items)
        self.cumulative = list(accumulate(weights))
        self.total = self.cumulative[-1]

    def pick(self, rnd: random.Random):
        return self.items[bisect(self.cumulative, rnd.random() * self.total)]


def poisson(rnd: random.Random, mean: float) -> int:
    if mean > 30:
        return max(0, round(rnd.gauss(mean, math.sqrt(mean))))
    limit, count, product = math.exp(-mean), 0, rnd.random()
    while product > limit:
        count += 1
        product *= rnd.random()
    return count


class Table:
    """Rows for one model's table, streamed with COPY. Columns the generator does not set get the
    model field's default, so a field added later does not break the generator."""

    def __init__(self, model, columns: list[str]):
        self.model = model
        self.name = model._meta.db_table
        known = set(columns)
        rest, defaults = [], []
        for field in model._meta.concrete_fields:
            if field.column in known or (field.primary_key and "id" in known):
                continue
            value = None if field.null else field.get_default()
            if isinstance(value, dict | list):
                value = json.dumps(value)
            rest.append(field.column)
            defaults.append(value)
        self.columns = [*columns, *rest]
        self.defaults = tuple(defaults)
        self.rows: list[tuple] = []
        self.count = 0
        self.next_id = 1

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id - 1

    def add(self, *values):
        self.rows.append(values + self.defaults)

    def flush(self, cursor):
        if not self.rows:
            return
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(self.name), sql.SQL(", ").join(map(sql.Identifier, self.columns))
        )
        with cursor.copy(statement) as copy:
            for row in self.rows:
                copy.write_row(row)
        self.count += len(self.rows)
        self.rows = []


def marker(scale: Scale, seed: int) -> str:
    return (
        f"{MARKER_PREFIX} seed={seed} enterprises={scale.enterprises} regions={scale.regions} "
        f"workplaces={scale.workplaces_per_enterprise} hazards={scale.hazards_per_workplace}"
    )


def current_marker() -> str | None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = current_database()"
        )
        return cursor.fetchone()[0]


def set_marker(text: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database()")
        name = cursor.fetchone()[0]
        cursor.execute(
            sql.SQL("COMMENT ON DATABASE {} IS {}").format(sql.Identifier(name), sql.Literal(text))
        )


class Generator:
    def __init__(self, scale: Scale, seed: int, *, batch: int = 100, progress=print):
        self.scale = scale
        self.rnd = random.Random(seed)
        self.batch = batch
        self.progress = progress
        self.today = timezone.localdate()
        self.now = timezone.now()
        # Spread updated_at over the last year, so that "last update" differs between enterprises.
        self.moments = [
            self.now - datetime.timedelta(minutes=self.rnd.randint(0, 525_600)) for _ in range(2000)
        ]
        self._methods()
        self._events()
        self.tables = {
            "enterprise": Table(
                Enterprise,
                ["id", "created_at", "updated_at", "full_name", "short_name", "inn", "ogrn", "okved",
                 "address", "joined_pilot_on", "risk_method_id", "region_id"],
            ),
            "department": Table(
                Department, ["id", "created_at", "updated_at", "name", "kind", "enterprise_id"]
            ),
            "workplace": Table(
                Workplace,
                ["id", "created_at", "updated_at", "number", "number_sort", "position", "okpdtr_code",
                 "headcount_total", "department_id", "enterprise_id"],
            ),
            "headcount": Table(
                HeadcountPeriod,
                ["id", "created_at", "updated_at", "month", "average_headcount", "hours_worked",
                 "enterprise_id"],
            ),
            "hazard": Table(
                Hazard,
                ["id", "created_at", "updated_at", "source", "activity", "exposed_count", "identified_on",
                 "status", "next_review_on", "needs_reassessment", "risk_level", "residual_level",
                 "enterprise_id", "workplace_id", "event_id"],
            ),
            "assessment": Table(
                RiskAssessment,
                ["id", "created_at", "updated_at", "reason", "inputs", "score", "band", "level",
                 "residual_inputs", "residual_score", "residual_band", "residual_level", "assessed_on",
                 "status", "approved_at", "is_current", "approved_by_id", "assessor_id", "hazard_id",
                 "method_version_id"],
            ),
            "measure": Table(
                ControlMeasure,
                ["id", "created_at", "updated_at", "control_level", "description", "responsible", "due_date",
                 "status", "done_on", "hazard_id"],
            ),
            "incident": Table(
                Incident,
                ["id", "created_at", "updated_at", "kind", "occurred_at", "description", "enterprise_id",
                 "workplace_id", "event_id"],
            ),
            # After "incident": tables are written in this order, and a victim refers to its accident.
            "victim": Table(
                IncidentVictim, ["id", "created_at", "updated_at", "outcome", "days_lost", "incident_id"]
            ),
        }  # fmt: skip

    # --- Reference data ------------------------------------------------------------------------

    def _methods(self):
        self.matrix = RiskMethod.objects.get(code="matrix-5x5").current_version()
        self.fine_kinney_method = RiskMethod.objects.get(code="fine-kinney")
        self.fine_kinney = self.fine_kinney_method.current_version()
        self._scores = {}

    def _score(self, version, inputs: tuple) -> tuple:
        key = (version.pk, inputs)
        if key not in self._scores:
            names = (
                ("probability", "severity")
                if version.pk == self.matrix.pk
                else ("probability", "exposure", "consequence")
            )
            values = dict(zip(names, inputs, strict=True))
            result = scoring.evaluate(version.config, values)
            self._scores[key] = (
                json.dumps({name: str(value) for name, value in values.items()}),
                result.score,
                result.band.key,
                result.band.level,
            )
        return self._scores[key]

    def _events(self):
        events = list(HazardousEvent.objects.catalogue().values_list("pk", "hazard_type__group__number"))
        self.events = Weighted(
            [pk for pk, _group in events], [3 if g in COMMON_GROUPS else 1 for _pk, g in events]
        )

    def _inputs(self, version, worse: int = 0) -> tuple:
        """Inputs of one assessment; ``worse`` steps up the probability (earlier assessments)."""
        rnd = self.rnd
        if version.pk == self.matrix.pk:
            p = min(5, self._p.pick(rnd) + worse)
            return (p, self._s.pick(rnd))
        scale = [0.5, 1, 3, 6, 10]
        p = scale[min(4, scale.index(self._fp.pick(rnd)) + worse)]
        return (p, self._fe.pick(rnd), self._fc.pick(rnd))

    _p = Weighted([1, 2, 3, 4, 5], [15, 30, 30, 18, 7])
    _s = Weighted([1, 2, 3, 4, 5], [10, 25, 30, 25, 10])
    _fp = Weighted([0.5, 1, 3, 6, 10], [20, 30, 30, 15, 5])
    _fe = Weighted([1, 2, 3, 6, 10], [15, 20, 30, 25, 10])
    _fc = Weighted([1, 3, 7, 15, 40], [25, 30, 25, 15, 5])

    @staticmethod
    def _residual(inputs: tuple) -> tuple:
        if len(inputs) == 2:
            return (max(1, inputs[0] - 2), inputs[1])
        scale = [0.5, 1, 3, 6, 10]
        return (scale[max(0, scale.index(inputs[0]) - 2)], inputs[1], inputs[2])

    def moment(self) -> datetime.datetime:
        return self.moments[int(self.rnd.random() * len(self.moments))]

    def days_ago(self, most: int, least: int = 0) -> datetime.date:
        return self.today - datetime.timedelta(days=self.rnd.randint(least, most))

    # --- Generation ----------------------------------------------------------------------------

    def regions(self) -> list[Region]:
        rows = list(PILOT_REGIONS[: self.scale.regions])
        used = {code for code, *_ in rows}
        code = 1
        while len(rows) < self.scale.regions:
            if f"{code:02d}" not in used:
                rows.append(
                    (f"{code:02d}", f"Субъект {code:02d}", f"Region {code:02d}", FederalDistrict.CENTRAL)
                )
            code += 1
        return Region.objects.bulk_create(
            Region(code=code, name_ru=ru, name_en=en, federal_district=district)
            for code, ru, en, district in rows
        )

    def people(self):
        self.assessor = User.objects.create(username="bench-assessor", role=Role.ADMIN, first_name="Бенч")
        self.assessor.set_unusable_password()
        self.assessor.save()

    def run(self) -> dict[str, int]:
        started = time.monotonic()
        regions = self.regions()
        self.people()
        # Zipf-like: region k gets weight 1/k^0.8 (the first, Orenburg, the largest).
        region_pick = Weighted(regions, [1 / (rank + 1) ** 0.8 for rank in range(len(regions))])
        okved = Weighted([code for code, _w in OKVED], [w for _code, w in OKVED])
        raw = connection.cursor()
        cursor = raw.cursor  # the psycopg cursor under Django's wrapper: it speaks COPY
        for table in self.tables.values():
            table.next_id = _next_id(raw, table.name)
        for first in range(0, self.scale.enterprises, self.batch):
            for number in range(first, min(first + self.batch, self.scale.enterprises)):
                self.enterprise(number, region_pick.pick(self.rnd), okved.pick(self.rnd))
            for table in self.tables.values():
                table.flush(cursor)
            done = min(first + self.batch, self.scale.enterprises)
            rows = sum(t.count for t in self.tables.values())
            elapsed = time.monotonic() - started
            self.progress(
                f"  {done:>5}/{self.scale.enterprises} enterprises, {rows:>9,} rows, "
                f"{rows / elapsed:,.0f} rows/s"
            )
        for table in self.tables.values():
            raw.execute(
                sql.SQL(
                    "SELECT setval(pg_get_serial_sequence({}, 'id'), GREATEST((SELECT MAX(id) FROM {}), 1))"
                )
                .format(sql.Literal(table.name), sql.Identifier(table.name))
                .as_string(cursor)
            )
        raw.execute("ANALYZE")
        counts = {table.name: table.count for table in self.tables.values()}
        counts["seconds"] = round(time.monotonic() - started, 1)
        return counts

    def enterprise(self, number: int, region: Region, okved: str):
        rnd, t = self.rnd, self.tables
        enterprise_id = t["enterprise"].new_id()
        fine_kinney = rnd.random() < 0.2
        version = self.fine_kinney if fine_kinney else self.matrix
        name = f"«Предприятие {number + 1:04d}»"
        created = self.moment()
        t["enterprise"].add(
            enterprise_id, created, created,
            f"Общество с ограниченной ответственностью {name}", f"ООО {name}",
            inn_complete(f"77{number:07d}"),
            ogrn_complete(f"1027700{number:05d}"),
            okved, "", self.days_ago(900, 300),
            self.fine_kinney_method.pk if fine_kinney else None, region.pk,
        )  # fmt: skip
        departments = []
        for index in range(rnd.randint(3, 8)):
            department_id = t["department"].new_id()
            departments.append(department_id)
            t["department"].add(
                department_id, created, created, DEPARTMENTS[index % len(DEPARTMENTS)].format(n=index + 1),
                "shop", enterprise_id,
            )  # fmt: skip
        # Log-normal size around the mean (σ = 0.6), at least 5 workplaces.
        size = max(5, round(self.scale.workplaces_per_enterprise * rnd.lognormvariate(-0.18, 0.6)))
        headcount = 0
        workplaces = []
        for index in range(size):
            workplace_id = t["workplace"].new_id()
            people = rnd.randint(1, 8)
            headcount += people
            workplaces.append(workplace_id)
            t["workplace"].add(
                workplace_id, created, created, str(index + 1), number_sort_key(str(index + 1)),
                POSITIONS[int(rnd.random() * len(POSITIONS))],
                "13790", people, departments[index % len(departments)], enterprise_id,
            )  # fmt: skip
            for _ in range(rnd.randint(1, 2 * self.scale.hazards_per_workplace - 1)):
                self.hazard(enterprise_id, workplace_id, version)
        self.months(enterprise_id, headcount, workplaces)

    def hazard(self, enterprise_id, workplace_id, version):
        rnd, t = self.rnd, self.tables
        hazard_id = t["hazard"].new_id()
        identified = self.days_ago(1000, 30)
        roll = rnd.random()
        status = (
            HazardStatus.ACTIVE
            if roll < 0.92
            else HazardStatus.ELIMINATED
            if roll < 0.97
            else HazardStatus.ARCHIVED
        )
        level = residual_level = None
        rated = rnd.random() < 0.9
        if rated:
            count = 1 if rnd.random() < 0.6 else 2 if rnd.random() < 0.75 else 3
            day = identified + datetime.timedelta(days=rnd.randint(0, 60))
            for index in range(count):
                day = min(day, self.today)
                current = index == count - 1
                inputs = self._inputs(version, worse=count - 1 - index)
                text, score, band, level = self._score(version, inputs)
                residual = self._residual(inputs) if current and rnd.random() < 0.6 else None
                if residual:
                    r_text, r_score, r_band, residual_level = self._score(version, residual)
                else:
                    r_text = r_score = residual_level = None
                    r_band = ""
                approved = rnd.random() < 0.8
                stamp = self.moment()
                t["assessment"].add(
                    t["assessment"].new_id(), stamp, stamp,
                    AssessmentReason.INITIAL if index == 0 else AssessmentReason.AFTER_MEASURES,
                    text, score, band, level, r_text, r_score, r_band, residual_level, day,
                    AssessmentStatus.APPROVED if approved else AssessmentStatus.DRAFT,
                    stamp if approved else None, current,
                    self.assessor.pk if approved else None, self.assessor.pk, hazard_id, version.pk,
                )  # fmt: skip
                day += datetime.timedelta(days=rnd.randint(90, 300))
            measures = {5: (2, 3), 4: (1, 3), 3: (1, 2)}.get(level, (0, 1))
            for _ in range(rnd.randint(*measures)):
                self.measure(hazard_id, day)
        review = identified + datetime.timedelta(days=rnd.randint(200, 1100))
        stamp = self.moment()
        t["hazard"].add(
            hazard_id, stamp, stamp, SOURCES[int(rnd.random() * len(SOURCES))], Activity.ROUTINE,
            rnd.randint(1, 6), identified, status, review, rnd.random() < 0.05, level, residual_level,
            enterprise_id, workplace_id, self.events.pick(rnd),
        )  # fmt: skip

    def measure(self, hazard_id, after: datetime.date):
        rnd = self.rnd
        due = (
            after
            - datetime.timedelta(days=rnd.randint(0, 540))
            + datetime.timedelta(days=rnd.randint(0, 400))
        )
        roll = rnd.random()
        done_on = None
        if roll < 0.05:
            status = MeasureStatus.CANCELLED
        elif (due < self.today and roll < 0.75) or (due >= self.today and roll < 0.25):
            status = MeasureStatus.DONE
            on_time = rnd.random() < 0.8
            done_on = (
                due - datetime.timedelta(days=rnd.randint(0, 30))
                if on_time
                else due + datetime.timedelta(days=rnd.randint(1, 60))
            )
            done_on = min(done_on, self.today)
        else:
            status = MeasureStatus.PLANNED if rnd.random() < 0.6 else MeasureStatus.IN_PROGRESS
        level, text = MEASURES[int(rnd.random() * len(MEASURES))]
        stamp = self.moment()
        t = self.tables["measure"]
        t.add(t.new_id(), stamp, stamp, level, text, "Начальник участка", due, status, done_on, hazard_id)

    def months(self, enterprise_id, headcount, workplaces):
        rnd, t = self.rnd, self.tables
        month = self.today.replace(day=1)
        for _ in range(MONTHS):
            people = max(1, round(headcount * rnd.uniform(0.95, 1.05)))
            stamp = self.moment()
            t["headcount"].add(
                t["headcount"].new_id(),
                stamp,
                stamp,
                month,
                people,
                people * rnd.randint(160, 170),
                enterprise_id,
            )
            for kind, per_person in (
                (IncidentKind.MICROTRAUMA, 1 / 300),
                (IncidentKind.NEAR_MISS, 1 / 250),
                (IncidentKind.ACCIDENT, 1 / 8000),
                (IncidentKind.OCCUPATIONAL_DISEASE, 1 / 50000),
            ):
                for _ in range(poisson(rnd, people * per_person)):
                    self.incident(enterprise_id, rnd.choice(workplaces), kind, month)
            month = (month - datetime.timedelta(days=1)).replace(day=1)

    def incident(self, enterprise_id, workplace_id, kind, month):
        rnd = self.rnd
        day = month + datetime.timedelta(days=rnd.randint(0, 27))
        occurred = datetime.datetime.combine(
            day, datetime.time(rnd.randint(6, 22)), tzinfo=timezone.get_current_timezone()
        )
        if occurred > self.now:
            occurred = self.now - datetime.timedelta(hours=1)
        t = self.tables["incident"]
        incident_id = t.new_id()
        t.add(
            incident_id, occurred, occurred, kind, occurred, "Синтетическое событие", enterprise_id,
            workplace_id, self.events.pick(rnd) if kind == IncidentKind.NEAR_MISS else None,
        )  # fmt: skip
        if kind == IncidentKind.ACCIDENT:
            victims = self.tables["victim"]
            for outcome in self.victim_outcomes():
                days = {
                    VictimOutcome.LIGHT: rnd.randint(3, 30),
                    VictimOutcome.SEVERE: rnd.randint(30, 180),
                }.get(outcome, 0)
                victims.add(victims.new_id(), occurred, occurred, outcome, days, incident_id)

    def victim_outcomes(self) -> list[str]:
        """The outcomes of one accident's victims: mostly one victim (85 % light, 12 % severe,
        2 % fatal); one accident in a hundred is a group accident of 2–4 victims, each with an
        outcome of their own."""
        rnd = self.rnd
        roll = rnd.random()
        if roll < 0.99:
            return [
                VictimOutcome.LIGHT
                if roll < 0.85
                else VictimOutcome.SEVERE
                if roll < 0.97
                else VictimOutcome.FATAL
            ]
        return [
            VictimOutcome.LIGHT if r < 0.6 else VictimOutcome.SEVERE if r < 0.9 else VictimOutcome.FATAL
            for r in (rnd.random() for _ in range(rnd.randint(2, 4)))
        ]


def _next_id(cursor, table: str) -> int:
    cursor.execute(
        sql.SQL("SELECT COALESCE(MAX(id), 0) + 1 FROM {}")
        .format(sql.Identifier(table))
        .as_string(cursor.cursor)
    )
    return cursor.fetchone()[0]
