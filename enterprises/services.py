"""Business actions on an enterprise's structure: structural units and workplaces. The register's
import and the admin-free set-up of an enterprise both go through these."""

import re
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

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


@transaction.atomic
def department_add(
    *, enterprise: Enterprise, name: str, parent: Department | None = None, kind: str = DepartmentKind.SHOP
) -> Department:
    department = Department(enterprise=enterprise, parent=parent, name=name.strip(), kind=kind)
    department.full_clean()
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
    workplace.full_clean()
    workplace.save()
    return workplace
