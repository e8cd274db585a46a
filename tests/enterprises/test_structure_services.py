"""The structure's business rules (enterprises.services): the same checks whether a unit or a
workplace comes from the browser or from the register import."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from enterprises.models import Department, DepartmentKind, Workplace
from enterprises.services import department_add, department_update, workplace_add, workplace_update
from riskpilot.versions import version_token
from tests.factories import DepartmentFactory, WorkplaceFactory

pytestmark = pytest.mark.django_db


def _errors(excinfo) -> dict:
    return excinfo.value.message_dict


# --- Units --------------------------------------------------------------------------------------


def test_unit_is_added_under_a_parent_with_history(enterprise_a):
    shop = department_add(enterprise=enterprise_a, name="  Цех № 1 ")
    section = department_add(
        enterprise=enterprise_a, name="Участок", parent=shop, kind=DepartmentKind.SECTION
    )
    assert shop.name == "Цех № 1" and section.parent == shop
    assert section.history.count() == 1


def test_top_level_units_of_one_enterprise_have_distinct_names(enterprise_a, enterprise_b):
    department_add(enterprise=enterprise_a, name="Цех № 1")
    with pytest.raises(ValidationError) as excinfo:
        department_add(enterprise=enterprise_a, name="Цех № 1")
    assert "name" in _errors(excinfo)
    department_add(enterprise=enterprise_b, name="Цех № 1")  # another enterprise may
    assert Department.objects.filter(name="Цех № 1").count() == 2


def test_parent_of_another_enterprise_is_refused(enterprise_a, enterprise_b):
    foreign = DepartmentFactory(enterprise=enterprise_b)
    with pytest.raises(ValidationError) as excinfo:
        department_add(enterprise=enterprise_a, name="Участок", parent=foreign)
    assert "parent" in _errors(excinfo)
    assert not Department.objects.filter(enterprise=enterprise_a).exists()


def test_archived_parent_is_refused(enterprise_a):
    closed = DepartmentFactory(enterprise=enterprise_a, archived_at=timezone.now())
    with pytest.raises(ValidationError) as excinfo:
        department_add(enterprise=enterprise_a, name="Участок", parent=closed)
    assert "parent" in _errors(excinfo)


def test_unit_is_renamed_and_moved_with_history(enterprise_a):
    shop = DepartmentFactory(enterprise=enterprise_a, name="Цех № 1")
    other = DepartmentFactory(enterprise=enterprise_a, name="Цех № 2")
    section = DepartmentFactory(enterprise=enterprise_a, parent=shop, name="Участок")
    moved = department_update(
        department=section,
        name="Участок сборки",
        kind=DepartmentKind.SECTION,
        parent=other,
        version=version_token(section.updated_at),
    )
    assert (moved.name, moved.parent_id, moved.kind) == ("Участок сборки", other.pk, DepartmentKind.SECTION)
    assert [record.name for record in moved.history.order_by("history_id")] == ["Участок", "Участок сборки"]
    top = department_update(department=moved, name="Участок сборки", kind=DepartmentKind.SECTION, parent=None)
    assert top.parent_id is None


@pytest.mark.parametrize("depth", [0, 1, 2])
def test_unit_cannot_be_moved_inside_itself(enterprise_a, depth):
    shop = DepartmentFactory(enterprise=enterprise_a)
    chain = [shop]
    for _ in range(2):
        chain.append(DepartmentFactory(enterprise=enterprise_a, parent=chain[-1]))
    with pytest.raises(ValidationError) as excinfo:
        department_update(department=shop, name=shop.name, kind=shop.kind, parent=chain[depth])
    assert "parent" in _errors(excinfo)
    shop.refresh_from_db()
    assert shop.parent_id is None


def test_stale_unit_form_is_refused_naming_who_changed_it(enterprise_a, officer_a):
    shop = DepartmentFactory(enterprise=enterprise_a, name="Цех № 1")
    token = version_token(shop.updated_at)
    shop._history_user = officer_a
    department_update(department=shop, name="Цех № 10", kind=shop.kind)
    with pytest.raises(ValidationError) as excinfo:
        department_update(department=shop, name="Цех № 11", kind=shop.kind, version=token)
    assert excinfo.value.code == "stale"
    shop.refresh_from_db()
    assert shop.name == "Цех № 10"


# --- Workplaces ---------------------------------------------------------------------------------

WORKPLACE = {
    "number": "12А",
    "position": "Токарь",
    "okpdtr_code": "19149",
    "headcount_total": 3,
    "headcount_women": 1,
    "headcount_under_18": 0,
    "headcount_disabled": 1,
    "job_function": "Обработка деталей",
    "equipment": "Токарный станок 16К20",
}


def test_workplace_is_added_with_its_head_count(enterprise_a):
    shop = DepartmentFactory(enterprise=enterprise_a)
    workplace = workplace_add(enterprise=enterprise_a, department=shop, **WORKPLACE)
    assert (workplace.number, workplace.headcount_disabled, workplace.equipment) == (
        "12А",
        1,
        "Токарный станок 16К20",
    )
    assert workplace.history.count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"number": "1"}, "number"),  # taken
        ({"okpdtr_code": "1914"}, "okpdtr_code"),
        ({"okpdtr_code": "1914А"}, "okpdtr_code"),
        ({"headcount_women": 4}, "headcount_women"),
        ({"headcount_under_18": 4}, "headcount_under_18"),
        ({"position": ""}, "position"),
    ],
)
def test_invalid_workplace_is_refused_beside_the_field(enterprise_a, change, field):
    shop = DepartmentFactory(enterprise=enterprise_a)
    WorkplaceFactory(department=shop, number="1")
    with pytest.raises(ValidationError) as excinfo:
        workplace_add(enterprise=enterprise_a, department=shop, **{**WORKPLACE, **change})
    assert field in _errors(excinfo)
    assert Workplace.objects.filter(enterprise=enterprise_a).count() == 1


def test_number_of_an_archived_workplace_is_still_taken(enterprise_a):
    shop = DepartmentFactory(enterprise=enterprise_a)
    WorkplaceFactory(department=shop, number="7", archived_at=timezone.now())
    with pytest.raises(ValidationError, match=r"архив|archive"):
        workplace_add(enterprise=enterprise_a, department=shop, **{**WORKPLACE, "number": "7"})


def test_workplace_in_a_unit_of_another_enterprise_or_archived_unit_is_refused(enterprise_a, enterprise_b):
    foreign = DepartmentFactory(enterprise=enterprise_b)
    closed = DepartmentFactory(enterprise=enterprise_a, archived_at=timezone.now())
    for unit in (foreign, closed):
        with pytest.raises(ValidationError) as excinfo:
            workplace_add(enterprise=enterprise_a, department=unit, **WORKPLACE)
        assert "department" in _errors(excinfo)
    assert not Workplace.objects.exists()


def test_workplace_is_moved_to_another_unit_and_renumbered(enterprise_a):
    workplace = WorkplaceFactory(department__enterprise=enterprise_a, number="3")
    other = DepartmentFactory(enterprise=enterprise_a)
    changed = workplace_update(
        workplace=workplace,
        version=version_token(workplace.updated_at),
        department=other,
        number="3А",
        headcount_total=6,
    )
    changed.refresh_from_db()
    assert (changed.department_id, changed.number, changed.headcount_total) == (other.pk, "3А", 6)
    assert changed.number_sort and changed.history.count() == 2


def test_workplace_cannot_move_to_another_enterprise_unit(enterprise_a, enterprise_b):
    workplace = WorkplaceFactory(department__enterprise=enterprise_a)
    with pytest.raises(ValidationError) as excinfo:
        workplace_update(workplace=workplace, department=DepartmentFactory(enterprise=enterprise_b))
    assert "department" in _errors(excinfo)


def test_stale_workplace_form_is_refused(enterprise_a):
    workplace = WorkplaceFactory(department__enterprise=enterprise_a, position="Токарь")
    token = version_token(workplace.updated_at)
    workplace_update(workplace=workplace, position="Токарь-расточник")
    with pytest.raises(ValidationError) as excinfo:
        workplace_update(workplace=workplace, version=token, position="Фрезеровщик")
    assert excinfo.value.code == "stale"
    workplace.refresh_from_db()
    assert workplace.position == "Токарь-расточник"


def test_unchanged_workplace_writes_no_history(enterprise_a):
    workplace = WorkplaceFactory(department__enterprise=enterprise_a, position="Токарь")
    workplace_update(workplace=workplace, position="Токарь")
    assert workplace.history.count() == 1


def test_renaming_onto_a_sibling_s_name_is_refused_beside_the_name(enterprise_a):
    shop = DepartmentFactory(enterprise=enterprise_a)
    DepartmentFactory(enterprise=enterprise_a, parent=shop, name="Участок № 1")
    other = DepartmentFactory(enterprise=enterprise_a, parent=shop, name="Участок № 2")
    with pytest.raises(ValidationError) as excinfo:
        department_update(department=other, name="Участок № 1", kind=other.kind, parent=shop)
    assert "name" in _errors(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        department_add(enterprise=enterprise_a, name="Участок № 2", parent=shop)
    assert "name" in _errors(excinfo)
