"""The Order 776n catalogue is loaded completely by the data migration."""

import re

import pytest
from django.db.models import Count

from hazards.models import HazardGroup, HazardousEvent, HazardType, ModelMeasure

pytestmark = pytest.mark.django_db


def test_catalogue_counts():
    assert HazardGroup.objects.count() == 28
    assert HazardType.objects.catalogue().count() == 56
    assert HazardousEvent.objects.catalogue().count() == 91
    assert ModelMeasure.objects.count() == 769


def test_groups_are_numbered_1_to_28_with_names_in_both_languages():
    groups = list(HazardGroup.objects.order_by("number"))
    assert [g.number for g in groups] == list(range(1, 29))
    assert all(g.name_ru and g.name_en for g in groups)


def test_codes_follow_the_776n_numbering():
    for hazard in HazardType.objects.select_related("group"):
        assert re.fullmatch(rf"{hazard.group.number}-\d+", hazard.code), hazard.code
    for event in HazardousEvent.objects.select_related("hazard_type__group"):
        assert re.fullmatch(rf"{event.hazard_type.group.number}\.\d+", event.code), event.code
        assert event.name_ru and event.name_en, event.code
    for measure in ModelMeasure.objects.select_related("event"):
        assert measure.code.startswith(event_prefix := f"{measure.event.code}."), (measure.code, event_prefix)


def test_several_hazards_share_a_group_and_events_are_numbered_per_group():
    per_group = dict(HazardType.objects.values_list("group__number").annotate(n=Count("id")))
    assert per_group[3] == 2  # slippery surfaces; height
    assert per_group[9] == 7  # seven chemical hazards
    assert HazardousEvent.objects.get_by_natural_key("3.1").hazard_type.code == "3-1"
    # 2.2 and 2.3 only appear in the measures transcription; they belong to hazard 2-1.
    assert set(
        HazardousEvent.objects.filter(code__startswith="2.").values_list("hazard_type__code", flat=True)
    ) == {"2-1"}
    assert HazardousEvent.objects.filter(code__startswith="13.").count() == 10


def test_known_model_measures_are_attached_to_their_events():
    measure = ModelMeasure.objects.get(code="3.1.1")
    assert measure.event.code == "3.1"
    assert measure.name_ru == "Использование противоскользящих напольных покрытий"
    assert ModelMeasure.objects.filter(code="2.3.1", event__code="2.3").exists()
    assert not HazardousEvent.objects.annotate(n=Count("model_measures")).filter(n=0).exists()


def test_hazard_17_1_name_is_complete():
    name = HazardType.objects.get(code="17-1").name_ru
    assert not name.endswith("хирургич")
    assert name.endswith(")")
