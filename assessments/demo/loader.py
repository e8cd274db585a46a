"""Loads the demo data through the same services the views use, so levels, flags and history
are what a real register would hold. Deterministic: one random.Random(SEED), dates relative to
timezone.localdate() at seeding time."""

import calendar
import datetime
import random
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from enterprises.models import Department, Enterprise, HeadcountPeriod, Region, Role, User, Workplace
from enterprises.validators import inn_complete, ogrn_complete
from hazards.models import HazardousEvent, ModelMeasure
from hazards.services import hazard_add

from .. import scoring
from ..models import (
    AssessmentReason,
    RiskMethod,
    VictimOutcome,
)
from ..services import (
    assessment_approve,
    assessment_create,
    incident_record,
    measure_complete,
    measure_plan,
    measure_start,
)
from . import incidents as texts
from .clock import as_of
from .jobs import ADMINISTRATIVE, ELIMINATION, ENGINEERING, JOBS, PPE, SUBSTITUTION, HazardTemplate
from .organisations import (
    DEMO_USERS,
    ENTERPRISES,
    OTHER_MANAGER,
    OTHER_OFFICER,
    REGIONS,
    SOL_ILETSK,
    EnterpriseData,
    Unit,
)

SEED = 776
COUNTS = (
    "regions",
    "enterprises",
    "departments",
    "workplaces",
    "hazards",
    "assessments",
    "measures",
    "incidents",
    "users",
    "headcount_periods",
)
# Fine-Kinney levels for the 5×5 probability and severity of a template (REFERENCE §3.2).
FK_PROBABILITY = {1: "0.2", 2: "0.5", 3: "1", 4: "3", 5: "6"}
FK_CONSEQUENCE = {1: "1", 2: "3", 3: "7", 4: "15", 5: "40"}
# One severe accident at most per region, at these enterprises (slug, event); one occupational
# disease in the whole demo, at the Sol-Iletsk mine so that its officer sees every kind. Region 56's
# severe accident is the salt mine's group accident (GROUP_ACCIDENT).
SEVERE_ACCIDENTS = {
    "kiselevsk-pit": "7.5",
    "kirovsk-shipyard": "3.2",
    "tuymazy-well-service": "22.1",
}
DISEASE_AT = (SOL_ILETSK.slug, "20.1")
# A roof fall in a chamber of the salt mine last month: three victims, one killed, two severely
# injured — a group accident (two or more victims) whose victims each have their own outcome.
GROUP_ACCIDENT = (SOL_ILETSK.slug, "5.2")
GROUP_ACCIDENT_TEXT = (
    "Обрушение заколов кровли очистной камеры при оборке: травмированы три работника бригады, "
    "один из них погиб на месте. Групповой несчастный случай, расследование комиссией с участием "
    "государственного инспектора труда."
)
MAX_ROWS_ELSEWHERE = 4  # register rows per workplace outside the salt mine


class DemoDataError(Exception):
    """The demo cannot be loaded into this database as it is."""


def enterprise_inn(data: EnterpriseData) -> str:
    # Region code, inspection "99", serial: fictional by construction, stable between runs.
    return inn_complete(f"{data.region}99{data.serial:05d}")


def enterprise_ogrn(data: EnterpriseData) -> str:
    return ogrn_complete(f"1{data.registered:02d}{data.region}99{data.serial:05d}")


def demo_is_loaded() -> bool:
    return Enterprise.objects.filter(inn=enterprise_inn(SOL_ILETSK)).exists()


def seed_demo(*, stdout=None) -> dict[str, int]:
    """Load the demo data unless it is there; return how many rows of each kind were created
    (all zero when the demo was already loaded: then nothing at all is written)."""
    with transaction.atomic():
        if demo_is_loaded():
            return dict.fromkeys(COUNTS, 0)
        loader = _Loader(today=timezone.localdate(), stdout=stdout)
        loader.run()
    return loader.counts


# --- The plan of one register row ----------------------------------------------------------------


@dataclass
class _Assess:
    reason: str
    delta_p: int = 0  # change of probability against the row's previous assessment
    approve: bool = False


@dataclass
class _Incident:
    kind: str
    description: str
    victims: list  # (outcome, days of incapacity, position) per victim, accidents only
    act_number: str = ""


@dataclass
class _Row:
    """A register row to be: a job's hazard template at one workplace, with its story."""

    enterprise: "_EnterpriseContext"
    workplace: Workplace
    template: HazardTemplate
    identified_on: datetime.date
    incidents: list = field(default_factory=list)  # (date, _Incident)


@dataclass
class _EnterpriseContext:
    data: EnterpriseData
    enterprise: Enterprise
    version: object  # RiskMethodVersion
    officer: User
    manager: User
    anchor: datetime.date  # when the enterprise's first pilot-wide assessment took place
    workplaces: list = field(default_factory=list)
    jobs: dict = field(default_factory=dict)  # workplace number → job profile key
    rows: list = field(default_factory=list)


class _Loader:
    def __init__(self, *, today: datetime.date, stdout=None):
        self.today = today
        self.rng = random.Random(SEED)
        self.stdout = stdout
        self.counts = dict.fromkeys(COUNTS, 0)
        self.events = {e.code: e for e in HazardousEvent.objects.catalogue()}
        self.model_measures = defaultdict(list)
        for measure in ModelMeasure.objects.filter(event__enterprise__isnull=True).order_by("id"):
            self.model_measures[measure.event_id].append(measure)
        self.versions = {}
        for method in RiskMethod.objects.filter(enterprise__isnull=True):
            self.versions[method.code] = method.current_version()
        self.regions = {}
        self.contexts: list[_EnterpriseContext] = []
        self._acts = defaultdict(int)

    def log(self, message: str) -> None:
        if self.stdout is not None:
            self.stdout.write(message)

    def run(self) -> None:
        self._check_no_demo_users()
        self.load_regions()
        self.load_enterprises()
        self.load_demo_users()
        for context in self.contexts:
            self.log(f"  {context.data.short_name}")
            self.plan_rows(context)
            self.plan_incidents(context)
            self.execute(context)
            self.date_structure(context)
            self.load_headcounts(context)
        self.load_documents()

    def load_documents(self) -> None:
        # The documents of the procedure build on the registers (documents → assessments): loaded
        # last, imported here so that assessments does not depend on documents at import time.
        from documents import demo_cards, demo_docs, demo_workers

        mine = Enterprise.objects.get(inn=enterprise_inn(SOL_ILETSK))
        # Workers and SOUT data first: the SOUT card numbers decide which workplaces share a card.
        jobs = {n: j for c in self.contexts if c.data is SOL_ILETSK for n, j in c.jobs.items()}
        demo_workers.seed_workers_demo(jobs=jobs)
        demo_docs.load(enterprise=mine, today=self.today)
        demo_cards.load_cards_demo(enterprise_inn=mine.inn, today=self.today)
        # Last: the workers acknowledge the cards as issued above.
        demo_workers.seed_acknowledgements_demo()

    # --- Reference rows and structure ----------------------------------------------------------

    def _check_no_demo_users(self) -> None:
        # Never take over an account that someone created by hand (e.g. a real "admin").
        names = [u.username for u in DEMO_USERS]
        names += [OTHER_OFFICER.format(slug=e.slug) for e in ENTERPRISES if e is not SOL_ILETSK]
        names += [OTHER_MANAGER.format(slug=e.slug) for e in ENTERPRISES if e is not SOL_ILETSK]
        taken = sorted(User.objects.filter(username__in=names).values_list("username", flat=True))
        if taken:
            raise DemoDataError("These usernames exist but the demo data is not loaded: " + ", ".join(taken))

    def load_regions(self) -> None:
        for data in REGIONS:
            region, created = Region.objects.get_or_create(
                code=data.code,
                defaults={
                    "okato": data.okato,
                    "name_ru": data.name_ru,
                    "name_en": data.name_en,
                    "federal_district": data.federal_district,
                },
            )
            self.regions[data.code] = region
            self.counts["regions"] += created

    def load_enterprises(self) -> None:
        for data in ENTERPRISES:
            enterprise = Enterprise(
                full_name=data.full_name,
                short_name=data.short_name,
                inn=enterprise_inn(data),
                ogrn=enterprise_ogrn(data),
                okved=data.okved,
                region=self.regions[data.region],
                address=data.address,
                risk_method_id=self.versions[data.method].method_id,
                joined_pilot_on=data.joined_pilot_on,
            )
            enterprise.full_clean(exclude=["region", "risk_method"], validate_unique=False)
            enterprise, created = Enterprise.objects.get_or_create(
                inn=enterprise.inn, defaults={f: getattr(enterprise, f) for f in _ENTERPRISE_FIELDS}
            )
            if not created:
                continue  # someone's own row with our INN: leave it and everything under it alone
            self.counts["enterprises"] += 1
            officer, manager = self._enterprise_people(data, enterprise)
            # The first pilot-wide assessment: a month before joining (preparation), kept inside
            # the two-year window whatever the date of seeding.
            anchor = data.joined_pilot_on - datetime.timedelta(days=30)
            anchor = min(
                max(anchor, self.today - datetime.timedelta(days=640)),
                self.today - datetime.timedelta(days=200),
            )
            context = _EnterpriseContext(
                data, enterprise, self.versions[data.method], officer, manager, anchor
            )
            self.load_structure(context)
            self.contexts.append(context)

    def _enterprise_people(self, data, enterprise) -> tuple[User, User]:
        if data is SOL_ILETSK:
            # The documented officer and manager logins belong to the salt mine.
            mine = {u.role: u for u in DEMO_USERS if u.enterprise == data.slug}
            return (
                self._demo_user(mine[Role.OFFICER], enterprise=enterprise),
                self._demo_user(mine[Role.MANAGER], enterprise=enterprise),
            )
        people = []
        for pattern, role, (first, last, position) in (
            (OTHER_OFFICER, Role.OFFICER, data.officer),
            (OTHER_MANAGER, Role.MANAGER, data.manager),
        ):
            user = User(
                username=pattern.format(slug=data.slug),
                role=role,
                enterprise=enterprise,
                first_name=first,
                last_name=last,
                position=position,
            )
            # They sign their enterprise's register; only the documented five log in.
            user.set_unusable_password()
            user.save()
            self.counts["users"] += 1
            people.append(user)
        return people[0], people[1]

    def _demo_user(self, data, *, enterprise=None, region=None) -> User:
        user = User(
            username=data.username,
            role=data.role,
            enterprise=enterprise,
            region=region,
            first_name=data.first_name,
            last_name=data.last_name,
            position=data.position,
            # Reserved example domain: the weekly reminders of the demo reach no one real.
            email=f"{data.username}@riskpilot.example.org",
            is_staff=data.role == Role.ADMIN,
            is_superuser=data.role == Role.ADMIN,
        )
        validate_password(data.password, user)
        user.set_password(data.password)
        user.full_clean(exclude=["password"])
        user.save()
        self.counts["users"] += 1
        return user

    def load_demo_users(self) -> None:
        for data in DEMO_USERS:
            if data.enterprise:
                continue  # created with their enterprise
            self._demo_user(data, region=self.regions.get(data.region) if data.region else None)

    def load_structure(self, context: _EnterpriseContext) -> None:
        workplaces = []
        numbers = iter(range(1, 10_000))

        def walk(unit: Unit, parent: Department | None) -> None:
            department = Department.objects.create(
                enterprise=context.enterprise, parent=parent, name=unit.name, kind=unit.kind
            )
            self.counts["departments"] += 1
            for spec in unit.workplaces:
                job = JOBS[spec.job]
                for copy in range(spec.analogues + 1):
                    number = str(next(numbers)) + ("А" if copy else "")
                    workplace = Workplace(
                        enterprise=context.enterprise,
                        department=department,
                        number=number,
                        position=job.position,
                        okpdtr_code=job.okpdtr,
                        job_function=job.function,
                        equipment=job.equipment,
                        headcount_total=spec.headcount,
                        headcount_women=spec.women,
                        headcount_disabled=spec.disabled if not copy else 0,
                        sout_class=job.sout,
                        sout_date=context.data.sout_on,
                    )
                    workplace.full_clean(exclude=["enterprise", "department"], validate_unique=False)
                    workplaces.append(workplace)
                    context.jobs[number] = spec.job
            for child in unit.units:
                walk(child, department)

        for top in context.data.units:
            walk(top, None)
        # Plain structure rows: one bulk insert per enterprise, with their history rows.
        created = bulk_create_with_history(workplaces, Workplace)
        self.counts["workplaces"] += len(created)
        context.workplaces = created

    def date_structure(self, context: _EnterpriseContext) -> None:
        """Workplaces were set up a month before their first row was identified, or before the
        pilot's first assessment if they have none yet (they are loaded in bulk, before the
        story's clock runs)."""
        first_row = {}
        for row in context.rows:
            first_row[row.workplace.pk] = min(
                first_row.get(row.workplace.pk, row.identified_on), row.identified_on
            )
        for workplace in context.workplaces:
            since = min(first_row.get(workplace.pk, context.anchor), context.anchor) - datetime.timedelta(
                days=30
            )
            Workplace.objects.filter(pk=workplace.pk).update(
                created_at=timezone.make_aware(datetime.datetime.combine(since, datetime.time(9)))
            )

    # --- Planning the register rows -------------------------------------------------------------

    def _identified_on(self, context) -> datetime.date:
        rng, anchor = self.rng, context.anchor
        earliest = self.today - datetime.timedelta(days=725)
        roll = rng.random()
        if roll < 0.12:  # identified before the pilot
            low, high = earliest, anchor - datetime.timedelta(days=30)
        elif roll < 0.88:  # the pilot-wide identification
            low, high = anchor, anchor + datetime.timedelta(days=75)
        else:  # found later: a change, an incident elsewhere, a new machine
            low, high = anchor + datetime.timedelta(days=90), self.today - datetime.timedelta(days=10)
        low = max(low, earliest)
        high = max(low, min(high, self.today - datetime.timedelta(days=3)))
        return low + datetime.timedelta(days=rng.randint(0, (high - low).days))

    def plan_rows(self, context: _EnterpriseContext) -> None:
        for workplace in context.workplaces:
            templates = JOBS[context.jobs[workplace.number]].hazards
            if context.data is not SOL_ILETSK and len(templates) > MAX_ROWS_ELSEWHERE:
                # Keeps the seeding fast; the salt mine shows a complete register.
                keep = sorted(self.rng.sample(range(len(templates)), MAX_ROWS_ELSEWHERE))
                templates = [templates[i] for i in keep]
            for template in templates:
                if template.event not in self.events:
                    raise DemoDataError(f"Hazardous event {template.event} is not in the catalogue")
                context.rows.append(_Row(context, workplace, template, self._identified_on(context)))

    def plan_incidents(self, context: _EnterpriseContext) -> None:
        rng = self.rng
        slug = context.data.slug
        rich = context.data is SOL_ILETSK
        wanted = [texts.MICROTRAUMA] * (8 if rich else rng.randint(1, 4))
        wanted += [texts.NEAR_MISS] * (7 if rich else rng.randint(1, 4))
        wanted += [texts.ACCIDENT] * (2 if rich else int(rng.random() < 0.4))
        for kind in wanted:
            self._add_incident(context, kind, VictimOutcome.LIGHT if kind == texts.ACCIDENT else "")
        if slug in SEVERE_ACCIDENTS:
            self._add_incident(context, texts.ACCIDENT, VictimOutcome.SEVERE, event=SEVERE_ACCIDENTS[slug])
        if slug == DISEASE_AT[0]:
            self._add_incident(context, texts.DISEASE, "", event=DISEASE_AT[1])
        if slug == GROUP_ACCIDENT[0]:
            self._add_group_accident(context)

    def _add_incident(self, context, kind, outcome, *, event=None) -> None:
        rng = self.rng
        rows = [r for r in context.rows if (self.today - r.identified_on).days > 20]
        if event:
            rows = [r for r in rows if r.template.event == event]
        fitting = [r for r in rows if texts.texts_for(r.template.event, kind)]
        candidates = fitting or rows
        if not candidates:
            return
        row = rng.choice(candidates)
        choices = texts.texts_for(row.template.event, kind) or texts.GENERIC[kind]
        description = rng.choice(choices).format(
            source=row.template.source[:1].lower() + row.template.source[1:], position=row.workplace.position
        )
        low = row.identified_on + datetime.timedelta(days=10)
        on = low + datetime.timedelta(days=rng.randint(0, max(0, (self.today - low).days - 1)))
        on = min(on, self.today - datetime.timedelta(days=1))
        victims, act = [], ""
        if kind == texts.ACCIDENT:
            days_lost = rng.randint(60, 120) if outcome == VictimOutcome.SEVERE else rng.randint(5, 28)
            victims = [(outcome, days_lost, row.workplace.position)]
            act = self._act_number(context, on)
        row.incidents.append((on, _Incident(kind, description, victims, act)))

    def _act_number(self, context, on: datetime.date) -> str:
        self._acts[(context.data.slug, on.year)] += 1
        return f"{self._acts[(context.data.slug, on.year)]}/{on.year}"

    def _add_group_accident(self, context) -> None:
        rng = self.rng
        # Mid-month of the previous calendar month: a closed month in every dashboard period.
        on = (self.today.replace(day=1) - datetime.timedelta(days=1)).replace(day=14)
        rows = [
            r
            for r in context.rows
            if r.template.event == GROUP_ACCIDENT[1] and (on - r.identified_on).days > 20
        ]
        if not rows:
            return
        row = rng.choice(rows)
        victims = [
            (VictimOutcome.FATAL, 0, row.workplace.position),
            (VictimOutcome.SEVERE, rng.randint(60, 120), row.workplace.position),
            (VictimOutcome.SEVERE, rng.randint(45, 150), "Горный мастер"),
        ]
        act = self._act_number(context, on)
        row.incidents.append((on, _Incident(texts.ACCIDENT, GROUP_ACCIDENT_TEXT, victims, act)))

    # --- Executing the stories ------------------------------------------------------------------

    def execute(self, context: _EnterpriseContext) -> None:
        for row in context.rows:
            self._execute_row(row)

    def _inputs(self, version, p: int, s: int, e) -> dict[str, str]:
        if version.config["kind"] == "matrix":
            return {"probability": str(p), "severity": str(s)}
        return {"probability": FK_PROBABILITY[p], "exposure": str(e), "consequence": FK_CONSEQUENCE[s]}

    def _level(self, version, p, s, e) -> int:
        return scoring.evaluate(version.config, self._inputs(version, p, s, e)).band.level

    def _execute_row(self, row: _Row) -> None:
        rng, today = self.rng, self.today
        context, template = row.enterprise, row.template
        days = datetime.timedelta
        d0 = row.identified_on
        p = min(5, max(1, template.p + rng.choice((-1, 0, 0, 0, 0, 1))))
        s = template.s
        level = self._level(context.version, p, s, template.e)

        # Assessments to come, each with its date: the initial one, one after completed
        # measures (a lower score), one after an incident (a higher one), a periodic review.
        assessments = [(d0, _Assess(AssessmentReason.INITIAL, approve=self._approves(d0)))]
        measures = self._plan_measures(row, level, d0)
        done_dates = [m["done_on"] for m in measures if m.get("done_on")]
        if done_dates and rng.random() < 0.75:
            when = max(done_dates) + days(rng.randint(3, 30))
            if when <= today:
                drop = -2 if p >= 4 and rng.random() < 0.4 else -1
                assessments.append(
                    (when, _Assess(AssessmentReason.AFTER_MEASURES, drop, approve=self._approves(when)))
                )
        for on, incident in row.incidents:
            serious = incident.kind in (texts.ACCIDENT, texts.DISEASE)
            if serious or rng.random() < 0.4:
                when = on + days(rng.randint(3, 20))
                if when <= today:
                    assessments.append(
                        (when, _Assess(AssessmentReason.AFTER_INCIDENT, 1, approve=self._approves(when)))
                    )
        last = max(on for on, _ in assessments)
        if (today - last).days > 380 and rng.random() < 0.85:
            when = last + days(rng.randint(350, 380))
            assessments.append(
                (when, _Assess(AssessmentReason.PERIODIC_REVIEW, approve=self._approves(when)))
            )
            last = when
        review_in = 180 if rng.random() < 0.1 else 365
        with as_of(d0):
            hazard = self._add_hazard(row, context, template, d0, last + days(review_in))
        self.counts["hazards"] += 1
        self._execute_steps(row, hazard, assessments, measures, p)

    def _add_hazard(self, row, context, template, d0, next_review_on):
        return hazard_add(
            workplace=row.workplace,
            event=self.events[template.event],
            source=template.source,
            identified_by=context.officer,
            activity=template.activity,
            object_description=template.obj or row.workplace.department.name,
            existing_controls=template.controls,
            exposed_description=_exposed(template),
            exposed_count=row.workplace.headcount_total,
            identified_on=d0,
            next_review_on=next_review_on,
        )

    def _execute_steps(self, row, hazard, assessments, measures, p) -> None:
        """The row's story in date order, each change made as of its day."""
        context, template, d0 = row.enterprise, row.template, row.identified_on
        steps = [(on, 0, i, ("assess", a)) for i, (on, a) in enumerate(assessments)]
        for i, m in enumerate(measures):
            steps.append((d0, 1, i, ("plan", m)))
            if m.get("started_on"):
                steps.append((m["started_on"], 2, i, ("start", m)))
            if m.get("done_on"):
                steps.append((m["done_on"], 3, i, ("complete", m)))
        for i, (on, incident) in enumerate(row.incidents):
            steps.append((on, 4, i, ("incident", incident)))
        steps.sort(key=lambda step: step[:3])

        state = {"p": p, "s": template.s}
        for on, _order, _i, (action, item) in steps:
            with as_of(on):
                self._step(hazard, context, template, state, row, on, action, item)

    def _step(self, hazard, context, template, state, row, on, action, item) -> None:
        if action == "assess":
            self._assess(hazard, context, template, state, item, on)
        elif action == "plan":
            item["object"] = measure_plan(
                hazard=hazard,
                control_level=item["level"],
                description=item["text"],
                responsible=item["responsible"],
                due_date=item.get("due"),
                periodicity=item.get("periodicity", ""),
                model_measure=item.get("model"),
            )
            self.counts["measures"] += 1
        elif action == "start":
            measure_start(measure=item["object"])
        elif action == "complete":
            measure = item["object"]
            measure.hazard = hazard  # the current in-memory row, so the flag lands on it
            measure_complete(measure=measure, done_on=on, note=item["note"])
        elif action == "incident":
            self._record_incident(hazard, context, row, item, on)

    def _approves(self, on: datetime.date) -> bool:
        return (self.today - on).days > 20 and self.rng.random() < 0.7

    def _assess(self, hazard, context, template, state, item: _Assess, on) -> None:
        rng = self.rng
        state["p"] = min(5, max(1, state["p"] + item.delta_p))
        p, s, e = state["p"], state["s"], template.e
        residual = None
        if p > 1 and rng.random() < 0.75:
            residual = self._inputs(context.version, max(1, p - rng.choice((1, 1, 2))), s, e)
        comment = {
            AssessmentReason.AFTER_MEASURES: "Переоценка после выполнения мероприятий плана.",
            AssessmentReason.AFTER_INCIDENT: "Внеплановая переоценка по итогам расследования происшествия.",
            AssessmentReason.PERIODIC_REVIEW: "Плановый пересмотр оценки.",
        }.get(item.reason, "")
        assessment = assessment_create(
            hazard=hazard,
            assessor=context.officer,
            inputs=self._inputs(context.version, p, s, e),
            residual_inputs=residual,
            reason=item.reason,
            assessed_on=on,
            comment=comment,
            method_version=context.version,
        )
        self.counts["assessments"] += 1
        if item.approve:
            assessment_approve(assessment=assessment, user=context.manager)
        hazard.refresh_from_db()

    def _plan_measures(self, row: _Row, level: int, d0: datetime.date) -> list[dict]:
        rng, today = self.rng, self.today
        days = datetime.timedelta
        count = 2 if level >= 4 else 1 if level == 3 else int(rng.random() < 0.25)
        own = list(row.template.measures)
        rng.shuffle(own)
        models = list(self.model_measures[self.events[row.template.event].pk])
        planned, seen = [], set()
        for _ in range(count):
            if own and (rng.random() < 0.65 or not models):
                measure = own.pop()
                item = {"level": measure.level, "text": measure.text, "periodicity": measure.periodicity}
            elif models:
                model = models.pop(rng.randrange(len(models)))
                item = {"level": _control_level(model.name_ru), "text": model.name_ru, "model": model}
            else:
                break
            if item["text"] in seen:
                continue
            seen.add(item["text"])
            item["responsible"] = _responsible(item["level"], row)
            item["note"] = ""
            if item.get("periodicity"):
                # A standing measure: carried out on its schedule, never "done".
                if (today - d0).days > 5:
                    item["started_on"] = d0 + days(rng.randint(1, min(30, (today - d0).days - 1)))
                planned.append(item)
                continue
            age = (today - d0).days
            roll = rng.random()
            if age > 45 and roll < 0.45:
                due = d0 + days(rng.randint(20, 150))
                due = min(due, today - days(3))
                done_on = due + days(rng.randint(-15, 7))
                done_on = max(d0 + days(5), min(done_on, today - days(1)))
                item.update(due=due, done_on=done_on, note=_completion_note(item["level"], rng))
                if rng.random() < 0.6 and (done_on - d0).days > 2:
                    item["started_on"] = d0 + days(rng.randint(1, (done_on - d0).days - 1))
            elif age > 30 and roll < 0.67:
                # Overdue: the deadline has passed and the measure is still open.
                due = today - days(rng.randint(5, min(150, age - 15)))
                item["due"] = due
                if rng.random() < 0.5:
                    item["started_on"] = d0 + days(rng.randint(1, max(1, (due - d0).days - 1)))
            elif roll < 0.85:
                item["due"] = today + days(rng.randint(10, 150))
                if age > 2:
                    item["started_on"] = d0 + days(rng.randint(1, age - 1))
            else:
                item["due"] = today + days(rng.randint(20, 240))
            planned.append(item)
        return planned

    def _record_incident(self, hazard, context, row, incident: _Incident, on) -> None:
        rng = self.rng
        occurred_at = timezone.make_aware(
            datetime.datetime.combine(on, datetime.time(rng.randint(7, 19), rng.choice((0, 15, 30, 45))))
        )
        incident_record(
            workplace=row.workplace,
            kind=incident.kind,
            occurred_at=occurred_at,
            description=incident.description,
            victims=[
                {"outcome": outcome, "days_lost": days, "position": position}
                for outcome, days, position in incident.victims
            ],
            event=hazard.event,
            hazards=[hazard],
            act_number=incident.act_number,
            reported_by=context.officer,
        )
        self.counts["incidents"] += 1

    # --- Head-count -----------------------------------------------------------------------------

    def load_headcounts(self, context: _EnterpriseContext) -> None:
        rng = self.rng
        # The register covers the main workplaces; the enterprise also has management, support
        # and seasonal staff, hence the factor.
        base = sum(w.headcount_total for w in context.workplaces) * rng.uniform(1.15, 1.4)
        month = self.today.replace(day=1)
        rows = []
        for _ in range(24):
            month = (month - datetime.timedelta(days=1)).replace(day=1)
            average = max(1, round(base * rng.uniform(0.96, 1.04)))
            working_days = sum(
                1
                for day in range(1, calendar.monthrange(month.year, month.month)[1] + 1)
                if datetime.date(month.year, month.month, day).weekday() < 5
            )
            hours = round(average * working_days * 8 * rng.uniform(0.9, 0.97))  # ≈ 165 h a month
            rows.append(
                HeadcountPeriod(
                    enterprise=context.enterprise, month=month, average_headcount=average, hours_worked=hours
                )
            )
        self.counts["headcount_periods"] += len(bulk_create_with_history(rows, HeadcountPeriod))


_ENTERPRISE_FIELDS = (
    "full_name",
    "short_name",
    "ogrn",
    "okved",
    "region",
    "address",
    "risk_method_id",
    "joined_pilot_on",
)


def _exposed(template: HazardTemplate) -> str:
    if template.event.startswith("7."):
        return "Работники рабочего места и другие работники в зоне движения транспорта"
    if template.event in ("10.1", "5.2", "6.1"):
        return "Работники рабочего места и смежных участков, подрядчики"
    return "Работники рабочего места"


# The 776n model measures carry no hierarchy level (REFERENCE §2.1 note); for the demo we read
# one from the wording. The earliest keyword in the text wins.
_LEVEL_WORDS = (
    ("отказ от операции", ELIMINATION),
    ("изменение производственного процесса", ELIMINATION),
    ("замен", SUBSTITUTION),
    ("сиз", PPE),
    ("средств индивидуальной защиты", PPE),
    ("установ", ENGINEERING),
    ("оборудова", ENGINEERING),
    ("огражд", ENGINEERING),
    ("механизац", ENGINEERING),
    ("автоматизац", ENGINEERING),
    ("вентиляц", ENGINEERING),
    ("блокиров", ENGINEERING),
    ("изоляц", ENGINEERING),
    ("герметиз", ENGINEERING),
    ("дистанцион", ENGINEERING),
    ("заземл", ENGINEERING),
)


def _control_level(text: str) -> str:
    lowered = text.lower()
    found = [(lowered.find(word), level) for word, level in _LEVEL_WORDS if word in lowered]
    return min(found)[1] if found else ADMINISTRATIVE


def _responsible(level: str, row: _Row) -> str:
    if level == ENGINEERING:
        return "Главный энергетик" if row.template.event.startswith("27.") else "Главный механик"
    if level in (ELIMINATION, SUBSTITUTION):
        return "Главный инженер"
    if level == PPE:
        return "Начальник отдела материально-технического обеспечения"
    return f"Руководитель подразделения «{row.workplace.department.name}»"


def _completion_note(level: str, rng: random.Random) -> str:
    return rng.choice(
        {
            ENGINEERING: ("Работы выполнены, акт приёмки подписан.", "Смонтировано и испытано, акт ввода."),
            PPE: ("СИЗ выданы, записи в личных карточках учёта выдачи СИЗ.",),
            ADMINISTRATIVE: ("Выполнено, записи в журнале.", "Проведено, протокол приложен."),
        }.get(level, ("Выполнено.",))
    )
