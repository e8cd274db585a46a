"""Business actions on an enterprise's structure: structural units and workplaces. The register's
import and the admin-free set-up of an enterprise both go through these."""

import re
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from riskpilot.versions import version_token

from .models import Department, DepartmentKind, Enterprise, Workplace

# Kinds given to units created from a path (shop → section → team), deepest last.
_KIND_BY_DEPTH = (DepartmentKind.SHOP, DepartmentKind.SECTION, DepartmentKind.TEAM)


# --- Reading the structure (one query each; trees are walked in Python) -----------------------


def natural_key(text: str) -> tuple:
    """Sorts "Цех № 2" before "Цех № 10" and workplace 9 before 10А."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part.casefold()) for part in re.split(r"(\d+)", text)
    )


def department_tree(enterprise) -> tuple[list[tuple[Department, int]], dict]:
    """All units of the enterprise in tree order with their depth, and an id → unit map (one
    query; the tree is walked in Python)."""
    departments = sorted(Department.objects.filter(enterprise=enterprise), key=lambda d: natural_key(d.name))
    by_id = {d.pk: d for d in departments}
    children: dict = {}
    for department in departments:
        parent = department.parent_id if department.parent_id in by_id else None
        children.setdefault(parent, []).append(department)
    ordered, seen = [], set()

    def walk(parent_id, depth):
        for child in children.get(parent_id, []):
            if child.pk not in seen:
                seen.add(child.pk)
                ordered.append((child, depth))
                walk(child.pk, depth + 1)

    walk(None, 0)
    return ordered, by_id


def descendants(department_id: int, by_id: dict) -> set[int]:
    """The unit and every unit nested in it."""
    found = {department_id}
    changed = True
    while changed:
        changed = False
        for department in by_id.values():
            if department.parent_id in found and department.pk not in found:
                found.add(department.pk)
                changed = True
    return found


def department_path(department: Department, departments_by_id: dict) -> list[str]:
    """Names from the top unit down to ``department``, using an already loaded id → unit map
    (no query per level)."""
    names = []
    seen = set()
    node = department
    while node is not None and node.pk not in seen:
        seen.add(node.pk)
        names.append(node.name)
        node = departments_by_id.get(node.parent_id)
    return list(reversed(names))


# --- Rules of the structure, shared by the forms and the register's import ----------------------


def check_structure_version(obj, expected: str | None) -> None:
    """Refuse a save from a form loaded before someone else changed ``obj`` (locked by the
    caller). No token (the import, a script) is not checked; the forms require theirs."""
    if expected in (None, "") or version_token(obj.updated_at) == str(expected):
        return
    record = obj.history.select_related("history_user").order_by("-history_date", "-history_id").first()
    user = record.history_user if record is not None else None
    time = formats.time_format(timezone.localtime(obj.updated_at), "H:i")
    if user is not None:
        raise ValidationError(
            _(
                "%(name)s changed this at %(time)s while you were editing; reload the page to see "
                "their changes."
            )
            % {"name": user.get_full_name() or user.get_username(), "time": time},
            code="stale",
        )
    raise ValidationError(
        _(
            "Someone else changed this at %(time)s while you were editing; reload the page to see "
            "their changes."
        )
        % {"time": time},
        code="stale",
    )


def _check_parent(department: Department) -> None:
    """The parent unit: of the same enterprise, not archived, not the unit itself or one nested
    in it (Department.clean checks the first and the cycle, here with a clear word on archiving)."""
    parent = department.parent
    if parent is None:
        return
    if parent.archived_at is not None:
        raise ValidationError({"parent": _("This unit is archived: choose an active one.")})
    if department.pk is not None:
        _tree, by_id = department_tree(department.enterprise)
        if parent.pk in descendants(department.pk, by_id):
            raise ValidationError({"parent": _("A unit cannot be nested inside itself.")})


def _check_sibling_name(department: Department) -> None:
    """Two units of one parent never share a name (the database's unique constraint does not
    cover top-level units: NULL parents are all distinct to it)."""
    siblings = Department.objects.filter(
        enterprise_id=department.enterprise_id, parent_id=department.parent_id, name=department.name
    ).exclude(pk=department.pk)
    if siblings.exists():
        raise ValidationError({"name": _("This unit already has a sub-unit with this name.")})


def _check_number_free(workplace: Workplace) -> None:
    """Said beside the number, not as the constraint's general message."""
    taken = (
        Workplace.objects.filter(enterprise_id=workplace.enterprise_id, number=workplace.number)
        .exclude(pk=workplace.pk)
        .first()
    )
    if taken is None:
        return
    if taken.archived_at is not None:
        raise ValidationError(
            {
                "number": _("Workplace № %(number)s is in the archive: give another number.")
                % {"number": taken.number}
            }
        )
    raise ValidationError(
        {"number": _("The enterprise already has a workplace № %(number)s.") % {"number": taken.number}}
    )


def _check_unit_for_workplace(workplace: Workplace) -> None:
    if workplace.department_id and workplace.department.archived_at is not None:
        raise ValidationError({"department": _("This unit is archived: choose an active one.")})


@transaction.atomic
def department_add(
    *, enterprise: Enterprise, name: str, parent: Department | None = None, kind: str = DepartmentKind.SHOP
) -> Department:
    department = Department(enterprise=enterprise, parent=parent, name=name.strip(), kind=kind)
    _check_sibling_name(department)  # before full_clean: said beside the name, not above the form
    department.full_clean()
    _check_parent(department)
    department.save()
    return department


@transaction.atomic
def department_update(
    *,
    department: Department,
    name: str,
    kind: str,
    parent: Department | None = None,
    version: str | None = None,
) -> Department:
    """Rename a unit, change its kind or move it under another parent unit (None: to the top)."""
    department = Department.objects.select_for_update().select_related("enterprise").get(pk=department.pk)
    check_structure_version(department, version)
    if department.archived_at is not None:
        raise ValidationError(_("This unit is archived."))
    department.name, department.kind, department.parent = name.strip(), kind, parent
    _check_sibling_name(department)  # before full_clean: said beside the name, not above the form
    department.full_clean()
    _check_parent(department)
    department.save()
    return department


@transaction.atomic
def department_ensure_path(*, enterprise: Enterprise, path: Sequence[str]) -> Department:
    """The unit at ``path`` (top unit first), creating the missing levels."""
    if not path or any(not name.strip() for name in path):
        raise ValidationError(_("A structural unit path needs a name at every level."))
    parent = None
    for depth, name in enumerate(path):
        existing = (
            Department.objects.filter(enterprise=enterprise, parent=parent, name=name.strip())
            .order_by("pk")
            .first()
        )
        if existing is not None and existing.archived_at is not None:
            raise ValidationError(_("The structural unit “%(name)s” is archived.") % {"name": name})
        parent = existing or department_add(
            enterprise=enterprise,
            name=name,
            parent=parent,
            kind=_KIND_BY_DEPTH[min(depth, len(_KIND_BY_DEPTH) - 1)],
        )
    return parent


@transaction.atomic
def workplace_add(
    *,
    enterprise: Enterprise,
    department: Department,
    number: str,
    position: str,
    okpdtr_code: str = "",
    headcount_total: int = 1,
    headcount_women: int = 0,
    headcount_under_18: int = 0,
    headcount_disabled: int = 0,
    job_function: str = "",
    equipment: str = "",
) -> Workplace:
    workplace = Workplace(
        enterprise=enterprise,
        department=department,
        number=number.strip(),
        position=position.strip(),
        okpdtr_code=okpdtr_code,
        headcount_total=headcount_total,
        headcount_women=headcount_women,
        headcount_under_18=headcount_under_18,
        headcount_disabled=headcount_disabled,
        job_function=job_function,
        equipment=equipment,
    )
    _check_number_free(workplace)
    workplace.full_clean()
    _check_unit_for_workplace(workplace)
    workplace.save()
    return workplace


# What an officer describes of a workplace; the form and workplace_update carry exactly these.
WORKPLACE_FIELDS = (
    "department",
    "number",
    "position",
    "okpdtr_code",
    "headcount_total",
    "headcount_women",
    "headcount_under_18",
    "headcount_disabled",
    "job_function",
    "equipment",
)


@transaction.atomic
def workplace_update(*, workplace: Workplace, version: str | None = None, **values) -> Workplace:
    """Change what a workplace is (number, position, head-count…) or move it to another unit of
    the same enterprise; its register rows go with it."""
    unknown = set(values) - set(WORKPLACE_FIELDS)
    if unknown:
        raise TypeError(f"workplace_update() got unexpected fields {sorted(unknown)}")
    workplace = Workplace.objects.select_for_update().get(pk=workplace.pk)
    check_structure_version(workplace, version)
    if workplace.archived_at is not None:
        raise ValidationError(_("This workplace is archived."))
    for name in ("number", "position"):
        if name in values:
            values[name] = values[name].strip()
    changed = [name for name, value in values.items() if getattr(workplace, name) != value]
    if not changed:
        return workplace
    for name in changed:
        setattr(workplace, name, values[name])
    _check_number_free(workplace)
    workplace.full_clean()
    _check_unit_for_workplace(workplace)
    workplace.save()
    return workplace


@transaction.atomic
def departments_archive(*, departments: Sequence[Department]) -> int:
    """Archive units (the caller has dealt with their workplaces: hazards.services.department_archive)."""
    now = timezone.now()
    count = 0
    for department in departments:
        if department.archived_at is None:
            department.archived_at = now
            department.save(update_fields=["archived_at", "updated_at"])
            count += 1
    return count


@transaction.atomic
def workplaces_archive(*, workplaces: Sequence[Workplace]) -> int:
    """Archive workplaces (the caller has dealt with their register rows: hazards.services)."""
    now = timezone.now()
    count = 0
    for workplace in workplaces:
        if workplace.archived_at is None:
            workplace.archived_at = now
            workplace.save(update_fields=["archived_at", "updated_at"])
            count += 1
    return count
