"""Business actions on the register rows. Views, imports, commands and the demo seeding all call
these, so the rules (same enterprise, history, flags) hold whichever way a row is written."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from enterprises.models import Department, Enterprise, Workplace
from enterprises.ordering import workplace_order, workplace_sort_key
from enterprises.services import (
    check_structure_version,
    department_tree,
    departments_archive,
    descendants,
    workplaces_archive,
)
from riskpilot.versions import version_token

from .models import Activity, Hazard, HazardGroup, HazardousEvent, HazardStatus, HazardType

# --- Optimistic locking ---------------------------------------------------------------------------
# The version token (riskpilot.versions) is the row's updated_at; the messages name who changed it.


def _stale_messages(kind: str) -> tuple[str, str]:
    """(with a name, without) for each kind of object: whole sentences, so that each translation
    can agree in gender and case."""
    if kind == "assessment":
        return (
            _(
                "%(name)s re-assessed this register row at %(time)s while you were editing; reload the "
                "page to see the new assessment."
            ),
            _(
                "Someone else re-assessed this register row at %(time)s while you were editing; reload "
                "the page to see the new assessment."
            ),
        )
    if kind == "incident":
        return (
            _(
                "%(name)s changed this incident at %(time)s while you were editing; reload the page to "
                "see their changes."
            ),
            _(
                "Someone else changed this incident at %(time)s while you were editing; reload the page "
                "to see their changes."
            ),
        )
    if kind == "measure":
        return (
            _(
                "%(name)s changed this measure at %(time)s while you were editing; reload the page to "
                "see their changes."
            ),
            _(
                "Someone else changed this measure at %(time)s while you were editing; reload the page "
                "to see their changes."
            ),
        )
    return (
        _(
            "%(name)s changed this register row at %(time)s while you were editing; reload the page to "
            "see their changes."
        ),
        _(
            "Someone else changed this register row at %(time)s while you were editing; reload the "
            "page to see their changes."
        ),
    )


def stale_edit_error(
    *, obj, kind: str, changed_at: datetime.datetime | None = None, user=None
) -> ValidationError:
    """The refusal shown on a stale form: who last changed ``obj`` (``user``, else from its
    history) and when."""
    record = None
    history = getattr(obj, "history", None)
    if history is not None and (user is None or changed_at is None):
        record = history.select_related("history_user").order_by("-history_date", "-history_id").first()
    if user is None and record is not None:
        user = record.history_user
    moment = changed_at or (record.history_date if record is not None else None)
    time = formats.time_format(timezone.localtime(moment), "H:i") if moment else "—"
    name = (user.get_full_name() or user.get_username()) if user is not None else ""
    with_name, without_name = _stale_messages(kind)
    if name:
        return ValidationError(with_name % {"name": name, "time": time}, code="stale")
    return ValidationError(without_name % {"time": time}, code="stale")


def check_version(*, obj, expected: str | None, kind: str = "hazard") -> None:
    """Refuse the save if ``obj`` (freshly read under select_for_update) changed since the form
    was loaded. An absent token (a script or an import: no form was loaded) is not checked; the
    forms require theirs (riskpilot.forms.VersionField)."""
    if expected is None or expected == "":
        return
    if version_token(obj.updated_at) != str(expected):
        raise stale_edit_error(obj=obj, kind=kind, changed_at=obj.updated_at)


@transaction.atomic
def hazard_add(
    *,
    workplace: Workplace,
    event: HazardousEvent,
    source: str,
    identified_by=None,
    activity: str = Activity.ROUTINE,
    object_description: str = "",
    existing_controls: str = "",
    exposed_description: str = "",
    exposed_count: int = 1,
    identified_on: datetime.date | None = None,
    next_review_on: datetime.date | None = None,
) -> Hazard:
    if workplace.archived_at is not None:
        raise ValidationError(_("This workplace is archived: restore it before adding hazards."))
    hazard = Hazard(
        enterprise_id=workplace.enterprise_id,
        workplace=workplace,
        event=event,
        source=source,
        activity=activity,
        object_description=object_description,
        existing_controls=existing_controls,
        exposed_description=exposed_description,
        exposed_count=exposed_count,
        identified_by=identified_by,
        identified_on=identified_on or timezone.localdate(),
        next_review_on=next_review_on,
    )
    hazard.full_clean()
    hazard.save()
    return hazard


@transaction.atomic
def hazard_set_status(*, hazard: Hazard, status: str) -> Hazard:
    """Eliminate or archive a row (the register never deletes), or bring it back."""
    if status not in HazardStatus.values:
        raise ValidationError(_("Unknown status."))
    hazard.status = status
    hazard.save(update_fields=["status", "updated_at"])
    return hazard


def hazards_flag_for_reassessment(hazards) -> int:
    """Mark rows "re-assessment needed" one by one, so each flag is in the row's history."""
    flagged = 0
    for hazard in hazards:
        if not hazard.needs_reassessment:
            hazard.needs_reassessment = True
            hazard.save(update_fields=["needs_reassessment", "updated_at"])
            flagged += 1
    return flagged


# Fields of a register row that an officer describes (everything but the event, the workplace
# and the scores); editing and copying a row carry exactly these.
DESCRIPTION_FIELDS = (
    "source",
    "activity",
    "object_description",
    "existing_controls",
    "exposed_description",
    "exposed_count",
    "next_review_on",
)


@transaction.atomic
def hazard_update(
    *,
    hazard: Hazard,
    source: str,
    activity: str,
    object_description: str = "",
    existing_controls: str = "",
    exposed_description: str = "",
    exposed_count: int = 1,
    next_review_on: datetime.date | None = None,
    version: str | None = None,
) -> Hazard:
    """Change how a row is described; the hazardous event stays (another event is another row).
    ``version`` is the form's token (version_token of the row as it was loaded): a row changed
    since then is refused, nothing written."""
    values = {
        "source": source,
        "activity": activity,
        "object_description": object_description,
        "existing_controls": existing_controls,
        "exposed_description": exposed_description,
        "exposed_count": exposed_count,
        "next_review_on": next_review_on,
    }
    # Compared with the stored row (a bound ModelForm may already have changed the instance),
    # locked so that two edits at once do not interleave. The workplace and event come along for
    # Hazard.clean(), which compares their enterprises.
    hazard = (
        Hazard.objects.select_for_update(of=("self",)).select_related("workplace", "event").get(pk=hazard.pk)
    )
    check_version(obj=hazard, expected=version)
    changed = [name for name, value in values.items() if getattr(hazard, name) != value]
    if not changed:
        return hazard
    for name in changed:
        setattr(hazard, name, values[name])
    # Only the changed fields are validated: the others were valid when stored, and checking them
    # again costs a query per foreign key and per constraint (an import updates thousands of rows).
    hazard.full_clean(exclude=[f.name for f in Hazard._meta.concrete_fields if f.name not in changed])
    # Only what changed, so the history shows a change where there was one.
    hazard.save(update_fields=[*changed, "updated_at"])
    return hazard


@dataclass
class CopyResult:
    """What hazards_copy did: rows created, and (target, source row) pairs skipped because the
    target already had that hazardous event."""

    created: list[Hazard] = field(default_factory=list)
    skipped: list[tuple[Workplace, Hazard]] = field(default_factory=list)
    # The source row of each row created, by the new row's id.
    copied_from: dict[int, Hazard] = field(default_factory=dict)

    def by_target(self, targets: Iterable[Workplace]) -> list[tuple[Workplace, list, list]]:
        """(target, rows created there, source rows skipped there), targets in number order."""
        return [
            (
                target,
                [row for row in self.created if row.workplace_id == target.pk],
                [row for skipped_at, row in self.skipped if skipped_at.pk == target.pk],
            )
            for target in sorted(targets, key=workplace_sort_key)
        ]


@transaction.atomic
def hazards_copy(*, source_rows: Iterable[Hazard], targets: Iterable[Workplace], user) -> CopyResult:
    """Copy register rows to other workplaces of the same enterprise in one step (analogous
    workplaces share a SOUT card, so their hazards are the same). A target that already has a
    row for the same hazardous event (active or eliminated) keeps it and gets no second one, so
    running the same copy twice changes nothing. Scores are not copied here: each new row is
    rated at its own workplace, or gets the source's rating as a draft through
    assessments.services.hazards_copy_with_ratings."""
    rows = list(source_rows)
    # Lock the targets: two officers copying to the same workplace at once must not both pass
    # the duplicate check.
    target_ids = {target.pk for target in targets}
    locked = list(Workplace.objects.select_for_update().filter(pk__in=target_ids).order_by("number", "pk"))
    enterprise_ids = {row.enterprise_id for row in rows} | {target.enterprise_id for target in locked}
    if len(enterprise_ids) > 1:
        raise ValidationError(_("Rows can only be copied between workplaces of one enterprise."))
    if any(row.status != HazardStatus.ACTIVE for row in rows):
        raise ValidationError(_("Only active rows can be copied."))
    if any(target.archived_at is not None for target in locked):
        raise ValidationError(_("This workplace is archived: restore it before adding hazards."))

    # What each target had before the copy: two source rows with the same event but different
    # sources are both copied.
    present = set(
        Hazard.objects.filter(workplace__in=locked)
        .exclude(status=HazardStatus.ARCHIVED)
        .values_list("workplace_id", "event_id")
    )
    result = CopyResult()
    for target in locked:
        for row in rows:
            if target.pk == row.workplace_id:
                continue
            if (target.pk, row.event_id) in present:
                result.skipped.append((target, row))
                continue
            copy = hazard_add(
                workplace=target,
                event=row.event,
                identified_by=user,
                **{name: getattr(row, name) for name in DESCRIPTION_FIELDS},
            )
            result.created.append(copy)
            result.copied_from[copy.pk] = row
    return result


# Own items are coded after their group with the Cyrillic letter С ("собственный"), so they
# never collide with the numbered 776n items: hazard 3-С1, event 3.С1.
OWN_MARK = "С"


def _next_own_number(codes: Iterable[str], prefix: str) -> int:
    numbers = [int(code[len(prefix) :]) for code in codes if code[len(prefix) :].isdigit()]
    return max(numbers, default=0) + 1


@transaction.atomic
def own_event_add(
    *,
    enterprise: Enterprise,
    group: HazardGroup,
    event_name_ru: str,
    event_name_en: str = "",
    hazard_type: HazardType | None = None,
    hazard_name_ru: str = "",
    hazard_name_en: str = "",
) -> HazardousEvent:
    """Add an enterprise's own hazardous event (Order 36) in a 776n group, under one of its own
    hazards or a new one; it is then chosen like a catalogue event, by this enterprise only."""
    # Serialises numbering within the enterprise: two officers adding at once get С1 and С2.
    Enterprise.objects.select_for_update().filter(pk=enterprise.pk).first()
    if hazard_type is None:
        if not hazard_name_ru.strip():
            raise ValidationError({"hazard_name_ru": _("Name the hazard.")})
        prefix = f"{group.number}-{OWN_MARK}"
        codes = HazardType.objects.filter(enterprise=enterprise, code__startswith=prefix).values_list(
            "code", flat=True
        )
        hazard_type = HazardType(
            enterprise=enterprise,
            group=group,
            code=f"{prefix}{_next_own_number(codes, prefix)}",
            name_ru=hazard_name_ru.strip(),
            name_en=hazard_name_en.strip(),
        )
        hazard_type.full_clean()
        hazard_type.save()
    elif hazard_type.enterprise_id != enterprise.pk or hazard_type.group_id != group.pk:
        raise ValidationError(
            {"hazard_type": _("Choose one of your enterprise's own hazards in this group.")}
        )
    prefix = f"{group.number}.{OWN_MARK}"
    codes = HazardousEvent.objects.filter(enterprise=enterprise, code__startswith=prefix).values_list(
        "code", flat=True
    )
    event = HazardousEvent(
        enterprise=enterprise,
        hazard_type=hazard_type,
        code=f"{prefix}{_next_own_number(codes, prefix)}",
        name_ru=event_name_ru.strip(),
        name_en=event_name_en.strip(),
    )
    event.full_clean()
    event.save()
    return event


# --- Archiving workplaces and units, with what happens to their register rows -------------------


class RowsOnArchive(models.TextChoices):
    """What becomes of the active register rows of a workplace that is archived."""

    ARCHIVE = "archive", gettext_lazy("Archive them with the workplace")
    MOVE = "move", gettext_lazy("Move them to another workplace")


def _rows_choice_error(count: int) -> ValidationError:
    return ValidationError(
        {
            "rows": ngettext(
                "There is %(count)d active register row here: archive it or move it to another workplace.",
                "There are %(count)d active register rows here: archive them or move them to another "
                "workplace.",
                count,
            )
            % {"count": count}
        },
        code="rows_choice_needed",
    )


def _retire_rows(*, workplaces: list[Workplace], rows: str | None, target: Workplace | None) -> None:
    """Archive or move the active rows of ``workplaces`` (locked by the caller), one save per row
    so that each change is in the row's history."""
    active = list(
        Hazard.objects.select_for_update(of=("self",))
        .filter(workplace__in=workplaces, status=HazardStatus.ACTIVE)
        .select_related("event")
        .order_by("pk")
    )
    if not active:
        return
    if rows not in RowsOnArchive.values:
        raise _rows_choice_error(len(active))
    if rows == RowsOnArchive.ARCHIVE:
        for hazard in active:
            hazard_set_status(hazard=hazard, status=HazardStatus.ARCHIVED)
        return
    retiring = {workplace.pk for workplace in workplaces}
    if target is None:
        raise ValidationError({"target": _("Choose the workplace the rows move to.")})
    target = Workplace.objects.select_for_update().get(pk=target.pk)
    if target.enterprise_id != workplaces[0].enterprise_id:
        raise ValidationError({"target": _("The workplace belongs to another enterprise.")})
    if target.pk in retiring or target.archived_at is not None:
        raise ValidationError({"target": _("Choose a workplace that stays active.")})
    present = set(
        Hazard.objects.filter(workplace=target, status=HazardStatus.ACTIVE).values_list("event_id", "source")
    )
    clashes = sorted({hazard.event.code for hazard in active if (hazard.event_id, hazard.source) in present})
    if clashes:
        raise ValidationError(
            {
                "target": _(
                    "That workplace already has the same hazardous event with the same source (%(codes)s): "
                    "archive these rows or choose another workplace."
                )
                % {"codes": ", ".join(clashes)}
            }
        )
    for hazard in active:
        hazard.workplace = target
        hazard.full_clean()
        hazard.save(update_fields=["workplace", "updated_at"])


@transaction.atomic
def workplace_archive(
    *,
    workplace: Workplace,
    rows: str | None = None,
    target: Workplace | None = None,
    version: str | None = None,
) -> Workplace:
    """Archive a workplace. Its active register rows are archived with it or moved to ``target``,
    as ``rows`` says; with active rows and no choice nothing is archived. Eliminated and archived
    rows stay with it as its history."""
    workplace = Workplace.objects.select_for_update().get(pk=workplace.pk)
    check_structure_version(workplace, version)
    if workplace.archived_at is not None:
        return workplace
    _retire_rows(workplaces=[workplace], rows=rows, target=target)
    workplaces_archive(workplaces=[workplace])
    return workplace


@dataclass
class UnitContents:
    """What archiving a unit would take with it."""

    units: list[Department]
    workplaces: list[Workplace]
    active_rows: int

    @property
    def empty(self) -> bool:
        return len(self.units) == 1 and not self.workplaces


def department_contents(department: Department) -> UnitContents:
    """The unit, its active sub-units at every depth and their active workplaces (three queries)."""
    _tree, by_id = department_tree(department.enterprise)
    ids = descendants(department.pk, by_id)
    units = [department] + [
        by_id[pk] for pk in sorted(ids - {department.pk}) if by_id[pk].archived_at is None
    ]
    workplaces = list(Workplace.objects.filter(department_id__in=ids).active().order_by(*workplace_order()))
    rows = (
        Hazard.objects.filter(workplace__in=workplaces, status=HazardStatus.ACTIVE).count()
        if workplaces
        else 0
    )
    return UnitContents(units=units, workplaces=workplaces, active_rows=rows)


@transaction.atomic
def department_archive(
    *,
    department: Department,
    cascade: bool = False,
    rows: str | None = None,
    target: Workplace | None = None,
    version: str | None = None,
) -> UnitContents:
    """Archive a unit. A unit with active sub-units or workplaces is archived only with
    ``cascade``: then they all are, and the active rows of those workplaces are archived or moved
    as ``rows`` says (as for one workplace)."""
    department = Department.objects.select_for_update().select_related("enterprise").get(pk=department.pk)
    check_structure_version(department, version)
    if department.archived_at is not None:
        raise ValidationError(_("This unit is already archived."))
    contents = department_contents(department)
    if not contents.empty and not cascade:
        raise ValidationError(
            _(
                "This unit still has active sub-units or workplaces (sub-units: %(units)d, workplaces: "
                "%(workplaces)d): archive them with it, or move them elsewhere first."
            )
            % {"units": len(contents.units) - 1, "workplaces": len(contents.workplaces)},
            code="not_empty",
        )
    if contents.workplaces:
        locked = list(
            Workplace.objects.select_for_update()
            .filter(pk__in=[w.pk for w in contents.workplaces])
            .order_by("pk")
        )
        _retire_rows(workplaces=locked, rows=rows, target=target)
        workplaces_archive(workplaces=locked)
    departments_archive(departments=contents.units)
    return contents
