import datetime

import factory
from django.utils import timezone

from assessments.models import ControlMeasure, Incident, IncidentKind, IncidentVictim, VictimOutcome
from enterprises.models import Department, Enterprise, FederalDistrict, Region, Role, User, Workplace
from enterprises.validators import inn_complete, ogrn_complete
from hazards.models import Hazard, HazardousEvent

PASSWORD = "correct-horse-battery"


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{60 + n % 39:02d}")
    name_ru = factory.LazyAttribute(lambda o: f"Область {o.code}")
    name_en = factory.LazyAttribute(lambda o: f"Region {o.code}")
    federal_district = FederalDistrict.VOLGA


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enterprise

    full_name = factory.Sequence(lambda n: f"Общество с ограниченной ответственностью «Предприятие {n}»")
    short_name = factory.Sequence(lambda n: f"ООО «Предприятие {n}»")
    inn = factory.Sequence(lambda n: inn_complete(f"56{n:07d}"))
    ogrn = factory.Sequence(lambda n: ogrn_complete(f"10256{n:07d}"))
    okved = "08.93"
    region = factory.SubFactory(RegionFactory)
    joined_pilot_on = datetime.date(2025, 2, 1)


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    enterprise = factory.SubFactory(EnterpriseFactory)
    name = factory.Sequence(lambda n: f"Цех № {n}")


class WorkplaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workplace

    department = factory.SubFactory(DepartmentFactory)
    enterprise = factory.SelfAttribute("department.enterprise")
    number = factory.Sequence(lambda n: str(n + 1))
    position = "Машинист горных выемочных машин"
    okpdtr_code = "13790"
    headcount_total = 4


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.OFFICER
    password = factory.django.Password(PASSWORD)


class HazardFactory(factory.django.DjangoModelFactory):
    """A register row; the catalogue event must exist (loaded by the migration)."""

    class Meta:
        model = Hazard

    workplace = factory.SubFactory(WorkplaceFactory)
    enterprise = factory.SelfAttribute("workplace.enterprise")
    event = factory.LazyFunction(lambda: HazardousEvent.objects.get_by_natural_key("8.1"))
    source = "Ленточный конвейер"


class ControlMeasureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ControlMeasure

    hazard = factory.SubFactory(HazardFactory)
    control_level = "engineering"
    description = "Установить ограждение приводного барабана"
    responsible = "Начальник участка"
    due_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=30))


class IncidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Incident
        skip_postgeneration_save = True

    workplace = factory.SubFactory(WorkplaceFactory)
    enterprise = factory.SelfAttribute("workplace.enterprise")
    kind = IncidentKind.NEAR_MISS
    occurred_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=3))
    description = "Падение куска породы рядом с рабочим"

    @factory.post_generation
    def victims(obj, create, extracted, **kwargs):
        """An accident gets one light victim unless ``victims=[(outcome, days), ...]`` says
        otherwise (``victims=[]``: none); the other kinds never get one."""
        if not create or obj.kind != IncidentKind.ACCIDENT:
            return
        for outcome, days in [(VictimOutcome.LIGHT, 0)] if extracted is None else extracted:
            IncidentVictimFactory(incident=obj, outcome=outcome, days_lost=days)


class IncidentVictimFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IncidentVictim

    incident = factory.SubFactory(IncidentFactory, kind=IncidentKind.ACCIDENT, victims=[])
    outcome = VictimOutcome.LIGHT
    days_lost = 0
