"""The benchmark's data generator writes accidents with their victims (COPY, PostgreSQL only):
every accident has one or more victims, the other kinds none, and a fatal victim no days."""

import random

import pytest
from django.db.models import Count

from assessments.models import Incident, IncidentKind, IncidentVictim, VictimOutcome
from bench.benchdata import Generator, Scale


@pytest.mark.postgres
@pytest.mark.django_db
def test_generated_accidents_have_victims_and_only_accidents_do():
    Generator(
        Scale(enterprises=12, regions=2, workplaces_per_enterprise=40), seed=7, progress=lambda _: None
    ).run()
    accidents = Incident.objects.filter(kind=IncidentKind.ACCIDENT).annotate(victims_count=Count("victims"))
    assert accidents.exists()
    assert min(a.victims_count for a in accidents) >= 1
    assert not IncidentVictim.objects.exclude(incident__kind=IncidentKind.ACCIDENT).exists()
    assert not IncidentVictim.objects.filter(outcome=VictimOutcome.FATAL, days_lost__gt=0).exists()


def test_one_accident_in_a_hundred_is_a_group_accident():
    generator = Generator.__new__(Generator)  # only its random source is needed here
    generator.rnd = random.Random(3)
    sizes = [len(generator.victim_outcomes()) for _ in range(20_000)]
    groups = sum(size > 1 for size in sizes)
    assert 100 < groups < 300 and max(sizes) <= 4
