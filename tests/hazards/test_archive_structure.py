"""Archiving a workplace or a unit decides what becomes of its active register rows: archived with
it, moved to another workplace, or nothing happens until someone chooses (hazards.services)."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from enterprises.models import Department, Workplace
from hazards.models import Hazard, HazardStatus
from hazards.services import RowsOnArchive, department_archive, workplace_archive
from riskpilot.versions import version_token
from tests.factories import DepartmentFactory, HazardFactory, WorkplaceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def plant(enterprise_a):
    shop = DepartmentFactory(enterprise=enterprise_a, name="Цех № 1")
    section = DepartmentFactory(enterprise=enterprise_a, parent=shop, name="Участок")
    team = DepartmentFactory(enterprise=enterprise_a, parent=section, name="Бригада")
    elsewhere = DepartmentFactory(enterprise=enterprise_a, name="Цех № 2")
    return {
        "shop": shop,
        "section": section,
        "team": team,
        "w1": WorkplaceFactory(department=section, number="1"),
        "w2": WorkplaceFactory(department=team, number="2"),
        "keep": WorkplaceFactory(department=elsewhere, number="3"),
    }


def _state():
    return (
        sorted(Hazard.objects.values_list("pk", "workplace_id", "status")),
        sorted(Workplace.objects.values_list("pk", "archived_at")),
        sorted(Department.objects.values_list("pk", "archived_at")),
    )


def test_workplace_without_active_rows_is_archived_and_keeps_its_old_rows(plant):
    eliminated = HazardFactory(workplace=plant["w1"], status=HazardStatus.ELIMINATED)
    workplace_archive(workplace=plant["w1"], version=version_token(plant["w1"].updated_at))
    plant["w1"].refresh_from_db()
    assert plant["w1"].archived_at is not None
    assert Hazard.objects.get(pk=eliminated.pk).workplace_id == plant["w1"].pk
    assert plant["w1"].history.count() == 2


def test_workplace_with_active_rows_needs_a_choice_and_nothing_changes_without_it(plant):
    HazardFactory(workplace=plant["w1"])
    before = _state()
    with pytest.raises(ValidationError) as excinfo:
        workplace_archive(workplace=plant["w1"])
    assert "rows" in excinfo.value.message_dict
    assert _state() == before


def test_rows_archived_with_the_workplace_each_in_its_history(plant):
    rows = [HazardFactory(workplace=plant["w1"]), HazardFactory(workplace=plant["w1"])]
    workplace_archive(workplace=plant["w1"], rows=RowsOnArchive.ARCHIVE)
    for row in rows:
        row.refresh_from_db()
        assert row.status == HazardStatus.ARCHIVED
        assert row.history.order_by("-history_id").first().status == HazardStatus.ARCHIVED


def test_rows_moved_to_another_workplace_stay_active(plant):
    row = HazardFactory(workplace=plant["w1"])
    workplace_archive(workplace=plant["w1"], rows=RowsOnArchive.MOVE, target=plant["keep"])
    row.refresh_from_db()
    assert (row.workplace_id, row.status) == (plant["keep"].pk, HazardStatus.ACTIVE)
    assert row.history.order_by("history_id").first().workplace_id == plant["w1"].pk


@pytest.mark.parametrize("target", ["same", "archived", "foreign", "none"])
def test_rows_cannot_move_to_an_unfit_workplace(plant, enterprise_b, target):
    HazardFactory(workplace=plant["w1"])
    chosen = {
        "same": plant["w1"],
        "archived": WorkplaceFactory(department=plant["shop"], archived_at=timezone.now()),
        "foreign": WorkplaceFactory(department__enterprise=enterprise_b),
        "none": None,
    }[target]
    before = _state()
    with pytest.raises(ValidationError) as excinfo:
        workplace_archive(workplace=plant["w1"], rows=RowsOnArchive.MOVE, target=chosen)
    assert "target" in excinfo.value.message_dict
    assert _state() == before


def test_rows_do_not_move_onto_the_same_event_and_source(plant):
    row = HazardFactory(workplace=plant["w1"], source="Шум")
    HazardFactory(workplace=plant["keep"], event=row.event, source="Шум")
    with pytest.raises(ValidationError, match=row.event.code):
        workplace_archive(workplace=plant["w1"], rows=RowsOnArchive.MOVE, target=plant["keep"])


def test_stale_archive_is_refused(plant):
    token = version_token(plant["w1"].updated_at)
    plant["w1"].position = "Токарь-расточник"
    plant["w1"].save()
    with pytest.raises(ValidationError) as excinfo:
        workplace_archive(workplace=plant["w1"], version=token)
    assert excinfo.value.code == "stale"


def test_unit_with_contents_is_refused_without_cascade(plant):
    before = _state()
    with pytest.raises(ValidationError) as excinfo:
        department_archive(department=plant["section"])
    assert excinfo.value.code == "not_empty"
    assert _state() == before


def test_unit_archived_with_everything_in_it_and_rows_moved_out(plant):
    row = HazardFactory(workplace=plant["w2"])
    old = HazardFactory(workplace=plant["w2"], status=HazardStatus.ELIMINATED)
    before = _state()
    with pytest.raises(ValidationError):
        department_archive(department=plant["shop"], cascade=True)  # rows: no choice made
    assert _state() == before
    with pytest.raises(ValidationError):
        # The target is inside the unit being archived.
        department_archive(
            department=plant["shop"], cascade=True, rows=RowsOnArchive.MOVE, target=plant["w1"]
        )
    contents = department_archive(
        department=plant["shop"], cascade=True, rows=RowsOnArchive.MOVE, target=plant["keep"]
    )
    assert {unit.name for unit in contents.units} == {"Цех № 1", "Участок", "Бригада"}
    assert set(Department.objects.filter(archived_at__isnull=False).values_list("name", flat=True)) == {
        "Цех № 1",
        "Участок",
        "Бригада",
    }
    assert set(Workplace.objects.filter(archived_at__isnull=False).values_list("number", flat=True)) == {
        "1",
        "2",
    }
    row.refresh_from_db()
    old.refresh_from_db()
    assert row.workplace_id == plant["keep"].pk and old.workplace_id == plant["w2"].pk


def test_empty_unit_is_archived_without_cascade(enterprise_a):
    empty = DepartmentFactory(enterprise=enterprise_a)
    department_archive(department=empty)
    empty.refresh_from_db()
    assert empty.archived_at is not None
    with pytest.raises(ValidationError):
        department_archive(department=empty)
