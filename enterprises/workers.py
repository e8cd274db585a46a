"""The workers of each workplace (from the enterprise's personnel list): adding, editing, ending
an assignment, the head-count taken from the list, and the .xlsx import with its template.

Workers' names are personal data (152-FZ, REFERENCE §8): only the enterprise's own safety officers
and managers reach them. Reviewers (regional, federal) and administrators of the platform see
counts and percentages only, so every page that names a worker fetches it through
``get_worker_for_user`` / ``personal_scope`` rather than the wider ``for_user`` scope."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .access import NOTHING
from .models import ENTERPRISE_ROLES, Enterprise, Worker, Workplace
from .sheets import CellError, SheetColumn, column_title, date_cell, read_sheet, template_workbook, text_cell

# --- Who sees names ------------------------------------------------------------------------------


def sees_personal_data(user, enterprise_id: int) -> bool:
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and user.role in ENTERPRISE_ROLES
        and user.enterprise_id == enterprise_id
    )


def personal_scope(user, path: str = "enterprise") -> Q:
    """A filter on a model holding workers' personal data, whose enterprise is at ``path`` (''
    for Enterprise itself): the user's own enterprise for officers and managers, nothing for
    everyone else."""
    if not (user and user.is_authenticated and user.is_active and user.role in ENTERPRISE_ROLES):
        return NOTHING
    if not user.enterprise_id:
        return NOTHING
    return Q(**{f"{path}_id" if path else "pk": user.enterprise_id})


def get_personal_for_user(queryset, user, *, path: str = "enterprise", **lookup):
    """One object holding personal data, or 404: a reviewer who sees the enterprise gets the same
    404 as a stranger, so no id tells whether a worker exists."""
    return get_object_or_404(queryset.filter(personal_scope(user, path)), **lookup)


def get_worker_for_user(user, pk) -> Worker:
    return get_personal_for_user(Worker.objects.select_related("workplace", "enterprise"), user, pk=pk)


# --- Optimistic locking ---------------------------------------------------------------------------
# The same token as the register's forms (hazards.services.version_token): updated_at in
# microseconds since the epoch. Repeated here because enterprises builds on nothing above it.

_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


def version_token(moment: datetime.datetime | None) -> str:
    if moment is None:
        return ""
    return str((moment - _EPOCH) // datetime.timedelta(microseconds=1))


def check_version(*, obj, expected: str | None, message: str) -> None:
    """Refuse the save if ``obj`` (read under select_for_update) changed since the form was
    loaded. No token (a script or an import) is not checked; the forms require theirs."""
    if expected in (None, "") or version_token(obj.updated_at) == str(expected):
        return
    record = obj.history.select_related("history_user").order_by("-history_date", "-history_id").first()
    user = record.history_user if record is not None else None
    name = (user.get_full_name() or user.get_username()) if user is not None else _("someone else")
    time = formats.time_format(timezone.localtime(obj.updated_at), "H:i")
    raise ValidationError(message % {"name": name, "time": time}, code="stale")


# --- The workers of a workplace ----------------------------------------------------------------

WORKER_FIELDS = (
    "surname",
    "first_name",
    "patronymic",
    "personnel_number",
    "position",
    "employed_from",
    "employed_to",
)


def current_workers(workplaces, day: datetime.date | None = None):
    """The workers assigned to these workplaces on ``day`` (today by default)."""
    return Worker.objects.filter(workplace__in=workplaces).on(day or timezone.localdate())


def _clean_text(values: dict) -> dict:
    return {key: value.strip() if isinstance(value, str) else value for key, value in values.items()}


def _check_number_free(worker: Worker) -> None:
    taken = Worker.objects.filter(
        workplace_id=worker.workplace_id, personnel_number=worker.personnel_number
    ).exclude(pk=worker.pk)
    if taken.exists():
        raise ValidationError(
            {
                "personnel_number": _(
                    "A worker with this personnel number is already listed at this workplace."
                )
            }
        )


@transaction.atomic
def worker_add(
    *,
    workplace: Workplace,
    surname: str,
    first_name: str,
    personnel_number: str,
    patronymic: str = "",
    position: str = "",
    employed_from: datetime.date | None = None,
    employed_to: datetime.date | None = None,
) -> Worker:
    values = _clean_text(
        {
            "surname": surname,
            "first_name": first_name,
            "patronymic": patronymic,
            "personnel_number": personnel_number,
            "position": position or workplace.position,
            "employed_from": employed_from,
            "employed_to": employed_to,
        }
    )
    worker = Worker(enterprise_id=workplace.enterprise_id, workplace=workplace, **values)
    worker.full_clean(validate_unique=False, validate_constraints=False)
    _check_number_free(worker)
    worker.save()
    return worker


@transaction.atomic
def worker_update(*, worker: Worker, version: str | None = None, **values) -> Worker:
    """Change a worker's data; ``version`` is the form's token: a worker changed meanwhile is
    refused, nothing written."""
    unknown = set(values) - set(WORKER_FIELDS)
    if unknown:
        raise TypeError(f"unknown worker fields: {sorted(unknown)}")
    worker = Worker.objects.select_for_update(of=("self",)).select_related("workplace").get(pk=worker.pk)
    check_version(
        obj=worker,
        expected=version,
        message=_("%(name)s changed this worker at %(time)s while you were editing; reload the page."),
    )
    values = _clean_text(values)
    changed = [name for name, value in values.items() if getattr(worker, name) != value]
    if not changed:
        return worker
    for name in changed:
        setattr(worker, name, values[name])
    worker.full_clean(validate_unique=False, validate_constraints=False)
    _check_number_free(worker)
    worker.save(update_fields=[*changed, "updated_at"])
    return worker


def worker_end(*, worker: Worker, employed_to: datetime.date, version: str | None = None) -> Worker:
    """The worker left the workplace on ``employed_to``: kept (with their acknowledgements), no
    longer counted from the day after."""
    return worker_update(worker=worker, version=version, employed_to=employed_to)


@transaction.atomic
def workplace_headcount_from_workers(*, workplace: Workplace, day: datetime.date | None = None) -> Workplace:
    """Set the workplace's total head-count to the number of its workers on ``day``. The women,
    under-18 and disabled parts are not in the list; they are lowered only where they would
    exceed the new total."""
    workplace = Workplace.objects.select_for_update().get(pk=workplace.pk)
    total = current_workers([workplace], day).count()
    if total == 0:
        raise ValidationError(_("No workers are listed at this workplace; the head-count stays as it is."))
    changed = ["headcount_total"]
    workplace.headcount_total = total
    for part in ("headcount_women", "headcount_under_18", "headcount_disabled"):
        if getattr(workplace, part) > total:
            setattr(workplace, part, total)
            changed.append(part)
    workplace.full_clean()
    workplace.save(update_fields=[*changed, "updated_at"])
    return workplace


# --- Import from .xlsx -------------------------------------------------------------------------
# A personnel list of a pilot enterprise runs to a few thousand people; a file of up to MAX_ROWS
# rows is checked and written within one request (about a second per thousand rows). Larger
# lists are imported in several files.

MAX_ROWS = 3000
COLUMNS = [
    SheetColumn("workplace_number", gettext_lazy("Workplace number"), 16, required=True),
    SheetColumn("personnel_number", gettext_lazy("Personnel number"), 16, required=True),
    SheetColumn("surname", gettext_lazy("Surname"), 20, required=True),
    SheetColumn("first_name", gettext_lazy("First name"), 18, required=True),
    SheetColumn("patronymic", gettext_lazy("Patronymic"), 20),
    SheetColumn("position", gettext_lazy("Position"), 30),
    SheetColumn("employed_from", gettext_lazy("At the workplace from"), 16, kind="date"),
    SheetColumn("employed_to", gettext_lazy("At the workplace until"), 16, kind="date"),
]
LABELS = {column.key: column.label for column in COLUMNS}
MAX_LENGTHS = {
    "workplace_number": 30,
    "personnel_number": 30,
    "surname": 100,
    "first_name": 100,
    "patronymic": 100,
    "position": 300,
}


class WorkerImportResult:
    def __init__(self):
        self.added = 0
        self.updated = 0
        self.errors: list[CellError] = []


def _validate_rows(enterprise: Enterprise, rows) -> tuple[list[tuple[Workplace, dict]], list[CellError]]:
    workplaces = {w.number: w for w in Workplace.objects.filter(enterprise=enterprise).active()}
    errors: list[CellError] = []
    plans = []
    seen: dict[tuple, int] = {}

    def error(row, key, value, message):
        errors.append(CellError(row, column_title(LABELS[key]), text_cell(value)[:200], message))

    for number, cells in rows:
        values = {}
        for key in MAX_LENGTHS:
            text = text_cell(cells.get(key))
            if len(text) > MAX_LENGTHS[key]:
                error(number, key, text, _("At most %(max)s characters.") % {"max": MAX_LENGTHS[key]})
            values[key] = text
        for key in ("workplace_number", "personnel_number", "surname", "first_name"):
            if not values[key]:
                error(number, key, "", _("Required."))
        for key in ("employed_from", "employed_to"):
            try:
                values[key] = date_cell(cells.get(key))
            except ValueError:
                error(number, key, cells.get(key), _("A date as DD.MM.YYYY."))
                values[key] = None
        if (
            values["employed_from"]
            and values["employed_to"]
            and values["employed_to"] < values["employed_from"]
        ):
            error(
                number, "employed_to", cells.get("employed_to"), _("The end date is before the start date.")
            )
        workplace = workplaces.get(values["workplace_number"])
        if values["workplace_number"] and workplace is None:
            error(
                number,
                "workplace_number",
                values["workplace_number"],
                _("No active workplace with this number at the enterprise."),
            )
        key = (values["workplace_number"], values["personnel_number"])
        if values["personnel_number"] and key in seen:
            error(
                number,
                "personnel_number",
                values["personnel_number"],
                _("The same worker is already on row %(row)s.") % {"row": seen[key]},
            )
        seen.setdefault(key, number)
        if workplace is not None:
            plans.append((workplace, values))
    return plans, errors


def workers_import(*, enterprise: Enterprise, file) -> WorkerImportResult:
    """Add or update (by workplace and personnel number) the workers listed in the file. Every
    row is checked first; a file with any error writes nothing."""
    result = WorkerImportResult()
    rows = read_sheet(file, COLUMNS, max_rows=MAX_ROWS)
    plans, result.errors = _validate_rows(enterprise, rows)
    if result.errors:
        return result
    existing = {
        (w.workplace_id, w.personnel_number): w
        for w in Worker.objects.filter(enterprise=enterprise, workplace__in=[p[0] for p in plans])
    }
    with transaction.atomic():
        for workplace, values in plans:
            data = {key: values[key] for key in WORKER_FIELDS}
            data["position"] = data["position"] or workplace.position
            worker = existing.get((workplace.pk, values["personnel_number"]))
            if worker is None:
                worker_add(workplace=workplace, **data)
                result.added += 1
            else:
                before = worker.updated_at
                if worker_update(worker=worker, **data).updated_at != before:
                    result.updated += 1
    return result


def workers_template(enterprise: Enterprise) -> bytes:
    """The import template: the header, and the instructions with the enterprise's active
    workplaces (number and position) to choose from."""
    workplaces = Workplace.objects.filter(enterprise=enterprise).active().order_by("number")[:MAX_ROWS]
    return template_workbook(
        title=_("Workers"),
        columns=COLUMNS,
        instructions=[
            _("How to fill in the workers sheet"),
            _("One row per worker at a workplace; the workplace number as on the SOUT card."),
            _(
                "A worker already listed at the workplace (same personnel number) is updated, not "
                "added twice."
            ),
            _("Dates as DD.MM.YYYY; leave “until” empty while the worker is at the workplace."),
            _(
                "If any row has an error, nothing is imported and every error is listed with its row "
                "and column."
            ),
            _("At most %(max)s rows per file.") % {"max": MAX_ROWS},
            "",
            _("Workplaces of the enterprise:"),
            *(f"№ {w.number} — {w.position}" for w in workplaces),
        ],
    )


def workers_export(enterprise: Enterprise) -> bytes:
    """The enterprise's workers in the template's layout (what an import reads back)."""
    workers = (
        Worker.objects.filter(enterprise=enterprise)
        .select_related("workplace")
        .order_by("workplace__number", "surname", "first_name", "pk")
    )
    return template_workbook(
        title=_("Workers"),
        columns=COLUMNS,
        instructions=[_("The workers of the enterprise, in the layout of the import template.")],
        rows=[
            [
                w.workplace.number,
                w.personnel_number,
                w.surname,
                w.first_name,
                w.patronymic,
                w.position,
                w.employed_from,
                w.employed_to,
            ]
            for w in workers
        ],
    )
