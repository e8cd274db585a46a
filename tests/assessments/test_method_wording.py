"""Version 2 of the default 5×5 matrix (migration 0011): severity 5 no longer calls every group
accident catastrophic, version 1 keeps its words for the assessments made under it, and ratings
made under version 1 can still be confirmed at a periodic review (the scales did not change)."""

import copy
import importlib

import pytest
from django.apps import apps

from assessments import scoring
from assessments.models import RiskMethod, RiskMethodVersion
from assessments.services import assessment_create, review_can_confirm
from tests.factories import HazardFactory, WorkplaceFactory

pytestmark = pytest.mark.django_db
MIGRATION = importlib.import_module("assessments.migrations.0011_matrix_severity_group_wording")


def _severity_5(version: RiskMethodVersion) -> dict:
    return next(level for level in scoring.input_levels(version.config, "severity") if level["value"] == 5)


def test_severity_5_is_a_fatal_or_a_group_accident_with_a_severe_or_fatal_outcome():
    method = RiskMethod.objects.get(code="matrix-5x5")
    current = method.current_version()
    assert current.version == 2
    text = _severity_5(current)
    assert "групповой несчастный случай с тяжёлым или смертельным исходом" in text["description_ru"]
    assert "group accident with a severe or fatal outcome" in text["description_en"]
    # Version 1 keeps the words its assessors read.
    first = method.versions.get(version=1)
    assert "или групповой несчастный случай (категории" in _severity_5(first)["description_ru"]


def test_only_the_words_changed():
    method = RiskMethod.objects.get(code="matrix-5x5")
    first, second = method.versions.get(version=1), method.versions.get(version=2)
    assert scoring.same_scoring(first.config, second.config)
    changed = copy.deepcopy(second.config)
    changed["bands"][-1]["key"] = "catastrophic"
    assert not scoring.same_scoring(first.config, changed)
    fine_kinney = RiskMethod.objects.get(code="fine-kinney").current_version()
    assert not scoring.same_scoring(first.config, fine_kinney.config)


def test_running_the_migration_again_adds_no_version():
    MIGRATION.add_version(apps, None)
    assert RiskMethod.objects.get(code="matrix-5x5").versions.count() == 2


def test_a_rating_under_version_1_can_be_confirmed_under_version_2(enterprise_a, officer_a):
    method = RiskMethod.objects.get(code="matrix-5x5")
    hazard = HazardFactory(workplace=WorkplaceFactory(department__enterprise=enterprise_a))
    old = assessment_create(
        hazard=hazard,
        assessor=officer_a,
        inputs={"probability": 3, "severity": 5},
        method_version=method.versions.get(version=1),
    )
    assert review_can_confirm(assessment=old, version=method.current_version())
    other = RiskMethod.objects.get(code="fine-kinney").current_version()
    assert not review_can_confirm(assessment=old, version=other)
